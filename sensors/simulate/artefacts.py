"""Ectopic beats and missed beats, placed where the strap will report them.

* An **ectopic (premature) beat** arrives after ``f * RR`` with ``f`` in
  0.6..0.7 and is followed by a full compensatory pause: the next interval
  grows by what the premature one lost (about 1.3-1.4 RR), so the beat after it
  keeps its time. The heart did beat: the beat count is unchanged.
* A **missed beat** is a beat the strap failed to detect: two RR intervals merge
  into one of about twice the length, and one beat disappears from the series.

Both are placed only where the beats will reach the host (away from scripted
disconnects and contact losses), at least :data:`MIN_SPACING_BEATS` apart, so
the counts in the ground truth are exactly what a reader of the recording can find.

References
----------
Lipponen JA, Tarvainen MP. A robust algorithm for heart rate variability time
series artefact correction using novel beat classification. J Med Eng Technol
2019;43:173-181 (the ectopic and missed-beat patterns it classifies).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.simulate.noise import FloatArray

__all__ = ["MIN_SPACING_BEATS", "ArtefactedBeats", "add_artefacts"]

MIN_SPACING_BEATS: Final = 5
"""Artefacts are at least this many beats apart, and this far from either end."""

WINDOW_MARGIN_S: Final = 10.0
"""Artefacts keep this many seconds from any disconnect or contact-loss window."""

PREMATURE_FRACTION: Final = (0.6, 0.7)
"""Range of the premature interval as a fraction of the normal RR."""


@dataclass(frozen=True, slots=True, eq=False)
class ArtefactedBeats:
    """Beats as the strap detects them.

    Attributes
    ----------
    beat_s : detected beat times, seconds after the recording start.
    rr_s : RR interval ending at each detected beat, in seconds.
    true_beats : how many beats the heart made (missed ones included).
    ectopic_s : times of the premature beats, seconds after the recording start.
    missed_s : times of the beats the strap missed, seconds after the recording start.
    """

    beat_s: FloatArray
    rr_s: FloatArray
    true_beats: int
    ectopic_s: FloatArray
    missed_s: FloatArray


def _allowed(beat_s: FloatArray, windows: tuple[tuple[int, int], ...]) -> npt.NDArray[np.bool_]:
    ok = np.ones(len(beat_s), dtype=bool)
    ok[:MIN_SPACING_BEATS] = False
    ok[len(ok) - MIN_SPACING_BEATS :] = False
    for start_s, end_s in windows:
        ok &= (beat_s < start_s - WINDOW_MARGIN_S) | (beat_s > end_s + WINDOW_MARGIN_S)
    return ok


def _spaced(candidates: npt.NDArray[np.intp], taken: list[int]) -> list[int]:
    chosen: list[int] = []
    for index in candidates.tolist():
        if all(abs(index - other) >= MIN_SPACING_BEATS for other in taken + chosen[-1:]):
            chosen.append(index)
    return chosen


def add_artefacts(
    beat_s: FloatArray,
    rr_s: FloatArray,
    rng: np.random.Generator,
    *,
    ectopic_per_beat: float,
    missed_per_beat: float,
    avoid: tuple[tuple[int, int], ...] = (),
) -> ArtefactedBeats:
    """Insert ectopic beats and drop missed beats.

    Parameters
    ----------
    beat_s, rr_s : true beat times and RR intervals, in seconds.
    rng : the only source of randomness.
    ectopic_per_beat, missed_per_beat : per-beat probabilities.
    avoid : ``(start_s, end_s)`` windows where beats do not reach the host.
    """
    beat_s = beat_s.copy()
    rr_s = rr_s.copy()
    ok = _allowed(beat_s, avoid)
    draws = rng.random((2, len(beat_s)))
    fractions = rng.uniform(*PREMATURE_FRACTION, size=len(beat_s))
    # The beat after a premature one must also stay clear of the windows.
    ectopic_ok = ok & np.roll(ok, -1)
    ectopic = _spaced(np.flatnonzero(ectopic_ok & (draws[0] < ectopic_per_beat)), [])
    for i in ectopic:
        shift_s = (1.0 - fractions[i]) * rr_s[i]
        rr_s[i] -= shift_s
        rr_s[i + 1] += shift_s
        beat_s[i] -= shift_s
    missed = _spaced(np.flatnonzero(ok & (draws[1] < missed_per_beat)), ectopic)
    missed_idx = np.asarray(missed, dtype=np.intp)
    rr_s[missed_idx + 1] += rr_s[missed_idx]
    return ArtefactedBeats(
        beat_s=np.delete(beat_s, missed_idx),
        rr_s=np.delete(rr_s, missed_idx),
        true_beats=len(beat_s),
        ectopic_s=beat_s[np.asarray(ectopic, dtype=np.intp)],
        missed_s=beat_s[missed_idx],
    )
