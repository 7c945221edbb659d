"""The Holdspace app: the live companion, with review and trends a key away.

The app is handed what to run (``runner``: a replay, the emulated strap, a
real strap) and the clock its timers read, as in memray's live TUI: tests pass
a gated replay and a manual clock and drive a whole day by keys. The run is a
worker; its news arrives as :class:`~tui.feed.Feed` messages and the helper's
acts go back through the :class:`~companion.live.session.LiveSession`.

The app combines its action groups, siblings over one base (:mod:`tui.actions`)::

                   ┌─ PromptActions ───┐
    HoldspaceApp ──┼─ ConnectActions ──┼── AppBase ── textual.app.App
                   ├─ PlanActions ─────┤
                   └─ SettingsActions ─┘

What two groups share lives in :class:`~tui.actions.base.AppBase`, including the steps
one offers another (the contact dialog, the end of a prompt's act).
"""

from __future__ import annotations

import io
import logging
from collections import deque
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Final

from rich.console import Console
from textual import on
from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from companion.errors import HoldspaceError
from companion.live.listener import LinkInfo
from companion.live.session import LiveSession
from companion.sessions import MIN_SESSION_S
from companion.settings import Settings
from companion.store.store import Store
from companion.store.tinydb_storage import SET_ASIDE
from sensors.clock import Clock, SystemClock
from tui.actions.base import Runner
from tui.actions.connect import ConnectActions
from tui.actions.plan import PlanActions
from tui.actions.prompts import PromptActions
from tui.actions.settings import SettingsActions
from tui.beat_watch import BeatWatch
from tui.feed import Feed
from tui.modals.keys import KeysScreen, keys_of
from tui.modals.prompt import PauseScreen, PromptScreen
from tui.modals.session import CheckInAnswers, CheckInScreen, SessionStart, StartSessionScreen
from tui.notify import PromptAlerts
from tui.screens.live import PEEK_S, LiveScreen
from tui.screens.review import ReviewScreen
from tui.screens.trends import TrendsScreen

if TYPE_CHECKING:
    from textual.widget import AwaitMount

    from companion.prompts.records import Prompt
    from companion.sessions import Session
    from tui.screens.setup import ScanFn

__all__ = ["HoldspaceApp"]

_LEFT_OUT_SYSTEM_COMMANDS: Final = frozenset({"Screenshot", "Keys", "Quit", "Theme"})
"""Textual's palette commands left out (see :meth:`HoldspaceApp.get_system_commands`)."""
_log = logging.getLogger(__name__)

CHECK_S: Final = 1.0
"""How often the app looks at its clock: a look at the numbers ends, beats stop."""


class HoldspaceApp(PromptActions, ConnectActions, PlanActions, SettingsActions):
    """The companion. ``runner`` None opens review (``holdspace review``).

    ``settings`` are the helper's (saved in ``settings_dir`` when changed); with a
    ``setup_runner`` the app first finds a strap (``scan``, default a Bluetooth scan)
    and then runs ``setup_runner(address)``.
    """

    TITLE = "Holdspace"
    SUB_TITLE = "local only · labels are your own codes"
    CSS_PATH = "holdspace.tcss"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (32, "-tall")]  # noqa: RUF012 (as Textual declares it)
    """Every screen (dialogs too) is ``-short`` below 32 rows (80x24): dialogs go compact."""
    BINDINGS: ClassVar[list[BindingType]] = [
        # The keys of every screen; the live day's own keys are the live screen's
        # (tui.screens.live), so no other screen shows or takes them. `?` lists the keys
        # of the screen on top with their tooltips (tui.modals.keys).
        Binding("question_mark", "keys", "Keys", key_display="?", tooltip="Every key"),
        Binding("q", "quit", "Quit", tooltip="Quit (everything is already stored)"),
    ]

    def __init__(
        self,
        runner: Runner | None,
        *,
        store: Store | None,
        clock: Clock | None = None,
        review_day: date | None = None,
        demo_key: bool = False,
        settings: Settings | None = None,
        settings_dir: Path | None = None,
        setup_runner: Callable[[str], Runner] | None = None,
        scan: ScanFn | None = None,
    ) -> None:
        super().__init__()
        self.runner = runner
        self.store = store
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.review_day = review_day
        self.demo_key = demo_key
        self.settings = settings if settings is not None else Settings()
        self.settings_dir = settings_dir
        self.setup_runner = setup_runner
        self.scan = scan
        self.live = LiveSession(store, Feed(self), self.clock, self.settings.policy_config())
        self.alerts = PromptAlerts(self)
        self.live_screen: LiveScreen | None = None
        self.waiting_prompts: deque[Prompt] = deque()
        self.hr_bpm: int | None = None
        self.beat_watch = BeatWatch(self.clock)
        self.clock_timer: Timer | None = None
        """The timer of :meth:`check_clock` (held while the live screen is there)."""

    # -- lifecycle ------------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.store is not None:  # damaged files of this store, set aside when it opened
            for message in SET_ASIDE:
                if message.startswith(f"{self.store.data_dir}/"):
                    self.notify(message, severity="warning", timeout=20)
        if self.setup_runner is not None:  # first run: find the strap, then start
            self._setup()  # the live screen comes with the strap (one screen to draw first)
            return
        if self.runner is None:
            self.action_review()
            return
        self._open_live_screen()
        # The pipeline, the signal stage and the strap's stack load when the run
        # starts: after the first frame, so the screen is there at once.
        self.call_after_refresh(self._start, self.runner)

    def _open_live_screen(self) -> AwaitMount:
        self.live_screen = LiveScreen(beats=self.beat_watch)
        self.clock_timer = self.set_interval(CHECK_S, self.check_clock)
        return self.push_screen(self.live_screen)

    def check_clock(self) -> None:
        """Read the injected clock: end a look at the numbers; show beats that stopped."""
        screen = self.live_screen
        if screen is None or not screen.is_mounted:
            return  # pushed, not composed yet
        try:
            screen.check_peek(self.clock.monotonic())
            screen.show_beat_watch()
        except NoMatches:  # a tick while the app takes the screen down on exit
            return

    def _start(self, runner: Runner) -> None:
        self.run_worker(
            runner(self.live), name="feed", group="feed", exclusive=True, exit_on_error=False
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "feed":
            return
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            message = getattr(error, "message", None) or str(error) or type(error).__name__
            self._show_link(LinkInfo("gave-up", message))
            self._note(message + (" — press d to try the demo instead." if self.demo_key else ""))
        elif event.state is WorkerState.SUCCESS:
            self._note("The run has ended; everything is stored. r opens the review.")

    async def action_quit(self) -> None:
        self.live.stop()
        self.exit()

    def _handle_exception(self, error: Exception) -> None:
        """An error nothing handled (Textual's one hook for it): the app exits with
        return code 1 and the traceback goes to the log, without locals (labels, message
        texts), never over the terminal; ``run_screen`` says where after the screen closed.
        """
        _log.critical("The screen stopped on an unexpected error.", exc_info=error)
        self.error_console = Console(file=io.StringIO())  # Textual's own traceback: dropped
        super()._handle_exception(error)

    # -- news from the live session ------------------------------------------------------------

    @on(Feed.Beats)
    def _beats(self, message: Feed.Beats) -> None:
        beats = message.take()
        if beats:
            self.beat_watch.beats()
        if self.live_screen is not None:
            self.live_screen.show_beats(beats)
        self.follow_plan()
        add_beats = getattr(self.screen, "add_beats", None)  # breathing, resting measurement
        if not callable(add_beats):
            return
        times, rrs = [b.time_s for b in beats], [b.rr_ms for b in beats]
        if getattr(self.screen, "TAKES_GAPS", False):
            add_beats(times, rrs, [b.gap_before for b in beats])
        else:
            add_beats(times, rrs)

    @on(Feed.Chest)
    def _chest(self, message: Feed.Chest) -> None:
        add_chest = getattr(self.screen, "add_chest", None)  # the breathing exercise
        if callable(add_chest):
            s = message.samples
            times = [s.first_sample_s + k / s.rate_hz for k in range(len(s.samples_mg))]
            add_chest(times, s.samples_mg)

    @on(Feed.HeartRate)
    def _heart_rate(self, message: Feed.HeartRate) -> None:
        self.hr_bpm = message.hr_bpm
        if self.live_screen is not None:
            self.live_screen.show_heart_rate(message.hr_bpm)
        if isinstance(self.screen, PauseScreen):
            self.screen.heart_rate(message.hr_bpm)

    @on(Feed.Minute)
    def _minute(self, message: Feed.Minute) -> None:
        if self.live_screen is not None:
            if self.live.baseline is not None:  # the one this minute was scored against
                self.live_screen.baseline = self.live.baseline
            self.live_screen.show_minute(message.minute)
            self.live_screen.show_day_policy(self.live.gentler_day)
        self.check_reminders()
        self.check_snooze()
        self.expire_note()
        self._offer_waiting()  # what waited while a dialog was open: on news, not on a key

    @on(Feed.Link)
    def _link(self, message: Feed.Link) -> None:
        self._show_link(message.link)

    @on(Feed.Battery)
    def _battery(self, message: Feed.Battery) -> None:
        if self.live_screen is not None:
            self.live_screen.show_battery(message.percent)

    @on(Feed.Contact)
    def _contact(self, message: Feed.Contact) -> None:
        if self.live_screen is not None:
            self.live_screen.show_contact(message.contact)

    @on(Feed.SessionChanged)
    def _session(self, message: Feed.SessionChanged) -> None:
        if self.live_screen is not None:
            self.live_screen.show_session(message.session, message.is_open)
        if not message.is_open:
            self.session_contact(message.session)
            self._offer_waiting()
        elif self.settings.quiet_during(message.session.kind) and isinstance(
            self.screen, PromptScreen
        ):
            # A client session (or any, as the helper chose) began while an invitation
            # was open: take it down unanswered; it is offered again when the session ends,
            # and an enter the helper meant for it (within a moment) still accepts it.
            self.waiting_prompts.appendleft(self.screen.prompt)
            self.taken_down = (self.screen.prompt, self.clock.monotonic())
            self.pop_screen()

    @on(Feed.PromptDelivered)
    def _prompt(self, message: Feed.PromptDelivered) -> None:
        prompt = message.prompt
        if self.live_screen is not None and not self.prompts_quiet:
            self.live_screen.show_prompt(prompt)
        self.waiting_prompts.append(prompt)
        self._offer_waiting()

    @on(Feed.Ended)
    def _ended(self, message: Feed.Ended) -> None:
        replay = self.live_screen is not None and self.live_screen.link.state == "playing"
        why = "the recording has ended" if replay else "the stream has ended"
        self.beat_watch.end(why)
        self.drop_waiting(why)
        if self.live_screen is not None:
            self.live_screen.show_link(LinkInfo("ended", "the source has ended"))

    def _show_link(self, link: LinkInfo) -> None:
        if self.live_screen is not None:
            self.live_screen.show_link(link)

    def _note(self, text: str) -> None:
        if self.live_screen is not None:
            self.live_screen.show_note(text)
            self.note_s = self.live.now_s  # it expires (tui.actions.prompts.NOTE_EXPIRES_S)

    @on(LiveScreen.Shown)
    def _live_shown(self) -> None:
        """Back on the live screen after a dialog or review: the next key is the helper's.

        What waited is offered on the next news (a minute, a prompt, a session's end),
        not now: a queued prompt must not take the key pressed after closing a dialog.
        """
        self.check_clock()  # a look that ended while it was covered is over now

    # -- the helper's acts ----------------------------------------------------------------------

    def action_peek(self) -> None:
        """Show the numbers for :data:`~tui.screens.live.PEEK_S` (again: hide them now).

        Only on the live screen: a look begun under another screen would run out unseen.
        """
        screen = self.live_screen
        if screen is None:
            return
        if screen.peek:
            screen.end_peek()
        elif self.screen is screen:
            screen.peek_until(self.clock.monotonic() + PEEK_S)
        else:
            self.notify("v shows the numbers on the live screen.")

    def _review_only(self) -> bool:
        """``holdspace review``: no live screen; say so for a key of the live day."""
        if self.live_screen is None:
            self.notify("This is the review: sessions run on the live screen (run holdspace).")
            return True
        return False

    def action_start_session(self) -> None:
        if self._review_only():
            return
        if self.live.stopped_remote:  # attached to a recorder that has stopped: say so
            self.notify(self.live.not_ready)
            return
        if self.beat_watch.ended is not None:  # at once, not after a dialog that starts nothing
            self.notify(f"No session can start: {self.beat_watch.ended}. r opens the review.")
            return
        if not self.live.running or self.live.now_s is None:
            self.notify(self.live.not_ready)
            return
        last = self.live.last_session

        def chosen(choice: SessionStart | None) -> None:
            if choice is None:
                return
            try:
                self.live.start_session(choice.kind, choice.label)
            except HoldspaceError as exc:
                self.notify(str(exc), severity="warning")

        screen = StartSessionScreen(
            kind=last.kind if last is not None else "client",
            label="",
        )
        self.push_screen(screen, chosen)

    def action_end_session(self) -> None:
        if self._review_only():
            return
        running, now_s = self.live.session, self.live.now_s
        if running is not None and now_s is not None and now_s - running.start_s < MIN_SESSION_S:
            # It began as the key was pressed (planned or scripted): it goes on.
            name = running.label or running.kind
            self.notify(f"{name} has only just begun, so it goes on (e ends it after 30 s).")
            return
        ended = self.live.end_session()
        if ended is None:
            self.notify("No session is running.")
            return
        self._check_in(ended)

    def _check_in(self, session: Session) -> None:
        def answered(answers: CheckInAnswers | None) -> None:
            if answers is not None:
                self.live.check_in(answers.answers(), session)
                self._note("Check-in kept. Thank you for noticing.")

        label = f" {session.label}" if session.label else ""
        self.push_screen(CheckInScreen(f"{session.kind}{label}"), answered)

    def action_review(self) -> None:
        if self.store is None:
            self.notify("Nothing is stored in this run, so there is nothing to review.")
            return
        reader = self._reader()
        self.push_screen(ReviewScreen(reader, self.review_day), lambda _: self._done(reader))

    def action_trends(self) -> None:
        if self.store is None:
            self.notify("Nothing is stored in this run, so there are no trends.")
            return
        reader = self._reader()
        self.push_screen(TrendsScreen(reader), lambda _: self._done(reader))

    def _reader(self) -> Store:
        """A store for a look back: its own read-only view, read on worker threads while
        the live run keeps writing through ``self.store`` on this one."""
        assert self.store is not None
        if self.store.read_only:
            return self.store
        return Store(self.store.data_dir, read_only=True)

    def _done(self, reader: Store) -> None:
        if reader is not self.store:
            reader.close()

    def action_keys(self) -> None:
        """The keys sheet: every key of the screen shown and of the app, with what it does."""
        if not isinstance(self.screen, KeysScreen):
            self.push_screen(KeysScreen(keys_of(self, self.screen)))

    async def action_demo(self) -> None:
        """Leave for the demo (on its own store); the command line opens it."""
        if self.demo_key:
            self.live.stop()
            self.exit("demo")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``i`` (a talk in person instead) applies, and shows, while a message waits."""
        if action == "in_person_instead":
            return self.unsent_message_waits()
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands but its screenshot (an SVG of the screen, numbers and all,
        left in the working directory), its keys panel ("Every key" is ours), its quit
        ("Quit" is ours, and nothing is lost) and its theme picker, then ours."""
        for command in super().get_system_commands(screen):
            if command.title not in _LEFT_OUT_SYSTEM_COMMANDS:
                yield command
        for title, help_text, action in (
            ("Start a session", "Tag what you are doing now (your own code)", "start_session"),
            ("End the session", "End it and check in", "end_session"),
            ("Breathe", "A paced breathing exercise with your heart's rhythm", "breathe"),
            ("Pause", "Two quiet minutes", "pause"),
            ("Contact a colleague", "Reach out to someone", "contact"),
            ("Colleagues", "Who you check in with, and how to reach them", "colleagues"),
            (
                "Team check-in",
                "A one-line status for your team, from today's bands",
                "team_check_in",
            ),
            (
                "Import a calendar",
                "The next seven days' events of an .ics file become planned sessions",
                "import_calendar",
            ),
            (
                "Not happening",
                "A session your calendar started is not happening: end it, not again today",
                "not_happening",
            ),
            ("Snooze prompts", "Quiet for 30 minutes", "snooze"),
            ("Show the numbers", "Inside a client session, the numbers for a moment", "peek"),
            ("Review a day", "Sessions, load and prompts of a day", "review"),
            ("Trends", "7 and 30 days", "trends"),
            ("Settings", "Prompts, quiet, the pacer, notifications, the strap", "settings"),
            ("Measure resting baseline", "Five quiet minutes for your own baseline", "resting"),
            ("Morning reading", "Three quiet minutes: this morning against your usual", "morning"),
            ("Every key", "The keys of this screen and what they do", "keys"),
            (
                "Talk in person instead",
                "A message that was not sent becomes a talk in person",
                "in_person_instead",
            ),
            ("Quit", "Everything is already stored", "quit"),
        ):
            yield SystemCommand(title, help_text, getattr(self, f"action_{action}"))
        if self.demo_key:
            yield SystemCommand("Demo", "The emulated strap and a heavy workday", self.action_demo)
