"""Incremental artifact detection for the live beat stream.

:class:`LiveArtifactDetector` takes beats one at a time and answers, with
:data:`LOOKAHEAD_BEATS` beats of delay, what each one is, by the same
classification as :func:`signals.artifacts.batch.screen_artifacts` (Lipponen &
Tarvainen 2019, see :mod:`signals.artifacts.lipponen`) and the same event grouping
and plausibility check. Its work per beat is bounded (a few insertions into
sorted windows of 91 values), whatever the length of the stream.

Where it differs from the batch screen, by necessity of not seeing the future:

- the thresholds are the quartile deviations of the last
  :data:`~signals.artifacts.lipponen.THRESHOLD_WINDOW_BEATS` values known when a beat
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

This module keeps the windows and the segment; the step for one beat (its
label by the Figure 1 flow, then its final kind and the counts) is in
:mod:`signals.artifacts.live.judge`, beats that arrive together in
:mod:`signals.artifacts.live.run`.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43(3):173-181.
"""

from __future__ import annotations

import math
from bisect import bisect_left, insort
from collections import deque
from typing import Final

from signals.artifacts.batch import MIN_SEGMENT_BEATS, RR_MAX_MS, RR_MIN_MS
from signals.artifacts.lipponen import (
    ALPHA,
    MEDIAN_WINDOW_BEATS,
    THRESHOLD_CEILING_FRACTION,
    THRESHOLD_WINDOW_BEATS,
    ArtifactKind,
)
from signals.artifacts.live.judge import (
    _ECTOPIC,
    _EXTRA,
    _INF,
    _NAN,
    _NORMAL,
    _OUT_OF_RANGE,
    LiveJudging,
    _finite,
    _verdict,
)
from signals.artifacts.live.run import BatchPushing
from signals.artifacts.live.verdicts import LiveVerdict
from signals.markers.order_stats import (
    slide_into,
    sorted_median,
    sorted_quartile_deviation,
)

__all__ = ["LOOKAHEAD_BEATS", "LiveArtifactDetector"]

LOOKAHEAD_BEATS: Final = 3
"""A beat is answered for when this many later beats of its segment have arrived."""
_AHEAD: Final = 2
"""Beats after ``j`` that its own classification reads."""
_HALF_MEDIAN: Final = MEDIAN_WINDOW_BEATS // 2
_MEDIAN_SPAN: Final = _HALF_MEDIAN + 1 + _AHEAD
"""Beats in ``med(j)`` once the segment is long enough: ``j-5 .. j+2``."""
_KEEP: Final = 16
"""Recent per-beat values kept; the detector reads 8 beats back at most."""


def _interpolation(q: float) -> tuple[int, float, float]:
    """Lower index, its weight and the upper weight of quantile ``q`` of a full window."""
    position = q * (THRESHOLD_WINDOW_BEATS - 1)
    below = math.floor(position)
    frac = position - below
    return below, 1.0 - frac, frac


# Once every window of a segment is full, push() runs one straight path with the
# window sizes built in; its arithmetic is that of the general path (the same
# operations in the same order, hence the same floats and the same verdicts).
_Q1, _Q1_LOW, _Q1_HIGH = _interpolation(0.25)
_Q3, _Q3_LOW, _Q3_HIGH = _interpolation(0.75)
_MEDIAN_HIGH: Final = _MEDIAN_SPAN // 2
_STEADY_BEATS: Final = (
    max(THRESHOLD_WINDOW_BEATS, _MEDIAN_SPAN) + _AHEAD
    # The straight path takes both quartiles as interpolated and the median as even.
    if _Q1_HIGH and _Q3_HIGH and _MEDIAN_SPAN % 2 == 0 and _MEDIAN_SPAN <= _KEEP
    else 1 << 62
)
"""Beats already in the segment from which :meth:`LiveArtifactDetector.push` runs straight."""


class LiveArtifactDetector(BatchPushing, LiveJudging):
    """Push beats one at a time; get each beat's artifact class a few beats later.

    Parameters
    ----------
    threshold_ceiling : cap on the adaptive thresholds as a fraction of the
        local median RR; None for the plain algorithm (as in
        :func:`~signals.artifacts.batch.screen_artifacts`).

    Examples
    --------
    >>> detector = LiveArtifactDetector()
    >>> answers = [v for rr in (800.0,) * 10 for v in detector.push(rr)]
    >>> [v.index for v in answers]
    [0, 1, 2, 3, 4, 5, 6]
    """

    __slots__ = (
        "_ceiling",
        "_count",
        "_counted_prev",
        "_counts",
        "_deferred",
        "_drr",
        "_drr_order",
        "_drr_sorted",
        "_labels",
        "_mrr_order",
        "_mrr_sorted",
        "_pushed",
        "_raw",
        "_resume",
        "_rr",
        "_rr_sorted",
    )

    LOOKAHEAD_BEATS = LOOKAHEAD_BEATS
    _STEADY_BEATS = _STEADY_BEATS
    _KEEP = _KEEP

    def __init__(self, threshold_ceiling: float | None = THRESHOLD_CEILING_FRACTION) -> None:
        self._ceiling = threshold_ceiling
        self._pushed = 0
        self._counts = dict.fromkeys(
            ("ectopic", "missed", "extra", "long", "short", "out_of_range"), 0
        )
        # The current gap-free segment (none while _count is 0). Beat numbers
        # count from its first beat; the deques end at its newest beat.
        self._count = 0
        self._raw: deque[float] = deque(maxlen=_KEEP)  # as pushed
        self._rr: deque[float] = deque(maxlen=_KEEP)  # a missing value stands in as the one before
        self._drr: deque[float] = deque(maxlen=_KEEP)  # dRR, 0 for the first beat
        # Labels of the judged beats, in order; NORMAL for a stand-in value.
        self._labels: deque[ArtifactKind] = deque(maxlen=_KEEP)
        self._rr_sorted: list[float] = []  # the last _MEDIAN_SPAN RR values, sorted
        self._drr_order: deque[float] = deque(maxlen=THRESHOLD_WINDOW_BEATS)  # |dRR|
        self._drr_sorted: list[float] = []
        self._mrr_order: deque[float] = deque(maxlen=THRESHOLD_WINDOW_BEATS)  # |mRR|
        self._mrr_sorted: list[float] = []
        self._resume = 0
        self._deferred = -1  # the second beat of a candidate pair, judged next
        self._counted_prev = False

    def push(self, rr_ms: float, gap_before: bool = False) -> tuple[LiveVerdict, ...]:
        """Add one beat (its RR interval in milliseconds).

        ``gap_before`` marks beats missing before it: the pending beats of the
        previous segment are answered for first. Returns the verdicts that
        became final, oldest first.
        """
        value = rr_ms if type(rr_ms) is float else float(rr_ms)
        n = self._count
        if n < _STEADY_BEATS or gap_before:
            return self._push_general(value, gap_before)
        # Steady state: every window is full, beat n-2 is judged and beat n-3 answered for.
        raw = self._raw
        rr = self._rr
        drr_recent = self._drr
        raw.append(value)
        previous = rr[-1]
        if not -_INF < value < _INF:
            value = previous
        drr = value - previous
        leaving = rr[-_MEDIAN_SPAN]
        rr.append(value)
        drr_recent.append(drr)
        drr = abs(drr)
        window = self._drr_sorted
        order = self._drr_order
        del window[bisect_left(window, order[0])]
        order.append(drr)
        insort(window, drr)
        ordered = self._rr_sorted
        del ordered[bisect_left(ordered, leaving)]
        insort(ordered, value)
        median = (ordered[_MEDIAN_HIGH - 1] + ordered[_MEDIAN_HIGH]) / 2.0
        mrr = rr[-3] - median
        if mrr < 0.0:
            mrr = 2.0 * mrr
        magnitude = abs(mrr)
        mrr_window = self._mrr_sorted
        order = self._mrr_order
        del mrr_window[bisect_left(mrr_window, order[0])]
        order.append(magnitude)
        insort(mrr_window, magnitude)
        th1 = ALPHA * (
            (
                window[_Q3] * _Q3_LOW
                + window[_Q3 + 1] * _Q3_HIGH
                - (window[_Q1] * _Q1_LOW + window[_Q1 + 1] * _Q1_HIGH)
            )
            / 2.0
        )
        ceiling = self._ceiling
        if ceiling is not None:
            cap = ceiling * median
            if cap < th1:
                th1 = cap
        j = n - 2
        label = _NORMAL
        if j < self._resume:
            if self._deferred == j:
                label = self._judge(j, n, median, mrr, th1, deferred=True)
        elif not -1.0 <= (drr_recent[-3] / th1 if th1 > 0.0 else _NAN) <= 1.0:
            label = self._judge(j, n, median, mrr, th1, deferred=False)
        labels = self._labels
        labels.append(label)
        self._count = n + 1
        pushed = self._pushed
        self._pushed = pushed + 1
        before = labels[-3]
        current = labels[-2]
        answered = raw[-4]
        if (
            current is _NORMAL
            and label is not _ECTOPIC
            and before is not _EXTRA
            and RR_MIN_MS <= answered <= RR_MAX_MS
        ):  # normal and nothing to count: what _settle would conclude
            return (_verdict(pushed - 3, answered, _NORMAL),)
        kind = self._settle(before, current, label, answered)
        return (_verdict(pushed - 3, answered, kind),)

    def flush(self) -> tuple[LiveVerdict, ...]:
        """Answer for every pending beat (end of stream or of a segment)."""
        count = self._count
        if count == 0:
            return ()
        labels = self._labels
        classified = count >= MIN_SEGMENT_BEATS
        if not classified:
            # Too short for the algorithm: the plausibility check only.
            labels.clear()
            labels.extend([_NORMAL] * (count + 1))
        else:
            label = _NORMAL
            if self._deferred != -1:
                # A pending second candidate is judged with reflected look-ahead.
                j = count - 2
                median = sorted_median(sorted(list(self._rr)[-(_HALF_MEDIAN + 2) :]))
                mrr = self._add_mrr(self._rr[-2] - median, j)
                th1 = self._threshold(ALPHA * sorted_quartile_deviation(self._drr_sorted), median)
                label = self._judge(j, count - 1, median, mrr, th1, deferred=True)
            labels.extend((label, _NORMAL, _NORMAL))  # beats count-2, count-1 and past the end
        first = count - LOOKAHEAD_BEATS if classified else 0
        answers = self._answers(first, count, count)
        self._count = 0
        return answers

    def counts(self) -> dict[str, int]:
        """Events by type among the beats answered for so far (as ``ArtifactScreen.counts``)."""
        return dict(self._counts)

    def _push_general(self, value: float, gap_before: bool) -> tuple[LiveVerdict, ...]:
        """Any beat: a segment's first beats, a gap, a beat that cannot start a segment."""
        answers: tuple[LiveVerdict, ...] = ()
        if gap_before or self._count == 0:
            answers = self.flush()
            if not _finite(value):
                # Nothing to stand in for it: answered at once, and the next beat
                # starts the segment.
                self._counts["out_of_range"] += 1
                self._pushed += 1
                return (*answers, _verdict(self._pushed - 1, value, _OUT_OF_RANGE))
            self._start_segment()
        n = self._count
        rr = self._rr
        self._raw.append(value)
        if not _finite(value):
            value = rr[-1]
        drr = 0.0 if n == 0 else value - rr[-1]  # no predecessor: 0
        if n >= _MEDIAN_SPAN:
            ordered = self._rr_sorted
            del ordered[bisect_left(ordered, rr[-_MEDIAN_SPAN])]
        rr.append(value)
        self._drr.append(drr)
        slide_into(self._drr_sorted, self._drr_order, abs(drr), full=n >= THRESHOLD_WINDOW_BEATS)
        insort(self._rr_sorted, value)
        if n >= _AHEAD:
            j = n - _AHEAD
            median = sorted_median(self._rr_sorted)
            mrr = self._add_mrr(rr[-1 - _AHEAD] - median, j)
            th1 = self._threshold(ALPHA * sorted_quartile_deviation(self._drr_sorted), median)
            label = _NORMAL
            if j < self._resume:
                if self._deferred == j:
                    label = self._judge(j, n, median, mrr, th1, deferred=True)
            elif not abs(self._drr[-1 - _AHEAD] / th1 if th1 > 0.0 else _NAN) <= 1.0:
                label = self._judge(j, n, median, mrr, th1, deferred=False)
            self._labels.append(label)
        count = n + 1
        self._count = count
        self._pushed += 1
        if count < MIN_SEGMENT_BEATS:
            return answers
        first = 0 if count == MIN_SEGMENT_BEATS else count - LOOKAHEAD_BEATS - 1
        return answers + self._answers(first, count - LOOKAHEAD_BEATS, count - 1 - _AHEAD)

    def _start_segment(self) -> None:
        self._count = 0
        for recent in (self._raw, self._rr, self._drr, self._drr_order, self._mrr_order):
            recent.clear()
        self._labels.clear()
        self._rr_sorted.clear()
        self._drr_sorted.clear()
        self._mrr_sorted.clear()
        self._resume = 0
        self._deferred = -1
        self._counted_prev = False
