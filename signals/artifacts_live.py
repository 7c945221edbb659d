"""Incremental artifact detection for the live beat stream.

:class:`LiveArtifactDetector` takes beats one at a time and answers, with
:data:`LOOKAHEAD_BEATS` beats of delay, what each one is, by the same
classification as :func:`signals.artifacts.screen_artifacts` (Lipponen &
Tarvainen 2019, see :mod:`signals.artifacts_lt`) and the same event grouping
and plausibility check. Its work per beat is bounded (a few insertions into
sorted windows of 91 values), whatever the length of the stream.

Where it differs from the batch screen, by necessity of not seeing the future:

- the thresholds are the quartile deviations of the last
  :data:`~signals.artifacts_lt.THRESHOLD_WINDOW_BEATS` values known when a beat
  is judged (a trailing window) instead of a centred one, and one pair of
  thresholds normalises the whole neighbourhood of that beat;
- ``med(j)``, the local median, covers beats ``j-5 .. j+2`` instead of
  ``j-5 .. j+5``.

A value that is not finite is out of range; for the classification the
previous beat's value stands in for it (the batch screen bridges it linearly).

Beat ``j``'s own class needs beats up to ``j+2``; whether it is the first half
of an ectopic pair needs the class of beat ``j+1``, hence three beats of
look-ahead. :meth:`LiveArtifactDetector.flush` answers for the beats still
pending at the end of the stream; a gap flushes the segment before it.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass
from typing import Final

from signals.artifacts import MIN_SEGMENT_BEATS, RR_MAX_MS, RR_MIN_MS
from signals.artifacts_lt import (
    ALPHA,
    MEDIAN_WINDOW_BEATS,
    THRESHOLD_CEILING_FRACTION,
    THRESHOLD_WINDOW_BEATS,
    ArtifactKind,
    candidate_kind,
    is_ectopic,
)

__all__ = ["LOOKAHEAD_BEATS", "LiveArtifactDetector", "LiveVerdict"]

LOOKAHEAD_BEATS: Final = 3
"""A beat is answered for when this many later beats of its segment have arrived."""
_AHEAD: Final = 2
"""Beats after ``j`` that its own classification reads."""
_HALF_MEDIAN: Final = MEDIAN_WINDOW_BEATS // 2
_KEEP: Final = 16
"""Recent per-beat values kept; the classification reaches 7 beats back at most."""
_ABSORBABLE: Final = (ArtifactKind.NORMAL, ArtifactKind.LONG, ArtifactKind.SHORT)
_MRR_LIMIT: Final = 3.0


@dataclass(frozen=True, slots=True)
class LiveVerdict:
    """The answer for one beat.

    Attributes
    ----------
    index : position of the beat in the stream (0 for the first beat pushed).
    rr_ms : its RR interval, in milliseconds.
    kind : what the interval is (see :class:`~signals.artifacts_lt.ArtifactKind`).
    """

    index: int
    rr_ms: float
    kind: ArtifactKind

    @property
    def flagged(self) -> bool:
        """True when the interval is not normal-to-normal."""
        return self.kind != ArtifactKind.NORMAL


class _SortedWindow:
    """The last ``size`` values, kept sorted for quartiles."""

    def __init__(self, size: int) -> None:
        self._order: deque[float] = deque(maxlen=size)
        self._sorted: list[float] = []

    def add(self, value: float) -> None:
        if len(self._order) == self._order.maxlen:
            del self._sorted[bisect.bisect_left(self._sorted, self._order[0])]
        self._order.append(value)
        bisect.insort(self._sorted, value)

    def quartile_deviation(self) -> float:
        """``(Q3 - Q1) / 2`` with linear interpolation (numpy's default)."""
        return (_quantile(self._sorted, 0.75) - _quantile(self._sorted, 0.25)) / 2.0


def _quantile(values: list[float], q: float) -> float:
    position = q * (len(values) - 1)
    below = math.floor(position)
    frac = position - below
    if frac == 0.0:
        return values[below]
    return values[below] * (1.0 - frac) + values[below + 1] * frac


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


class _Recent:
    """Per-beat values of a segment addressed by beat number; only the last few are kept."""

    def __init__(self, fill: float) -> None:
        self._values: deque[float] = deque(maxlen=_KEEP)
        self._count = 0
        self._fill = fill

    def __len__(self) -> int:
        return self._count

    def append(self, value: float) -> None:
        self._values.append(value)
        self._count += 1

    def __getitem__(self, j: int) -> float:
        if j >= self._count:
            return self._fill
        return self._values[j - self._count]

    def __setitem__(self, j: int, value: float) -> None:
        self._values[j - self._count] = value

    def span(self, first: int, last: int) -> list[float]:
        """Values of beats ``first..last`` (inclusive), clipped to what exists."""
        return [self[j] for j in range(max(first, 0), min(last, self._count - 1) + 1)]


class _Segment:
    """The classification state of one gap-free segment."""

    def __init__(self, first_index: int, ceiling_fraction: float | None) -> None:
        self.first_index = first_index
        self.ceiling_fraction = ceiling_fraction
        self.rr = _Recent(math.nan)
        self.drr = _Recent(math.nan)
        self.median = _Recent(math.nan)
        self.mrr = _Recent(math.nan)
        self.label = _Recent(float(ArtifactKind.NORMAL))
        self.raw = _Recent(math.nan)
        self.bad = _Recent(0.0)
        self.abs_drr = _SortedWindow(THRESHOLD_WINDOW_BEATS)
        self.abs_mrr = _SortedWindow(THRESHOLD_WINDOW_BEATS)
        self.resume = 0
        self.deferred: int | None = None
        self.emitted = 0
        self.counted_prev = False

    def push(self, rr_ms: float) -> None:
        """Add a beat; a value that is not finite stands in as the one before it."""
        n = len(self.rr)
        finite = math.isfinite(rr_ms)
        self.raw.append(rr_ms)
        self.bad.append(0.0 if finite else 1.0)
        rr_ms = rr_ms if finite else self.rr[n - 1]
        self.rr.append(rr_ms)
        drr = 0.0 if n == 0 else rr_ms - self.rr[n - 1]  # no predecessor: 0
        self.drr.append(drr)
        self.abs_drr.add(abs(drr))
        self.label.append(float(ArtifactKind.NORMAL))
        if n >= _AHEAD:
            self._judge(n - _AHEAD, last=n)

    def finish(self) -> None:
        """End of segment: a pending second candidate is judged with reflected look-ahead."""
        n = len(self.rr)
        if self.deferred is not None and n >= MIN_SEGMENT_BEATS:
            self._judge(self.deferred, last=n - 1)

    def _local_median(self, j: int, last: int) -> None:
        median = _median(self.rr.span(j - _HALF_MEDIAN, min(j + _AHEAD, last)))
        mrr = self.rr[j] - median
        self.median.append(median)
        self.mrr.append(2.0 * mrr if mrr < 0.0 else mrr)
        self.abs_mrr.add(abs(self.mrr[j]))

    def _judge(self, j: int, last: int) -> None:
        """Judge beat ``j`` with beats up to ``last`` known (Figure 1 flow, one step)."""
        self._local_median(j, last)
        th1 = ALPHA * self.abs_drr.quartile_deviation()
        th2 = ALPHA * self.abs_mrr.quartile_deviation()
        if self.ceiling_fraction is not None:
            th1 = min(th1, self.ceiling_fraction * self.median[j])
            th2 = min(th2, self.ceiling_fraction * self.median[j])

        def d(k: int) -> float:  # normalised dRR; reflected past either end
            k = -k if k < 0 else (2 * last - k if k > last else k)
            return self.drr[k] / th1 if th1 > 0.0 else math.nan

        def candidate(k: int) -> ArtifactKind:
            after, after2 = d(k + 1), d(k + 2)
            s22 = min(after, after2) if d(k) >= 0.0 else (max(after, after2) if d(k) < 0.0 else 0.0)
            mrr = self.mrr[k] / th2 if th2 > 0.0 else math.nan
            rr_next = self.rr[k + 1] if k + 1 <= last else math.nan
            return candidate_kind(d(k), s22, mrr, self.rr[k], rr_next, self.median[k], th2)

        if self.deferred == j:
            self.deferred = None
            self.label[j] = float(candidate(j))
            return
        if j < self.resume or j > last - _AHEAD or abs(d(j)) <= 1.0:
            return
        before, after = d(j - 1), d(j + 1)
        dj = d(j)
        s12 = max(before, after) if dj > 0.0 else (min(before, after) if dj < 0.0 else 0.0)
        if is_ectopic(dj, s12):
            self.label[j] = float(ArtifactKind.ECTOPIC)
            self.resume = j + 1
            return
        mrr = self.mrr[j] / th2 if th2 > 0.0 else math.nan
        if not (abs(dj) > 1.0 or abs(mrr) > _MRR_LIMIT):
            self.resume = j + 1
            return
        self.label[j] = float(candidate(j))
        if abs(d(j + 1)) < abs(d(j + 2)):
            self.deferred = j + 1
            self.resume = j + 2
        else:
            self.resume = j + 1

    def ready(self, final: bool) -> int:
        """How many beats of the segment can be answered for."""
        n = len(self.rr)
        if final:
            return n
        return n - LOOKAHEAD_BEATS if n >= MIN_SEGMENT_BEATS else 0

    def label_of(self, j: int, classified: bool) -> ArtifactKind:
        """The algorithm's label of beat ``j`` (a stand-in value has none)."""
        if not classified or self.bad[j]:
            return ArtifactKind.NORMAL
        return ArtifactKind(int(self.label[j]))

    def kind(self, j: int, classified: bool) -> ArtifactKind:
        """Final kind of beat ``j``: its label, event partners, then plausibility."""
        kind = self.label_of(j, classified)
        if kind in _ABSORBABLE:
            if self.label_of(j + 1, classified) == ArtifactKind.ECTOPIC:
                kind = ArtifactKind.ECTOPIC
            elif j > 0 and self.label_of(j - 1, classified) == ArtifactKind.EXTRA:
                kind = ArtifactKind.EXTRA
        rr = self.raw[j]
        if self.bad[j] or (kind == ArtifactKind.NORMAL and not RR_MIN_MS <= rr <= RR_MAX_MS):
            kind = ArtifactKind.OUT_OF_RANGE
        return kind


class LiveArtifactDetector:
    """Push beats one at a time; get each beat's artifact class a few beats later.

    Parameters
    ----------
    threshold_ceiling : cap on the adaptive thresholds as a fraction of the
        local median RR; None for the plain algorithm (as in
        :func:`~signals.artifacts.screen_artifacts`).

    Examples
    --------
    >>> detector = LiveArtifactDetector()
    >>> answers = [v for rr in (800.0,) * 10 for v in detector.push(rr)]
    >>> [v.index for v in answers]
    [0, 1, 2, 3, 4, 5, 6]
    """

    def __init__(self, threshold_ceiling: float | None = THRESHOLD_CEILING_FRACTION) -> None:
        self._ceiling = threshold_ceiling
        self._segment: _Segment | None = None
        self._pushed = 0
        self._counts = dict.fromkeys(
            ("ectopic", "missed", "extra", "long", "short", "out_of_range"), 0
        )

    def push(self, rr_ms: float, gap_before: bool = False) -> tuple[LiveVerdict, ...]:
        """Add one beat (its RR interval in milliseconds).

        ``gap_before`` marks beats missing before it: the pending beats of the
        previous segment are answered for first. Returns the verdicts that
        became final, oldest first.
        """
        answers: tuple[LiveVerdict, ...] = ()
        value = float(rr_ms)
        if gap_before or self._segment is None:
            answers = self.flush()
            if not math.isfinite(value):
                # Nothing to stand in for it: answered at once, and the next beat
                # starts the segment.
                self._counts["out_of_range"] += 1
                self._pushed += 1
                return (*answers, LiveVerdict(self._pushed - 1, value, ArtifactKind.OUT_OF_RANGE))
            self._segment = _Segment(self._pushed, self._ceiling)
        self._segment.push(value)
        self._pushed += 1
        return answers + self._emit(final=False)

    def flush(self) -> tuple[LiveVerdict, ...]:
        """Answer for every pending beat (end of stream or of a segment)."""
        if self._segment is None:
            return ()
        self._segment.finish()
        answers = self._emit(final=True)
        self._segment = None
        return answers

    def counts(self) -> dict[str, int]:
        """Events by type among the beats answered for so far (as ``ArtifactScreen.counts``)."""
        return dict(self._counts)

    def _emit(self, final: bool) -> tuple[LiveVerdict, ...]:
        seg = self._segment
        if seg is None:
            return ()
        classified = len(seg.rr) >= MIN_SEGMENT_BEATS
        out: list[LiveVerdict] = []
        for j in range(seg.emitted, seg.ready(final)):
            kind = seg.kind(j, classified)
            self._count(seg, j, seg.label_of(j, classified), kind)
            out.append(LiveVerdict(seg.first_index + j, seg.raw[j], kind))
        seg.emitted = max(seg.emitted, seg.ready(final))
        return tuple(out)

    def _count(self, seg: _Segment, j: int, label: ArtifactKind, kind: ArtifactKind) -> None:
        if label == ArtifactKind.ECTOPIC:
            in_run = j > 0 and seg.label_of(j - 1, True) == ArtifactKind.ECTOPIC
            seg.counted_prev = not (in_run and seg.counted_prev)
            self._counts["ectopic"] += seg.counted_prev
        elif label == ArtifactKind.MISSED:
            self._counts["missed"] += 1
        elif label == ArtifactKind.EXTRA:
            self._counts["extra"] += 1
        if kind in (ArtifactKind.LONG, ArtifactKind.SHORT, ArtifactKind.OUT_OF_RANGE):
            self._counts[kind.name.lower()] += 1
