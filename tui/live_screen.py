"""The live screen: what the body is doing now, the session, the day, and the prompt area.

The app hands this screen the live session's news (:mod:`tui.feed`); the
screen keeps the last half hour of minutes and draws. Inside a client session
the screen is discreet: numbers hide behind a plain "in session" line (``v``
peeks), and nothing pops up.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Digits, Footer, Header, Label, Static

from companion.live import LinkInfo
from tui.widgets.live_plot import LivePlot

if TYPE_CHECKING:
    from companion.analysis import MinuteResult
    from companion.prompts import Prompt
    from companion.sessions import Session
    from sensors.beats import Beat
    from signals.baseline import Baseline

__all__ = ["LiveScreen"]

PLOT_MINUTES: Final = 30
HR_BEATS: Final = 5
"""Beats averaged for the heart rate shown when the strap does not report one."""
RECENT_BEATS_S: Final = 90.0
"""Beats kept for the breathing exercise, in seconds: its coherence needs 64 s."""
RECENT_BEATS_MAX: Final = 400
"""Bound on the beats kept (90 s at 260 beats/min)."""
TIMELINE_HOURS: Final = (7, 20)
"""The day strip covers these local hours (it widens to fit sessions outside them)."""
_BAND_CLASS: Final = {"rest": "-rest", "low": "-low", "medium": "-medium", "high": "-high"}
_KIND_MARK: Final = {
    "client": ("█", "#6a8caf"),
    "supervision": ("█", "#7fae8a"),
    "peer": ("█", "#9db87a"),
    "team": ("█", "#b0a36b"),
    "admin": ("▆", "#8a8a8a"),
    "break": ("▂", "#c8b48c"),
    "other": ("▆", "#a08cb4"),
}
_STATE_TEXT: Final = {
    "scanning": "Looking for your strap",
    "connecting": "Connecting to your strap",
    "streaming": "Connected",
    "contact-lost": "Strap not touching the skin",
    "reconnecting": "Reconnecting",
    "gave-up": "Strap not reachable",
    "stopped": "Stopped",
    "playing": "Replaying",
    "ended": "Recording ended",
}


def clock_text(time_s: float) -> str:
    return datetime.fromtimestamp(time_s).astimezone().strftime("%H:%M")


def duration_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def link_text(link: LinkInfo) -> str:
    """The link state as one sentence: "Reconnecting in 8 s — check the strap is moist"."""
    head = _STATE_TEXT.get(link.state, link.state)
    if link.retry_in_s is not None:
        head = f"{head} in {link.retry_in_s:.0f} s"
    if link.state in ("reconnecting", "contact-lost", "gave-up"):
        hint = link.detail or "check the strap is moist and snug"
        return f"{head} — {hint}"
    return f"{head}: {link.detail}" if link.detail and link.state != "streaming" else head


class LiveScreen(Screen[None]):
    """Heart rate, link, stress with its reasons, load, the last 30 min, sessions, prompts."""

    CSS_PATH = "holdspace.tcss"

    class Shown(Message):
        """The live screen is on top again (a dialog or a look back has closed)."""

    in_client: reactive[bool] = reactive(False)
    peek: reactive[bool] = reactive(False)

    def __init__(self, baseline: Baseline | None = None) -> None:
        super().__init__()
        self.baseline = baseline
        self.link = LinkInfo("connecting")
        self.battery_pct: int | None = None
        self.contact: bool | None = None
        self.hr_bpm: int | None = None
        self.strap_hr = False
        self.recent_rr: deque[float] = deque(maxlen=HR_BEATS)
        self.last_beats: deque[tuple[float, float]] = deque(maxlen=RECENT_BEATS_MAX)
        """(time in epoch s, RR in ms) since the last gap, at most ``RECENT_BEATS_MAX``."""
        self.minutes: deque[MinuteResult] = deque(maxlen=PLOT_MINUTES)
        self.last_minute: MinuteResult | None = None
        self.session: Session | None = None
        self.day_sessions: list[Session] = []
        self.now_s: float | None = None
        self.prompt_line = "Nothing is asking for your attention."

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            with Vertical(id="heart", classes="panel"):
                with Horizontal(id="hr-row"):
                    yield Digits("--", id="hr")
                    yield Label("bpm", id="hr-unit")
                yield Static("", id="link")
                yield Static("", id="vitals")
            with Vertical(id="stress", classes="panel"):
                yield Static("", id="stress-head")
                yield Static("", id="stress-bar")
                yield Static("", id="stress-why")
                yield Static("", id="load")
        with Vertical(id="plots", classes="panel"):
            yield Label("Heart rate and stress, last 30 min", id="plot-title", classes="plot-title")
            yield LivePlot(id="live-plot")
        yield Static("", id="discreet")
        with Vertical(id="day", classes="panel"):
            yield Static("", id="session")
            yield Static("", id="timeline")
        yield Static(self.prompt_line, id="prompt-area", classes="panel")
        yield Footer()

    def on_mount(self) -> None:
        self.redraw()

    def on_screen_resume(self) -> None:
        self.post_message(self.Shown())

    # -- news from the app ----------------------------------------------------------------------

    def show_beats(self, beats: Sequence[Beat]) -> None:
        for beat in beats:
            if beat.gap_before:
                self.recent_rr.clear()
                self.last_beats.clear()
            self.recent_rr.append(beat.rr_ms)
            self.last_beats.append((beat.time_s, beat.rr_ms))
        if beats:
            self.now_s = beats[-1].time_s
        if not self.strap_hr and self.recent_rr:
            self.hr_bpm = round(60000.0 * len(self.recent_rr) / sum(self.recent_rr))
        self.query_one(LivePlot).add_beats(beats)
        self._draw_heart()
        self._draw_session()

    def recent_beats(self, span_s: float = RECENT_BEATS_S) -> list[tuple[float, float]]:
        """The beats of the last ``span_s`` seconds since the last gap: (time s, RR ms)."""
        if not self.last_beats:
            return []
        since = self.last_beats[-1][0] - span_s
        return [beat for beat in self.last_beats if beat[0] >= since]

    def show_heart_rate(self, hr_bpm: int) -> None:
        self.strap_hr = True
        self.hr_bpm = hr_bpm
        self._draw_heart()

    def show_minute(self, minute: MinuteResult) -> None:
        self.minutes.append(minute)
        self.last_minute = minute
        self.query_one(LivePlot).add_minute(minute.epoch.start_s, minute.score.score)
        self._draw_stress()
        self._draw_plots()
        self._draw_heart()
        self._draw_timeline()

    def show_link(self, link: LinkInfo) -> None:
        self.link = link
        self.set_class(link.state in ("reconnecting", "gave-up", "scanning"), "-disconnected")
        self._draw_heart()

    def show_battery(self, percent: int) -> None:
        self.battery_pct = percent
        self._draw_heart()

    def show_contact(self, contact: bool) -> None:
        self.contact = contact
        self._draw_heart()

    def show_session(self, session: Session, is_open: bool) -> None:
        if is_open:
            self.session = session
            self.day_sessions.append(session)
        else:
            self.session = None
            self.day_sessions = [
                session if s.start_s == session.start_s else s for s in self.day_sessions
            ]
        self.in_client = is_open and session.kind == "client"
        self.query_one(LivePlot).set_sessions(
            (s.start_s, s.end_s, s.kind) for s in self.day_sessions
        )
        self._draw_session()
        self._draw_timeline()

    def show_prompt(self, prompt: Prompt) -> None:
        when = clock_text(prompt.delivered_s or prompt.raised_s)
        self.prompt_line = f"{when} · {prompt.reason}"
        self.query_one("#prompt-area", Static).update(self.prompt_line)

    def show_note(self, text: str) -> None:
        """A line in the prompt area: the answer to a prompt, a snooze, an act done."""
        self.prompt_line = text
        self.query_one("#prompt-area", Static).update(text)

    def watch_in_client(self, in_client: bool) -> None:
        self.set_class(in_client and not self.peek, "-discreet")

    def watch_peek(self, peek: bool) -> None:
        self.set_class(self.in_client and not peek, "-discreet")

    # -- drawing --------------------------------------------------------------------------------

    def redraw(self) -> None:
        self._draw_heart()
        self._draw_stress()
        self._draw_plots()
        self._draw_session()
        self._draw_timeline()

    def _draw_heart(self) -> None:
        self.query_one("#hr", Digits).update("--" if self.hr_bpm is None else str(self.hr_bpm))
        parts = [link_text(self.link)]
        if self.contact is False and self.link.state == "streaming":
            parts.append("no skin contact — moisten the electrodes")
        if self.battery_pct is not None:
            parts.append(f"battery {self.battery_pct}%")
        self.query_one("#link", Static).update(" · ".join(parts))
        vitals: list[str] = []
        minute = self.last_minute
        if minute is not None:
            epoch = minute.epoch
            signal = {"good": "signal good", "poor": "signal poor", "no_signal": "no signal"}
            text = signal.get(epoch.quality, epoch.quality)
            if epoch.artifact_fraction > 0:
                text += f" ({epoch.artifact_fraction:.0%} artifacts)"
            vitals.append(text)
            if epoch.rmssd_ms is not None:
                vitals.append(f"RMSSD {epoch.rmssd_ms:.0f} ms")
        self.query_one("#vitals", Static).update(" · ".join(vitals))

    def _draw_stress(self) -> None:
        head = self.query_one("#stress-head", Static)
        bar = self.query_one("#stress-bar", Static)
        why = self.query_one("#stress-why", Static)
        minute = self.last_minute
        for cls in _BAND_CLASS.values():
            bar.remove_class(cls)
        if minute is None:
            head.update("Stress: waiting for the first full minute")
            bar.update("")
            why.update(self._baseline_text())
            self.query_one("#load", Static).update("")
            return
        score = minute.score
        if score.score is None:
            head.update("Stress: no score this minute")
            bar.update("")
        else:
            head.update(f"Stress {score.score} · {score.band}")
            filled = round(score.score / 5)
            bar.update("█" * filled + "░" * (20 - filled))
            if score.band is not None:
                bar.add_class(_BAND_CLASS[score.band])
        why.update(f"{score.explain()}\n{self._baseline_text()}")
        self.query_one("#load", Static).update(f"Today's load {minute.daily_load:.0f}")

    def _baseline_text(self) -> str:
        if self.baseline is None:
            return ""
        return f"Baseline: {self.baseline.note or self.baseline.source}"

    def _draw_plots(self) -> None:
        """The title's ranges; the plot draws itself from the beats and minutes it was given."""
        hr, stress = self.query_one(LivePlot).ranges()
        parts = ["Last 30 min"]
        if hr is not None:
            parts.append(f"heart rate {hr[0]:.0f}–{hr[1]:.0f} bpm")
        if stress is not None:
            parts.append(f"stress {stress[0]:.0f}–{stress[1]:.0f} of 100")
        self.query_one("#plot-title", Label).update(" · ".join(parts))

    def _draw_session(self) -> None:
        session = self.session
        running = ""
        if session is not None and self.now_s is not None:
            running = f" · {duration_text(self.now_s - session.start_s)}"
        if session is None:
            text = "No session running · s starts one (your own code, never a client's name)"
        else:
            label = f" {session.label}" if session.label else ""
            text = f"In session: {session.kind}{label}{running} · e ends it"
        self.query_one("#session", Static).update(text)
        self.query_one("#discreet", Static).update(f"In session{running}   (v shows the numbers)")

    def _draw_timeline(self) -> None:
        self.query_one("#timeline", Static).update(self._timeline())

    def _timeline(self) -> Text:
        """Today's sessions as a strip across the working day, one cell per 10 minutes."""
        if self.now_s is None:
            return Text("")
        today = datetime.fromtimestamp(self.now_s).astimezone()
        sessions = [s for s in self.day_sessions if _day(s.start_s) == today.date()]
        first_h, last_h = TIMELINE_HOURS
        for s in sessions:
            first_h = min(first_h, datetime.fromtimestamp(s.start_s).astimezone().hour)
        first_h = min(first_h, today.hour)
        last_h = max(last_h, today.hour + 1)
        start = today.replace(hour=first_h, minute=0, second=0, microsecond=0).timestamp()
        cells = (last_h - first_h) * 6
        strip = Text(f"{first_h:02d}h ")
        for i in range(cells):
            t0 = start + i * 600.0
            mark: tuple[str, str] | None = None
            for s in sessions:
                end = s.end_s if s.end_s is not None else self.now_s
                if s.start_s < t0 + 600.0 and end > t0:
                    mark = _KIND_MARK.get(s.kind, _KIND_MARK["other"])
            if mark is not None:
                strip.append(mark[0], style=mark[1])
            elif t0 <= self.now_s < t0 + 600.0:
                strip.append("│", style="bold")
            else:
                strip.append("·", style="#555555")
        strip.append(f" {last_h:02d}h")
        return strip


def _day(time_s: float) -> date:
    return datetime.fromtimestamp(time_s).astimezone().date()
