"""Beats that arrive together, for the live artifact detector: gap-free stretches as arrays.

:meth:`signals.artifacts.live.detector.LiveArtifactDetector.push_many` hands a stretch
of beats that arrive together (an imported file, a replay read as fast as
possible) to :func:`steady_run` once every window of the detector is full.
Everything the detector's steady path works out beat by beat from its sorted
windows — stand-in values, dRR, ``med(j)`` over 8 beats, ``mRR``, both
thresholds — is computed here for the whole stretch, from the same values with
the same arithmetic, so each number is the same float; only the rare beats
that need the Figure 1 flow are then judged one by one.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Final

import numpy as np
import numpy.typing as npt

from signals.artifacts.batch import RR_MAX_MS, RR_MIN_MS
from signals.artifacts.lipponen import (
    ALPHA,
    MEDIAN_WINDOW_BEATS,
    THRESHOLD_WINDOW_BEATS,
    ArtifactKind,
)
from signals.artifacts.live.verdicts import KINDS, LiveVerdict, VerdictBatch
from signals.markers.order_stats import window_order_statistics, window_quartile_deviation

__all__ = ["MEDIAN_SPAN", "MIN_RUN_BEATS", "BatchPushing", "Run", "steady_run"]

MEDIAN_SPAN: Final = MEDIAN_WINDOW_BEATS // 2 + 3
"""Beats in the live ``med(j)``: ``j-5 .. j+2``."""
MIN_RUN_BEATS: Final = 32
"""Shorter stretches go beat by beat (the arrays would cost more than they save)."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, eq=False)
class Run:
    """The stretch's beats with the detector's recent ones in front.

    Attributes
    ----------
    first : segment beat number of the first element of ``raw``, ``rr`` and ``drr``.
    raw, rr, drr : values as pushed, with stand-ins, and signed dRR (ms), history first.
    median, mrr, th1, th2 : per new beat ``n``: ``med(n-2)``, ``mRR(n-2)`` (negatives
        doubled), the dRR and the mRR thresholds, in ms.
    judge : per new beat: whether beat ``n-2``'s normalised dRR is outside ±1 (or
        its threshold is not positive), so the flow must look at it.
    abs_drr, magnitude : per new beat, ``|dRR(n)|`` and ``|mRR(n-2)|`` (window values).
    """

    first: int
    raw: list[float]
    rr: list[float]
    drr: list[float]
    median: list[float]
    mrr: list[float]
    th1: list[float]
    th2: list[float]
    judge: npt.NDArray[np.bool_]
    abs_drr: FloatArray
    magnitude: FloatArray


def steady_run(
    values: FloatArray,
    *,
    first: int,
    raw: Sequence[float],
    rr: Sequence[float],
    drr: Sequence[float],
    drr_window: Sequence[float],
    mrr_window: Sequence[float],
    ceiling: float | None,
) -> Run | None:
    """The arrays of a stretch of new beats ``values`` (ms), or None when they are not finite.

    ``raw``, ``rr``, ``drr`` are the detector's recent values (the newest last; at
    least :data:`MEDIAN_SPAN` of them, the first being beat ``first``), and
    ``drr_window``, ``mrr_window`` its threshold windows in arrival order (full).
    """
    m = values.size
    finite = np.isfinite(values)
    stand_in = values
    if not finite.all():
        # A value that is not finite stands in as the one before it.
        last_good = np.where(finite, np.arange(m), -1)
        np.maximum.accumulate(last_good, out=last_good)
        stand_in = np.where(last_good >= 0, values[np.maximum(last_good, 0)], rr[-1])
    rr_all = np.concatenate((np.asarray(rr, dtype=np.float64), stand_in))
    h = len(rr)
    new_drr = rr_all[h:] - rr_all[h - 1 : -1]
    abs_drr = np.abs(new_drr)
    tail = THRESHOLD_WINDOW_BEATS - 1
    drr_ext = np.concatenate((np.asarray(drr_window, dtype=np.float64)[-tail:], abs_drr))
    if not np.isfinite(drr_ext).all():
        return None  # an overflow: leave it to the beat-by-beat path
    low, high = window_order_statistics(
        rr_all[h - MEDIAN_SPAN + 1 :], MEDIAN_SPAN, [MEDIAN_SPAN // 2 - 1, MEDIAN_SPAN // 2]
    )
    median = (low + high) / 2.0
    mrr = rr_all[h - 2 : h - 2 + m] - median
    mrr = np.where(mrr < 0.0, 2.0 * mrr, mrr)
    magnitude = np.abs(mrr)
    mrr_ext = np.concatenate((np.asarray(mrr_window, dtype=np.float64)[-tail:], magnitude))
    if not np.isfinite(mrr_ext).all():
        return None
    th1 = ALPHA * window_quartile_deviation(drr_ext, THRESHOLD_WINDOW_BEATS)
    th2 = ALPHA * window_quartile_deviation(mrr_ext, THRESHOLD_WINDOW_BEATS)
    if ceiling is not None:
        cap = ceiling * median
        th1 = np.where(cap < th1, cap, th1)
        th2 = np.where(cap < th2, cap, th2)
    drr_all = np.concatenate((np.asarray(drr, dtype=np.float64), new_drr))
    positive = th1 > 0.0
    ratio = np.divide(drr_all[h - 2 : h - 2 + m], th1, out=np.full(m, np.nan), where=positive)
    judge = ~((ratio >= -1.0) & (ratio <= 1.0))
    return Run(
        first=first,
        raw=[*raw, *values.tolist()],
        rr=rr_all.tolist(),
        drr=drr_all.tolist(),
        median=median.tolist(),
        mrr=mrr.tolist(),
        th1=th1.tolist(),
        th2=th2.tolist(),
        judge=judge,
        abs_drr=abs_drr,
        magnitude=magnitude,
    )


class BatchPushing:
    """:meth:`push_many` for :class:`~signals.artifacts.live.detector.LiveArtifactDetector`."""

    LOOKAHEAD_BEATS: ClassVar[int]
    _STEADY_BEATS: ClassVar[int]
    _KEEP: ClassVar[int]
    if TYPE_CHECKING:  # the detector's state and steps, defined there
        _ceiling: float | None
        _count: int
        _pushed: int
        _resume: int
        _deferred: int
        _raw: deque[float]
        _rr: deque[float]
        _drr: deque[float]
        _labels: deque[ArtifactKind]
        _rr_sorted: list[float]
        _drr_order: deque[float]
        _drr_sorted: list[float]
        _mrr_order: deque[float]
        _mrr_sorted: list[float]

        def push(self, rr_ms: float, gap_before: bool = False) -> tuple[LiveVerdict, ...]: ...

        def _judge(
            self,
            j: int,
            last: int,
            median: float,
            mrr: float,
            th1: float,
            *,
            deferred: bool,
            run: Run | None = None,
            th2: float | None = None,
        ) -> ArtifactKind: ...

        def _settle(
            self, before: ArtifactKind, label: ArtifactKind, after: ArtifactKind, rr_ms: float
        ) -> ArtifactKind: ...

    def push_many(
        self, rr_ms: Sequence[float], gap_before: Sequence[bool] | None = None
    ) -> VerdictBatch:
        """Add beats that arrived together; the verdicts :meth:`push` would give, as one batch.

        Stretches without a gap, once every window is full, are worked out as
        arrays (:func:`steady_run`): the same numbers, the same
        verdicts, the same state afterwards, several times faster for a file.
        """
        values = np.asarray(rr_ms, dtype=np.float64)
        gaps = (
            np.zeros(values.size, dtype=np.bool_)
            if gap_before is None
            else np.asarray(gap_before, dtype=np.bool_)
        )
        gap_at = np.flatnonzero(gaps)
        first: int | None = None  # stream position of the first beat answered for
        kinds: list[npt.NDArray[np.int8]] = []
        answered: list[npt.NDArray[np.float64]] = []
        single: list[LiveVerdict] = []  # beat-by-beat verdicts not yet in kinds

        def take_single() -> None:
            nonlocal first
            if single:
                if first is None:
                    first = single[0].index
                kinds.append(np.fromiter((v.kind for v in single), np.int8, len(single)))
                answered.append(np.fromiter((v.rr_ms for v in single), np.float64, len(single)))
                single.clear()

        i, n = 0, values.size
        while i < n:
            stop = n
            k = int(np.searchsorted(gap_at, i, side="right"))
            if k < gap_at.size:
                stop = int(gap_at[k])  # the next gap starts a new segment
            if gaps[i] or self._count < self._STEADY_BEATS or stop - i < MIN_RUN_BEATS:
                single.extend(self.push(float(values[i]), bool(gaps[i])))
                i += 1
                continue
            take_single()
            if first is None:
                first = self._pushed - self.LOOKAHEAD_BEATS
            run = self._push_run(values[i:stop])
            if run is None:  # not finite after all: one at a time
                for value in values[i:stop].tolist():
                    single.extend(self.push(value))
            else:
                kinds.append(run[0])
                answered.append(run[1])
            i = stop
        take_single()
        if first is None:
            return VerdictBatch(self._pushed, np.empty(0, np.int8), np.empty(0))
        return VerdictBatch(first, np.concatenate(kinds), np.concatenate(answered))

    def _push_run(
        self, values: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]] | None:
        """:meth:`push` for each of ``values`` (no gap, every window full), as arrays:
        the kinds and RR of the beats answered for."""
        n0 = self._count
        run = steady_run(
            values,
            first=n0 - len(self._rr),
            raw=self._raw,
            rr=self._rr,
            drr=self._drr,
            drr_window=self._drr_order,
            mrr_window=self._mrr_order,
            ceiling=self._ceiling,
        )
        if run is None:
            return None
        m = values.size
        # Labels of beats n0 - 2 - h .. n0 + m - 3: the detector's, then those judged
        # here (code[h + k] is the label of beat n0 + k - 2, judged when beat n0 + k came).
        h = len(self._labels)
        code = np.zeros(h + m, dtype=np.int8)
        code[:h] = list(self._labels)
        judge = run.judge
        candidates = np.flatnonzero(judge).tolist()
        c, k = 0, 0
        while True:
            deferred_k = self._deferred - n0 + 2 if self._deferred >= 0 else m
            while c < len(candidates) and candidates[c] < k:
                c += 1
            k = min(deferred_k, candidates[c] if c < len(candidates) else m)
            if k >= m:
                break
            j = n0 + k - 2
            args = (j, n0 + k, run.median[k], run.mrr[k], run.th1[k])
            if j < self._resume:
                if self._deferred == j:
                    code[h + k] = self._judge(*args, deferred=True, run=run, th2=run.th2[k])
            elif judge[k]:
                code[h + k] = self._judge(*args, deferred=False, run=run, th2=run.th2[k])
            k += 1
        # Beat n0 + k - 3 is answered for when beat n0 + k comes, from its label and
        # its neighbours' (codes h+k-2 .. h+k) and its value.
        r = len(self._raw)
        raw = run.raw
        answered = np.asarray(raw[r - 3 : r - 3 + m], dtype=np.float64)
        before, current, after = code[h - 2 : h - 2 + m], code[h - 1 : h - 1 + m], code[h:]
        kinds = np.zeros(m, dtype=np.int8)
        quick = (  # normal and nothing to count: what _settle would conclude
            (current == ArtifactKind.NORMAL)
            & (after != ArtifactKind.ECTOPIC)
            & (before != ArtifactKind.EXTRA)
            & (answered >= RR_MIN_MS)
            & (answered <= RR_MAX_MS)
        )
        settle = self._settle
        for k in np.flatnonzero(~quick).tolist():
            kinds[k] = settle(KINDS[before[k]], KINDS[current[k]], KINDS[after[k]], raw[r + k - 3])
        # The state push() would have left.
        self._raw.extend(raw[-self._KEEP :])
        self._rr.extend(run.rr[-self._KEEP :])
        self._drr.extend(run.drr[-self._KEEP :])
        self._labels.extend(KINDS[c] for c in code[-self._KEEP :].tolist())
        self._rr_sorted[:] = sorted(run.rr[-MEDIAN_SPAN:])
        self._drr_order.extend(run.abs_drr[-THRESHOLD_WINDOW_BEATS:].tolist())
        self._drr_sorted[:] = sorted(self._drr_order)
        self._mrr_order.extend(run.magnitude[-THRESHOLD_WINDOW_BEATS:].tolist())
        self._mrr_sorted[:] = sorted(self._mrr_order)
        self._count = n0 + m
        self._pushed += m
        return kinds, answered
