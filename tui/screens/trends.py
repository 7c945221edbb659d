"""The trends screen: 7 or 30 days of daily load, load by session kind, stress by hour of
day, heavy sessions per week, what followed a pause, a breath or a contact, and the
connection effect (supervision and peer sessions against client sessions, days with a
colleague contact against days without).

The numbers come from :func:`companion.review.trends.trends`, read in a worker thread that posts
:class:`TrendsScreen.Loaded`. Every part shows its headline (what moved, against which
baseline, in the helper's own data) and its counts, so small samples stay visible.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import ClassVar, Final

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from companion.review.trends.loads import WeekHeavy, so_far_text
from companion.review.trends.report import Trends, latest_day, trends
from companion.store.store import Store
from tui.widgets.footer import KeysFooter

__all__ = ["BarList", "ColumnChart", "TrendsScreen"]

EMPTY_MESSAGE: Final = (
    "No days recorded yet — run holdspace demo to see how trends look; its day is kept "
    "apart from yours: holdspace review --demo, then t."
)
_EIGHTHS: Final = " ▁▂▃▄▅▆▇█"
_H_EIGHTHS: Final = " ▏▎▍▌▋▊▉█"
_ACT_LABELS: Final = {"pause": "Pause", "breathe": "Breathe", "contact": "Contact a colleague"}


class ColumnChart(Widget):
    """One column of block characters per value (0 to ``top``), labels underneath.

    A value of None (no data) is a dot on the baseline; a value, even 0, is at least a
    thin line (▁), so a day with a load of 0 is told apart from a day without data.
    ``highlight`` columns take the ``column-chart--highlight`` style.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "column-chart--bar",
        "column-chart--highlight",
        "column-chart--missing",
        "column-chart--label",
    }

    def __init__(self, rows: int = 5, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = rows
        self._values: tuple[float | None, ...] = ()
        self._labels: tuple[str, ...] = ()
        self._highlight: frozenset[int] = frozenset()
        self._top = 100.0
        self._width = 2

    def show(
        self,
        values: Sequence[float | None],
        labels: Sequence[str],
        *,
        top: float = 100.0,
        width: int = 2,
        highlight: frozenset[int] = frozenset(),
    ) -> None:
        """Chart ``values`` with one label per value ("" for none), ``width`` cells per column."""
        self._values, self._labels = tuple(values), tuple(labels)
        self._top, self._width, self._highlight = max(top, 1e-9), width, highlight
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def render(self) -> Content:
        styles = {
            name: self.get_visual_style(f"column-chart--{name}", partial=True)
            for name in ("bar", "highlight", "missing", "label")
        }
        lines = []
        for row in reversed(range(self.rows)):
            parts: list[tuple[str, Style]] = []
            for i, value in enumerate(self._values):
                if value is None:
                    cell, style = ("·" if row == 0 else " "), styles["missing"]
                else:
                    eighths = max(1, round(max(0.0, value) / self._top * self.rows * 8))
                    eighths -= row * 8
                    cell = _EIGHTHS[min(8, max(0, eighths))]
                    style = styles["highlight" if i in self._highlight else "bar"]
                parts.append((cell * self._width + " ", style))
            lines.append(Content.assemble(*parts))
        step = self._width + 1
        label_row = [" "] * (step * len(self._labels) + 8)
        for i, label in enumerate(self._labels):
            label_row[i * step : i * step + len(label)] = label
        lines.append(Content.styled("".join(label_row).rstrip(), styles["label"]))
        return Content("\n").join(lines)


class BarList(Widget):
    """Rows of ``label  bar  note``, bars from 0 to the largest value; some rows highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "bar-list--bar",
        "bar-list--highlight",
        "bar-list--note",
    }
    BAR_CELLS: Final = 30

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: tuple[tuple[str, float, str, bool], ...] = ()

    def show(self, rows: Sequence[tuple[str, float, str, bool]]) -> None:
        """Rows of (label, value, note, highlighted)."""
        self._rows = tuple(rows)
        self.clear_cached_dimensions()
        self.refresh(layout=True)

    def render(self) -> Content:
        bar = self.get_visual_style("bar-list--bar", partial=True)
        strong = self.get_visual_style("bar-list--highlight", partial=True)
        note = self.get_visual_style("bar-list--note", partial=True)
        top = max((value for _, value, _, _ in self._rows), default=0.0) or 1.0
        pad = max((len(label) for label, *_ in self._rows), default=0)
        lines = []
        for label, value, text, highlighted in self._rows:
            eighths = round(max(0.0, value) / top * self.BAR_CELLS * 8)
            cells = "█" * (eighths // 8) + _H_EIGHTHS[eighths % 8].strip()
            lines.append(
                Content.assemble(
                    f"{label:<{pad}}  ",
                    (f"{cells:<{self.BAR_CELLS + 1}}", strong if highlighted else bar),
                    (f" {text}", note),
                )
            )
        return Content("\n").join(lines)


class TrendsScreen(Screen[None]):
    """Trends over the 7 or 30 days up to ``end`` (default: the latest recorded day)."""

    CSS_PATH = "../trends.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "toggle_span", "7 / 30 days"),
        Binding("escape", "back", "Back"),
    ]

    span_days: reactive[int] = reactive(7, init=False)
    """How many days the screen shows: 7 or 30."""

    @dataclass
    class Loaded(Message):
        """Trends were read (None: the store holds no days at all)."""

        trends: Trends | None
        span_days: int

    def __init__(self, store: Store, end: date | None = None) -> None:
        super().__init__()
        self.store = store
        self.end = end
        self._reading = threading.Lock()

    def action_back(self) -> None:
        self.dismiss()

    def compose(self) -> ComposeResult:
        yield Static("Trends", id="trends-title")
        yield Static("Reading the days…", id="trends-status")
        with VerticalScroll(id="trends-body"):
            with Vertical(classes="part"):
                yield Static("Daily load — peak of each day, 0–100", classes="part-title")
                yield Static(id="daily-headline", classes="headline")
                yield ColumnChart(id="daily-chart")
                yield Static(id="daily-note", classes="note")
            with Vertical(classes="part"):
                yield Static("Load by session kind — mean per session", classes="part-title")
                yield Static(id="kinds-headline", classes="headline")
                yield BarList(id="kinds-bars")
            with Vertical(classes="part"):
                yield Static("Stress by hour of day — mean score, 0–100", classes="part-title")
                yield Static(id="hours-headline", classes="headline")
                yield ColumnChart(id="hours-chart")
            with Vertical(classes="part"):
                yield Static(
                    "Heavy sessions per week — marked heavy by you, or stress in the high band",
                    classes="part-title",
                )
                yield Static(id="weeks-headline", classes="headline")
                yield BarList(id="weeks-bars")
            with Vertical(classes="part"):
                yield Static("What followed an act", classes="part-title")
                yield Static(id="acts-headline", classes="headline")
                yield DataTable(id="acts-table", cursor_type="none", zebra_stripes=True)
                yield Static(
                    "Change: the mean of the minutes after an accepted prompt minus the minute "
                    "before it, in your own data. It mixes the act with the moments you felt "
                    "able to accept it: a hint, not a finding.",
                    classes="note",
                )
            with Vertical(classes="part", id="effects-part"):
                yield Static("Shown against held prompts — learning", classes="part-title")
                yield Static(id="effects-lines", classes="headline")
                yield Static(
                    "With learning on, some prompts are held back by chance and only noted. "
                    "Change: the mean of the 10 minutes after a prompt minus the minute before; "
                    "shown minus held, with a 95 % interval. Your own data, never a diagnosis.",
                    classes="note",
                )
            with Vertical(classes="part"):
                yield Static("Connection — colleagues and clients", classes="part-title")
                yield Static(id="connection-lines", classes="headline")
                yield Static(
                    "Supervision and peer sessions against client sessions; days with a "
                    "colleague contact (a message, a talk, a supervision or peer session) "
                    "against days without. Observations about your own data, not a finding.",
                    classes="note",
                )
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        table.add_columns("Act", "n", "Stress change", "HR change (bpm)")
        self._read(self.span_days)

    def action_toggle_span(self) -> None:
        self.span_days = 30 if self.span_days == 7 else 7

    def watch_span_days(self, span_days: int) -> None:
        self._read(span_days)

    @work(thread=True, exclusive=True, group="trends", exit_on_error=False)
    def _read(self, span_days: int) -> None:
        """Read the trends off the event loop (a worker thread) and post them."""
        with self._reading:
            end = self.end if self.end is not None else latest_day(self.store)
            result = None if end is None else trends(self.store, end, span_days)
        self.post_message(self.Loaded(result, span_days))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "trends" and event.state is WorkerState.ERROR:
            self.add_class("-error")
            error = event.worker.error
            self.query_one("#trends-status", Static).update(
                f"The trends could not be read: {error}"
            )

    def on_trends_screen_loaded(self, message: Loaded) -> None:
        if message.span_days != self.span_days:
            return  # an older read, overtaken by a toggle
        self.remove_class("-error")
        self.set_class(message.trends is None, "-empty")
        self.set_class(message.trends is not None, "-ready")
        status = self.query_one("#trends-status", Static)
        if message.trends is None:
            status.update(EMPTY_MESSAGE)
            return
        status.update("")
        self._show(message.trends)

    # -- filling the parts --------------------------------------------------------------------

    def _show(self, t: Trends) -> None:
        so_far = "".join(f" · {so_far_text(day)}" for day in t.so_far)
        self.query_one("#trends-title", Static).update(
            f"Trends · {t.days} days, {_date_text(t.first)} to {_date_text(t.end)} {t.end.year} · "
            f"{t.n_days_recorded} of {t.days} days recorded{so_far} · press t for "
            f"{30 if t.days == 7 else 7} days"
        )
        headlines = (
            ("daily", t.daily.headline),
            ("kinds", t.kinds.headline),
            ("hours", t.hours.headline),
            ("weeks", t.heavy.headline),
            ("acts", t.acts.headline),
        )
        for part, headline in headlines:
            self.query_one(f"#{part}-headline", Static).update(headline)
        week_view = t.days <= 7
        self.query_one("#daily-chart", ColumnChart).show(
            [d.peak for d in t.daily.days],
            [
                f"{d.day:%a}" if week_view else (f"{d.day.day}" if d.day.weekday() == 0 else "")
                for d in t.daily.days
            ],
            width=3 if week_view else 1,
        )
        ends = [d.end for d in t.daily.days if d.end is not None and not d.so_far]
        so_far_days = [d for d in t.daily.days if d.so_far]
        self.query_one("#daily-note", Static).update(
            "Bars: the day's peak (a thin line: 0); a dot: no data. "
            + "".join(f"{d.day:%a}: the peak so far. " for d in so_far_days)
            + (
                f"At the end of the day the load was {sum(ends) / len(ends):.0f} on average "
                f"(n={len(ends)} finished days)."
                if ends
                else ""
            )
        )
        self.query_one("#kinds-bars", BarList).show(
            [
                (k.kind, k.mean, f"mean {k.mean:.0f} · total {k.total:.0f} · n={k.n}", False)
                for k in t.kinds.kinds
            ]
        )
        self.query_one("#hours-chart", ColumnChart).show(
            [h.mean_stress for h in t.hours.hours],
            [f"{h}" if h % 3 == 0 else "" for h in range(24)],
            highlight=frozenset(t.hours.heaviest),
        )
        busiest = max((w.n_heavy for w in t.heavy.weeks), default=0)
        self.query_one("#weeks-bars", BarList).show(
            [
                (
                    f"week of {_date_text(w.monday)}",
                    float(w.n_heavy),
                    _week_note(w),
                    w.n_heavy == busiest > 0,
                )
                for w in t.heavy.weeks
            ]
        )
        self.query_one("#connection-lines", Static).update(Content("\n".join(t.connection.lines)))
        learned = t.effects
        self.query_one("#effects-part").display = learned is not None
        self.query_one("#effects-lines", Static).update(
            Content("\n".join(learned.lines()) if learned is not None else "")
        )
        table = self.query_one("#acts-table", DataTable)
        table.clear()
        for act in t.acts.acts:
            table.add_row(
                _ACT_LABELS.get(act.kind, act.kind),
                str(act.n),
                _signed(act.stress_change),
                _signed(act.hr_change_bpm),
            )


def _date_text(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def _week_note(week: WeekHeavy) -> str:
    """The week's bar note: "2 heavy of 4 sessions (you marked 1, …) · mean peak stress 95"."""
    text = week.heavy_text if week.n_sessions else "no sessions"
    if week.mean_heavy_peak is not None:
        text += f" · mean peak stress {week.mean_heavy_peak:.0f}"
    return text + (f" · {week.n_days} of 7 days in view" if week.n_days < 7 else "")
