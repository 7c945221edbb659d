"""One-minute epochs of the live beat stream: markers and signal quality per clock minute.

:class:`EpochBuilder` is fed beats and "contact lost" notices as they come and
closes one :class:`Epoch` per whole minute of epoch time (``start_s`` a
multiple of 60). A minute closes at the first beat after it, or once any
event shows that :data:`GRACE_S` have passed since its end (beats may arrive a
few seconds after their time). Minutes without beats still yield an epoch, of
quality ``"no_signal"``, once the builder learns that time has passed.

Definitions
-----------
- A beat belongs to the minute ``[start_s, start_s + 60)`` that holds its time.
- ``coverage``: the share of the minute covered by the RR intervals of the
  stream, each interval spanning ``[time_s - rr_ms / 1000, time_s]`` (artifacts
  included: the strap was delivering beats).
- ``artifact_fraction``: artifact beats / beats of the minute.
- ``hr_bpm``, ``rmssd_ms``, ``ln_rmssd``: the markers (as :mod:`signals.markers.rolling`
  defines them) of the 60 s ending at the minute's end; ``rmssd_5min_ms`` and
  ``ln_rmssd_5min`` of the 300 s ending there. They are summed exactly
  (:func:`math.fsum`) when the minute closes, as a
  :class:`~signals.markers.rolling.RollingWindow` right after re-summing its window.
- ``hr_rise_bpm_30s``: the largest rise, over the beats of the minute, of the
  10-s mean heart rate above its lowest value in the preceding 30 s (within one
  gap-free stretch). Movement and posture changes raise heart rate within
  seconds; psychological load does so over minutes.
- ``quality``: ``"no_signal"`` without beats; ``"poor"`` when coverage is below
  :data:`MIN_COVERAGE`, the artifact share above :data:`MAX_ARTIFACT_FRACTION`
  or the 60-s window holds fewer than :data:`MIN_DIFFS` successive differences;
  ``"good"`` otherwise. ``quality_reason`` says why in plain words.

References
----------
Shaffer F, Ginsberg JP. An overview of heart rate variability metrics and norms.
Front Public Health 2017;5:258 (ultra-short-term RMSSD over 60 s). Munoz ML et al.
Validity of (ultra-)short recordings for heart rate variability measurements.
PLoS One 2015;10:e0138921 (RMSSD from 10 s to 60 s agrees with 5 min).
"""

from __future__ import annotations

from collections.abc import Sequence

from signals.epochs.builder import EpochBuilder
from signals.epochs.types import (
    EPOCH_S,
    GRACE_S,
    LONG_WINDOW_S,
    MAX_ARTIFACT_FRACTION,
    MIN_COVERAGE,
    MIN_DIFFS,
    Epoch,
    Quality,
    judge_quality,
)

__all__ = [
    "EPOCH_S",
    "GRACE_S",
    "LONG_WINDOW_S",
    "MAX_ARTIFACT_FRACTION",
    "MIN_COVERAGE",
    "MIN_DIFFS",
    "Epoch",
    "EpochBuilder",
    "Quality",
    "epochs_from_beats",
    "judge_quality",
]


def epochs_from_beats(
    time_s: Sequence[float],
    rr_ms: Sequence[float],
    gap_before: Sequence[bool],
    artifact: Sequence[bool] | None = None,
    *,
    no_signal_s: Sequence[float] = (),
    disconnected_s: Sequence[float] = (),
    end_s: float | None = None,
) -> list[Epoch]:
    """Epochs of a whole recording: the incremental builder run over arrays.

    Parameters
    ----------
    time_s, rr_ms, gap_before, artifact : the beats, oldest first (seconds,
        milliseconds, flags); ``artifact`` defaults to none.
    no_signal_s : times of "contact lost" notices, in seconds.
    disconnected_s : times the link dropped, in seconds.
    end_s : the recording's end; minutes up to it are closed (default: the
        minute of the last beat is left open and not returned).
    """
    builder = EpochBuilder()
    flags = artifact if artifact is not None else [False] * len(time_s)
    notices = sorted([(t, False) for t in no_signal_s] + [(t, True) for t in disconnected_s])
    k = 0
    out: list[Epoch] = []
    for t, rr, gap, art in zip(time_s, rr_ms, gap_before, flags, strict=True):
        while k < len(notices) and notices[k][0] <= t:
            out += builder.mark_no_signal(notices[k][0], disconnected=notices[k][1])
            k += 1
        out += builder.push(t, rr, gap, art)
    for notice_s, dropped in notices[k:]:
        out += builder.mark_no_signal(notice_s, disconnected=dropped)
    if end_s is not None:
        out += builder.advance_to(end_s)
    return out
