"""``h`` in the review: a report that cannot be written says so, and the day stays shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from companion.store.store import Store
from tests.support.hosts import ReviewHost, settle
from tui.modals.report import SaveReportScreen, report_failure
from tui.screens.review import ReviewScreen

SIZE = (120, 40)


@pytest.fixture
def store(heavy_day_store: Path) -> Iterator[Store]:
    with Store(heavy_day_store, read_only=True) as opened:
        yield opened


def _fail_with(error: BaseException) -> Any:
    def write_day_report(*args: Any, **kwargs: Any) -> Path:
        raise error

    return write_day_report


@pytest.mark.parametrize(
    "error",
    [PermissionError(13, "Permission denied"), RuntimeError("the disk went away")],
)
async def test_a_failed_write_is_a_notice_naming_the_file_and_the_header_stays(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    monkeypatch.setattr("tui.screens.review.write_day_report", _fail_with(error))
    out = tmp_path / "day.html"
    app = ReviewHost(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        header = str(screen.query_one("#review-title", Static).content)
        await pilot.press("h")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SaveReportScreen)
        dialog.query_one("#path", Input).value = str(out)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen and not screen.has_class("-error")
        assert str(screen.query_one("#review-title", Static).content) == header
        assert app.notices[-1].startswith(f"Could not write the report to {out}: ")
        assert "Could not read the day" not in " ".join(app.notices)


def test_the_failure_sentence_says_what_failed_once() -> None:
    out = Path("/tmp/x/day.html")
    assert report_failure(out, PermissionError(13, "Permission denied")) == (
        f"Could not write the report to {out}: Permission denied."
    )
    from companion.errors import HoldspaceError

    already = HoldspaceError(f"could not write the report to {out}: No space left on device.")
    assert report_failure(out, already) == (
        f"Could not write the report to {out}: No space left on device."
    )
    missing = HoldspaceError("the folder /tmp/x does not exist; create it first.")
    assert report_failure(out, missing) == (
        f"Could not write the report to {out}: the folder /tmp/x does not exist; create it first."
    )
