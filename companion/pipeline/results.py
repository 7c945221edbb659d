"""What the signal stage hands on: scored minutes, session results, their JSON.

:class:`MinuteResult` is one closed minute as
:class:`~companion.pipeline.stage.SignalStage` scored it, :class:`SessionResult`
what it learnt about one session. Both serialise with ``to_json`` for the
store and the live feed; :func:`after_markers` summarises the minutes after a
delivered prompt. :class:`EndedSessions` settles a session's numbers as the
minutes after its end close. The stage (:mod:`companion.pipeline.stage`) does the scoring.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

import numpy as np

from companion.pipeline.baselines import baseline_json
from companion.pipeline.chest.minutes import ChestMinute
from companion.sessions import Session
from signals.epochs.types import EPOCH_S, Epoch
from signals.hrv.report import HRVReport
from signals.scores.baseline import Baseline
from signals.scores.load import (
    RECOVERY_RUN_MINUTES,
    Recovery,
    SessionLoad,
    recovery_after,
    session_load,
)
from signals.scores.stress import StressScore

__all__ = ["EndedSessions", "MinuteResult", "SessionResult", "after_markers"]


@dataclass(frozen=True, slots=True)
class MinuteResult:
    """One scored minute: its markers, stress score, breathing and the day's load.

    The breathing rate is estimated on the worker thread (a spectrum per
    minute is the one costly step); :attr:`resp_per_min` waits for it. With a chest
    strap's ECG and accelerometer (``chest``, :mod:`companion.pipeline.chest.minutes`) it is the
    rate fused from the heart rhythm, the ECG and the chest, and the stored minute adds
    ``activity``, ``respiration`` (its sources, and which was used) and ``ecg`` (the ECG's
    check of the minute's beats); without, the stored minute is exactly as before.
    """

    epoch: Epoch
    score: StressScore
    breathing: Future[float | None]
    daily_load: float
    chest: ChestMinute | None = None

    @property
    def moving(self) -> bool:
        """Whether the chest strap saw the helper moving or walking in this minute."""
        return self.chest is not None and self.chest.moving

    @property
    def resp_per_min(self) -> float | None:
        return self.breathing.result()

    def to_json(self) -> dict[str, Any]:
        e, s = self.epoch, self.score
        out: dict[str, Any] = {
            "start_s": e.start_s,
            "hr_bpm": _round(e.hr_bpm, 2),
            "rmssd_ms": _round(e.rmssd_ms, 2),
            "ln_rmssd": _round(e.ln_rmssd, 4),
            "resp_per_min": _round(self.resp_per_min, 2),
            "stress": s.score,
            "band": s.band,
            "hr_delta_bpm": _round(s.hr_delta_bpm, 2),
            "ln_rmssd_delta": _round(s.ln_rmssd_delta, 4),
            "quality": e.quality,
            "unscored_reason": s.unscored_reason or e.quality_reason or None,
            "artifact_fraction": round(e.artifact_fraction, 4),
            "daily_load": round(self.daily_load, 2),
        }
        if self.chest is not None:
            out.update(self.chest.to_json())
        return out


@dataclass(slots=True)
class SessionResult:
    """What the stage learnt about one session; the HRV report arrives later."""

    session: Session
    load: SessionLoad
    baseline: Baseline
    report: Future[HRVReport | None] | None = None
    recovery: Recovery | None = None

    def to_json(self) -> dict[str, Any]:
        load = self.load
        out: dict[str, Any] = {
            "stress_mean": _round(load.mean_stress, 1),
            "stress_peak": load.peak_stress,
            "minutes_high": load.minutes_high,
            "load": round(load.load, 1),
            "hr_change_bpm": _round(load.hr_change_bpm, 1),
            "rmssd_change_pct": _round(load.rmssd_change_pct, 1),
            "heavy": load.heavy,
            "recovery_min": None if self.recovery is None else _round(self.recovery.minutes, 1),
        }
        report = self.report.result() if self.report is not None else None
        out["hrv"] = None if report is None else report.to_json()
        out["session_load"] = dataclasses.asdict(load)
        out["baseline"] = baseline_json(self.baseline)  # what the changes are measured against
        return out


class EndedSessions:
    """Ended sessions whose numbers minutes still to close will settle.

    At a session's end the minute holding its end is still open, so the load the
    stage works out then misses it (a session under two minutes may have no scored
    minute yet). Once a minute reaching the session's end has closed, every later
    minute lies after the session: its load is summarised again, as
    :meth:`~companion.pipeline.stage.SignalStage.settle` does at the end of the run, and is
    final. Its recovery is then found at the first run of
    :data:`~signals.scores.load.RECOVERY_RUN_MINUTES` near-baseline minutes after it and
    before the next session: checked at every closed minute, the run ends at the
    minute that completes it (a session starting later starts after the minutes closed
    before it). When the next session comes first there is none, which the run's end says.
    """

    def __init__(self) -> None:
        self._load_open: list[SessionResult] = []
        self._recovery_open: list[SessionResult] = []

    def add(self, result: SessionResult) -> None:
        """A session just ended (its load as known at its end)."""
        if result.session.end_s is not None:
            self._load_open.append(result)

    def minute_closed(
        self,
        minutes: Sequence[MinuteResult],
        baseline: Baseline,
        next_start_s: Callable[[SessionResult], float | None],
    ) -> list[SessionResult]:
        """``minutes[-1]`` has just closed: the results whose load became final or whose
        recovery was found, updated in place. ``next_start_s``: when the session after a
        result's started (None: none yet)."""
        epoch = minutes[-1].epoch
        settled: list[SessionResult] = []
        waiting: list[SessionResult] = []
        for result in self._load_open:
            session, end_s = result.session, result.session.end_s
            if end_s is None or epoch.start_s + EPOCH_S < end_s:
                waiting.append(result)
                continue
            first = len(minutes)  # the minutes that may lie in the session, newest last
            while first > 0 and minutes[first - 1].epoch.start_s + EPOCH_S > session.start_s:
                first -= 1
            result.load = session_load(
                session.start_s,
                end_s,
                [m.epoch for m in minutes[first:]],
                [m.score for m in minutes[first:]],
                baseline,
                marked_heavy=session.heavy,
            )
            self._recovery_open.append(result)
            settled.append(result)
        self._load_open = waiting
        last = minutes[-RECOVERY_RUN_MINUTES:]
        waiting = []
        for result in self._recovery_open:
            end_s, next_s = result.session.end_s, next_start_s(result)
            if end_s is None or (next_s is not None and epoch.start_s + EPOCH_S / 2 >= next_s):
                continue  # not back near baseline before the next session
            recovery = recovery_after(
                end_s, [m.epoch for m in last], [m.score for m in last], baseline, until_s=next_s
            )
            if recovery.recovered_at_s is None:
                waiting.append(result)
                continue
            result.recovery = recovery
            if not any(r is result for r in settled):
                settled.append(result)
        self._recovery_open = waiting
        return settled


def after_markers(seen: Sequence[MinuteResult]) -> dict[str, Any]:
    """The markers of the minutes after a delivered prompt: mean stress of the
    scored ones, mean heart rate and ln RMSSD of the good ones."""
    scored = [m for m in seen if m.score.score is not None]
    hr = [m.epoch.hr_bpm for m in seen if m.epoch.is_good and m.epoch.hr_bpm]
    ln = [m.epoch.ln_rmssd for m in seen if m.epoch.is_good and m.epoch.ln_rmssd]
    return {
        "minutes": len(seen),
        "stress_mean": _round(
            float(np.mean([m.score.score for m in scored])) if scored else None, 1
        ),
        "hr_bpm": _round(float(np.mean(hr)) if hr else None, 2),
        "ln_rmssd": _round(float(np.mean(ln)) if ln else None, 4),
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(float(value), digits)
