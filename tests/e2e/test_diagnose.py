"""``holdspace diagnose``: the diagnostic bundle, against the emulated strap over real ATT/GATT.

The strap steps run on an event loop whose clock fast-forwards while it is idle
(``looptime``): the adapter's scan, the GATT table and a minute of packets from the Bumble
strap take virtual time, through the same Bleak calls a real strap gets. The command itself
runs in subprocesses: without D-Bus (this machine) it still writes the bundle and says in
one sentence what is missing; with ``--emulated`` it writes a whole one.
"""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
import zipfile
from datetime import UTC, date
from pathlib import Path

import pytest

from companion import __version__
from companion.cli.diagnose import colleague_words, remembered_strap
from companion.connect.colleagues import add_colleague
from companion.diagnose.access import StrapAccess, emulated_access
from companion.diagnose.bundle import (
    DiagnoseRequest,
    Diagnosis,
    bundle_files,
    diagnose,
    write_bundle,
)
from companion.diagnose.logtail import LogMasker, read_log_tail
from companion.logfile import LOG_FILE
from companion.settings import load_settings, save_settings
from companion.store.store import Store
from sensors.ble import uuids
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import LinkLoss, StrapProfile, StrapScript
from sensors.emulated.strap import EmulatedStrap
from sensors.recording import RecordedPacket, RecordingReader, write_recording
from sensors.simulate import simulate_recording
from tests.support.attach import holdspace_env
from tests.support.paths import FIXTURES, ROOT
from tests.support.stores import EARLY, add_small_day, noon_s

REST = FIXTURES / "rest-5min.hsrec"
SYSTEM_BUS = Path("/var/run/dbus/system_bus_socket")

LABEL = "Planted-label-Q7X"
NOTE = "planted note about Q7X's grief"
NAME = "Zebedee Q7X"
PASSWORD = "PlantedPass77"
TOKEN = "PlantedToken8c21f0"
MAIL = f"mailtos://me:{PASSWORD}@mail.example.org?to=zeb.q7x@example.org"
HOOK = f"jsons://hooks.example.org/services/T01/{TOKEN}"
PLANTED = (LABEL, NOTE, NAME, "Zebedee", PASSWORD, TOKEN, "zeb.q7x@example.org")


def _entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            info.filename.removeprefix("holdspace-diagnosis/"): archive.read(info)
            for info in archive.infolist()
        }


def _write(tmp_path: Path, diagnosis: Diagnosis) -> dict[str, bytes]:
    out = tmp_path / "bundle.zip"
    write_bundle(out, bundle_files(diagnosis), diagnosis.created_at)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with zipfile.ZipFile(out) as archive:
        assert {info.external_attr >> 16 for info in archive.infolist()} == {0o600}
    return _entries(out)


def _payloads(recording: bytes, tmp_path: Path) -> list[bytes]:
    path = tmp_path / "capture.hsrec"
    path.write_bytes(recording)
    return [line.payload for _, line in RecordingReader(path) if isinstance(line, RecordedPacket)]


def _contiguous(part: list[bytes], whole: list[bytes]) -> bool:
    return any(whole[i : i + len(part)] == part for i in range(len(whole) - len(part) + 1))


async def _strap(
    script: StrapScript, profile: StrapProfile | None = None
) -> tuple[EmulatedStrap, StrapAccess]:
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, script, profile)
    await strap.start()
    access = StrapAccess(
        radio.scanner_backend, radio.client_backend, strap.now_s, 1.0, True, strap.address
    )
    return strap, access


@pytest.mark.looptime
async def test_the_bundle_holds_the_gatt_table_and_a_minute_of_raw_packets(tmp_path: Path) -> None:
    script = StrapScript.from_recording(REST)
    async with emulated_access(REST, speed=1.0) as access:
        request = DiagnoseRequest(__version__, seconds_s=60.0, strap=access.emulated_strap)
        diagnosis = await diagnose(request, access)
    assert diagnosis.missing_sentence() is None
    files = _write(tmp_path, diagnosis)
    assert {
        "README.txt",
        "summary.json",
        "versions.json",
        "adapter.json",
        "gatt.json",
        "capture.hsrec",
        "link.json",
        "run.log",
    } <= set(files)
    versions = json.loads(files["versions.json"])
    assert versions["holdspace"] == __version__ and versions["bleak"] and versions["numpy"]
    adapter = json.loads(files["adapter.json"])
    assert adapter["works"] and adapter["heart_rate_straps"][0]["address"] == access.emulated_strap
    gatt = json.loads(files["gatt.json"])
    services = {s["uuid"]: s for s in gatt["services"]}
    hrm = {c["uuid"]: c for c in services[uuids.HEART_RATE_SERVICE]["characteristics"]}
    assert hrm[uuids.HEART_RATE_MEASUREMENT]["properties"] == ["notify"]
    info = {c["uuid"]: c for c in services[uuids.DEVICE_INFORMATION]["characteristics"]}
    assert info[uuids.MODEL_NUMBER]["value_text"] == "H10 (emulated)"
    battery = services[uuids.BATTERY_SERVICE]["characteristics"][0]
    assert sorted(battery["properties"]) == ["notify", "read"] and battery["value_bytes"] == 1
    assert gatt["pmd_service"] is False
    # A minute of the strap's packets, as it sent them: a stretch of its script, byte for byte.
    recorded = _payloads(files["capture.hsrec"], tmp_path)
    assert 55 <= len(recorded) <= 62
    assert _contiguous(recorded, [p.payload for p in script.packets])
    link = json.loads(files["link.json"])
    assert link["lines"]["dropped"] == 0 and link["lines"]["connected"] == 1
    assert [s["state"] for s in link["states"]] == [
        "scanning",
        "connecting",
        "streaming",
        "stopped",
    ]


@pytest.mark.looptime
async def test_an_h10_s_bundle_holds_its_pmd_service_and_ecg_and_motion_frames(
    tmp_path: Path,
) -> None:
    recording = tmp_path / "paced-h10.hsrec"
    header, events = simulate_recording(
        "paced-breathing", seed=4, day=date(2026, 11, 25), tz=UTC, pmd=True
    )
    write_recording(recording, header, events)
    async with emulated_access(recording, speed=1.0) as access:
        request = DiagnoseRequest(__version__, seconds_s=30.0, strap=access.emulated_strap)
        diagnosis = await diagnose(request, access)
    assert diagnosis.missing_sentence() is None
    files = _write(tmp_path, diagnosis)
    assert json.loads(files["gatt.json"])["pmd_service"] is True
    link = json.loads(files["link.json"])
    assert link["lines"]["pmd_start"] == 2 and link["lines"]["pmd"] > 30 * 130 / 73
    assert "ECG 130 Hz on" in link["pmd"]
    capture = tmp_path / "capture.hsrec"
    capture.write_bytes(files["capture.hsrec"])
    kinds = {type(line).__name__ for _, line in RecordingReader(capture)}
    assert {"RecordedPmdStart", "RecordedPmdFrame", "RecordedPacket"} <= kinds


@pytest.mark.looptime
async def test_a_drop_during_the_recording_is_in_it_and_the_link_comes_back(tmp_path: Path) -> None:
    script = StrapScript.from_recording(REST)
    away = LinkLoss(at_s=script.start_s + 60.0, away_s=20.0)
    strap, access = await _strap(StrapScript(script.packets, (away,)))
    try:
        request = DiagnoseRequest(__version__, seconds_s=150.0, strap=strap.address)
        diagnosis = await diagnose(request, access)
    finally:
        await strap.stop()
    assert diagnosis.missing_sentence() is None and diagnosis.capture is not None
    lines = diagnosis.capture.lines
    assert lines["dropped"] == 1 and lines["connected"] == 2
    states = [s["state"] for s in diagnosis.capture.states]
    assert states.count("streaming") == 2 and "reconnecting" in states


@pytest.mark.looptime
async def test_a_strap_without_pmd_gives_its_table_and_packets(tmp_path: Path) -> None:
    garmin = StrapProfile(
        name="HRM-Dual EMU",
        address="F0:C0:FF:EE:00:07",
        manufacturer="Garmin (emulated)",
        model="HRM-Dual",
        garmin_extra_rr=True,
        battery_notifies=False,
        drop_after_contact_loss_s=None,
    )
    strap, access = await _strap(StrapScript(StrapScript.from_recording(REST).packets), garmin)
    try:
        diagnosis = await diagnose(DiagnoseRequest(__version__, seconds_s=30.0), access)
    finally:
        await strap.stop()
    assert diagnosis.strap == garmin.address  # the only strap nearby
    assert diagnosis.gatt is not None and diagnosis.capture is not None
    assert diagnosis.gatt.has_heart_rate and not diagnosis.gatt.has_pmd
    assert diagnosis.gatt.name == "HRM-Dual EMU"
    assert 25 <= diagnosis.capture.packets <= 32


@pytest.mark.looptime
async def test_a_strap_not_around_leaves_the_strap_parts_out_in_one_sentence(
    tmp_path: Path,
) -> None:
    strap, access = await _strap(StrapScript(StrapScript.from_recording(REST).packets))
    try:
        request = DiagnoseRequest(__version__, strap="F0:C0:FF:EE:00:99")
        diagnosis = await diagnose(request, access)
    finally:
        await strap.stop()
    sentence = diagnosis.missing_sentence()
    assert sentence == (
        "The bundle holds no GATT table and no recording: The strap F0:C0:FF:EE:00:99 was not "
        "found: wet the strap's electrodes so it wakes up, and close any phone app that holds "
        "it (a strap accepts only one or two connections)."
    )
    files = _write(tmp_path, diagnosis)
    assert "gatt.json" not in files and "capture.hsrec" not in files
    assert json.loads(files["summary.json"])["missing"] == sentence


def _plant(data: Path) -> None:
    """A data folder with everything a bundle must never hold, and a log that names it."""
    with Store(data) as store:
        add_small_day(store, EARLY, LABEL)
        store.add_check_in(noon_s(EARLY) + 900, {"heavy": True, "note": NOTE}, None, "manual")
    add_colleague(data, NAME, [MAIL, HOOK], now_s=noon_s(EARLY))
    save_settings(data, load_settings(data).with_strap("F0:C0:FF:EE:00:01", "Polar H10 EMU"))
    (data / LOG_FILE).write_text(
        "2026-11-20 12:00:00,001 INFO holdspace.strap: strap F0:C0:FF:EE:00:01: streaming\n"
        f"2026-11-20 12:00:01,002 INFO holdspace.channels: send to {NAME} by email ({MAIL}): ok\n"
        "Traceback (most recent call last):\n"
        f'  File "x.py", line 1, in send: {HOOK}\n'
        f"2026-11-20 12:00:02,003 WARNING apprise: {TOKEN} refused\n"
        f"2026-11-20 12:00:03,004 WARNING holdspace: posting to {HOOK} failed for {NAME}\n"
        "2026-11-20 12:00:04,005 WARNING holdspace.strap: no data from the strap for 15 s\n",
        encoding="utf-8",
    )


@pytest.mark.looptime
async def test_the_bundle_never_holds_labels_notes_check_ins_colleagues_or_channels(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    _plant(data)
    assert remembered_strap(data) == "F0:C0:FF:EE:00:01"
    heavy = FIXTURES / "heavy-day.hsrec"  # the emulated strap plays a day with labelled sessions
    async with emulated_access(heavy, speed=1.0) as access:
        request = DiagnoseRequest(
            __version__,
            seconds_s=60.0,
            strap=remembered_strap(data),
            log_path=data / LOG_FILE,
            private_words=colleague_words(data),
        )
        diagnosis = await diagnose(request, access)
    assert diagnosis.missing_sentence() is None
    files = _write(tmp_path, diagnosis)
    text = b"\n".join(files.values()).decode("utf-8")
    for planted in (*PLANTED, "C-33", "SUP", "LUNCH"):
        assert planted not in text, planted
    for event in ("session_start", "session_end", "checkin"):
        assert f'"ev":"{event}"' not in text
    tail = files["holdspace-log-tail.txt"].decode()
    assert tail.splitlines() == [
        "2026-11-20 12:00:00,001 INFO holdspace.strap: strap F0:C0:FF:EE:00:01: streaming",
        "2026-11-20 12:00:03,004 WARNING holdspace: posting to *** failed for ***",
        "2026-11-20 12:00:04,005 WARNING holdspace.strap: no data from the strap for 15 s",
        "[4 lines about colleagues' channels left out]",
    ]


def test_every_url_in_the_log_is_masked_even_without_known_colleagues(tmp_path: Path) -> None:
    log = tmp_path / LOG_FILE
    log.write_text(
        "2026-11-20 12:00:00,001 ERROR holdspace: cannot reach "
        f"{MAIL}, nor {HOOK}.\n"
        "  continued: discord://4417/PlantedWebhookToken99\n",
        encoding="utf-8",
    )
    tail = read_log_tail(log, LogMasker())
    text = "\n".join(tail.lines)
    for secret in (PASSWORD, TOKEN, "PlantedWebhookToken99", "T01"):
        assert secret not in text
    assert "mailtos://me:***@mail.example.org" in text and text.endswith("/***")
    assert read_log_tail(tmp_path / "none.log", LogMasker()).found is False


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "companion", "--data-dir", str(cwd / "data"), "diagnose", *args],
        cwd=cwd,
        env={**holdspace_env(cwd / "data"), "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(SYSTEM_BUS.exists(), reason="this machine has a D-Bus system bus")
def test_without_bluetooth_the_bundle_is_written_and_one_sentence_says_what_is_missing(
    tmp_path: Path,
) -> None:
    result = _run("--seconds", "5", "--out", "nobt.zip", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("holdspace: The bundle holds no GATT table and no recording: ")
    assert "D-Bus" in lines[0] and lines[0].endswith(".")
    files = _entries(tmp_path / "nobt.zip")
    assert set(files) == {"README.txt", "summary.json", "versions.json", "adapter.json", "run.log"}
    assert json.loads(files["adapter.json"])["works"] is False
    assert json.loads(files["versions.json"])["holdspace"] == __version__
    # A bundle already there is left alone, in one sentence.
    before = (tmp_path / "nobt.zip").read_bytes()
    again = _run("--out", "nobt.zip", cwd=tmp_path)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert len(again.stderr.strip().splitlines()) == 1 and "Traceback" not in again.stderr
    assert (tmp_path / "nobt.zip").read_bytes() == before


def test_the_command_on_the_emulated_strap_writes_a_whole_bundle(tmp_path: Path) -> None:
    result = _run("--emulated", str(REST), "--speed", "60", "--seconds", "60", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    written = sorted(tmp_path.glob("holdspace-diagnose-*.zip"))
    assert len(written) == 1 and stat.S_IMODE(written[0].stat().st_mode) == 0o600
    assert result.stdout.startswith(f"Diagnostic bundle: {written[0].name} (")
    assert "Polar H10 EMU (F0:C0:FF:EE:00:01)" in result.stdout
    files = _entries(written[0])
    assert b'"ev":"hrm"' in files["capture.hsrec"]
    assert json.loads(files["summary.json"])["missing"] is None
    zipfile.ZipFile(io.BytesIO(written[0].read_bytes())).testzip()
