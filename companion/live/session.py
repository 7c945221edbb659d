"""The helper's day as it happens: one source through the pipeline, plus the helper's own acts.

:class:`LiveSession` is what a screen drives. It runs a source (a replayed
recording, the emulated strap, a real strap) through exactly the pipeline and
signal stage the headless commands use, and tells a :class:`LiveListener`
about beats, minutes, prompts, sessions and the link. The helper's acts
(start or end a session, a check-in, an answer to a prompt) go *into* the
stream as ordinary source events, stamped with the stream's own time, so the
pipeline, the prompt policy and the store see them as they would see a
recording's; prompts and check-ins are stored the moment they happen.

Nothing here imports Textual: the screen adapts the listener to its messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from companion.live.listener import LinkInfo, LiveListener
from companion.live.merged_source import MergedSource
from companion.live.remote_recorder import NOT_SENT, AttachedRecorder
from companion.pipeline.baselines import stored_baseline
from companion.pipeline.listener import RunListener
from companion.pipeline.runs import RunOutcome, choose_baseline, prompt_doc, run_source
from companion.prompts.acts import check_act
from companion.prompts.rules import FEELING_KEY
from companion.prompts.types import CheckInAnswer
from companion.readiness.policy import MORNING_SETTLED_HOUR, day_policy, gentler
from companion.readiness.reading import live_reading, readiness_of
from companion.sessions import Session, validate_kind, validate_label
from companion.text import clean_text
from sensors.events import (
    AccSamples,
    BatteryLevel,
    CheckIn,
    Connected,
    Disconnected,
    Measurement,
    SessionEnded,
    SessionStarted,
    SourceEvent,
)
from sensors.hrm import SensorContact
from sensors.replay import ReplaySource
from signals.scores.baseline import NORMS

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult, SessionResult
    from companion.pipeline.stage import SignalStage
    from companion.prompts.records import Prompt, Response
    from companion.prompts.types import PolicyConfig
    from companion.store.store import Store
    from sensors.beats import Beat, GapReason
    from sensors.ble.link import SupervisorStatus
    from sensors.ble.supervisor import StrapSupervisor
    from sensors.clock import Clock
    from sensors.source import BeatSource
    from signals.scores.baseline import Baseline

__all__ = ["CHECK_IN_KEYS", "LiveSession"]

log = logging.getLogger("holdspace.live")

CHECK_IN_KEYS: Final = ("tension", "intensity", "heavy", "note", FEELING_KEY)
"""What a post-session check-in may hold: where tension sits (comma-separated
places), intensity 0-10, heavy yes/no, a short note; "heavy" also sets the
feeling the prompt policy reads."""


class LiveSession(RunListener):
    """Run one source for a screen and take the helper's acts into it.

    It hears the run as a :class:`~companion.pipeline.listener.RunListener` and tells its
    ``listener`` (the screen's :class:`~companion.live.listener.LiveListener`) in the
    screen's words. A strap is recorded for it by :func:`~companion.live.recorder.record_live`.

    Parameters
    ----------
    store : where everything goes (``None``: nothing is stored).
    listener : told about everything, on the event loop's thread.
    clock : paces the store's batched writes in :meth:`run` (the screen's clock).
    policy_config : the prompt thresholds of the helper's settings (None: the defaults);
        a strap's ``RecordOptions.policy_config``, when set, wins.
    """

    def __init__(
        self,
        store: Store | None,
        listener: LiveListener,
        clock: Clock | None = None,
        policy_config: PolicyConfig | None = None,
    ) -> None:
        self.store = store
        self.listener = listener
        self.clock = clock
        self.policy_config = policy_config
        self.run_day: date | None = None
        """The day whose morning reading sets a run's prompts (None: the system's today)."""
        self.gentler_day = False
        self._morning_seen: date | None = None
        """The day whose morning reading this run has already weighed."""
        self._morning_minutes: list[dict[str, Any]] = []
        """This run's minutes of the morning not yet weighed (the store gets them later)."""
        """This run's prompts are the gentler ones of a below-usual morning."""
        self.stage: SignalStage | None = None
        self.session: Session | None = None
        self.last_session: Session | None = None
        self.now_s: float | None = None
        self.source_id = ""
        self._merged: MergedSource | None = None
        self._supervisor: StrapSupervisor | None = None
        self._stopping = False
        self._remote: AttachedRecorder | None = None

    # -- running ------------------------------------------------------------------------------

    async def replay(
        self, path: Path | str, speed: float | None, clock: Clock | None = None
    ) -> RunOutcome:
        """Replay a recording at ``speed`` (None: as fast as possible), paced by ``clock``."""
        return await self.run(
            ReplaySource(path, speed=speed, clock=clock),
            lambda: ReplaySource(path, speed=None),
            replay_speed=speed if speed is not None else math.inf,
        )

    async def run(
        self,
        source: BeatSource,
        again: Callable[[], BeatSource] | None = None,
        *,
        replay_speed: float | None = None,
    ) -> RunOutcome:
        """Run any ``source``; ``again`` makes a fresh copy to learn a baseline from.

        Without a stored personal baseline the baseline comes from the calm
        minutes of the source read once beforehand (``again``), else published norms.
        ``replay_speed`` (times real time, ``math.inf`` as fast as possible) is shown
        in the link line of a replay.
        """
        self.listener.live_link(LinkInfo("playing", source.description, replay_speed=replay_speed))
        baseline = (
            await choose_baseline(self.store, again)
            if again is not None
            else stored_baseline(self.store, date.today())
            if self.store is not None
            else NORMS
        )
        return await run_source(
            self.wrap(source),
            self.store,
            listeners=[self],
            baseline=baseline,
            clock=self.clock,
            policy_config=self.day_config(self.run_day or date.today(), self.policy_config),
        )

    def day_config(self, day: date, config: PolicyConfig | None) -> PolicyConfig | None:
        """The prompt config of a run on ``day``: gentler after a below-usual morning
        (:mod:`companion.readiness.policy`), which :attr:`gentler_day` then says."""
        chosen = day_policy(self.store, day, config)
        self.gentler_day = chosen.gentler
        return chosen.config

    async def attach(self, path: Path) -> None:
        """Follow the recorder serving ``path`` until it stops; acts go to it (one writer)."""
        self._remote = AttachedRecorder(self, path)
        await self._remote.run()

    def stop(self) -> None:
        """End the run cleanly: a strap is let go on purpose, stored data is flushed."""
        self._stopping = True
        if self._supervisor is not None:
            self._supervisor.stop()
        if self._remote is not None:
            self._remote.close()

    # -- the helper's acts --------------------------------------------------------------------

    # Attached to a recorder (:meth:`attach`), each act is sent to it instead: the recorder
    # puts it into its stream at its own time and stores it; a lost recorder is reported.

    @property
    def running(self) -> bool:
        if self._remote is not None:
            return self._remote.connected
        return self._merged is not None

    @property
    def attached(self) -> AttachedRecorder | None:
        """The recorder this session follows (:meth:`attach`), or None."""
        return self._remote

    @property
    def stopped_remote(self) -> bool:
        """Whether this session follows a recorder that has stopped."""
        return self._remote is not None and self._remote.stopped

    @property
    def not_ready(self) -> str:
        """Why acts cannot be taken now, in words for the screen."""
        if self.stopped_remote:
            return NOT_SENT
        return "Waiting for the first beats before a session can start."

    @property
    def baseline(self) -> Baseline | None:
        """What stress is measured against (the recorder's, when attached)."""
        if self.stage is not None:
            return self.stage.baseline
        return self._remote.baseline if self._remote is not None else None

    def start_session(self, kind: str, label: str) -> None:
        """Start a session now (ending an open one); raises HoldspaceError on a bad kind/label."""
        kind, label = validate_kind(kind), validate_label(label)
        if self._remote is not None:
            self._remote.send("start_session", kind=kind, label=label, required=True)
            return
        self._put(SessionStarted(self._now(), kind, label))

    def end_session(self, heavy: bool | None = None) -> Session | None:
        """End the open session now; returns it (as it was open) or None."""
        open_session = self.session
        if open_session is None:
            return None
        if self._remote is not None:
            self._remote.send("end_session", heavy=heavy)
        else:
            self._put(SessionEnded(self._now(), heavy))
        return open_session

    def check_in(self, answers: Mapping[str, CheckInAnswer], session: Session | None) -> None:
        """The helper's check-in after ``session``: stored, and heard by the prompt policy."""
        unknown = set(answers) - set(CHECK_IN_KEYS)
        if unknown:
            raise ValueError(f"unknown check-in answers: {', '.join(sorted(unknown))}")
        given = dict(answers)
        if isinstance(given.get("note"), str):
            given["note"] = clean_text(str(given["note"]), multiline=True).strip()
        if given.get("heavy") is True:
            given.setdefault(FEELING_KEY, "heavy")
        if self._remote is not None:
            session_id = session.session_id if session is not None else None
            self._remote.send("check_in", answers=given, session_id=session_id)
            return
        at_s = self._now()
        self._put(CheckIn(at_s, given))
        if self.store is not None:
            session_id = session.session_id if session is not None else None
            self.store.add_check_in(at_s, given, session_id, self.source_id)
            if session_id is not None and isinstance(given.get("heavy"), bool):
                self.store.mark_heavy(session_id, bool(given["heavy"]))

    def respond(self, prompt_id: str, response: Response) -> None:
        """The helper's answer to a delivered prompt: recorded by the policy and stored."""
        if self._remote is not None:
            self._remote.send("respond", prompt_id=prompt_id, response=response)
            return
        if self.stage is None:
            return
        self.stage.policy.respond(prompt_id, response, self._now())
        if response == "accepted":  # before and after are the act's, from now
            self.stage.measure_from(prompt_id)
        self._store_prompt(prompt_id)

    def record_act(
        self, kind: str, result: Mapping[str, Any], prompt_id: str | None = None
    ) -> None:
        """Store what the helper did (a pause, breathing, a colleague) and how it went.

        Raises
        ------
        ActError
            ``result`` is not what :mod:`companion.prompts.acts` defines for ``kind``.
        """
        checked = check_act(kind, result)
        if self._remote is not None:
            self._remote.send("record_act", kind=kind, result=checked, prompt_id=prompt_id)
        elif self.store is not None and self.now_s is not None:
            self.store.add_act(self.now_s, kind, checked, prompt_id, self.source_id)

    def colleagues_due(self, due: Mapping[str, int]) -> None:
        """Tell the policy which colleagues' check-ins are due (see
        :meth:`~companion.prompts.policy.PromptPolicy.colleagues_due`); a reminder it delivers
        arrives as a prompt. Attached to a recorder, its policy has no colleagues: nothing."""
        if self._remote is None and self.stage is not None and self.now_s is not None:
            self.stage.colleagues_due(self.now_s, due)

    def snooze(self, minutes: float) -> float | None:
        """Quiet prompts for ``minutes`` from now; returns until when (None: nothing runs).

        Attached, the time is this screen's estimate; the recorder's policy decides.
        """
        now = self.now_s
        if self._remote is not None:
            if now is None or self._remote.send("snooze", minutes=minutes) is None:
                return None
            return now + minutes * 60.0
        if self.stage is None or now is None:
            return None
        return self.stage.policy.snooze(now, minutes)

    # -- hearing the run (the RunListener protocol) -------------------------------------------

    def wrap(self, source: BeatSource) -> MergedSource:
        """The run's source, with the helper's acts put into it: the one to run."""
        self._merged = MergedSource(source)
        self.source_id = source.source_id
        return self._merged

    def on_stage(self, stage: SignalStage) -> None:
        self.stage = stage
        stage.on_session_settled = self._store_result

    def on_supervisor(self, supervisor: StrapSupervisor) -> None:
        self._supervisor = supervisor
        if self._stopping:
            supervisor.stop()

    def on_link(self, status: SupervisorStatus) -> None:
        self.listener.live_link(LinkInfo.from_status(status))

    def on_minute(self, minute: MinuteResult) -> None:
        self._weigh_morning(minute)
        self.listener.live_minute(minute)

    def _weigh_morning(self, minute: MinuteResult) -> None:
        """Once a day, when the morning reading appears during the run (its first calm
        minutes, or one taken on the screen), a below-usual one makes the rest of the day's
        prompts gentler (:mod:`companion.readiness.policy`); the screen then says so once."""
        local = datetime.fromtimestamp(minute.epoch.start_s).astimezone()
        day = local.date()
        stage, store = self.stage, self.store
        if stage is None or store is None or self._morning_seen == day or local.hour < 5:
            return
        if local.hour >= MORNING_SETTLED_HOUR:
            self._morning_seen, self._morning_minutes = day, []
            return
        self._morning_minutes.append(minute.to_json())
        reading = live_reading(store, day, self._morning_minutes)
        if reading is None:
            return
        self._morning_seen, self._morning_minutes = day, []
        status = readiness_of(store, day, known={day: reading}).status
        if status == "below" and not self.gentler_day:
            stage.policy.use_config(gentler(stage.policy.config))
            self.gentler_day = True

    def on_prompt(self, prompt: Prompt) -> None:
        self._store_prompt(prompt.prompt_id)
        self.listener.live_prompt(prompt)

    def on_event(self, event: SourceEvent) -> None:
        listener = self.listener  # read each time: a recorder's feed may join it
        match event:
            case Measurement(arrival_s=t, measurement=m):
                self.now_s = t
                if m.has_heart_rate:
                    listener.live_heart_rate(m.heart_rate_bpm)
                if m.contact is not SensorContact.UNSUPPORTED:
                    listener.live_contact(m.contact is SensorContact.CONTACT)
            case BatteryLevel(at_s=t, percent=p):
                self.now_s = t
                listener.live_battery(p)
            case Connected(at_s=t) | Disconnected(at_s=t) | CheckIn(at_s=t):
                self.now_s = t
            case AccSamples():
                listener.live_chest(event)
            case _:
                pass

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        if beats:
            self.now_s = max(self.now_s or 0.0, beats[-1].time_s)
        self.listener.live_beats(beats)

    def on_session_opened(self, session: Session) -> None:
        self.session = session
        self.listener.live_session(session, True)

    def on_session_closed(self, session: Session) -> None:
        self.session = None
        self.last_session = session
        self.listener.live_session(session, False)
        self._store_session_when_ready(session)

    def on_stream_end(self, at_s: float | None) -> None:
        self.listener.live_ended()

    # -- internals ----------------------------------------------------------------------------

    def _now(self) -> float:
        if self.now_s is None:
            raise ValueError("nothing has arrived from the source yet")
        return self.now_s

    def _put(self, event: SourceEvent) -> None:
        if self._merged is None:
            raise ValueError("no source is running")
        self._merged.put(event)

    def _store_session_when_ready(self, session: Session) -> None:
        """Store an ended session's analysis once its HRV report is computed."""
        stage = self.stage
        if stage is None or session.session_id is None:
            return
        found = [r for r in stage.sessions if r.session.session_id == session.session_id]
        if found:
            self._store_result(found[-1])

    def _store_result(self, result: SessionResult) -> None:
        """Store a session's load and HRV report (again) once its report is computed.

        A headless run stores every session's analysis at its end; a day on the
        screen stores each as it ends, and again when the stage settles its load (the
        minute holding its end has closed) and its recovery, so review the same day
        shows the numbers the end of the run stores.
        """
        session_id = result.session.session_id
        if self.store is None or session_id is None or result.report is None:
            return
        loop = asyncio.get_running_loop()

        def store() -> None:
            if self.store is not None:
                self.store.set_session_analysis(session_id, result.to_json())

        def on_loop(_: object) -> None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: the run stored it
                loop.call_soon_threadsafe(store)

        result.report.add_done_callback(on_loop)

    def _store_prompt(self, prompt_id: str) -> None:
        if self.store is None or self.stage is None:
            return
        record_ = self.stage.policy.record(prompt_id)
        self.store.put_prompts([prompt_doc(record_, self.stage.acts)], self.source_id)
