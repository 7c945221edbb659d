"""One step of the live artifact detector: a beat's label, then its final kind.

:class:`LiveJudging` holds the per-beat logic of
:class:`~signals.artifacts.live.detector.LiveArtifactDetector` that reads its windows but
does not keep them: the Figure 1 flow of Lipponen & Tarvainen (2019) for one
beat (see :mod:`signals.artifacts.lipponen`), the thresholds capped by the ceiling,
and the event grouping and plausibility check that turn labels into the
verdicts, counted as :func:`signals.artifacts.batch.screen_artifacts` counts them.
The detector keeps the windows and decides which beats reach these steps.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from signals.artifacts.batch import RR_MAX_MS, RR_MIN_MS
from signals.artifacts.lipponen import (
    ALPHA,
    THRESHOLD_WINDOW_BEATS,
    ArtifactKind,
    candidate_kind,
    is_ectopic,
)
from signals.artifacts.live.run import Run
from signals.artifacts.live.verdicts import LiveVerdict
from signals.markers.order_stats import slide_into, sorted_quartile_deviation

__all__ = ["LiveJudging"]

_MRR_LIMIT: Final = 3.0

_NORMAL: Final = ArtifactKind.NORMAL
_ECTOPIC: Final = ArtifactKind.ECTOPIC
_MISSED: Final = ArtifactKind.MISSED
_EXTRA: Final = ArtifactKind.EXTRA
_LONG: Final = ArtifactKind.LONG
_SHORT: Final = ArtifactKind.SHORT
_OUT_OF_RANGE: Final = ArtifactKind.OUT_OF_RANGE
_ABSORBABLE: Final = (_NORMAL, _LONG, _SHORT)
_COUNTED_KIND: Final = {_LONG: "long", _SHORT: "short", _OUT_OF_RANGE: "out_of_range"}
_INF: Final = math.inf
_NAN: Final = math.nan

_verdict = LiveVerdict


def _finite(value: float) -> bool:
    return -_INF < value < _INF


class LiveJudging:
    """Labels, thresholds and verdicts for
    :class:`~signals.artifacts.live.detector.LiveArtifactDetector`."""

    if TYPE_CHECKING:  # the detector's state, defined there
        _ceiling: float | None
        _count: int
        _pushed: int
        _counts: dict[str, int]
        _counted_prev: bool
        _resume: int
        _deferred: int
        _raw: deque[float]
        _rr: deque[float]
        _drr: deque[float]
        _labels: deque[ArtifactKind]
        _mrr_order: deque[float]
        _mrr_sorted: list[float]

    def _add_mrr(self, mrr: float, j: int) -> float:
        """Double a negative ``mRR(j)`` and add its magnitude to the threshold window."""
        mrr = 2.0 * mrr if mrr < 0.0 else mrr
        slide_into(self._mrr_sorted, self._mrr_order, abs(mrr), full=j >= THRESHOLD_WINDOW_BEATS)
        return mrr

    def _threshold(self, threshold: float, median: float) -> float:
        """``threshold`` capped by the ceiling (``min(threshold, cap)``)."""
        if self._ceiling is not None:
            cap = self._ceiling * median
            if cap < threshold:
                return cap
        return threshold

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
    ) -> ArtifactKind:
        """Label of beat ``j``, the newest beat being ``last`` (Figure 1 flow, one step).

        Reached only for a deferred second candidate, or for a beat not skipped
        by a previous candidate whose normalised dRR is not within ±1. The
        recent values come from the detector's windows, or from ``run`` (with
        ``th2``, the mRR threshold at beat ``last``) inside
        :meth:`~signals.artifacts.live.detector.LiveArtifactDetector.push_many`.
        """
        drr: Sequence[float]
        raw: Sequence[float]
        rr: Sequence[float]
        if run is None:
            drr, raw, rr = self._drr, self._raw, self._rr
            end = last + 1  # drr[k - end] is the dRR of beat k
        else:
            drr, raw, rr, end = run.drr, run.raw, run.rr, run.first
        # Normalised dRR of beats j-1 .. j+2, reflected past either end of the
        # segment (j is at most last-1, so only j+2 can pass the end).
        before = dj = after = after2 = _NAN
        if th1 > 0.0:
            before = drr[(j - 1 if j > 0 else 1) - end] / th1
            dj = drr[j - end] / th1
            after = drr[j + 1 - end] / th1
            after2 = drr[(j + 2 if j + 2 <= last else 2 * last - j - 2) - end] / th1
        if deferred:
            self._deferred = -1
        else:
            s12 = max(before, after) if dj > 0.0 else (min(before, after) if dj < 0.0 else 0.0)
            if is_ectopic(dj, s12):
                self._resume = j + 1
                return _ECTOPIC if _finite(raw[j - end]) else _NORMAL
        if th2 is None:
            th2 = self._threshold(ALPHA * sorted_quartile_deviation(self._mrr_sorted), median)
        normalised = mrr / th2 if th2 > 0.0 else _NAN
        if not deferred:
            if not (abs(dj) > 1.0 or abs(normalised) > _MRR_LIMIT):
                self._resume = j + 1
                return _NORMAL
            if abs(after) < abs(after2):  # the next beat is a candidate too
                self._deferred = j + 1
                self._resume = j + 2
            else:
                self._resume = j + 1
        s22 = min(after, after2) if dj >= 0.0 else (max(after, after2) if dj < 0.0 else 0.0)
        label = candidate_kind(dj, s22, normalised, rr[j - end], rr[j + 1 - end], median, th2)
        # A stand-in value has no label of its own.
        return label if _finite(raw[j - end]) else _NORMAL

    def _answers(self, first: int, stop: int, labelled: int) -> tuple[LiveVerdict, ...]:
        """Verdicts on beats ``first .. stop-1``; ``labels[-1]`` is beat ``labelled``'s label."""
        labels = self._labels
        raw = self._raw
        count = self._count
        start = self._pushed - count
        out = []
        for j in range(first, stop):
            before = labels[j - 2 - labelled] if j > 0 else _NORMAL
            value = raw[j - count]
            kind = self._settle(before, labels[j - 1 - labelled], labels[j - labelled], value)
            out.append(_verdict(start + j, value, kind))
        return tuple(out)

    def _settle(
        self, before: ArtifactKind, label: ArtifactKind, after: ArtifactKind, rr_ms: float
    ) -> ArtifactKind:
        """Final kind of a beat from its label and its neighbours', then plausibility.

        ``before`` is NORMAL for the first beat of a segment. Counts the events.
        """
        kind = label
        if kind in _ABSORBABLE:
            if after is _ECTOPIC:
                kind = _ECTOPIC
            elif before is _EXTRA:
                kind = _EXTRA
        if not _finite(rr_ms) or (kind is _NORMAL and not RR_MIN_MS <= rr_ms <= RR_MAX_MS):
            kind = _OUT_OF_RANGE
        counts = self._counts
        if label is _ECTOPIC:
            self._counted_prev = not (before is _ECTOPIC and self._counted_prev)
            counts["ectopic"] += self._counted_prev
        elif label is _MISSED:
            counts["missed"] += 1
        elif label is _EXTRA:
            counts["extra"] += 1
        name = _COUNTED_KIND.get(kind)
        if name is not None:
            counts[name] += 1
        return kind
