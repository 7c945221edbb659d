"""The incremental builder of one-minute epochs (definitions in :mod:`signals.epochs.batch`)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from operator import itemgetter

import numpy as np
import numpy.typing as npt

from signals.epochs.types import (
    EPOCH_S,
    GRACE_S,
    LONG_WINDOW_S,
    Epoch,
    judge_quality,
)
from signals.markers.hr_rise import RiseTracker
from signals.markers.window_markers import MIN_BEATS

__all__ = ["EpochBuilder"]

_time_of = itemgetter(0)


class EpochBuilder:
    """Turn the beat stream into one :class:`Epoch` per clock minute.

    Feed beats with :meth:`push`, contact loss with :meth:`mark_no_signal` and
    the passing of time (any event's time) with :meth:`advance_to`. Each returns
    the epochs it closed, oldest first. A minute closes at the first beat after
    it, or :data:`GRACE_S` after its end, whichever comes first; the first event
    sets the first minute. Beat times never go backwards.

    Per beat, :meth:`push` only counts the beat for its minute and keeps it; the
    markers, and the heart-rate rise, are computed from the kept beats in one pass
    when a minute closes (the rise also when contact is lost).
    """

    __slots__ = (
        "_ahead",
        "_beats",
        "_covered_s",
        "_diff_ok",
        "_diff_sq",
        "_fed",
        "_last_rr",
        "_lost_at_s",
        "_lost_cause",
        "_max_rise",
        "_minute_cause",
        "_n_artifacts",
        "_n_beats",
        "_rise",
        "_start_s",
        "_window_end_s",
        "late_beats",
    )

    def __init__(self) -> None:
        # The beats of the last LONG_WINDOW_S and of the minute being filled, oldest
        # first: (time_s, rr_ms, gap_before), rr_ms nan when excluded from the markers
        # (an artifact, or not finite).
        self._beats: list[tuple[float, float, bool]] = []
        self._fed = 0  # _beats[:_fed] are in the heart-rate rise
        # Per beat of _beats[:len(_diff_sq)]: the squared difference with the beat
        # before it in the stream, and whether there is one (else 0.0).
        self._diff_sq: list[float] = []
        self._diff_ok: list[bool] = []
        self._last_rr = math.nan  # RR of the beat before _beats[len(_diff_sq)]
        self._window_end_s: float | None = None  # the newest beat or closed minute's end
        self._rise = RiseTracker()
        # Rises of _beats[_fed:], worked out by push_many ahead of the minutes' close.
        self._ahead: list[float] = []
        self._start_s: float | None = None
        self._lost_at_s: float | None = None  # a loss of signal not yet ended by a beat
        self._lost_cause = ""
        self.late_beats = 0
        """Beats that came after their minute had closed; left out of every epoch."""
        self._reset_minute()

    def _reset_minute(self) -> None:
        self._n_beats = 0
        self._n_artifacts = 0
        self._covered_s = 0.0
        self._minute_cause = ""
        self._max_rise: float | None = None

    @property
    def current_start_s(self) -> float | None:
        """Start of the minute being filled; None before the first event."""
        return self._start_s

    def push(
        self, time_s: float, rr_ms: float, gap_before: bool, artifact: bool = False
    ) -> list[Epoch]:
        """Add one beat (time in seconds, RR in milliseconds); returns closed epochs.

        A beat whose minute has already closed (it came more than
        :data:`GRACE_S` late) is counted in :attr:`late_beats` and left out.
        """
        # Hot path (every beat of the day): few attribute lookups, no method calls
        # but one append; the markers wait for the minute's close.
        start_s = self._start_s
        if start_s is not None and time_s < start_s:
            self.late_beats += 1
            return []
        if -math.inf < rr_ms < math.inf:  # finite
            begin_s = time_s - rr_ms / 1000.0
            rr = math.nan if artifact else rr_ms
        else:
            begin_s = time_s
            rr = math.nan
        if start_s is None or time_s >= start_s + EPOCH_S:
            closed = self._close_until(time_s, begin_s)
            self._credit(begin_s, time_s)
        else:
            closed = []
            # The beat ends inside the minute: its overlap with [start_s, time_s].
            overlap = time_s - (start_s if start_s > begin_s else begin_s)
            if overlap > 0.0:
                self._covered_s += overlap
        if self._lost_at_s is not None:  # the loss reached into this minute and ends here
            self._minute_cause = self._lost_cause
            self._lost_at_s = None
        self._n_beats += 1
        if artifact:
            self._n_artifacts += 1
        window_end_s = self._window_end_s
        if window_end_s is not None and time_s < window_end_s:
            raise ValueError(f"beat at {time_s} s is older than the window end {window_end_s} s")
        self._window_end_s = time_s
        self._beats.append((time_s, rr, gap_before))
        return closed

    def push_many(
        self,
        time_s: Sequence[float],
        rr_ms: Sequence[float],
        gap_before: Sequence[bool],
        artifact: Sequence[bool],
    ) -> list[tuple[int, list[Epoch]]]:
        """:meth:`push` for each beat, in order, with the beats inside the current
        minute counted as arrays (the same sums, added in the same order).

        Returns, for each beat that closed minutes, its index and the epochs.
        """
        t = np.asarray(time_s, dtype=np.float64)
        rr = np.asarray(rr_ms, dtype=np.float64)
        flags = np.asarray(artifact, dtype=np.bool_)
        n = t.size
        ordered = bool(n < 2 or (t[1:] >= t[:-1]).all())
        if n and ordered and self._keeps_all(float(t[0])):
            # Every beat will be kept: their rises, as arrays, before the minutes close.
            self._track_rise()
            gaps = np.asarray(gap_before, dtype=np.bool_)
            kept = np.where(np.isfinite(rr) & ~flags, rr, np.nan)
            self._ahead.extend(self._rise.feed_arrays(t, kept, gaps).tolist())
        out: list[tuple[int, list[Epoch]]] = []
        batch = _Batch(t, rr, gap_before, flags) if n and ordered else None
        i = 0
        while i < n:
            start_s = self._start_s
            window_end_s = self._window_end_s
            if (
                not ordered
                or start_s is None
                or not start_s <= t[i] < start_s + EPOCH_S
                or (window_end_s is not None and t[i] < window_end_s)
            ):
                closed = self.push(float(t[i]), float(rr[i]), bool(gap_before[i]), bool(flags[i]))
                if closed:
                    out.append((i, closed))
                i += 1
                continue
            stop = int(np.searchsorted(t, start_s + EPOCH_S, side="left"))
            assert batch is not None  # ordered
            self._take_within_minute(batch, i, stop)
            i = stop
        return out

    def _keeps_all(self, first_s: float) -> bool:
        """Whether beats from ``first_s`` on (in time order) are all kept (none late)."""
        start_s, end_s = self._start_s, self._window_end_s
        return (start_s is None or first_s >= start_s) and (end_s is None or first_s >= end_s)

    def _take_within_minute(self, batch: _Batch, i: int, stop: int) -> None:
        """Beats ``i .. stop-1`` of ``batch``, which all end inside the minute being
        filled, in order (push's else-branch)."""
        start_s = self._start_s
        assert start_s is not None
        t = batch.t[i:stop]
        overlap = t - np.maximum(start_s, batch.begin_s[i:stop])
        positive = overlap[overlap > 0.0]
        if positive.size:
            # Added one after the other, as push() adds them (cumsum is sequential).
            self._covered_s = float(np.cumsum(np.concatenate(([self._covered_s], positive)))[-1])
        if self._lost_at_s is not None:
            self._minute_cause = self._lost_cause
            self._lost_at_s = None
        self._n_beats += stop - i
        self._n_artifacts += batch.artifacts_before[stop] - batch.artifacts_before[i]
        self._window_end_s = batch.t_list[stop - 1]
        # Their squared differences now, as _take_differences would take them:
        # within the batch worked out ahead, the first against the beat before.
        self._take_differences()
        kept = batch.kept_list
        diff_sq, diff_ok = self._diff_sq, self._diff_ok
        d = kept[i] - self._last_rr  # nan if either is excluded
        if batch.gap_list[i] or d != d:
            diff_sq.append(0.0)
            diff_ok.append(False)
        else:
            diff_sq.append(d * d)
            diff_ok.append(True)
        diff_sq.extend(batch.diff_sq[i + 1 : stop])
        diff_ok.extend(batch.diff_ok[i + 1 : stop])
        self._last_rr = kept[stop - 1]
        self._beats.extend(
            zip(batch.t_list[i:stop], kept[i:stop], batch.gap_list[i:stop], strict=True)
        )

    def mark_no_signal(self, time_s: float, *, disconnected: bool = False) -> list[Epoch]:
        """The strap lost skin contact (or, ``disconnected``, the link dropped) at ``time_s``.

        Minutes without beats from then until the next beat are explained by it.
        Returns the epochs closed (as :meth:`advance_to`).
        """
        closed = self.advance_to(time_s)
        if self._lost_at_s is None:
            self._lost_at_s = time_s
        self._lost_cause = (
            "the strap disconnected" if disconnected else "the strap lost skin contact"
        )
        self._track_rise()
        self._rise.reset()
        return closed

    def advance_to(self, time_s: float) -> list[Epoch]:
        """Time (of any event) has reached ``time_s``: close the minutes that ended
        at least :data:`GRACE_S` earlier, since no beat can still fall into them."""
        return self._close_until(time_s, None, grace_s=GRACE_S)

    def flush(self) -> list[Epoch]:
        """Close the minute being filled (end of stream), judged as a full minute."""
        if self._start_s is None:
            return []
        return self._close_until(self._start_s + EPOCH_S, None)

    def _close_until(
        self, time_s: float, begin_s: float | None, grace_s: float = 0.0
    ) -> list[Epoch]:
        if self._start_s is None:
            self._start_s = math.floor(time_s / EPOCH_S) * EPOCH_S
            return []
        closed: list[Epoch] = []
        while time_s - grace_s >= self._start_s + EPOCH_S:
            if begin_s is not None:
                self._credit(begin_s, time_s)
            closed.append(self._close())
        return closed

    def _credit(self, begin_s: float, end_s: float) -> None:
        assert self._start_s is not None
        overlap = min(end_s, self._start_s + EPOCH_S) - max(begin_s, self._start_s)
        if overlap > 0.0:
            self._covered_s += overlap

    def _track_rise(self) -> None:
        """Take the beats not yet seen into the 10-s heart rate and its rise
        (:mod:`signals.markers.hr_rise`); rises worked out ahead by :meth:`push_many` first."""
        beats = self._beats[self._fed :]
        if not beats:
            return
        rise: float | None = None
        ahead = self._ahead
        if ahead:
            k = min(len(beats), len(ahead))
            known = [r for r in ahead[:k] if r == r]
            del ahead[:k]
            self._fed += k
            beats = beats[k:]
            rise = max(known) if known else None
        if beats:
            self._fed += len(beats)
            fed = self._rise.feed(beats)
            if fed is not None and (rise is None or fed > rise):
                rise = fed
        if rise is not None and (self._max_rise is None or rise > self._max_rise):
            self._max_rise = rise

    def _take_differences(self) -> None:
        """Squared successive differences of the beats that have none yet."""
        diff_sq = self._diff_sq
        diff_ok = self._diff_ok
        last_rr = self._last_rr
        for _, rr, gap_before in self._beats[len(diff_sq) :]:
            d = rr - last_rr  # nan when either beat is excluded
            if gap_before or d != d:
                diff_sq.append(0.0)
                diff_ok.append(False)
            else:
                diff_sq.append(d * d)
                diff_ok.append(True)
            last_rr = rr
        self._last_rr = last_rr

    def _close(self) -> Epoch:
        assert self._start_s is not None
        self._track_rise()
        self._take_differences()
        start_s = self._start_s
        end_s = start_s + EPOCH_S
        self._window_end_s = end_s
        # The windows end at end_s (every kept beat is earlier) and start, inclusive,
        # at end_s - EPOCH_S and end_s - LONG_WINDOW_S. A window's front beat has no
        # difference in it (the beat before is outside).
        beats = self._beats
        first = bisect_left(beats, end_s - EPOCH_S, key=_time_of)
        first_long = bisect_left(beats, end_s - LONG_WINDOW_S, key=_time_of)
        rrs = [rr for _, rr, _ in beats[first:] if rr == rr]
        n_rr = len(rrs)
        hr_bpm = None
        if n_rr >= MIN_BEATS:  # mean RR as RollingWindow holds it after a re-sum
            shift = math.fsum(rrs) / n_rr
            mean_rr = shift + math.fsum([rr - shift for rr in rrs]) / n_rr
            hr_bpm = 60000.0 / mean_rr if mean_rr > 0.0 else None
        n_diffs = sum(self._diff_ok[first + 1 :])
        rmssd, ln_rmssd = _rmssd(math.fsum(self._diff_sq[first + 1 :]), n_diffs)
        rmssd_5min, ln_rmssd_5min = _rmssd(
            math.fsum(self._diff_sq[first_long + 1 :]), sum(self._diff_ok[first_long + 1 :])
        )
        if first_long:  # forget the beats older than the long window
            del beats[:first_long], self._diff_sq[:first_long], self._diff_ok[:first_long]
            self._fed -= first_long
        n = self._n_beats
        coverage = min(1.0, self._covered_s / EPOCH_S)
        artifact_fraction = self._n_artifacts / n if n else 0.0
        cause = self._minute_cause
        if not cause and self._lost_at_s is not None and self._lost_at_s < end_s:
            cause = self._lost_cause
        quality, reason = judge_quality(n, coverage, artifact_fraction, n_diffs, cause)
        epoch = Epoch(
            start_s=start_s,
            n_beats=n,
            coverage=coverage,
            artifact_fraction=artifact_fraction,
            hr_bpm=hr_bpm,
            rmssd_ms=rmssd,
            ln_rmssd=ln_rmssd,
            rmssd_5min_ms=rmssd_5min,
            ln_rmssd_5min=ln_rmssd_5min,
            hr_rise_bpm_30s=self._max_rise,
            n_diffs=n_diffs,
            quality=quality,
            quality_reason=reason,
        )
        self._start_s = end_s
        self._reset_minute()
        return epoch


def _rmssd(sum_sq_diff: float, n_diffs: int) -> tuple[float | None, float | None]:
    """RMSSD and its natural log (None without a difference; the log None for 0)."""
    if n_diffs == 0:
        return None, None
    rmssd = math.sqrt(max(sum_sq_diff, 0.0) / n_diffs)
    return rmssd, math.log(rmssd) if rmssd > 0.0 else None


class _Batch:
    """What :meth:`EpochBuilder.push_many` works out once for all its beats (in time
    order): the values :meth:`EpochBuilder.push` would derive beat by beat."""

    __slots__ = (
        "artifacts_before",
        "begin_s",
        "diff_ok",
        "diff_sq",
        "gap_list",
        "kept_list",
        "t",
        "t_list",
    )

    def __init__(
        self,
        t: npt.NDArray[np.float64],
        rr: npt.NDArray[np.float64],
        gap_before: Sequence[bool],
        flags: npt.NDArray[np.bool_],
    ) -> None:
        finite = np.isfinite(rr)
        with np.errstate(invalid="ignore"):
            self.begin_s = np.where(finite, t - rr / 1000.0, t)
        kept = np.where(finite & ~flags, rr, np.nan)
        gaps = np.asarray(gap_before, dtype=np.bool_)
        # Each beat's difference with the one before it in the batch (the first's
        # is taken against the builder's last beat when it is added).
        d = np.empty_like(kept)
        d[0] = np.nan
        d[1:] = kept[1:] - kept[:-1]
        ok = ~gaps & (d == d)
        self.diff_sq: list[float] = np.where(ok, d * d, 0.0).tolist()
        self.diff_ok: list[bool] = ok.tolist()
        self.t = t
        self.t_list: list[float] = t.tolist()
        self.kept_list: list[float] = kept.tolist()
        self.gap_list: list[bool] = gaps.tolist()
        self.artifacts_before: list[int] = np.concatenate(([0], np.cumsum(flags))).tolist()
