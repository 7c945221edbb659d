"""``holdspace colleagues list`` tells the last contact in calendar days, as the screen does.

It printed "last contact 0 d ago" for a talk an hour ago and "0 d ago" for one late last
night; it now says "today", "yesterday", "N days ago" (issue 15). The command's clock is
set by the test (``time.time`` in :mod:`companion.cli.connect`); no channel is used.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest

from companion.cli import connect as cli_connect
from companion.cli.main import main
from companion.connect.colleagues import ContactRecord, add_colleague, record_contact
from tests.support.loopback import mail_url

pytestmark = pytest.mark.filterwarnings("ignore:'imghdr' is deprecated:DeprecationWarning")


def at(day: int, hh: int, mm: int) -> float:
    return datetime(2026, 11, day, hh, mm).timestamp()  # local time (UTC in the tests)


@pytest.mark.parametrize(
    ("contact_s", "words"),
    [
        (at(23, 7, 30), "last contact today"),
        (at(22, 23, 0), "last contact yesterday"),  # nine hours ago, but yesterday
        (at(20, 8, 0), "last contact 3 days ago"),
        (None, "no contact yet"),
    ],
)
def test_the_list_says_today_yesterday_or_days_ago(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    contact_s: float | None,
    words: str,
) -> None:
    add_colleague(tmp_path, "Sam", [mail_url(2525)], every_days=7, now_s=at(1, 9, 0))
    if contact_s is not None:
        record_contact(tmp_path, ContactRecord(contact_s, "Sam", "in_person", ok=True))
    monkeypatch.setattr(cli_connect, "time", SimpleNamespace(time=lambda: at(23, 8, 0)))

    assert main(["--data-dir", str(tmp_path), "colleagues", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{words})" in out
    assert " d ago" not in out
