"""Colleagues, the contact log and the connection commands, with real channels on loopback.

The SMTP server is aiosmtpd on 127.0.0.1 (``tests/support/loopback.py``); the guard fails any
test that connects anywhere else. The channel URL carries a distinctive secret, which
must never show in output, errors, logs or any file but ``colleagues.json`` (0600).
"""

from __future__ import annotations

import io
import json
import logging
import stat
from pathlib import Path
from typing import Any

import pytest

from companion.cli.main import main
from companion.connect.colleagues import (
    ContactRecord,
    add_colleague,
    due_check_ins,
    load_book,
    parse_rhythm,
    record_contact,
    remove_colleague,
)
from companion.errors import HoldspaceError
from companion.store.store import Store
from tests.support.loopback import SECRET, Mailbox, mail_url

pytestmark = [
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
    pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning"),
]

DAY_S = 86_400.0
T0 = 1_764_000_000.0


@pytest.fixture(autouse=True)
def _only_loopback(loopback_only: list[Any]) -> list[Any]:
    return loopback_only


def cli(data_dir: Path, *args: str) -> int:
    return main(["--data-dir", str(data_dir), *args])


def all_text_under(directory: Path, *, but: str = "colleagues.json") -> str:
    return "\n".join(
        p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file() and p.name != but
    )


# -- the book ---------------------------------------------------------------------------


def test_rhythms() -> None:
    assert [parse_rhythm(t) for t in ("7d", "2w", "10", "weekly", "Monthly", " 3 days ")] == [
        7,
        14,
        10,
        7,
        30,
        3,
    ]
    for bad in ("0d", "soon", "-1", "400d"):
        with pytest.raises(HoldspaceError):
            parse_rhythm(bad)


def test_add_replace_remove_and_the_file_is_private(tmp_path: Path) -> None:
    url = mail_url(2525)
    sam = add_colleague(tmp_path, "  Sam  ", [url], every_days=7, now_s=T0)
    assert sam.name == "Sam" and sam.channels == (url,)
    assert all(SECRET not in m for m in sam.masked_channels())
    path = tmp_path / "colleagues.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = add_colleague(tmp_path, "sam", [url], role="supervisor", now_s=T0 + DAY_S)
    assert again.added_s == T0 and again.role == "supervisor"  # replaced, not doubled
    assert [c.name for c in load_book(tmp_path).colleagues] == ["sam"]
    with pytest.raises(HoldspaceError, match="no colleague called 'Robin'"):
        remove_colleague(tmp_path, "Robin")
    remove_colleague(tmp_path, "SAM")
    assert load_book(tmp_path).colleagues == ()
    with pytest.raises(HoldspaceError, match="unknown role"):
        add_colleague(tmp_path, "Robin", [url], role="boss", now_s=T0)
    with pytest.raises(HoldspaceError, match="does not recognise"):
        add_colleague(tmp_path, "Robin", ["nosuchscheme://x"], now_s=T0)


def test_contacts_set_the_last_contact_and_make_check_ins_due(tmp_path: Path) -> None:
    add_colleague(tmp_path, "Sam", [mail_url(2525)], every_days=7, now_s=T0)
    book = load_book(tmp_path)
    assert due_check_ins(book, T0 + 6 * DAY_S) == {}
    assert due_check_ins(book, T0 + 9 * DAY_S + 5) == {"Sam": 9}
    failed = ContactRecord(T0 + 9 * DAY_S, "Sam", "message", False, "Could not reach …")
    test = ContactRecord(T0 + 9 * DAY_S, "Sam", "test", True, "Sent to Sam by e-mail.")
    assert record_contact(tmp_path, failed) is not None
    assert record_contact(tmp_path, test) is not None
    assert load_book(tmp_path).colleagues[0].last_contact_s is None  # neither counts
    talk = ContactRecord(T0 + 9 * DAY_S + 60, "Sam", "in_person", True, "Talked.")
    sam = record_contact(tmp_path, talk)
    assert sam is not None and sam.last_contact_s == talk.t_s
    assert sam.last_contact_way == "in_person"
    book = load_book(tmp_path)
    assert due_check_ins(book, T0 + 10 * DAY_S) == {}
    assert len(book.contacts) == 3
    assert len(book.contact_days()) == 1


def test_a_damaged_file_is_named_in_one_sentence(tmp_path: Path) -> None:
    (tmp_path / "colleagues.json").write_text("{not json")
    with pytest.raises(HoldspaceError, match=r"colleagues\.json is not valid JSON \(line 1"):
        load_book(tmp_path)


# -- the commands, with a real SMTP server -----------------------------------------------


def test_colleague_commands_and_contact_by_email(
    tmp_path: Path,
    smtp: tuple[Mailbox, int],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    mailbox, port = smtp
    data = tmp_path / "data"
    assert cli(data, "colleagues", "add", "Sam", "--channel", mail_url(port), "--every", "7d") == 0
    assert cli(data, "colleagues", "list") == 0
    assert cli(data, "colleagues", "list", "--json") == 0
    out = capsys.readouterr().out
    assert "Sam (peer, check in every 7 d, no contact yet)" in out
    listed = json.loads(out[out.index("[") :])
    assert listed[0]["name"] == "Sam" and "***" in listed[0]["channels"][0]

    assert cli(data, "colleagues", "test", "Sam") == 0
    assert cli(data, "contact", "Sam", "--message", "How are you holding up?") == 0
    out = capsys.readouterr().out
    assert out.count("Sent to Sam by e-mail.") == 2
    assert len(mailbox.envelopes) == 2
    envelope = mailbox.envelopes[-1]
    assert envelope.rcpt_tos == ["sam@example.org"]
    assert "How are you holding up?" in envelope.content.decode("utf-8", "replace")

    book = load_book(data)
    assert book.colleagues[0].last_contact_way == "message"  # the test did not count
    assert [c.way for c in book.contacts] == ["test", "message"]

    # The secret shows nowhere but in colleagues.json: not in output, logs, or other files.
    everything = out + caplog.text + all_text_under(data)
    assert SECRET not in everything
    assert SECRET in (data / "colleagues.json").read_text()


def test_failures_are_one_plain_sentence_and_recorded(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.loopback import closed_port

    data = tmp_path / "data"
    port = closed_port()
    cli(data, "colleagues", "add", "Sam", "--channel", mail_url(port))
    assert cli(data, "contact", "Sam") == 1
    captured = capsys.readouterr()
    assert f"Could not reach the mail server at 127.0.0.1:{port} (connection refused)" in (
        captured.err
    )
    assert SECRET not in captured.out + captured.err
    (record,) = load_book(data).contacts
    assert not record.ok and record.way == "message"
    assert load_book(data).colleagues[0].last_contact_s is None
    assert cli(data, "contact", "Robin") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "holdspace: error: no colleague called 'Robin' (known: Sam); add one with "
        "`holdspace colleagues add NAME --channel URL`."
    ]


def test_in_person_counts_as_contact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    cli(data, "colleagues", "add", "Robin", "--channel", mail_url(2525), "--role", "supervisor")
    assert cli(data, "contact", "robin", "--in-person") == 0
    assert "Talked with Robin in person." in capsys.readouterr().out
    assert load_book(data).colleagues[0].last_contact_way == "in_person"


# -- the calendar command ------------------------------------------------------------------


def test_calendar_import_plans_the_days_and_a_bad_file_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.paths import FIXTURES

    data = tmp_path / "data"
    week = FIXTURES / "calendars" / "week.ics"
    args = ("calendar", "import", str(week), "--date", "2025-10-27", "--days", "5")
    assert cli(data, *args) == 0
    out = capsys.readouterr().out
    assert "(titles not stored)" in out
    with Store(data, read_only=True) as store:
        planned = store.planned()
    assert len(planned) >= 5 and all(doc["title"] is None for doc in planned)
    assert "Client" not in json.dumps(planned)  # no title, not even in labels
    bad = tmp_path / "not-a-calendar.ics"
    bad.write_text("Subject: hello\n\nnot a calendar\n")
    assert cli(data, "calendar", "import", str(bad), "--date", "2025-10-27") == 1
    assert "not-a-calendar.ics is not an iCalendar file" in capsys.readouterr().err
    with Store(data, read_only=True) as store:
        assert store.planned() == planned
    # Importing the same days again replaces them (no duplicates).
    assert cli(data, *args, "--keep-titles") == 0
    with Store(data, read_only=True) as store:
        again = store.planned()
    assert len(again) == len(planned) and any(doc["title"] for doc in again)


def test_calendar_import_skips_a_bad_event_with_a_warning_and_keeps_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.support.paths import FIXTURES

    data = tmp_path / "data"
    messy = FIXTURES / "calendars" / "malformed.ics"
    assert cli(data, "calendar", "import", str(messy), "--date", "2025-10-28", "--days", "1") == 0
    out, err = capsys.readouterr()
    assert "Planned 1 sessions from malformed.ics" in out
    assert err == f"Warning: {messy} line 11: the event has no DTSTART; skipped.\n"
    with Store(data, read_only=True) as store:
        assert len(store.planned()) == 1


def test_the_review_of_a_day_names_its_contacts(heavy_day_store: Path, tmp_path: Path) -> None:
    import shutil
    from datetime import UTC, date, datetime

    from companion.review.day import load_day

    data = tmp_path / "data"
    shutil.copytree(heavy_day_store, data)
    day = date(2026, 11, 23)
    with Store(data, read_only=True) as store:
        before = load_day(store, day).connection
    assert before.startswith("Connection today: a supervision session.")
    assert "in client sessions (this day only)" in before
    noon = datetime(2026, 11, 23, 12, 30, tzinfo=UTC).timestamp()
    add_colleague(data, "Sam", [mail_url(2525)], now_s=noon - DAY_S)
    record_contact(data, ContactRecord(noon, "Sam", "message", True, "Sent to Sam by e-mail."))
    record_contact(data, ContactRecord(noon, "Sam", "test", True, "Sent to Sam by e-mail."))
    with Store(data, read_only=True) as store:
        after = load_day(store, day).connection
    assert after.startswith("Connection today: a message to Sam, a supervision session.")


def test_the_helpers_calendar_rules_come_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from companion.settings import Settings, load_settings, save_settings
    from tests.support.paths import FIXTURES

    data = tmp_path / "data"
    save_settings(data, Settings(calendar_rules=(("huddle", "admin"),)))
    assert load_settings(data).calendar_rules == (("huddle", "admin"),)
    week = FIXTURES / "calendars" / "week.ics"
    base = ("calendar", "import", str(week), "--date", "2025-10-27", "--days", "3", "--json")
    assert cli(data, *base) == 0
    kinds = {d["label"]: d["kind"] for d in json.loads(capsys.readouterr().out)}
    assert "admin" in kinds.values() and "team" in kinds.values()  # the team huddle: admin now
    assert cli(data, *base, "--rule", "home visit=peer") == 0
    kinds_with_rule = [d["kind"] for d in json.loads(capsys.readouterr().out)]
    assert kinds_with_rule.count("peer") > list(kinds.values()).count("peer")
    assert cli(data, *base, "--rule", "x=boss") == 1
    assert "'boss'" in capsys.readouterr().err
    with pytest.raises(HoldspaceError, match="calendar_rules"):
        (data / "settings.json").write_text('{"calendar_rules": [["a", "boss"]]}')
        load_settings(data)


@pytest.mark.parametrize("failure", ["refused", "timeout", "wrong port"])
def test_each_failure_is_the_documented_sentence_and_recorded_as_failed(
    tmp_path: Path, failure: str, request: pytest.FixtureRequest
) -> None:
    from companion.connect.contact import send_to
    from tests.support.loopback import closed_port

    if failure == "refused":
        port = closed_port()
        expected = f"Could not reach the mail server at 127.0.0.1:{port} (connection refused)"
    elif failure == "timeout":
        port = request.getfixturevalue("silent_port")
        expected = f"127.0.0.1:{port} did not answer within 1 s"
    else:  # an HTTP server where the mail server should be
        port = request.getfixturevalue("http_greeter")
        expected = f"The server at 127.0.0.1:{port} did not speak e-mail (SMTP)"
    sam = add_colleague(tmp_path, "Sam", [mail_url(port)], now_s=T0)
    (record,) = send_to(tmp_path, sam, "Hello", now_s=T0 + 60, timeout_s=1.0)
    assert not record.ok and record.detail.startswith(expected)
    assert SECRET not in record.detail
    book = load_book(tmp_path)
    assert book.contacts == (record,) and book.colleagues[0].last_contact_s is None


def test_a_team_status_goes_to_the_team_channel(
    tmp_path: Path, smtp: tuple[Mailbox, int], capsys: pytest.CaptureFixture[str]
) -> None:
    mailbox, port = smtp
    data = tmp_path / "data"
    cli(data, "colleagues", "add", "Team", "--channel", mail_url(port), "--role", "team")
    assert cli(data, "contact", "Team", "--team-status") == 0
    (envelope,) = mailbox.envelopes
    # Nothing measured today in this store: a plain check-in, no numbers.
    assert "Checking in: no strong signals from my day so far." in envelope.content.decode()
    assert "Sent to Team by e-mail." in capsys.readouterr().out


# -- the channel off the command line (`--channel -`) ------------------------------------


class Keyboard(io.StringIO):
    """Standard input as a terminal: the channel must be asked for unseen (getpass)."""

    def isatty(self) -> bool:
        return True


def test_a_channel_read_from_standard_input_never_touches_argv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = mail_url(2525)
    monkeypatch.setattr("sys.stdin", io.StringIO(url + "\n"))
    assert cli(tmp_path, "colleagues", "add", "Sam", "--channel", "-") == 0
    captured = capsys.readouterr()
    assert load_book(tmp_path).colleagues[0].channels == (url,)
    assert SECRET not in captured.out + captured.err
    assert "Warning" not in captured.err


def test_a_channel_typed_at_a_terminal_is_not_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"ntfys://ntfy.sh/topic?token={SECRET}"
    prompts: list[str] = []

    def getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return url

    monkeypatch.setattr("sys.stdin", Keyboard())
    monkeypatch.setattr("getpass.getpass", getpass)
    assert cli(tmp_path, "colleagues", "add", "Kim", "--channel", "-") == 0
    assert prompts == ["Channel address for Kim (Apprise URL, not shown): "]
    assert load_book(tmp_path).colleagues[0].channels == (url,)
    assert SECRET not in "".join(capsys.readouterr())


def test_no_channel_on_standard_input_is_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli(tmp_path, "colleagues", "add", "Sam", "--channel", "-") != 0
    assert "`--channel -` reads the channel address from standard input" in capsys.readouterr().err
    assert not (tmp_path / "colleagues.json").exists()


def test_a_secret_on_the_command_line_is_warned_about(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(tmp_path, "colleagues", "add", "Sam", "--channel", mail_url(2525)) == 0
    err = capsys.readouterr().err
    assert "Warning: the channel address mailto://sam:***@127.0.0.1:2525" in err
    assert "`--channel -`" in err and SECRET not in err
    assert cli(tmp_path, "colleagues", "add", "Kim", "--channel", "mailto://kim@example.org") == 0
    assert "Warning" not in capsys.readouterr().err
