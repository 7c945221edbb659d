"""Review of a day and of one session: the screens over :mod:`companion.review.day`.

:class:`ReviewScreen` shows a day (heart rate and stress per minute with the
sessions shaded, a table of sessions, the prompts with their fates and
responses); ``enter`` on a session opens :class:`SessionDetailScreen` (the full
HRV report, tachogram, Poincaré plot, prompts and check-in). Both read the
store in a thread worker that posts one message with the loaded data; a failed
read becomes a visible line, not a traceback.

``holdspace review`` opens on this screen, so it paints first: the frame with a
"Loading the day…" line, and only then the worker reads the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, ClassVar, Final

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from companion.errors import HoldspaceError
from companion.review.day import DayReview, SessionDetail, load_day, load_session, review_days
from companion.review.html import write_day_report
from companion.review.rows import PromptRow, SessionRow, clock
from companion.review.session_words import against_baseline_lines, hrv_report_explained, load_words
from tui.modals.report import SaveReportScreen, report_failure
from tui.widgets.chart import PoincarePlot, Tachogram, TimeChart
from tui.widgets.footer import KeysFooter
from tui.widgets.parts import PartsLine
from tui.widgets.series import Band, Series

if TYPE_CHECKING:
    from pathlib import Path

    from companion.store.store import Store
    from tui.modals.report import ReportRequest

__all__ = ["ReviewScreen", "SessionDetailScreen"]

EMPTY_STORE: Final = "No days recorded yet — run “holdspace demo” to see how a day looks."
LOADING_DAY: Final = "Loading the day…"
REPORT_GROUP: Final = "review-report"
"""The worker group that writes the HTML report (its failure is a notification)."""
HR_COLOUR: Final = "#e06c75"
STRESS_COLOUR: Final = "#e5c07b"
SESSION_COLUMNS: Final = (
    "Time",
    "Kind",
    "Label",
    "Min",
    "HR",
    "ΔHR",
    "RMSSD",
    "Stress",
    "High",
    "Load",
    "Recov",
    "Check-in",
)
"""Short headers, so the table fits: their units are in :data:`COLUMNS_NOTE`."""
COLUMNS_NOTE: Final = (
    "Min: length · HR: mean, bpm · ΔHR: against your baseline · RMSSD: ms · "
    "Stress: mean / peak, 0-100 · High: minutes in the high band · "
    "Load: the session's own, 0-100 (– too short or not measured) · "
    "Recov: minutes until back near baseline · enter: all of a session"
)
NARROW_COLUMNS: Final = (0, 1, 2, 3, 5, 7, 9, 11)
"""The columns shown below :data:`WIDE_COLUMNS_FROM` cells (the session's screen has all)."""
WIDE_COLUMNS_FROM: Final = 100
CHECK_IN_MIN_W: Final = 8
"""The check-in column takes the width left, at least this much (longer text ends in …)."""
CHECK_IN_LINES: Final = 2
"""Lines a session's row may take on a wide screen, so a long check-in shows most of itself."""
DASH: Final = "–"


def _num(value: float | None, fmt: str = "{:.0f}") -> Text:
    """``value`` formatted, right-aligned; a dash for None; never a negative zero."""
    if value is None:
        return Text(DASH, justify="right")
    text = fmt.format(value)
    if float(text) == 0.0:  # "-0.0" and "-0" are 0, whatever the sign of what rounded to it
        text = fmt.format(0.0)
    return Text(text, justify="right")


def _span(row: SessionRow) -> str:
    return f"{clock(row.start_s)}–{clock(row.end_s) if row.end_s is not None else 'open'}"


def _stress(row: SessionRow) -> str:
    if row.stress_mean is None:
        return DASH
    peak = DASH if row.stress_peak is None else f"{row.stress_peak:.0f}"
    return f"{row.stress_mean:.0f} / {peak}"


def session_cells(row: SessionRow) -> tuple[str | Text, ...]:
    """The table cells of a session (labels as stored: the helper's own codes)."""
    # Heavy as trends count it (companion.review.heavy), then the check-in in the helper's words.
    check_in = " · ".join(part for part in (row.heaviness.text, row.check_in) if part)
    return (
        _span(row),
        row.kind,
        row.label,
        _num(None if row.duration_s is None else row.duration_s / 60.0),
        _num(row.mean_hr_bpm),
        _num(row.hr_change_bpm, "{:+.1f}"),
        _num(row.rmssd_ms, "{:.1f}"),
        Text(_stress(row), justify="right"),
        _num(None if row.minutes_high is None else float(row.minutes_high)),
        _num(row.load, "{:.0f}"),  # whole numbers on the 0-100 scale, as in every view
        _num(row.recovery_min, "{:.1f}"),
        check_in,
    )


def _fit(cell: str | Text, width: int) -> str | Text:
    """``cell`` cut to ``width`` cells, ending in … when it was longer."""
    if cell_len(str(cell)) <= width:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(cell)
    text.truncate(width, overflow="ellipsis")
    return text


def prompts_text(prompts: tuple[PromptRow, ...], empty: str = "No prompts.") -> Text:
    """Each prompt: when, kind, what became of it, the response, and what it said."""
    if not prompts:
        return Text(empty, style="dim")
    out = Text()
    for p in prompts:
        facts = [p.fate_text, p.response_text, p.before_after_text]
        out.append(f"{p.when_text}  ", style="bold")
        out.append(f"{p.kind:<8}", style="italic")
        out.append(" · ".join(f for f in facts if f) + "\n")
        out.append(f"       {p.reason}\n", style="dim")
    out.rstrip()
    return out


class ReviewScreen(Screen[None]):
    """One day: chart, sessions table, prompts. ``day`` None opens the latest day with data."""

    CSS_PATH = "../review.tcss"
    _report_path: Path | None = None
    """The file the last HTML report was asked for (named when writing it fails)."""
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (as Textual declares it)
    """Below 32 rows (80x24) the chart and the prompts shrink, so the sessions keep their rows."""
    BINDINGS: ClassVar[list[BindingType]] = [
        # Short words, so `esc Back` shows at 80 columns too.
        Binding(
            "left_square_bracket,left",
            "previous_day",
            "Earlier",
            key_display="[",
            tooltip="The day before",
        ),
        Binding(
            "right_square_bracket,right",
            "next_day",
            "Later",
            key_display="]",
            tooltip="The day after",
        ),
        Binding("h", "save_report", "HTML report"),
        Binding("escape", "close", "Back"),
        # The table takes enter itself (a row selected); here for the keys sheet.
        Binding(
            "enter",
            "open_session",
            "Open",
            show=False,
            tooltip="All of the highlighted session: its report and plots",
        ),
    ]

    @dataclass
    class DayLoaded(Message):
        """A day read from the store (``review`` None when the store has no days)."""

        review: DayReview | None
        days: tuple[date, ...]

    def __init__(self, store: Store, day: date | None = None) -> None:
        super().__init__()
        self.store = store
        self.day = day
        self.days: tuple[date, ...] = ()
        self.review: DayReview | None = None
        self._table_wide = True

    def compose(self) -> ComposeResult:
        with Vertical(id="review"):
            yield Static(LOADING_DAY, id="review-title")
            yield Static("", id="review-baseline")
            yield Static("", id="review-connection")
            yield TimeChart(id="day-chart")
            yield DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
            yield PartsLine(id="columns-note")
            with VerticalScroll(id="day-prompts"):
                yield Static("", id="prompts-text")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.add_class("-loading")
        # After the first frame: the reading side's imports and the read wait for it.
        self.call_after_refresh(self.load, self.day)

    @work(thread=True, exclusive=True, group="review-day", exit_on_error=False)
    def load(self, day: date | None) -> None:
        """Read ``day`` (None: the latest with data) and post :class:`DayLoaded`."""
        days = tuple(review_days(self.store))
        target = day if day is not None else (days[-1] if days else None)
        review = None if target is None else load_day(self.store, target)
        self.post_message(self.DayLoaded(review, days))

    def on_review_screen_day_loaded(self, message: DayLoaded) -> None:
        self.days = message.days
        self.review = message.review
        self.remove_class("-loading", "-error")
        self.set_class(message.review is None, "-empty")
        if message.review is None:
            self.query_one("#review-title", Static).update(EMPTY_STORE)
            return
        self.day = message.review.day
        self._show(message.review)

    def _show(self, review: DayReview) -> None:
        title = Text(review.day.strftime("%A %d %B %Y"), style="bold")
        sessions = len(review.sessions)
        title.append(f"  ·  {sessions} session{'s' if sessions != 1 else ''}")
        stored = "min stored so far" if review.so_far else "min recorded"
        title.append(f"  ·  {review.minutes_recorded} {stored}")
        if review.load_text:
            title.append(f"  ·  {review.load_text}")
        if review.empty:
            title.append("  ·  nothing was recorded on this day", style="italic")
        self.query_one("#review-title", Static).update(title)
        self.query_one("#review-baseline", Static).update(review.baseline.text)
        self.query_one("#review-connection", Static).update(review.connection)
        self.query_one("#review-connection", Static).display = bool(review.connection)
        self.set_class(not review.baseline.personal, "-norms")
        middle = review.minute_s + 30.0
        midnight = datetime.combine(review.day, time()).timestamp()
        last_s = float(middle[-1]) + 30.0 if middle.size else midnight + 86400.0
        self.query_one("#day-chart", TimeChart).set_data(
            [
                Series("heart rate (bpm)", middle, review.hr_bpm, HR_COLOUR),
                Series("stress (0-100)", middle, review.stress, STRESS_COLOUR, (0.0, 100.0)),
            ],
            x_range=None if middle.size else (midnight, last_s),
            bands=[
                Band(s.start_s, s.end_s if s.end_s is not None else last_s, s.kind)
                for s in review.sessions
            ],
        )
        self._fill_table(review)
        below = prompts_text(review.prompts, "No prompts on this day.")
        if review.morning:  # the morning reading against the usual, above the day's prompts
            below = Text(" ".join(review.morning) + "\n\n", style="italic").append_text(below)
        self.query_one("#prompts-text", Static).update(below)
        self.query_one("#sessions", DataTable).focus()

    def _fill_table(self, review: DayReview) -> None:
        """The sessions table, with the columns that fit the screen's width.

        Below :data:`WIDE_COLUMNS_FROM` cells only :data:`NARROW_COLUMNS` show; the
        check-in takes the width that is left and ends in … when longer.
        """
        width = self.size.width or self.app.size.width
        self._table_wide = width >= WIDE_COLUMNS_FROM
        shown = range(len(SESSION_COLUMNS)) if self._table_wide else NARROW_COLUMNS
        table: DataTable[str | Text] = self.query_one("#sessions", DataTable)
        table.clear(columns=True)
        rows = [session_cells(row) for row in review.sessions]
        # Fixed widths: auto widths settle on idle and leave stale lines drawn.
        widths = {
            index: max([cell_len(SESSION_COLUMNS[index])] + [cell_len(str(r[index])) for r in rows])
            for index in shown
        }
        check_in = len(SESSION_COLUMNS) - 1
        # Each column is padded by one cell on each side; the scrollbar and margins take 4.
        room = width - 4 - 2 * len(widths) - sum(w for i, w in widths.items() if i != check_in)
        widths[check_in] = max(CHECK_IN_MIN_W, min(widths[check_in], room))
        for index in shown:
            table.add_column(SESSION_COLUMNS[index], width=widths[index])
        # The note explains the columns shown (and what enter does), breaking between parts.
        headers = {f"{SESSION_COLUMNS[index]}:" for index in shown}
        notes = [p for p in COLUMNS_NOTE.split(" · ") if p.split(" ", 1)[0] in headers]
        self.query_one("#columns-note", PartsLine).show([*notes, COLUMNS_NOTE.split(" · ")[-1]])
        for session, cells in zip(review.sessions, rows, strict=True):
            if self._table_wide:  # room for rows of two lines: the check-in wraps
                fitted = [_fit(cells[i], widths[i]) for i in shown if i != check_in]
                fitted.append(self._two_lines(str(cells[check_in]), widths[check_in]))
                table.add_row(*fitted, key=str(session.session_id), height=None)
            else:
                fitted = [_fit(cells[i], widths[i]) for i in shown]
                table.add_row(*fitted, key=str(session.session_id))

    def _two_lines(self, text: str, width: int) -> Text:
        """``text`` wrapped at its words to ``width``, on at most two lines (then …)."""
        lines = Text(text).wrap(self.app.console, width)
        if len(lines) <= CHECK_IN_LINES:
            return Text("\n".join(line.plain.rstrip() for line in lines))
        kept = [line.plain.rstrip() for line in lines[:CHECK_IN_LINES]]
        last = Text(kept[-1] + " " + lines[CHECK_IN_LINES].plain)
        last.truncate(width, overflow="ellipsis")
        return Text("\n".join([*kept[:-1], last.plain]))

    def on_resize(self) -> None:
        wide = (self.size.width or self.app.size.width) >= WIDE_COLUMNS_FROM
        if self.review is not None and wide != self._table_wide:
            self._fill_table(self.review)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is not WorkerState.ERROR:
            return
        if event.worker.group == REPORT_GROUP:  # the day is still shown: keep its header
            self.notify(report_failure(self._report_path, event.worker.error), severity="error")
            return
        self.remove_class("-loading")
        self.add_class("-error")
        self.query_one("#review-title", Static).update(
            f"Could not read the day from the store: {event.worker.error}"
        )

    def _step(self, later: bool) -> None:
        if self.day is None:
            self.notify(EMPTY_STORE if not self.days else "Still reading the day.")
            return
        current = self.day
        found = [d for d in self.days if (d > current if later else d < current)]
        if not found:
            word = "latest" if later else "earliest"
            self.notify(f"This is the {word} recorded day.", timeout=3)
            return
        self.add_class("-loading")
        self.load(found[0] if later else found[-1])

    def action_previous_day(self) -> None:
        self._step(later=False)

    def action_next_day(self) -> None:
        self._step(later=True)

    def action_close(self) -> None:
        """Back to the live screen; opened alone (``holdspace review``), leave the app."""
        if len(self.app.screen_stack) > 2:
            self.dismiss()
        else:  # only the app's blank default screen is below
            self.app.exit()

    def action_save_report(self) -> None:
        """Ask where to save the day as an HTML report, then write it in a worker."""
        day = self.day
        if day is None or self.review is None or self.review.empty:
            self.notify("There is no recorded day here to save.", timeout=3)
            return

        def chosen(request: ReportRequest | None) -> None:
            if request is not None:
                self._report_path = request.path
                self.write_report(day, request)

        self.app.push_screen(SaveReportScreen(day), chosen)

    @work(thread=True, group=REPORT_GROUP, exit_on_error=False)
    def write_report(self, day: date, request: ReportRequest) -> None:
        """Write the report of ``day`` (:func:`companion.review.html.write_day_report`)."""
        try:
            out = write_day_report(
                self.store,
                day,
                request.path,
                keep_labels=request.keep_labels,
                force=request.replace,
            )
        except HoldspaceError as exc:
            failed = report_failure(request.path, exc)
            self.app.call_from_thread(self.notify, failed, severity="error")
            return
        labels = "with your own codes" if request.keep_labels else "with neutral session names"
        self.app.call_from_thread(self.notify, f"Saved the day's report ({labels}) to {out}.")

    @on(DataTable.RowSelected, "#sessions")
    def open_session(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(SessionDetailScreen(self.store, int(event.row_key.value)))

    def action_open_session(self) -> None:
        """``enter`` with the table not focused: the highlighted session, if any."""
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        if key.value is not None:
            self.app.push_screen(SessionDetailScreen(self.store, int(key.value)))


def _group(title: str, rows: list[tuple[str, str, str]], width: int = 36) -> Text:
    """A group of markers: label and value, and under each what it means, in plain words."""
    out = Text(title + "\n", style="bold")
    for label, value, meaning in rows:
        out.append(f"{label:<{width}}")
        out.append(f"{value:>9}\n")
        if meaning:
            out.append(f"  {meaning}\n", style="dim")
    out.rstrip()
    return out


def _against_baseline(detail: SessionDetail) -> Text:
    """The plain summary first (what moved, against which baseline and the rest of the
    day), then the session's figures against the baseline."""
    row = detail.row
    lines = against_baseline_lines(row, detail.baseline, so_far=detail.so_far)
    out = Text()
    if detail.summary:
        out.append("In short\n", style="bold")
        out.append("".join(f"{sentence}\n" for sentence in detail.summary))
        out.append("\n")
    out.append("Against the baseline\n", style="bold")
    for label, words in lines:
        out.append(f"{label}: {words}\n")
    facts = [
        ("Stress mean / peak (0-100)", _stress(row)),
        ("Minutes in the high band (min)", _num(row.minutes_high)),
        ("Session load (0-100)", load_words(row, so_far=detail.so_far)),
        ("Back near baseline after (min)", _num(row.recovery_min, "{:.1f}")),
    ]
    for label, value in facts:
        out.append(f"{label:<36}{value!s:>9}\n")
    if not detail.summary:  # the summary names the baseline; said once
        out.append(detail.baseline.text, style="dim")
    out.rstrip()
    return out


class SessionDetailScreen(Screen[None]):
    """One session: HRV report by group, tachogram, Poincaré plot, prompts, check-in."""

    CSS_PATH = "../review.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]  # noqa: RUF012 (as Textual has it)
    """Below 100 columns (80x24) the plots go under the report, at the full width."""
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Back to the day")]

    @dataclass
    class SessionLoaded(Message):
        detail: SessionDetail

    def __init__(self, store: Store, session_id: int) -> None:
        super().__init__()
        self.store = store
        self.session_id = session_id
        self.detail: SessionDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static("Reading the session…", id="detail-title")
        # One page that scrolls as a whole: the report beside the plots, or (narrow)
        # above them, so the plots get the full width and the one scrollbar keeps clear.
        with VerticalScroll(id="detail-body"), Horizontal(id="detail-columns"):
            with Vertical(id="detail-report"):
                yield Static("", id="against-baseline", classes="report-group")
                for key in ("time", "frequency", "nonlinear", "stress", "signal"):
                    yield Static("", id=f"hrv-{key}", classes="report-group")
            with Vertical(id="detail-plots"):
                yield Tachogram(id="tachogram")
                yield PoincarePlot(id="poincare")
                yield Static("", id="detail-prompts")
                yield Static("", id="detail-check-in")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.add_class("-loading")
        self.load()

    @work(thread=True, exclusive=True, group="review-session", exit_on_error=False)
    def load(self) -> None:
        self.post_message(self.SessionLoaded(load_session(self.store, self.session_id)))

    def on_session_detail_screen_session_loaded(self, message: SessionLoaded) -> None:
        self.detail = detail = message.detail
        self.remove_class("-loading")
        row = detail.row
        length = "" if row.duration_s is None else f" ({row.duration_s / 60:.0f} min)"
        title = Text(row.label, style="bold")
        facts = f"{row.kind}  ·  {_span(row)}{length}"
        title.append(f"  ·  {facts}" if row.label else facts)  # no label: no separator first
        if row.heaviness.heavy:
            title.append(f"  ·  {row.heaviness.text}")
        self.query_one("#detail-title", Static).update(title)
        self.query_one("#against-baseline", Static).update(_against_baseline(detail))
        keys = ("time", "frequency", "nonlinear", "stress", "signal")
        groups = hrv_report_explained(detail.hrv)
        for key, (title_text, rows) in zip(keys, groups, strict=False):
            self.query_one(f"#hrv-{key}", Static).update(_group(title_text, rows))
        if not groups:
            self.query_one("#hrv-time", Static).update("No HRV report is stored for this session.")
        self.query_one("#tachogram", Tachogram).set_beats(
            detail.beat_time_s, detail.rr_ms, detail.gap_before
        )
        nonlinear = (detail.hrv or {}).get("nonlinear") or {}
        self.query_one("#poincare", PoincarePlot).set_data(
            detail.poincare_x_ms,
            detail.poincare_y_ms,
            nonlinear.get("sd1_ms"),
            nonlinear.get("sd2_ms"),
        )
        prompts = Text("Prompts\n", style="bold")
        prompts.append_text(prompts_text(detail.prompts, "No prompts during this session."))
        self.query_one("#detail-prompts", Static).update(prompts)
        check_in = Text("Check-in\n", style="bold")
        if detail.check_in is None:
            check_in.append("No check-in stored for this session.", style="dim")
        else:
            check_in.append(f"{clock(detail.check_in.at_s)}  {detail.check_in.text}")
        self.query_one("#detail-check-in", Static).update(check_in)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.remove_class("-loading")
            self.add_class("-error")
            self.query_one("#detail-title", Static).update(
                f"Could not read the session: {event.worker.error}"
            )

    def action_close(self) -> None:
        self.dismiss()
