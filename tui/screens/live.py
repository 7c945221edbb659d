"""The live screen: what the body is doing now, the session, the day, and the prompt area.

The app hands this screen the live session's news (:mod:`tui.feed`); the
screen keeps the last half hour of minutes and draws. Inside a client session
the screen is discreet: numbers hide behind a plain "in session" line, and nothing
pops up. ``v`` shows them until a deadline on the app's injected clock
(:meth:`LiveScreen.peek_until`); whether they show is worked out again from that
deadline and the session each time the app looks at its clock and whenever the
screen is back on top (:meth:`LiveScreen.check_peek`), so no missed event can
leave them on.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Final

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Digits, Header, Label, Static

from companion.live.listener import LinkInfo
from companion.readiness.words import GENTLER_LINE
from tui.widgets.clamped import ClampedText
from tui.widgets.day_strip import DayStrip
from tui.widgets.footer import KeysFooter
from tui.widgets.live_plot import LivePlot
from tui.widgets.parts import PartsLine
from tui.widgets.stress_bar import StressBar

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from sensors.beats import Beat
    from signals.scores.baseline import Baseline
    from tui.beat_watch import BeatWatch

__all__ = ["LiveScreen"]

PLOT_MINUTES: Final = 30
HR_BEATS: Final = 5
"""Beats averaged for the heart rate shown when the strap does not report one."""
RECENT_BEATS_S: Final = 90.0
"""Beats kept for the breathing exercise, in seconds: its coherence needs 64 s."""
RECENT_BEATS_MAX: Final = 400
"""Bound on the beats kept (90 s at 260 beats/min)."""
PEEK_S: Final = 10.0
"""How long ``v`` shows the numbers inside a client session, in seconds (injected clock)."""
_BAND_CLASS: Final = {"rest": "-rest", "low": "-low", "medium": "-medium", "high": "-high"}
_STATE_TEXT: Final = {
    "scanning": "Looking for your strap",
    "connecting": "Connecting to your strap",
    "streaming": "Connected",
    "contact-lost": "Strap not touching the skin",
    "reconnecting": "Reconnecting",
    "gave-up": "Strap not reachable",
    "stopped": "Stopped",
    "playing": "Replaying",
    "ended": "The stream has ended",
}


def _activity_text(state: str, cadence_per_min: float | None) -> str:
    """The minute's activity from the chest strap: "walking, 108 steps/min", "still"."""
    if state == "walking" and cadence_per_min is not None:
        return f"walking, {cadence_per_min:.0f} steps/min"
    return state


def clock_text(time_s: float) -> str:
    return datetime.fromtimestamp(time_s).astimezone().strftime("%H:%M")


def duration_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def link_text(link: LinkInfo) -> str:
    """The link state as one sentence: "Reconnecting in 8 s — check the strap is moist"."""
    head = _STATE_TEXT.get(link.state, link.state)
    if link.state == "ended":  # its detail only says again that the source ended
        return "The recording has ended" if link.replay_speed is not None else head
    if link.state == "playing" and link.replay_speed is not None:
        speed = link.replay_speed
        head += " as fast as it goes" if math.isinf(speed) else f" at {speed:g}×"
        return f"{head} — {link.detail}" if link.detail else head
    if link.retry_in_s is not None:
        head = f"{head} in {link.retry_in_s:.0f} s"
    if link.state in ("reconnecting", "contact-lost", "gave-up"):
        hint = link.detail or "check the strap is moist and snug"
        return f"{head} — {hint}"
    return f"{head}: {link.detail}" if link.detail and link.state != "streaming" else head


class LiveScreen(Screen[None]):
    """Heart rate, link, stress with its reasons, load, the last 30 min, sessions, prompts."""

    CSS_PATH = "../holdspace.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (as Textual declares it)
    """Below 32 rows (80x24) the plot shrinks first: heart rate, stress, session and prompt stay."""

    class Shown(Message):
        """The live screen is on top again (a dialog or a look back has closed)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # The live day's keys (the app's acts). Footer words are short, so the first
        # ones show at 80 columns; `?` lists them all with their tooltips.
        Binding("s", "app.start_session", "Start", tooltip="Start a session (your own code)"),
        Binding("e", "app.end_session", "End", tooltip="End the session, then check in"),
        Binding("b", "app.breathe", "Breathe", tooltip="A paced breathing exercise"),
        Binding("p", "app.pause", "Pause", tooltip="A two-minute pause"),
        Binding("k", "app.contact", "Reach out", tooltip="Reach out to a colleague"),
        # Shown while a message that did not go out waits (the app's check_action).
        Binding(
            "i",
            "app.in_person_instead",
            "In person",
            tooltip="Talk in person instead (a message that was not sent)",
        ),
        Binding("c", "app.colleagues", "Colleagues", show=False, tooltip="Your colleagues list"),
        Binding(
            "u",
            "app.not_happening",
            "Not happening",
            show=False,
            tooltip="A session your calendar started is not happening",
        ),
        Binding("z", "app.snooze", "Snooze", tooltip="Quiet prompts for 30 minutes"),
        Binding("r", "app.review", "Review", tooltip="Review a day"),
        Binding("t", "app.trends", "Trends", tooltip="Trends over 7 and 30 days"),
        Binding("comma", "app.settings", "Settings", key_display=","),
        Binding(
            "M",
            "app.morning",
            "Morning reading",
            show=False,
            tooltip="Three quiet minutes: this morning against your usual",
        ),
        Binding(
            "m",
            "app.resting",
            "Resting baseline",
            show=False,
            tooltip="Measure your resting baseline (five quiet minutes)",
        ),
        Binding(
            "v", "app.peek", "Show numbers", show=False, tooltip="Inside a client session, peek"
        ),
        Binding(
            "d", "app.demo", "Demo", show=False, tooltip="Try the demo (when no strap is reachable)"
        ),
        # An enter meant for an invitation a client session's start took down just as
        # it came: it still accepts it. Not a key to learn, so not in the keys sheet.
        Binding(
            "enter",
            "app.accept_taken_down",
            "Accept the invitation just taken down",
            show=False,
            system=True,
        ),
    ]

    in_client: reactive[bool] = reactive(False)
    peek: reactive[bool] = reactive(False)

    def __init__(self, baseline: Baseline | None = None, beats: BeatWatch | None = None) -> None:
        super().__init__()
        self.baseline = baseline
        self.beat_watch = beats
        """The app's watch on the feed: without beats coming in, no heart rate shows."""
        self.beats_from_s: float | None = None
        """Time of the first beat since connecting (or since the last gap), epoch s."""
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
        self.peek_until_s: float | None = None
        self.gentler_said = False
        """The line about a below-usual morning's gentler prompts has been shown."""
        """When a look at the numbers (``v``) ends, on the app's ``clock.monotonic()``."""

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="top"):
            with Vertical(id="heart", classes="panel"):
                with Horizontal(id="hr-row"):
                    yield Digits("--", id="hr")
                    yield Label("bpm", id="hr-unit")
                yield PartsLine(id="link")
                yield PartsLine(id="vitals")
            with Vertical(id="stress", classes="panel"):
                yield Static("", id="stress-head")
                with Horizontal(id="stress-row"):  # the bar, and the day's load whole beside it
                    yield StressBar(id="stress-bar")
                    yield Static("", id="load")
                yield Static("", id="stress-why")
        with Vertical(id="plots", classes="panel"):
            yield Label("Heart rate and stress, last 30 min", id="plot-title", classes="plot-title")
            yield LivePlot(id="live-plot")
        yield Static("", id="discreet")
        with Vertical(id="day", classes="panel"):
            yield Static("", id="session")
            yield DayStrip(id="timeline")
        yield ClampedText(self.prompt_line, id="prompt-area", classes="panel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.redraw()

    def on_screen_resume(self) -> None:
        self._draw_session()
        self.post_message(self.Shown())

    def on_screen_suspend(self) -> None:
        self._draw_session()  # under a dialog or a look back its keys do nothing: not shown

    # -- news from the app ----------------------------------------------------------------------

    def show_beats(self, beats: Sequence[Beat]) -> None:
        for beat in beats:
            if beat.gap_before or self.beats_from_s is None:
                self.beats_from_s = beat.time_s
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
        if link.state == "ended" and self.link.state == "playing":
            link = LinkInfo("ended", link.detail, replay_speed=self.link.replay_speed)
        self.link = link
        self.set_class(link.state in ("reconnecting", "gave-up", "scanning"), "-disconnected")
        self._draw_heart()
        self._draw_stress()

    def show_baseline(self, baseline: Baseline) -> None:
        """What stress is measured against now (it may change mid-run: a resting measurement)."""
        self.baseline = baseline
        self._draw_stress()

    def show_battery(self, percent: int) -> None:
        self.battery_pct = percent
        self._draw_heart()

    def show_contact(self, contact: bool) -> None:
        self.contact = contact
        self._draw_heart()

    def show_session(self, session: Session, is_open: bool) -> None:
        self.end_peek()  # a look at the numbers never carries into another session
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

    def show_beat_watch(self) -> None:
        """Redraw the heart rate: the app's watch may say beats have stopped."""
        self._draw_heart()

    def show_day_policy(self, gentler: bool) -> None:
        """Say once, kindly, that a below-usual morning made today's prompts gentler."""
        if gentler and not self.gentler_said:
            self.gentler_said = True
            self.show_note(GENTLER_LINE)

    def show_note(self, text: str) -> None:
        """A line in the prompt area: the answer to a prompt, a snooze, an act done."""
        self.prompt_line = text
        self.query_one("#prompt-area", Static).update(text)
        self.refresh_bindings()  # an act done may change the keys that apply (i)

    def peek_until(self, until_s: float) -> None:
        """Show the numbers until ``until_s`` (the app's ``clock.monotonic()``)."""
        self.peek_until_s = until_s
        self.peek = True

    def end_peek(self) -> None:
        """Hide the numbers again (inside a client session)."""
        self.peek_until_s = None
        self.peek = False

    def check_peek(self, now_s: float) -> None:
        """End a look whose deadline has passed at ``now_s``; set the discreet class anew."""
        until = self.peek_until_s
        if until is None or now_s >= until:
            self.end_peek()
        self._show_discreet()

    def watch_in_client(self) -> None:
        self._show_discreet()

    def watch_peek(self) -> None:
        self._show_discreet()

    def _show_discreet(self) -> None:
        self.set_class(self.in_client and not self.peek, "-discreet")

    # -- drawing --------------------------------------------------------------------------------

    def redraw(self) -> None:
        self._draw_heart()
        self._draw_stress()
        self._draw_plots()
        self._draw_session()
        self._draw_timeline()

    def _draw_heart(self) -> None:
        silence = self.beat_watch.silence if self.beat_watch is not None else None
        hr = "--" if self.hr_bpm is None or silence is not None else str(self.hr_bpm)
        self.query_one("#hr", Digits).update(hr)
        parts = [link_text(self.link)]
        if silence is not None and self.hr_bpm is not None and self.link.state != "ended":
            parts.append(silence)  # there were beats: say they stopped
        if self.contact is False and self.link.state == "streaming":
            parts.append("no skin contact — moisten the electrodes")
        if self.battery_pct is not None:
            parts.append(f"battery {self.battery_pct}%")
        self.query_one("#link", PartsLine).show(parts)
        vitals: list[str] = []
        minute = self.last_minute
        if self.link.state == "ended":  # the last minute's signal is no news now
            vitals.append("no beats are coming in")
        elif minute is not None and self._measuring(minute):
            vitals.append("measuring…")
        elif minute is not None:
            epoch = minute.epoch
            signal = {"good": "signal good", "poor": "signal poor", "no_signal": "no signal"}
            text = signal.get(epoch.quality, epoch.quality)
            if epoch.artifact_fraction > 0:
                text += f" ({epoch.artifact_fraction:.0%} artifacts)"
            vitals.append(text)
            if epoch.rmssd_ms is not None:
                vitals.append(f"RMSSD {epoch.rmssd_ms:.0f} ms")
            activity = minute.chest.activity if minute.chest is not None else None
            if activity is not None and activity.state != "unknown":
                vitals.append(_activity_text(activity.state, activity.cadence_per_min))
        self.query_one("#vitals", PartsLine).show(vitals)

    def _draw_stress(self) -> None:
        head = self.query_one("#stress-head", Static)
        bar = self.query_one(StressBar)
        why = self.query_one("#stress-why", Static)
        minute = self.last_minute
        for cls in _BAND_CLASS.values():
            bar.remove_class(cls)
        if minute is None:
            head.update("Stress: waiting for the first full minute")
            bar.score = None
            why.update(self._baseline_text())
            self.query_one("#load", Static).update("")
            return
        score = minute.score
        load = self.query_one("#load", Static)
        load.update(f"Today's load {minute.daily_load:.0f}")
        if self.link.state == "ended":
            head.update("Stress: no more minutes to score")
            bar.score = None
            why.update(f"No beats are coming in: {self._ended_text()}.\n{self._baseline_text()}")
            return
        if self._measuring(minute):
            head.update("Stress: measuring…")
            bar.score = None
            why.update(
                f"The first full minute since the beats began is not over yet.\n"
                f"{self._baseline_text()}"
            )
            return
        if score.score is None:
            head.update(
                "Stress: not scored while moving"
                if minute.moving
                else "Stress: no score this minute"
            )
            bar.score = None
        else:
            head.update(f"Stress {score.score} · {score.band}")
            bar.score = score.score
            if score.band is not None:
                bar.add_class(_BAND_CLASS[score.band])
        why.update(f"{score.explain()}\n{self._baseline_text()}")

    def _ended_text(self) -> str:
        replay = self.link.replay_speed is not None
        return "the recording has ended" if replay else "the stream has ended"

    def _measuring(self, minute: MinuteResult) -> bool:
        """Whether ``minute`` is the partial first one after connecting or reconnecting
        (the beats began within it) and has no score."""
        began = self.beats_from_s
        epoch = minute.epoch
        return (
            began is not None and epoch.start_s < began < epoch.end_s and minute.score.score is None
        )

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
        keys = self.app.screen is self  # the keys named here work on this screen only
        if session is None:
            text = "No session running" + (
                " · s starts one (your own code, never a client's name)" if keys else ""
            )
        else:
            label = f" {session.label}" if session.label else ""
            text = f"In session: {session.kind}{label}{running}" + (" · e ends it" if keys else "")
        self.query_one("#session", Static).update(text)
        self.query_one("#discreet", Static).update(
            f"In session{running}   (v shows the numbers for {PEEK_S:.0f} s)"
        )

    def _draw_timeline(self) -> None:
        """Today's sessions as a strip across the working day, as wide as the panel."""
        spans = ((s.start_s, s.end_s, s.kind) for s in self.day_sessions)
        self.query_one(DayStrip).show(spans, self.now_s)
