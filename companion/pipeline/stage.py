"""The signal stage: markers, stress, load and prompts as beats arrive.

:class:`SignalStage` is a pipeline observer. Every beat goes through the live
artifact detector (three beats of look-ahead), then into the per-minute
:class:`~signals.epochs.batch.EpochBuilder`. Each closed minute is scored against
the baseline, updates the day's load and feeds the prompt policy. At the end
of a session its load is summarised and its HRV report is computed on a
worker thread, off the hot path. Its last minute closes later: then its load
is summarised again (final), and once three near-baseline minutes follow it,
its recovery is known; each time ``on_session_settled`` hears of it, so a day
on the screen stores the numbers the end of the run would. Replay and live
strap run exactly this.

A strap that streams ECG and accelerometer samples (a Polar H10 with PMD) adds the chest
stage (:mod:`companion.pipeline.chest.minutes`), made at its first samples: each minute's activity,
movement withholding a moving minute's stress (scored as an unscored minute, so the steady
band, the load, the store and the review all follow the one rule), prompts waiting until
the helper is still (``MinuteInput.moving``) and breathing fused from three sources, worked
out in its own worker. Without such samples nothing of it runs.
The results it hands on live in :mod:`companion.pipeline.results`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, TypeVar

from companion.pipeline.beat_queue import BeatQueue
from companion.pipeline.chest.minutes import ChestMinute, ChestStage, withheld_epoch
from companion.pipeline.chest.work import ChestWork
from companion.pipeline.offload import (
    BatchingExecutor,
    Offload,
    breathing_or_none,
    make_executor,
    make_pmd_executor,
    span_report,
)
from companion.pipeline.results import EndedSessions, MinuteResult, SessionResult, after_markers
from companion.prompts.policy import PromptPolicy
from companion.prompts.records import Prompt, PromptRecord
from companion.prompts.types import MinuteInput, PolicyConfig
from companion.prompts.types import SessionLoad as PolicySessionLoad
from companion.sessions import Session
from companion.store.types import local_day
from sensors.beats import Beat, GapReason, beat_columns
from sensors.events import AccSamples, CheckIn, Disconnected, EcgSamples, Measurement, SourceEvent
from sensors.hrm import SensorContact
from signals.artifacts.live.detector import LiveArtifactDetector
from signals.epochs.builder import EpochBuilder
from signals.epochs.types import Epoch
from signals.hrv.report import HRVReport
from signals.scores.baseline import Baseline
from signals.scores.load import DailyLoad, recovery_after, session_load
from signals.scores.stress import StressScorer

__all__ = ["SignalStage"]

_T = TypeVar("_T")

log = logging.getLogger("holdspace.analysis")

BREATHING_WINDOW_S: Final = 120.0
"""Beats of the last two minutes estimate the breathing rate of a minute."""
MIN_BREATHING_BEATS: Final = 40
BATCH_BEATS: Final = 64
"""Beats arriving together from which the artifact detector takes them as arrays
(an imported file; a strap sends one to three at a time)."""
AFTER_ACT_MINUTES: Final = 5
"""Minutes after a delivered prompt whose markers are kept as its "after"."""


@dataclass(slots=True)
class _OpenSession:
    session: Session
    time_s: list[float] = field(default_factory=list)
    rr_ms: list[float] = field(default_factory=list)
    gaps: list[bool] = field(default_factory=list)


class SignalStage:
    """Pipeline observer computing minutes, stress, load, prompts and session reports.

    Parameters
    ----------
    baseline : what stress is measured against (personal or published norms).
    day_of : the local day of an epoch time (prompt caps are per day).
    on_minute, on_prompt : callbacks for each scored minute and each delivered prompt.
    on_session_settled : called with an ended session's result when a closed minute
        makes its load final, and again when it makes its recovery known.
    offload : where per-minute breathing and session HRV reports are computed
        (:mod:`companion.pipeline.offload`): ``"thread"`` live, ``"process"`` for a whole
        file at once, ``"inline"`` in tests and to measure the inline cost.
    policy_config : the prompt policy's thresholds (default: :class:`PolicyConfig`'s).
    """

    def __init__(
        self,
        baseline: Baseline,
        *,
        day_of: Callable[[float], date] = local_day,
        on_minute: Callable[[MinuteResult], None] | None = None,
        on_prompt: Callable[[Prompt], None] | None = None,
        on_session_settled: Callable[[SessionResult], None] | None = None,
        offload: Offload = "thread",
        policy_config: PolicyConfig | None = None,
    ) -> None:
        self.baseline = baseline
        self.detector = LiveArtifactDetector()
        self.builder = EpochBuilder()
        self.scorer = StressScorer(baseline)
        self.load = DailyLoad()
        self.policy = PromptPolicy(policy_config, day_of=day_of)
        self.minutes: list[MinuteResult] = []
        self.sessions: list[SessionResult] = []
        self.on_minute = on_minute
        self.on_prompt = on_prompt
        self.on_session_settled = on_session_settled
        self._ended = EndedSessions()  # whose load or recovery a later minute settles
        self._day: date | None = None
        self._day_of = day_of
        self._pending = BeatQueue()  # not yet answered for by the artifact detector
        self._recent = BeatQueue()  # the breathing window
        self._open: _OpenSession | None = None
        self._offload: Offload = offload
        self._executor = make_executor(offload)
        self._chest: ChestStage | None = None  # made at the first ECG or ACC samples
        self._pmd_executor: Executor | None = None  # the chest's own worker, when it has one
        self._after: dict[str, list[MinuteResult]] = {}
        self._before: dict[str, MinuteResult | None] = {}
        self._after_markers: dict[str, dict[str, Any]] = {}

    def use_baseline(self, baseline: Baseline) -> None:
        """Measure stress (and session reports) against ``baseline`` from the next minute:
        a resting measurement the helper has just kept."""
        self.baseline = baseline
        self.scorer.baseline = baseline

    # -- observer protocol -------------------------------------------------------------------

    def on_event(self, event: SourceEvent) -> None:
        match event:
            case Measurement(arrival_s=t, measurement=m):
                if m.contact is SensorContact.NO_CONTACT:
                    self._minutes(self.builder.mark_no_signal(t))
                else:
                    self._minutes(self.builder.advance_to(t))
            case Disconnected(at_s=t):
                self._minutes(self.builder.mark_no_signal(t, disconnected=True))
            case CheckIn(at_s=t, answers=answers):
                self._deliver(self.policy.check_in(t, answers))
            case EcgSamples() | AccSamples():
                if self._chest is None:
                    pmd = make_pmd_executor(self._offload, self._executor)
                    self._chest = ChestStage(pmd, BREATHING_WINDOW_S)
                    self._pmd_executor = pmd if pmd is not self._executor else None
                self._chest.add(event)

    def on_beats(self, beats: Sequence[Beat], gap_reasons: Mapping[int, GapReason]) -> None:
        columns = beat_columns(beats)
        time_s, rr_ms, gaps = columns.time_s, columns.rr_ms, columns.gap_before
        self._pending.extend(time_s, rr_ms, gaps)
        if self._open is not None:
            self._open.time_s.extend(time_s)
            self._open.rr_ms.extend(rr_ms)
            self._open.gaps.extend(gaps)
        if len(beats) >= BATCH_BEATS:  # an imported chunk: worked out as arrays
            self._drain_many(self.detector.push_many(rr_ms, gaps).flagged.tolist())
            return
        push = self.detector.push
        for rr, gap in zip(rr_ms, gaps, strict=True):
            self._drain([verdict.flagged for verdict in push(rr, gap)])

    def on_session_opened(self, session: Session) -> None:
        self._open = _OpenSession(session)
        self._deliver(self.policy.session_started(session.kind, session.label, session.start_s))

    def on_session_closed(self, session: Session) -> None:
        end_s = session.end_s if session.end_s is not None else session.start_s
        open_ = self._open
        self._open = None
        epochs = [m.epoch for m in self.minutes]
        scores = [m.score for m in self.minutes]
        load = session_load(
            session.start_s, end_s, epochs, scores, self.baseline, marked_heavy=session.heavy
        )
        result = SessionResult(session=session, load=load, baseline=self.baseline)
        if open_ is not None:
            args = (open_.time_s, open_.rr_ms, open_.gaps)
            if self._executor is not None:
                result.report = self._executor.submit(span_report, *args)
            else:
                done: Future[HRVReport | None] = Future()
                done.set_result(span_report(*args))
                result.report = done
        self.sessions.append(result)
        self._ended.add(result)
        summary = (
            PolicySessionLoad(
                mean_stress=load.mean_stress,
                peak_stress=load.peak_stress or 0,
                minutes_high=load.minutes_high,
                load=load.load,
            )
            if load.mean_stress is not None
            else None
        )
        self._deliver(self.policy.session_ended(end_s, session.heavy, summary))

    def on_stream_end(self, at_s: float | None) -> None:
        """End of the source: every pending beat and minute is settled."""
        self._drain([verdict.flagged for verdict in self.detector.flush()])
        self._minutes(self.builder.flush())

    # -- results -------------------------------------------------------------------------------

    def settle(self) -> None:
        """Settle session loads with every minute and compute recoveries (no waiting).

        At a session's end its last minute has not closed yet; the policy got the
        load known then, and the stored load is recomputed here with all minutes.
        """
        epochs = [m.epoch for m in self.minutes]
        scores = [m.score for m in self.minutes]
        for i, result in enumerate(self.sessions):
            session = result.session
            if session.end_s is None:
                continue
            result.load = session_load(
                session.start_s,
                session.end_s,
                epochs,
                scores,
                self.baseline,
                marked_heavy=session.heavy,
            )
            nxt = self.sessions[i + 1].session.start_s if i + 1 < len(self.sessions) else None
            result.recovery = recovery_after(
                session.end_s, epochs, scores, self.baseline, until_s=nxt
            )

    def colleagues_due(self, t_s: float, due: Mapping[str, int]) -> None:
        """Colleagues whose check-in rhythm has passed (name to days since the last
        contact): the policy's gentle reminder, delivered like any prompt."""
        self._deliver(self.policy.colleagues_due(t_s, due))

    def run_aside(self, fn: Callable[..., _T], *args: Any) -> Future[_T]:
        """Run ``fn(*args)`` where the stage's costly steps run, starting now (after
        the jobs already waiting); inline without an executor."""
        if self._executor is None:
            done: Future[_T] = Future()
            done.set_result(fn(*args))
            return done
        future = self._executor.submit(fn, *args)
        if isinstance(self._executor, BatchingExecutor):
            self._executor.ship()
        return future

    def finish(self) -> None:
        """:meth:`settle`, then wait for every breathing rate and session report."""
        self.settle()
        if self._executor is not None:
            self._executor.shutdown(wait=True)
        if self._pmd_executor is not None:
            self._pmd_executor.shutdown(wait=True)
        for result in self.sessions:
            if result.report is not None:
                result.report.result()

    @property
    def prompts(self) -> tuple[PromptRecord, ...]:
        return self.policy.all_prompts

    @property
    def acts(self) -> dict[str, dict[str, Any]]:
        """Per delivered prompt: markers of the minute before and of the minutes after
        (its delivery, or once accepted, its act: :meth:`measure_from`).

        Built on demand: the minute before may still be waiting for its breathing rate.
        """
        return {
            prompt_id: {
                "before": None if before is None else before.to_json(),
                "after": self._after_markers.get(prompt_id),
            }
            for prompt_id, before in self._before.items()
        }

    def measure_from(self, prompt_id: str) -> None:
        """The helper took up ``prompt_id`` now: its minute before and minutes after are
        measured from here, the act's own time, not from when it was delivered."""
        if prompt_id in self._before:
            self._before[prompt_id] = self.minutes[-1] if self.minutes else None
            self._after[prompt_id] = []
            self._after_markers.pop(prompt_id, None)

    # -- internals -------------------------------------------------------------------------------

    def _drain(self, flagged: Sequence[bool]) -> None:
        """The pending beats the detector has answered for (``flagged``: an artifact)."""
        pending = self._pending
        add_recent = self._recent.append
        push = self.builder.push
        time_s: float | None = None
        for artifact in flagged:
            time_s, rr_ms, gap = pending.popleft()
            add_recent(time_s, rr_ms, gap)
            closed = push(time_s, rr_ms, gap, artifact)
            if closed:
                self._trim_recent(time_s)
                self._minutes(closed)
        if time_s is not None:
            self._trim_recent(time_s)

    def _drain_many(self, flagged: list[bool]) -> None:
        """:meth:`_drain` for many beats at once (the epoch builder takes them as arrays)."""
        if not flagged:
            return
        time_s, rr_ms, gaps = self._pending.take(len(flagged))
        closes = self.builder.push_many(time_s, rr_ms, gaps, flagged)
        recent = self._recent
        done = 0
        for index, closed in closes:
            # The beats up to the one that closed the minutes.
            recent.extend(time_s[done : index + 1], rr_ms[done : index + 1], gaps[done : index + 1])
            done = index + 1
            self._trim_recent(time_s[index])
            self._minutes(closed)
        recent.extend(time_s[done:], rr_ms[done:], gaps[done:])
        self._trim_recent(time_s[-1])

    def _trim_recent(self, now_s: float) -> None:
        """Keep the beats of the breathing window before ``now_s``, the newest beat's time.

        Trimmed when a minute closes and after each batch: what a minute's
        breathing rate reads is what trimming at every beat would have left."""
        self._recent.drop_before(now_s - BREATHING_WINDOW_S)

    def _minutes(self, epochs: Sequence[Epoch]) -> None:
        for epoch in epochs:
            day = self._day_of(epoch.start_s)
            if day != self._day:
                self._day = day
                self.load = DailyLoad()
            chest = self._chest_minute(epoch)
            if chest is None or not chest.withheld:
                score = self.scorer.score(epoch)
            else:  # moving, or settling after it: scored as an unscored minute
                score = self.scorer.score(withheld_epoch(epoch, chest.withheld))
            load = self.load.update(score.score)
            breathing = self._breathing(epoch) if chest is None else _FusedRate(chest.work)
            minute = MinuteResult(
                epoch=epoch, score=score, breathing=breathing, daily_load=load, chest=chest
            )
            self.minutes.append(minute)
            self._note_after(minute)
            self._settle_ended()
            if self.on_minute is not None:
                self.on_minute(minute)
            self._deliver(
                self.policy.minute(
                    MinuteInput(
                        t_s=epoch.end_s,
                        stress=score.score,
                        quality_ok=epoch.is_good,
                        daily_load=load,
                        hr_delta_bpm=score.hr_delta_bpm,
                        ln_rmssd_delta=score.ln_rmssd_delta,
                        moving=chest is not None and chest.moving,
                    )
                )
            )

    def _chest_minute(self, epoch: Epoch) -> ChestMinute | None:
        """The chest's view of ``epoch`` (None without ECG or ACC samples so far)."""
        if self._chest is None:
            return None
        beats = self._recent.up_to(epoch.end_s) if epoch.is_good else ([], [], [])
        if len(beats[0]) < MIN_BREATHING_BEATS:
            beats = ([], [], [])
        return self._chest.minute(epoch, beats)

    def _breathing(self, epoch: Epoch) -> Future[float | None]:
        args = self._recent.up_to(epoch.end_s) if epoch.is_good else ([], [], [])
        if len(args[0]) < MIN_BREATHING_BEATS:
            done: Future[float | None] = Future()
            done.set_result(None)
            return done
        if self._executor is not None:
            return self._executor.submit(breathing_or_none, *args)
        done = Future()
        done.set_result(breathing_or_none(*args))
        return done

    def _settle_ended(self) -> None:
        """Settle what the minute just closed settles about ended sessions, and say so."""
        settled = self._ended.minute_closed(self.minutes, self.baseline, self._next_start_s)
        if self.on_session_settled is not None:
            for result in settled:
                self.on_session_settled(result)

    def _next_start_s(self, result: SessionResult) -> float | None:
        """When the session after ``result``'s started (None: none has yet)."""
        later = self.sessions[[r is result for r in self.sessions].index(True) + 1 :]
        if later:
            return later[0].session.start_s
        return self._open.session.start_s if self._open is not None else None

    def _deliver(self, prompts: Sequence[Prompt]) -> None:
        for prompt in prompts:
            self._before[prompt.prompt_id] = self.minutes[-1] if self.minutes else None
            self._after[prompt.prompt_id] = []
            log.info("prompt %s delivered: %s", prompt.kind, prompt.reason)
            if self.on_prompt is not None:
                self.on_prompt(prompt)

    def _note_after(self, minute: MinuteResult) -> None:
        for prompt_id in list(self._after):
            seen = self._after[prompt_id]
            seen.append(minute)
            if len(seen) >= AFTER_ACT_MINUTES:
                self._after_markers[prompt_id] = after_markers(seen)
                del self._after[prompt_id]


class _FusedRate(Future[float | None]):
    """The fused breathing rate of a minute, once its chest work is done.

    Waiting on it waits on the work first (a batched job ships when waited on)."""

    def __init__(self, work: Future[ChestWork]) -> None:
        super().__init__()
        self._work = work
        work.add_done_callback(self._settle)

    def _settle(self, done: Future[ChestWork]) -> None:
        error = done.exception()
        if error is not None:
            self.set_exception(error)
            return
        self.set_result(done.result().breathing.rate_per_min)

    def result(self, timeout: float | None = None) -> float | None:
        self._work.exception(timeout)
        return super().result(timeout)
