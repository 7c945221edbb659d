"""Live time-domain markers over a sliding time window, updated beat by beat.

:class:`RollingWindow` keeps the beats of the last ``window_s`` seconds and
running sums of their RR intervals and successive differences, so that each
:meth:`~RollingWindow.push` costs O(1) amortised time. :func:`batch_markers` is
the reference definition; the rolling markers equal it to floating-point
precision (tests check 1e-9 relative on a 22-hour Holter day).

Definitions (as Kubios, Tarvainen et al. 2014)
-----------------------------------------------
- **Window**: the beats with ``window_end_s - window_s <= time_s <= window_end_s``,
  where ``window_end_s`` is the newest beat's time, or a later time passed to
  :meth:`~RollingWindow.advance_to`. ``time_s`` is the end of a beat's RR interval.
- **Included beats**: beats in the window that are not artifacts and whose RR
  is finite. ``n_beats`` counts them.
- **Successive differences**: ``rr[j] - rr[j-1]`` for consecutive beats of the
  stream that are both included and where beat ``j`` carries no ``gap_before``.
  No difference is taken across a gap, an excluded beat or the window's edge.
- ``mean_rr_ms`` = mean included RR; ``mean_hr_bpm`` = 60000 / ``mean_rr_ms``;
  ``sdnn_ms`` = standard deviation of included RR with ddof = 1;
  ``rmssd_ms`` = sqrt(mean of squared successive differences);
  ``ln_rmssd`` = natural log of ``rmssd_ms`` (RMSSD in milliseconds).

Numerics
--------
Running sums are kept shifted by a reference RR (the window mean at the last
re-summation), and are recomputed exactly (:func:`math.fsum`) from the window,
re-centring the shift, after as many updates as the window holds beats, and
sooner when the terms that passed through a sum since its last re-summation
outweigh what it now holds by 1e5 (a window turning calm after a turbulent
stretch, where plain running sums lose their digits to cancellation).
Rounding error therefore stays near 1e-11 relative over a whole day, and the
re-summation costs O(1) amortised per beat.

References
----------
Task Force of the ESC and NASPE. Heart rate variability: standards of
measurement, physiological interpretation and clinical use. Circulation
1996;93:1043-1065. Tarvainen MP et al. Kubios HRV - heart rate variability
analysis software. Comput Methods Programs Biomed 2014;113:210-220.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

__all__ = ["MIN_BEATS", "RollingMarkers", "RollingWindow", "batch_markers"]

MIN_BEATS: Final = 2
"""Fewest included beats for any marker; with fewer, every marker is None."""

_RESUM_MIN_UPDATES: Final = 64
"""Re-sum exactly at least this rarely, so tiny windows do not re-sum every beat."""
_MAX_CONDITION: Final = 1e5
"""Re-sum once the terms added and removed since the last re-sum outweigh what the sums
now hold by this factor (their rounding error then nears 1e5 * 2.2e-16 = 2e-11, relative)."""
_NEGLIGIBLE_MS2: Final = 1e-6
"""Squared deviations below (1 microsecond)^2 per beat count as zero."""


@dataclass(frozen=True, slots=True)
class RollingMarkers:
    """Time-domain markers of one window (definitions in :mod:`signals.rolling`).

    Attributes
    ----------
    window_s : window length, in seconds.
    window_end_s : end of the window (epoch seconds); None before the first beat.
    n_beats : included (non-artifact, finite) beats in the window.
    n_diffs : successive differences in the window.
    mean_rr_ms : mean RR, in milliseconds.
    mean_hr_bpm : 60000 / ``mean_rr_ms``, in beats per minute.
    sdnn_ms : standard deviation of RR (ddof = 1), in milliseconds.
    rmssd_ms : root mean square of successive differences, in milliseconds; None
        without a difference.
    ln_rmssd : natural logarithm of ``rmssd_ms``; None when RMSSD is None or 0.
    """

    window_s: float
    window_end_s: float | None
    n_beats: int
    n_diffs: int
    mean_rr_ms: float | None
    mean_hr_bpm: float | None
    sdnn_ms: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None


def _markers(
    window_s: float,
    window_end_s: float | None,
    n: int,
    nd: int,
    mean_rr: float,
    var: float,
    sum_sq_diff: float,
    min_beats: int,
) -> RollingMarkers:
    if n < max(min_beats, 1):
        return RollingMarkers(window_s, window_end_s, n, nd, None, None, None, None, None)
    rmssd = math.sqrt(max(sum_sq_diff, 0.0) / nd) if nd > 0 else None
    return RollingMarkers(
        window_s=window_s,
        window_end_s=window_end_s,
        n_beats=n,
        n_diffs=nd,
        mean_rr_ms=mean_rr,
        mean_hr_bpm=60000.0 / mean_rr if mean_rr > 0.0 else None,
        sdnn_ms=math.sqrt(max(var, 0.0)) if n >= 2 else None,
        rmssd_ms=rmssd,
        ln_rmssd=math.log(rmssd) if rmssd is not None and rmssd > 0.0 else None,
    )


def batch_markers(
    time_s: npt.ArrayLike,
    rr_ms: npt.ArrayLike,
    gap_before: npt.ArrayLike,
    artifact: npt.ArrayLike,
    window_end_s: float,
    window_s: float,
    *,
    min_beats: int = MIN_BEATS,
) -> RollingMarkers:
    """Markers of the window ending at ``window_end_s``: the reference definition.

    Parameters
    ----------
    time_s : beat times (end of each RR interval), in seconds, non-decreasing.
    rr_ms : RR interval ending at each beat, in milliseconds.
    gap_before : True where beats may be missing before a beat.
    artifact : True for beats to exclude.
    window_end_s : end of the window, in seconds (inclusive).
    window_s : window length, in seconds; the window is
        ``[window_end_s - window_s, window_end_s]``.
    min_beats : fewest included beats for any marker.

    Returns
    -------
    RollingMarkers
        Computed directly (two-pass) on the beats of the window.
    """
    t = np.asarray(time_s, dtype=np.float64)
    lo = int(np.searchsorted(t, window_end_s - window_s, side="left"))
    hi = int(np.searchsorted(t, window_end_s, side="right"))
    rr = np.asarray(rr_ms, dtype=np.float64)[lo:hi]
    gaps = np.asarray(gap_before, dtype=np.bool_)[lo:hi]
    included = ~np.asarray(artifact, dtype=np.bool_)[lo:hi] & np.isfinite(rr)
    good = rr[included]
    pair = included[1:] & included[:-1] & ~gaps[1:]
    diffs = np.diff(rr)[pair]
    n = int(good.size)
    nd = int(diffs.size)
    mean_rr = float(np.mean(good)) if n else math.nan
    var = float(np.var(good, ddof=1)) if n >= 2 else math.nan
    sum_sq = float(np.sum(diffs * diffs))
    return _markers(window_s, window_end_s, n, nd, mean_rr, var, sum_sq, min_beats)


class RollingWindow:
    """Markers of the beats in the last ``window_s`` seconds, updated per beat.

    Parameters
    ----------
    window_s : window length, in seconds (> 0).
    min_beats : fewest included beats for any marker (default :data:`MIN_BEATS`).

    Examples
    --------
    >>> w = RollingWindow(60.0)
    >>> for t, rr in [(0.8, 800.0), (1.62, 820.0), (2.41, 790.0)]:
    ...     w.push(t, rr, gap_before=False)
    >>> round(w.markers().rmssd_ms or 0.0, 3)
    25.495
    """

    def __init__(self, window_s: float, *, min_beats: int = MIN_BEATS) -> None:
        if not window_s > 0.0:
            raise ValueError(f"window_s must be positive, got {window_s}")
        self.window_s = float(window_s)
        self.min_beats = min_beats
        self._clear()

    def _clear(self) -> None:
        # Each entry: (time_s, rr_ms or nan when excluded, squared difference with
        # the previous entry or nan). The front entry's difference is never in the sums.
        self._beats: deque[tuple[float, float, float]] = deque()
        self._end_s: float | None = None
        self._last_rr: float = math.nan  # RR of the newest beat (nan when excluded)
        self._shift = 0.0
        self._n = 0
        self._nd = 0
        self._s1 = 0.0  # sum of (rr - shift)
        self._s2 = 0.0  # sum of (rr - shift) ** 2
        self._sd = 0.0  # sum of squared differences
        self._mass = 0.0  # sum of |terms| added to or removed from _s2 since the last re-sum
        self._dmass = 0.0  # the same for _sd
        self._updates = 0

    @property
    def window_end_s(self) -> float | None:
        """End of the window: the newest beat or the latest :meth:`advance_to`."""
        return self._end_s

    def push(self, time_s: float, rr_ms: float, gap_before: bool, artifact: bool = False) -> None:
        """Add one beat and drop beats older than ``time_s - window_s``.

        Parameters
        ----------
        time_s : beat time (end of its RR interval), in seconds; never earlier
            than the window's end.
        rr_ms : the RR interval ending at this beat, in milliseconds.
        gap_before : True when beats may be missing right before this one.
        artifact : True to exclude this beat (and its differences) from the markers.
        """
        if self._end_s is not None and time_s < self._end_s:
            raise ValueError(f"beat at {time_s} s is older than the window end {self._end_s} s")
        included = not artifact and math.isfinite(rr_ms)
        rr = rr_ms if included else math.nan
        diff_sq = math.nan
        if self._beats and not gap_before and included and not math.isnan(self._last_rr):
            d = rr - self._last_rr
            diff_sq = d * d
        if self._n == 0 and included:
            self._shift = rr
        self._beats.append((time_s, rr, diff_sq))
        self._last_rr = rr
        if included:
            x = rr - self._shift
            self._n += 1
            self._s1 += x
            self._s2 += x * x
            self._mass += x * x
        if len(self._beats) > 1 and not math.isnan(diff_sq):
            self._nd += 1
            self._sd += diff_sq
            self._dmass += diff_sq
        self._updates += 1
        self._evict(time_s)

    def advance_to(self, time_s: float) -> None:
        """Move the window's end to ``time_s`` (no beat), dropping beats that fall out."""
        if self._end_s is None or time_s > self._end_s:
            self._evict(time_s)

    def reset(self) -> None:
        """Forget every beat."""
        self._clear()

    @property
    def mean_hr_bpm(self) -> float | None:
        """Just the mean heart rate of the window (cheaper than :meth:`markers`)."""
        n = self._n
        if n < max(self.min_beats, 1):
            return None
        mean_rr = self._shift + self._s1 / n
        return 60000.0 / mean_rr if mean_rr > 0.0 else None

    def markers(self) -> RollingMarkers:
        """The markers of the current window."""
        n = self._n
        mean_rr = self._shift + self._s1 / n if n else math.nan
        var = (self._s2 - self._s1 * self._s1 / n) / (n - 1) if n >= 2 else math.nan
        return _markers(
            self.window_s, self._end_s, n, self._nd, mean_rr, var, self._sd, self.min_beats
        )

    def _evict(self, end_s: float) -> None:
        self._end_s = end_s
        start_s = end_s - self.window_s
        beats = self._beats
        while beats and beats[0][0] < start_s:
            _, rr, _ = beats.popleft()
            if not math.isnan(rr):
                x = rr - self._shift
                self._n -= 1
                self._s1 -= x
                self._s2 -= x * x
                self._mass += x * x
            if beats:  # the new front's difference reached back to the evicted beat
                front_diff = beats[0][2]
                if not math.isnan(front_diff):
                    self._nd -= 1
                    self._sd -= front_diff
                    self._dmass += front_diff
            else:
                self._last_rr = math.nan
            if self._n == 0:  # drop rounding residue
                self._s1 = self._s2 = 0.0
            if self._nd == 0:
                self._sd = 0.0
            self._updates += 1
        if self._updates >= max(len(beats), _RESUM_MIN_UPDATES) or self._ill_conditioned():
            self._resum()

    def _ill_conditioned(self) -> bool:
        """True when rounding in the running sums may exceed ~1e-11 of what they hold.

        After a re-sum the bound only grows again once the window's content has
        largely turned over, so this keeps the cost O(1) amortised.
        """
        centred = self._s2 - self._s1 * self._s1 / self._n if self._n else 0.0
        floor = _NEGLIGIBLE_MS2 * (self._n + self._nd)
        return self._mass > _MAX_CONDITION * (centred + floor) or self._dmass > _MAX_CONDITION * (
            self._sd + floor
        )

    def _resum(self) -> None:
        """Recompute the sums exactly from the window and re-centre the shift."""
        rrs = [rr for _, rr, _ in self._beats if not math.isnan(rr)]
        self._n = len(rrs)
        self._shift = math.fsum(rrs) / self._n if rrs else 0.0
        dev = [rr - self._shift for rr in rrs]
        self._s1 = math.fsum(dev)
        self._s2 = math.fsum(x * x for x in dev)
        diffs = [d for i, (_, _, d) in enumerate(self._beats) if i > 0 and not math.isnan(d)]
        self._nd = len(diffs)
        self._sd = math.fsum(diffs)
        self._mass = self._s2
        self._dmass = self._sd
        self._updates = 0
