"""One minute's epoch as a record: its markers, its quality, and how quality is judged.

:class:`Epoch` is what :class:`~signals.epochs.batch.EpochBuilder` closes each minute; the
definitions of its fields are in :mod:`signals.epochs.batch`. :func:`judge_quality` is shared
with epochs of other lengths (a whole recording's analysis).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "EPOCH_S",
    "GRACE_S",
    "LONG_WINDOW_S",
    "MAX_ARTIFACT_FRACTION",
    "MIN_COVERAGE",
    "MIN_DIFFS",
    "Epoch",
    "Quality",
    "judge_quality",
]

Quality = Literal["good", "poor", "no_signal"]

EPOCH_S: Final = 60.0
"""Length of an epoch, in seconds (one clock minute)."""
LONG_WINDOW_S: Final = 300.0
"""Window of the 5-min RMSSD, in seconds."""
MIN_COVERAGE: Final = 0.8
"""Below this share of the minute covered by beats, the minute is poor."""
MAX_ARTIFACT_FRACTION: Final = 0.10
"""Above this share of artifact beats, the minute is poor.

One ectopic beat already flags two intervals (2-3 % of a minute); artifact
beats are excluded, never interpolated, and differences never reach across
them, so RMSSD stays unbiased while at least ~80 % of its differences remain.
Ten percent (6-10 beats) no longer looks like the odd ectopic beat but like a
strap slipping or moving (Lipponen & Tarvainen 2019; Kubios recommends at most
5 % *corrected* beats for spectral analysis, which we do not do per minute).
"""
GRACE_S: Final = 6.0
"""A minute closes this long after its end when no beat closes it first, in seconds.

The beat clock keeps beats within 5 s of their packet's arrival (it re-anchors
beyond), so no beat of a minute can arrive later than this."""
MIN_DIFFS: Final = 20
"""Fewest successive differences in the 60-s window for a good minute."""


@dataclass(frozen=True, slots=True)
class Epoch:
    """Markers and quality of one clock minute (definitions in :mod:`signals.epochs.batch`).

    Attributes
    ----------
    start_s : start of the minute, in seconds since the Unix epoch (a multiple of 60).
    n_beats : beats whose time falls in the minute (artifacts included).
    coverage : share of the minute covered by RR intervals, 0..1.
    artifact_fraction : share of the minute's beats flagged as artifacts, 0..1.
    hr_bpm : mean heart rate over the last 60 s (60000 / mean RR), in beats per minute.
    rmssd_ms, ln_rmssd : RMSSD over the last 60 s, in milliseconds, and its natural log.
    rmssd_5min_ms, ln_rmssd_5min : the same over the last 300 s.
    hr_rise_bpm_30s : largest rise of the 10-s heart rate within 30 s, in beats per minute.
    n_diffs : successive differences in the 60-s window.
    quality : ``"good"``, ``"poor"`` or ``"no_signal"``.
    quality_reason : why the minute is not good, in plain words ("" when good).
    """

    start_s: float
    n_beats: int
    coverage: float
    artifact_fraction: float
    hr_bpm: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None
    rmssd_5min_ms: float | None
    ln_rmssd_5min: float | None
    hr_rise_bpm_30s: float | None
    n_diffs: int
    quality: Quality
    quality_reason: str

    @property
    def end_s(self) -> float:
        """End of the minute, in seconds since the Unix epoch."""
        return self.start_s + EPOCH_S

    @property
    def is_good(self) -> bool:
        return self.quality == "good"


def judge_quality(
    n_beats: int,
    coverage: float,
    artifact_fraction: float,
    n_diffs: int,
    cause: str = "",
    *,
    epoch_s: float = EPOCH_S,
) -> tuple[Quality, str]:
    """Quality and reason of an epoch (a minute unless ``epoch_s`` says otherwise).

    ``cause`` names a known loss of signal in the epoch, or is "". The fewest
    clean differences scale with the epoch: :data:`MIN_DIFFS` per minute.
    """
    span = "the minute" if epoch_s == EPOCH_S else "the epoch"
    if n_beats == 0:
        return "no_signal", f"no beats: {cause or 'nothing received from the strap'}"
    if coverage < MIN_COVERAGE:
        lost = f"{cause}; " if cause else ""
        return "poor", f"{lost}beats covered only {coverage:.0%} of {span}"
    if artifact_fraction > MAX_ARTIFACT_FRACTION:
        limit = f"{MAX_ARTIFACT_FRACTION:.0%}"
        return "poor", f"{artifact_fraction:.0%} of beats were artifacts (over {limit})"
    if n_diffs < math.ceil(MIN_DIFFS * epoch_s / EPOCH_S):
        return "poor", f"too few clean beat-to-beat differences ({n_diffs}) in {span}"
    return "good", ""
