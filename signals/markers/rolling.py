"""Live time-domain markers over a sliding time window, updated beat by beat.

:class:`RollingWindow` keeps the beats of the last ``window_s`` seconds and
running sums of their RR intervals and successive differences, so that each
:meth:`~RollingWindow.push` costs O(1) amortised time. :func:`batch_markers` is
the reference definition (in :mod:`signals.markers.window_markers`, with
:class:`RollingMarkers`); the rolling markers equal it to floating-point
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

:meth:`~RollingWindow.push` and :meth:`~RollingWindow.advance_to` only queue
their update; the queue is applied, in order and with exactly the arithmetic of
applying each update at once, when the markers are read (or every
:data:`_MAX_QUEUED` updates), in one tight loop. The markers are therefore the
same bit for bit, whenever they are read.

References
----------
Task Force of the ESC and NASPE. Heart rate variability: standards of
measurement, physiological interpretation and clinical use. Circulation
1996;93:1043-1065. Tarvainen MP et al. Kubios HRV - heart rate variability
analysis software. Comput Methods Programs Biomed 2014;113:210-220.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from signals.markers.window_markers import MIN_BEATS, RollingMarkers, _markers

__all__ = ["RollingWindow"]

_RESUM_MIN_UPDATES: Final = 64
"""Re-sum exactly at least this rarely, so tiny windows do not re-sum every beat."""
_MAX_CONDITION: Final = 1e5
"""Re-sum once the terms added and removed since the last re-sum outweigh what the sums
now hold by this factor (their rounding error then nears 1e5 * 2.2e-16 = 2e-11, relative)."""
_NEGLIGIBLE_MS2: Final = 1e-6
"""Squared deviations below (1 microsecond)^2 per beat count as zero."""
_MAX_QUEUED: Final = 1024
"""Apply queued updates at least this often, so an unread window stays small."""
_ADVANCE: Final = float("nan")
"""Stands for the RR of a queued :meth:`RollingWindow.advance_to` (told apart by identity)."""

_TRIM_AT: Final = 4096
"""Drop the beats that left the window from storage once this many have."""

Update = tuple[float, float, bool]
"""A queued update: (time_s, rr_ms or nan when the beat is excluded, gap_before);
rr_ms is :data:`_ADVANCE` for a move of the window's end without a beat."""


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

    __slots__ = (
        "_diffs",
        "_dmass",
        "_end_s",
        "_front",
        "_last_rr",
        "_mass",
        "_n",
        "_nd",
        "_queue",
        "_rrs",
        "_s1",
        "_s2",
        "_sd",
        "_shift",
        "_times",
        "_updates",
        "min_beats",
        "window_s",
    )

    def __init__(self, window_s: float, *, min_beats: int = MIN_BEATS) -> None:
        if not window_s > 0.0:
            raise ValueError(f"window_s must be positive, got {window_s}")
        self.window_s = float(window_s)
        self.min_beats = min_beats
        self._clear()

    def _clear(self) -> None:
        # The beats, oldest first: time, RR (nan when excluded) and squared difference
        # with the previous beat (nan when none). The window is [_front:]; the front
        # beat's difference is never in the sums.
        self._times: list[float] = []
        self._rrs: list[float] = []
        self._diffs: list[float] = []
        self._front = 0
        self._queue: list[Update] = []  # updates not yet applied to the sums
        self._end_s: float | None = None  # kept up to date by push and advance_to
        self._last_rr: float = math.nan  # RR of the newest beat (nan when excluded or none)
        self._shift = 0.0
        self._n = 0  # included beats in the window (non-nan _rrs[_front:])
        self._nd = 0  # differences in the sums (non-nan _diffs[_front + 1:])
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
        end_s = self._end_s
        if end_s is not None and time_s < end_s:
            raise ValueError(f"beat at {time_s} s is older than the window end {end_s} s")
        self._end_s = time_s
        included = not artifact and math.isfinite(rr_ms)
        queue = self._queue
        queue.append((time_s, rr_ms if included else math.nan, gap_before))
        if len(queue) >= _MAX_QUEUED:
            self._flush_queue()

    def advance_to(self, time_s: float) -> None:
        """Move the window's end to ``time_s`` (no beat), dropping beats that fall out."""
        if self._end_s is None or time_s > self._end_s:
            self._end_s = time_s
            self._queue.append((time_s, _ADVANCE, False))

    def reset(self) -> None:
        """Forget every beat."""
        self._clear()

    @property
    def mean_hr_bpm(self) -> float | None:
        """Just the mean heart rate of the window (cheaper than :meth:`markers`)."""
        if self._queue:
            self._flush_queue()
        n = self._n
        if n < max(self.min_beats, 1):
            return None
        mean_rr = self._shift + self._s1 / n
        return 60000.0 / mean_rr if mean_rr > 0.0 else None

    def markers(self) -> RollingMarkers:
        """The markers of the current window."""
        if self._queue:
            self._flush_queue()
        n = self._n
        mean_rr = self._shift + self._s1 / n if n else math.nan
        var = (self._s2 - self._s1 * self._s1 / n) / (n - 1) if n >= 2 else math.nan
        return _markers(
            self.window_s, self._end_s, n, self._nd, mean_rr, var, self._sd, self.min_beats
        )

    def _flush_queue(self) -> None:
        queue = self._queue
        self._queue = []
        self._apply(queue)

    def _apply(
        self,
        updates: Sequence[Update],
        hr_out: list[float | None] | None = None,
        reset_on_gap: bool = False,
    ) -> None:
        """Apply beats and moves of the window's end, oldest first.

        Each beat is added to the sums, the beats older than its time dropped from
        them, and the sums re-computed when due, exactly as if pushed one by one.

        Parameters
        ----------
        updates : (time_s, rr_ms or nan for an excluded beat, gap_before), with
            ``rr_ms`` :data:`_ADVANCE` to only move the window's end (to a later time).
            Beat times do not decrease (not checked here).
        hr_out : when given, :attr:`mean_hr_bpm` after each update is appended to it.
        reset_on_gap : forget every beat before a beat with ``gap_before``.
        """
        if not updates:
            return
        if self._queue:  # queued updates come first
            self._flush_queue()
        # Hot loop (every beat of the day): the state lives in local variables, and
        # none of the arithmetic of the sums is reordered (so results are unchanged).
        times = self._times
        rrs = self._rrs
        diffs = self._diffs
        add_time = times.append
        add_rr = rrs.append
        add_diff = diffs.append
        front = self._front
        window_s = self.window_s
        min_n = max(self.min_beats, 1)
        nan = math.nan
        advance = _ADVANCE
        min_updates = _RESUM_MIN_UPDATES
        max_condition = _MAX_CONDITION
        negligible = _NEGLIGIBLE_MS2
        last_rr = self._last_rr
        shift = self._shift
        n = self._n
        nd = self._nd
        s1 = self._s1
        s2 = self._s2
        sd = self._sd
        mass = self._mass
        dmass = self._dmass
        count = self._updates
        for time_s, rr, gap_before in updates:
            start_s = time_s - window_s
            if rr is not advance:
                if gap_before and reset_on_gap:
                    del times[:], rrs[:], diffs[:]
                    front = 0
                    last_rr = nan
                    shift = s1 = s2 = sd = mass = dmass = 0.0
                    n = nd = count = 0
                add_time(time_s)
                add_rr(rr)
                if rr == rr:  # included
                    if n == 0:
                        shift = rr
                    # last_rr is nan when the window is empty
                    if last_rr == last_rr and not gap_before:
                        d = rr - last_rr
                        d *= d
                        add_diff(d)
                        nd += 1
                        sd += d
                        dmass += d
                    else:
                        add_diff(nan)
                    x = rr - shift
                    n += 1
                    s1 += x
                    x *= x
                    s2 += x
                    mass += x
                else:
                    add_diff(nan)
                last_rr = rr
                count += 1
                # Drop the beats older than start_s; this beat itself stays, as
                # start_s <= time_s, so the window never empties here.
                while times[front] < start_s:
                    old_rr = rrs[front]
                    front += 1
                    if old_rr == old_rr:  # it was included
                        x = old_rr - shift
                        n -= 1
                        s1 -= x
                        x *= x
                        s2 -= x
                        mass += x
                    # the new front's difference reached back to the evicted beat
                    d = diffs[front]
                    if d == d:
                        nd -= 1
                        sd -= d
                        dmass += d
                    if n == 0:  # drop rounding residue
                        s1 = s2 = 0.0
                    if nd == 0:
                        sd = 0.0
                    count += 1
            else:  # the same, without a beat: the window may empty
                size = len(times)
                while front < size and times[front] < start_s:
                    old_rr = rrs[front]
                    front += 1
                    if old_rr == old_rr:
                        x = old_rr - shift
                        n -= 1
                        s1 -= x
                        x *= x
                        s2 -= x
                        mass += x
                    if front < size:
                        d = diffs[front]
                        if d == d:
                            nd -= 1
                            sd -= d
                            dmass += d
                    else:
                        last_rr = nan
                    if n == 0:
                        s1 = s2 = 0.0
                    if nd == 0:
                        sd = 0.0
                    count += 1
            # Re-sum after as many updates as the window holds (at least
            # _RESUM_MIN_UPDATES), or when ill-conditioned: when rounding in the
            # running sums may exceed ~1e-11 of what they hold. After a re-sum that
            # only happens again once the window's content has largely turned over,
            # so this keeps the cost O(1) amortised.
            if count >= min_updates and count >= len(times) - front:
                resum = True
            else:
                centred = s2 - s1 * s1 / n if n else 0.0
                floor = negligible * (n + nd)
                resum = mass > max_condition * (centred + floor) or dmass > max_condition * (
                    sd + floor
                )
            if resum:
                shift, s1, s2, sd = _exact_sums(rrs[front:], diffs[front + 1 :], n, nd)
                mass = s2
                dmass = sd
                count = 0
            if hr_out is not None:
                mean_rr = shift + s1 / n if n >= min_n else 0.0
                hr_out.append(60000.0 / mean_rr if mean_rr > 0.0 else None)
        if front >= _TRIM_AT:
            del times[:front], rrs[:front], diffs[:front]
            front = 0
        self._front = front
        self._end_s = updates[-1][0]
        self._last_rr = last_rr
        self._shift = shift
        self._n = n
        self._nd = nd
        self._s1 = s1
        self._s2 = s2
        self._sd = sd
        self._mass = mass
        self._dmass = dmass
        self._updates = count


def _exact_sums(
    rrs: list[float], diffs: list[float], n: int, nd: int
) -> tuple[float, float, float, float]:
    """Sums of a window recomputed exactly, and the shift re-centred on its mean RR.

    Parameters
    ----------
    rrs : RR of the window's beats, nan for excluded beats; ``n`` are not nan.
    diffs : squared differences of the window's beats but the front, nan where none;
        ``nd`` are not nan.

    Returns
    -------
    shift, s1, s2, sd : as :class:`RollingWindow` keeps them.
    """
    if n != len(rrs):
        rrs = [rr for rr in rrs if rr == rr]
    if nd != len(diffs):
        diffs = [d for d in diffs if d == d]
    shift = math.fsum(rrs) / n if n else 0.0
    dev = [rr - shift for rr in rrs]
    return shift, math.fsum(dev), math.fsum([x * x for x in dev]), math.fsum(diffs)
