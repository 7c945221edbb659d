"""The chest stage: what a Polar H10's ECG and accelerometer add to each minute.

A strap that streams Polar's Measurement Data (PMD: ECG at 130 Hz, a chest accelerometer)
yields :class:`~sensors.events.EcgSamples` and :class:`~sensors.events.AccSamples` on the
same source stream as its beats. :class:`ChestStage` keeps the last few minutes of them
and, as each minute closes, says:

- **activity** (:func:`signals.motion.activity.activity_in_window`, on this thread when
  the first accelerometer frame past the minute's end arrives: a few thousand samples,
  under a millisecond): still, moving, walking or unknown, with the movement (mg) and the
  step cadence;
- **why a minute is not scored for stress**: a minute whose activity is ``"moving"`` or
  ``"walking"`` is *withheld*: its heart rate went up with movement, which says nothing
  about stress. So are the :data:`~signals.scores.stress.SETTLE_MINUTES` (2) still minutes
  after it, while the heart rate settles, as the stress scorer already does after a
  sudden rise (:class:`~signals.scores.stress.StressScorer`). A withheld minute is scored
  as an unscored one: no score, no band, bridged by the steady band
  (:mod:`signals.scores.bands`) like any unscored minute. Stored with ``stress`` null and
  the reason, every view that reads stored minutes (the day review, session loads,
  trends) agrees with the screen and the prompts by the one rule it already has: an
  unscored minute is never high stress;
- **breathing from three sources** and an **ECG check of the beats**
  (:func:`~companion.pipeline.chest.work.chest_work`, off the beat path): the
  heart rhythm (RSA, as without PMD), the ECG (ECG-derived respiration from the R-peak
  amplitudes, NeuroKit2 in a worker process) and the chest's own movement, fused by
  :func:`signals.breathing.fusion.fuse_breathing`, which says which one it used.

Without PMD events nothing here is made: the stage runs exactly as before.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from concurrent.futures import Executor, Future
from dataclasses import dataclass, replace
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from companion.pipeline.chest.work import ChestWork, EcgCheck, chest_work
from sensors.events import AccSamples, EcgSamples
from signals.breathing.fusion import FusedBreathing
from signals.breathing.respiration import BreathingEstimate
from signals.epochs.types import EPOCH_S, Epoch
from signals.motion.activity import ActivityMinute, activity_in_window
from signals.scores.stress import SETTLE_MINUTES

__all__ = [
    "KEEP_S",
    "MOVING_STATES",
    "SETTLING_REASON",
    "ChestMinute",
    "ChestStage",
    "MovementHold",
    "SampleChunks",
    "activity_json",
    "ecg_json",
    "longest_run",
    "movement_reason",
    "respiration_json",
    "withheld_epoch",
]

FloatArray = npt.NDArray[np.float64]

MOVING_STATES: Final = frozenset({"moving", "walking"})
"""Activity states whose minutes are not scored for stress and during which prompts wait."""
KEEP_S: Final = 180.0
"""Samples kept behind the newest, in seconds: the two-minute breathing window and a minute
of slack for a minute that closes late."""
SETTLING_REASON: Final = "heart rate is settling after movement"
"""Why a still minute just after moving is not scored."""


def movement_reason(activity: ActivityMinute) -> str:
    """Why a moving minute has no stress score, in plain words (the screen's "why" line):
    "heart rate up with movement (walking, 112 steps a minute)"."""
    what: str = activity.state
    if activity.cadence_per_min is not None and activity.state == "walking":
        what += f", {activity.cadence_per_min:.0f} steps a minute"
    return f"heart rate up with movement ({what})"


def withheld_epoch(epoch: Epoch, reason: str) -> Epoch:
    """``epoch`` as the stress scorer is to see it when movement withholds it: not good,
    for ``reason``. The stored minute keeps the real epoch; only its score is withheld."""
    return replace(epoch, quality="poor", quality_reason=reason)


class MovementHold:
    """Which minutes movement withholds from stress scoring, one minute at a time.

    A minute whose activity is moving or walking is withheld (:func:`movement_reason`),
    and so are the :data:`~signals.scores.stress.SETTLE_MINUTES` minutes after the last
    one (:data:`SETTLING_REASON`). A minute whose signal is not good keeps its own reason.
    The live stage and ``holdspace analyze`` both judge minutes with this, so the screen,
    the store and the file's report agree.
    """

    __slots__ = ("_settle_left",)

    def __init__(self) -> None:
        self._settle_left = 0

    def update(self, activity: ActivityMinute | None, signal_good: bool) -> str:
        """The next minute's reason to be withheld ("" when it is not)."""
        withheld = ""
        if activity is not None and activity.state in MOVING_STATES:
            self._settle_left = SETTLE_MINUTES
            withheld = movement_reason(activity)
        elif self._settle_left > 0:
            self._settle_left -= 1
            withheld = SETTLING_REASON
        return withheld if signal_good else ""


class SampleChunks:
    """Samples arriving in chunks (one PMD frame each), the last :data:`KEEP_S` kept.

    A chunk is ``(first_sample_s, rate_hz, samples)``: sample k at
    ``first_sample_s + k / rate_hz``. Each is turned into arrays as it comes (tens of
    microseconds a frame, between beats), so that cutting a window when a minute closes,
    on the beat path, is a search and one concatenation.
    """

    __slots__ = ("_ends", "_firsts", "_rate_hz", "_t", "_x")

    def __init__(self) -> None:
        self._firsts: list[float] = []
        self._ends: list[float] = []
        self._t: list[FloatArray] = []
        self._x: list[FloatArray] = []
        self._rate_hz = 0.0

    def __bool__(self) -> bool:
        return bool(self._t)

    def add(self, first_sample_s: float, rate_hz: float, samples: tuple[Any, ...]) -> None:
        """Keep one chunk (frames come in time order, as a strap sends them)."""
        if not samples:
            return
        t = first_sample_s + np.arange(len(samples), dtype=np.float64) / rate_hz
        self._firsts.append(first_sample_s)
        self._ends.append(float(t[-1]))
        self._t.append(t)
        self._x.append(np.asarray(samples, dtype=np.float64))
        self._rate_hz = rate_hz

    def drop_before(self, time_s: float) -> None:
        """Drop chunks whose last sample is before ``time_s``."""
        n = bisect_left(self._ends, time_s)
        if n:
            del self._firsts[:n], self._ends[:n], self._t[:n], self._x[:n]

    def window(self, start_s: float, end_s: float) -> tuple[FloatArray, FloatArray]:
        """Times (s) and samples (one row per sample) in ``[start_s, end_s)``, in time order."""
        lo = bisect_left(self._ends, start_s)
        hi = bisect_left(self._firsts, end_s)
        if hi <= lo:
            return np.zeros(0), np.zeros(0)
        t = np.concatenate(self._t[lo:hi])
        x = np.concatenate(self._x[lo:hi])
        keep = (t >= start_s) & (t < end_s)
        return t[keep], x[keep]

    def longest_run(self, start_s: float, end_s: float) -> tuple[float, float, FloatArray]:
        """:func:`longest_run` of the samples in ``[start_s, end_s)``."""
        t, x = self.window(start_s, end_s)
        return longest_run(t, x, self._rate_hz)


def longest_run(
    t_s: FloatArray, samples: FloatArray, rate_hz: float
) -> tuple[float, float, FloatArray]:
    """The longest stretch of samples (at ``t_s``, sampled at ``rate_hz``) without a missing
    one: its first sample's time, its rate and its samples (empty when there are none).
    ECG is cut into R-peaks as one trace; a dropped frame would shift every later sample."""
    if t_s.size == 0 or rate_hz <= 0:
        return 0.0, 0.0, np.zeros(0)
    breaks = np.flatnonzero(np.diff(t_s) > 1.5 / rate_hz) + 1
    bounds = np.concatenate(([0], breaks, [t_s.size]))
    k = int(np.argmax(np.diff(bounds)))
    lo, hi = int(bounds[k]), int(bounds[k + 1])
    return float(t_s[lo]), rate_hz, samples[lo:hi]


@dataclass(frozen=True, slots=True)
class ChestMinute:
    """What the chest strap's ECG and accelerometer say about one minute.

    Attributes
    ----------
    activity : the minute's activity (None: no accelerometer samples in it).
    withheld : why the minute's stress is not scored ("" when movement withholds nothing):
        :func:`movement_reason`, or :data:`SETTLING_REASON`.
    work : the breathing sources and the fused rate, and the ECG's check of the minute's
        beats, worked out off the beat path.
    """

    activity: ActivityMinute | None
    withheld: str
    work: Future[ChestWork]

    @property
    def moving(self) -> bool:
        """Whether the helper was moving or walking in this minute."""
        return self.activity is not None and self.activity.state in MOVING_STATES

    def to_json(self) -> dict[str, Any]:
        """The minute's ``activity``, ``respiration`` and ``ecg`` keys (:func:`activity_json`,
        :func:`respiration_json`, :func:`ecg_json`)."""
        work = self.work.result()
        return {
            "activity": activity_json(self.activity),
            "respiration": respiration_json(work.breathing),
            "ecg": ecg_json(work.ecg),
        }


def activity_json(activity: ActivityMinute | None) -> dict[str, Any] | None:
    """``{"state", "movement_mg", "cadence_per_min", "coverage"}``, or None without samples."""
    if activity is None:
        return None
    return {
        "state": activity.state,
        "movement_mg": _round(activity.movement_mg, 1),
        "cadence_per_min": _round(activity.cadence_per_min, 1),
        "coverage": round(float(activity.coverage), 3),
    }


def ecg_json(check: EcgCheck | None) -> dict[str, Any] | None:
    """``{"r_peaks", "ectopic", "ventricular", "confirmed", "rr_difference_ms", "quality",
    "clock_offset_ms"}``
    (:class:`~companion.pipeline.chest.work.EcgCheck`), or None without ECG."""
    if check is None:
        return None
    return {
        "r_peaks": check.r_peaks,
        "ectopic": check.ectopic,
        "ventricular": check.ventricular,
        "confirmed": _round(check.confirmed, 3),
        "rr_difference_ms": _round(check.rr_difference_ms, 1),
        "quality": round(check.quality, 3),
        "clock_offset_ms": _round(check.clock_offset_ms, 1),
    }


def _source_json(estimate: BreathingEstimate | None) -> dict[str, Any] | None:
    if estimate is None:
        return None
    return {
        "rate_per_min": _round(estimate.rate_per_min, 2),
        "quality": round(float(estimate.quality), 3),
    }


def respiration_json(fused: FusedBreathing | None) -> dict[str, Any]:
    """``{"rate_per_min", "used", "sources": {"rsa", "ecg", "chest"}}``: each source its
    rate and quality, null where there was none (no ECG stream, no accelerometer)."""
    sources = fused.sources if fused is not None else {}
    return {
        "rate_per_min": None if fused is None else _round(fused.rate_per_min, 2),
        "used": None if fused is None else fused.used,
        "sources": {name: _source_json(sources.get(name)) for name in ("rsa", "ecg", "chest")},
    }


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What the samples say about the minute ending at a boundary, cut before it closes."""

    activity: ActivityMinute | None = None
    acc: tuple[FloatArray, FloatArray] | None = None
    ecg: tuple[float, float, FloatArray] | None = None


class ChestStage:
    """Per-minute activity, movement withholding and breathing sources from PMD samples.

    The work of a minute is done as its samples complete, off the beat path: when the
    first accelerometer frame past a minute's end arrives, that minute's activity is
    worked out and its breathing window cut; likewise for the ECG. When a beat then closes
    the minute, :meth:`minute` finds them ready (a minute whose frames came late is worked
    out then) and only hands the breathing job to the executor.

    Parameters
    ----------
    executor : where :func:`~companion.pipeline.chest.work.chest_work` runs (None:
        inline). NeuroKit2 runs there: live, a worker *process*, so neither its import
        (seconds) nor its pandas work (holding the interpreter) delays a beat.
    window_s : the breathing window, ending at each minute's end, in seconds (the stage's
        heart-rhythm window: the three sources read the same span).
    """

    def __init__(self, executor: Executor | None, window_s: float) -> None:
        self.acc = SampleChunks()
        self.ecg = SampleChunks()
        self._executor = executor
        self._window_s = window_s
        self._hold = MovementHold()
        self._acc_done_s = -math.inf  # the last minute end prepared from each stream
        self._ecg_done_s = -math.inf
        self._ready: dict[float, _Prepared] = {}

    def add(self, event: EcgSamples | AccSamples) -> None:
        """Keep one PMD event's samples; prepare the minute they complete, if any."""
        boundary_s = math.floor(event.first_sample_s / EPOCH_S) * EPOCH_S
        if isinstance(event, AccSamples):
            if boundary_s > self._acc_done_s and self.acc:
                self._acc_done_s = boundary_s
                self._prepare_acc(boundary_s)
            self.acc.add(event.first_sample_s, event.rate_hz, event.samples_mg)
        else:
            if boundary_s > self._ecg_done_s and self.ecg:
                self._ecg_done_s = boundary_s
                self._prepare_ecg(boundary_s)
            self.ecg.add(event.first_sample_s, event.rate_hz, event.samples_uv)

    def _prepare_acc(self, end_s: float) -> None:
        start_s = end_s - EPOCH_S
        t, xyz = self.acc.window(start_s, end_s)
        activity = activity_in_window(t, xyz, start_s, end_s) if t.size else None
        ready = self._ready.get(end_s, _Prepared())
        window = self.acc.window(end_s - self._window_s, end_s)
        self._ready[end_s] = replace(ready, activity=activity, acc=window)
        self.acc.drop_before(end_s - KEEP_S)

    def _prepare_ecg(self, end_s: float) -> None:
        ready = self._ready.get(end_s, _Prepared())
        run = self.ecg.longest_run(end_s - self._window_s, end_s)
        self._ready[end_s] = replace(ready, ecg=run)
        self.ecg.drop_before(end_s - KEEP_S)

    def minute(
        self, epoch: Epoch, rsa_beats: tuple[list[float], list[float], list[bool]]
    ) -> ChestMinute:
        """The chest's view of ``epoch``, just closed. ``rsa_beats``: the beats of the
        breathing window (time s, RR ms, gap)."""
        start_s, end_s = epoch.start_s, epoch.end_s
        ready = self._ready.pop(end_s, _Prepared())
        for old in [k for k in self._ready if k < end_s]:
            del self._ready[old]
        if ready.acc is None:  # the frames past its end have not come (yet)
            t, xyz = self.acc.window(start_s, end_s)
            activity = activity_in_window(t, xyz, start_s, end_s) if t.size else None
            acc = self.acc.window(end_s - self._window_s, end_s)
        else:
            activity, acc = ready.activity, ready.acc
        ecg = ready.ecg or self.ecg.longest_run(end_s - self._window_s, end_s)
        withheld = self._hold.update(activity, epoch.is_good)
        args = (*rsa_beats, *acc, ecg[2], ecg[1], ecg[0], end_s - self._window_s, end_s)
        return ChestMinute(activity, withheld, _submit(self._executor, args))


def _submit(executor: Executor | None, args: tuple[Any, ...]) -> Future[ChestWork]:
    if executor is not None:
        return executor.submit(chest_work, *args)
    done: Future[ChestWork] = Future()
    done.set_result(chest_work(*args))
    return done


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)
