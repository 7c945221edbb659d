"""``holdspace forget``: stored days are removed from the files, not hidden."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import orjson
import pytest

from companion.cli.forget import add_forget_parsers
from companion.errors import HoldspaceError, StoreLockedError
from companion.store.forget import apply_retention, forget_days, stored_days
from companion.store.store import Store
from tests.support.stores import EARLY, MIDDLE, add_small_day, noon_s

HEAVY_DAY = date(2026, 11, 23)
SETTINGS_BYTES = b'{"version": 1, "daily_prompt_cap": 4}\n'
COLLEAGUES_BYTES = b'{"version": 1, "colleagues": []}\n'


@pytest.fixture
def data(heavy_day_store: Path, tmp_path: Path) -> Path:
    """A copy of the heavy day's store, with two small earlier days and kept files."""
    copy = tmp_path / "data"
    shutil.copytree(heavy_day_store, copy)
    with Store(copy) as store:
        add_small_day(store, EARLY, "E-1")
        add_small_day(store, MIDDLE, "M-2")
        store.put_setting("strap_address", "AA:BB:CC:DD:EE:FF")
        store.put_setting("resting_baseline", {"hr_bpm": 61.37, "source": "resting"})
    (copy / "settings.json").write_bytes(SETTINGS_BYTES)
    (copy / "colleagues.json").write_bytes(COLLEAGUES_BYTES)
    return copy


def _tokens(data_dir: Path) -> dict[str, list[bytes]]:
    """Byte strings that betray stored body data: beat times and RRs, minutes, labels."""
    with Store(data_dir, read_only=True) as store:
        beats = store.beats(HEAVY_DAY)
        epochs = store.epochs(HEAVY_DAY)
        labels = [s.label for s in store.sessions()]
    step = max(1, beats.time_s.size // 40)
    return {
        "beat time": [orjson.dumps(float(t)) for t in beats.time_s[::step]],
        "RR": [orjson.dumps(float(r)) for r in beats.rr_ms[::step] if float(r) % 1],
        "minute": [json.dumps(float(e["start_s"])).encode() for e in epochs[::10]],
        "label": [json.dumps(label).encode() for label in labels],
    }


def _all_bytes(data_dir: Path) -> Iterator[tuple[Path, bytes]]:
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            yield path, path.read_bytes()


def _forget(data_dir: Path, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="holdspace")
    parser.add_argument("--data-dir")
    sub = parser.add_subparsers(dest="command")
    add_forget_parsers(sub)
    args = parser.parse_args(["--data-dir", str(data_dir), "forget", *argv])
    return int(args.func(args))


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_forget_all_leaves_no_beat_minute_or_label_in_any_file(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tokens = _tokens(data)
    assert "C-33" in {t.decode().strip('"') for t in tokens["label"]}
    # the tokens are really there before forgetting
    before = b"".join(content for _, content in _all_bytes(data))
    for kind, found in tokens.items():
        assert found and all(t in before for t in found), kind

    assert _forget(data, "--all", "--yes") == 0

    out = capsys.readouterr().out
    assert "Forgot 3 days (2026-11-20 … 2026-11-23)" in out
    assert "Kept settings.json and colleagues.json" in out
    for path, content in _all_bytes(data):
        for kind, found in tokens.items():
            leaked = [t for t in found if t in content]
            assert not leaked, f"{kind} {leaked[:3]} left in {path}"
        assert b"C-33" not in content and b"M-2" not in content, path
        assert b"61.37" not in content, path  # the resting baseline is body data
    assert (data / "settings.json").read_bytes() == SETTINGS_BYTES
    assert (data / "colleagues.json").read_bytes() == COLLEAGUES_BYTES
    assert not list(data.rglob(".*.tmp"))
    assert not (data / "days").exists()
    with Store(data) as store:
        assert store.days() == []
        assert stored_days(store) == []
        assert store.sessions() == [] and store.prompts() == [] and store.planned() == []
        assert store.check_ins() == [] and store.acts() == []
        assert store.day_summary(HEAVY_DAY) is None
        assert store.setting("strap_address") == "AA:BB:CC:DD:EE:FF"
        assert store.setting("resting_baseline") is None


def test_forget_day_removes_only_that_day(data: Path) -> None:
    assert _forget(data, "--day", MIDDLE.isoformat(), "--yes") == 0
    assert not (data / "days" / MIDDLE.isoformat()).exists()
    main = (data / "holdspace.json").read_bytes()
    assert b'"M-2"' not in main and MIDDLE.isoformat().encode() not in main
    with Store(data, read_only=True) as store:
        assert store.days() == [EARLY, HEAVY_DAY]
        assert store.beats(MIDDLE).time_s.size == 0 and store.epochs(MIDDLE) == []
        assert store.sessions(MIDDLE) == [] and store.prompts(MIDDLE) == []
        assert store.check_ins(MIDDLE) == [] and store.acts(MIDDLE) == []
        assert store.day_summary(MIDDLE) is None and store.planned(MIDDLE) == []
        assert store.sources_on(MIDDLE) == set()
        assert [s.label for s in store.sessions(EARLY)] == ["E-1"]
        assert store.beats(EARLY).time_s.size == 900
        assert len(store.sessions(HEAVY_DAY)) == 12
        assert store.day_summary(HEAVY_DAY) is not None


def _early_tokens() -> list[bytes]:
    """Bytes only EARLY's records hold: its label, its prompt, a beat time, its minutes."""
    t0 = noon_s(EARLY)
    return [b'"E-1"', f"p-{EARLY}".encode(), orjson.dumps(t0 + 7 * 0.8123), orjson.dumps(t0 + 60)]


@pytest.mark.parametrize("how", ["day", "before", "retention"])
def test_forgetting_days_leaves_nothing_of_them_in_copies_and_generations(
    data: Path, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    main = data / "holdspace.json"
    whole = main.read_bytes()
    (data / "holdspace.json.corrupt-20261121T090000").write_bytes(whole[:-1])  # unreadable
    (data / "holdspace.json.prev.corrupt-20261122T090000").write_bytes(whole[:-9])
    (data / "holdspace.json.v1-backup").write_bytes(whole)  # an upgrade's backup: readable
    early_dir = data / "days" / EARLY.isoformat()
    (early_dir / "epochs.json.corrupt-20261121T090000").write_bytes(b'{"epochs": {"1": 4')
    with Store(data) as store:  # one more write, so the generation holds the days too
        store.put_setting("strap_name", "H10")
    before = b"".join(content for _, content in _all_bytes(data))
    assert all(t in before for t in _early_tokens())
    generation = data / "holdspace.json.prev"
    assert not generation.exists() or b'"E-1"' in generation.read_bytes()

    if how == "retention":
        with Store(data) as store:
            assert apply_retention(store, keep_days=3, today=HEAVY_DAY).days == (EARLY,)
    else:
        flag = "--day" if how == "day" else "--before"
        assert _forget(data, flag, (EARLY if how == "day" else MIDDLE).isoformat(), "--yes") == 0

    for path, content in _all_bytes(data):
        leaked = [t for t in _early_tokens() if t in content]
        assert not leaked, f"{leaked} left in {path.name}"
    assert not list(data.glob("*.corrupt-*"))
    assert "Deleted 2 damaged copies of holdspace.json" in caplog.text
    assert "could not be taken out of them" in caplog.text
    backup = json.loads((data / "holdspace.json.v1-backup").read_bytes())
    assert any(d.get("label") == "M-2" for d in backup["sessions"].values())  # kept, filtered
    # The generation is kept, without the day: a damaged main file is still recovered.
    main.write_bytes(b"")
    with Store(data) as store:
        assert [s.label for s in store.sessions(MIDDLE)] == ["M-2"]
        assert len(store.sessions(HEAVY_DAY)) == 12 and store.sessions(EARLY) == []


def test_forget_before_removes_the_earlier_days(data: Path) -> None:
    assert _forget(data, "--before", HEAVY_DAY.isoformat(), "--yes") == 0
    with Store(data, read_only=True) as store:
        assert store.days() == [HEAVY_DAY]
        assert stored_days(store) == [HEAVY_DAY]
        assert {s.label for s in store.sessions()} >= {"C-33"}
        assert not {"E-1", "M-2"} & {s.label for s in store.sessions()}


def test_a_store_that_is_written_again_after_forgetting(data: Path) -> None:
    with Store(data) as store:
        store.beats(MIDDLE)  # opens (caches) the day's segment files
        forget_days(store, [MIDDLE])
        add_small_day(store, MIDDLE, "M-3")
    with Store(data, read_only=True) as store:
        assert store.beats(MIDDLE).time_s.size == 900
        assert [s.label for s in store.sessions(MIDDLE)] == ["M-3"]
        assert store.sources_on(MIDDLE) == {f"test:{MIDDLE.isoformat()}"}


@pytest.mark.parametrize("answer", ["no\n", "\n", "y\n", ""])
def test_anything_but_yes_cancels(
    data: Path,
    answer: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = {p: c for p, c in _all_bytes(data) if p.name != ".writer.lock"}
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    assert _forget(data, "--all") == 1
    out = capsys.readouterr().out
    assert "Forget 3 days (2026-11-20 … 2026-11-23): beats, minutes" in out
    assert "Type yes:" in out and "Nothing was forgotten." in out
    assert {p: c for p, c in _all_bytes(data) if p.name != ".writer.lock"} == before


def test_yes_on_the_terminal_forgets(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Terminal("yes\n"))
    assert _forget(data, "--day", EARLY.isoformat()) == 0
    with Store(data, read_only=True) as store:
        assert store.days() == [MIDDLE, HEAVY_DAY]


def test_without_a_terminal_it_refuses_in_one_sentence(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    with pytest.raises(HoldspaceError, match="add --yes") as caught:
        _forget(data, "--all")
    assert str(caught.value).count(". ") == 0
    with Store(data, read_only=True) as store:
        assert len(store.days()) == 3


def test_a_running_writer_makes_forget_fail(data: Path) -> None:
    with Store(data), pytest.raises(StoreLockedError, match="close it first"):
        _forget(data, "--all", "--yes")
    with Store(data, read_only=True) as store:
        assert len(store.days()) == 3


def test_nothing_stored_for_the_day(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _forget(data, "--day", "2026-01-01", "--yes") == 0
    assert "nothing was forgotten" in capsys.readouterr().out


def test_retention_keeps_the_last_days_only(data: Path) -> None:
    with Store(data) as store:
        result = apply_retention(store, keep_days=3, today=HEAVY_DAY)  # keeps 21 .. 23
        assert result.days == (EARLY,)
        assert result.files_removed >= 2 and result.records_removed >= 7
        assert store.days() == [MIDDLE, HEAVY_DAY]
        assert apply_retention(store, keep_days=3, today=HEAVY_DAY).days == ()
        with pytest.raises(HoldspaceError, match="1 or more"):
            apply_retention(store, keep_days=0, today=HEAVY_DAY)
        assert apply_retention(store, keep_days=1, today=HEAVY_DAY).days == (MIDDLE,)
        assert store.days() == [HEAVY_DAY]


def test_the_retention_setting_forgets_older_days_when_a_recording_starts(
    data: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import timedelta

    from companion.settings import Settings, apply_retention_setting, save_settings

    with Store(data) as store:
        assert apply_retention_setting(store, HEAVY_DAY) is None  # no retention set
        assert len(store.days()) == 3
    save_settings(data, Settings(retention_days=7))
    with Store(data) as store:
        result = apply_retention_setting(store, HEAVY_DAY + timedelta(days=5))  # keeps 22 ..
        assert result is not None and result.days == (EARLY, MIDDLE)
        assert store.days() == [HEAVY_DAY]
    assert "as retention_days (7) in settings.json asks" in caplog.text
    with pytest.raises(HoldspaceError, match="retention_days"):
        Settings(retention_days=3)
