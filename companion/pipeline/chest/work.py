"""The costly part of a chest strap's minute, for a worker: the ECG and the breathing.

:func:`chest_work` is what :class:`~companion.pipeline.chest.minutes.ChestStage` hands its executor
as each minute closes (positional arguments, importing only :mod:`signals`, so a worker
process loads nothing else of ours):

- the ECG of the breathing window goes through NeuroKit2 once
  (:func:`ecg_beats_or_none`, :func:`signals.ecg.beats.ecg_beats`, imported lazily there):
  its R-peaks confirm the strap's beats of the minute and tell ectopic beats by their
  shape (:class:`EcgCheck`), and their amplitudes give the ECG-derived respiration;
- the breathing of the window from its three sources, fused (:func:`chest_respiration`).

``holdspace analyze`` calls :func:`chest_respiration` for each epoch of a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.breathing.fusion import FusedBreathing, fuse_breathing
from signals.breathing.respiration import BreathingEstimate, breathing_estimate
from signals.ecg.beats import EcgBeats, ecg_beats
from signals.ecg.edr import ecg_breathing
from signals.ecg.matching import match_beats
from signals.epochs.types import EPOCH_S
from signals.motion.chest_breathing import chest_breathing

__all__ = [
    "MIN_ECG_S",
    "ChestWork",
    "EcgCheck",
    "chest_respiration",
    "chest_work",
    "ecg_beats_or_none",
    "ecg_check",
]

FloatArray = npt.NDArray[np.float64]

MIN_ECG_S: Final = 20.0
"""Shortest stretch of ECG, in seconds, cut into R-peaks."""


@dataclass(frozen=True, slots=True)
class EcgCheck:
    """What the ECG says about one minute's beats.

    Attributes
    ----------
    r_peaks : R-peaks NeuroKit2 found in the minute.
    ectopic : of them, beats whose QRS shape differs from the minute's median beat.
    ventricular : of them, premature, wide and differently shaped beats (likely PVCs).
    confirmed : share of the strap's beats of the minute with an R-peak within 150 ms
        (ANSI/AAMI EC57's window: :func:`signals.ecg.matching.match_beats`) once the two
        clocks are lined up (``clock_offset_ms``), 0..1; None when the strap's beats of the
        minute were not checked (a poor minute).
    rr_difference_ms : median |strap RR − ECG RR| of the paired beats, in ms (None without).
    quality : the ECG stretch's quality, 0..1 (:class:`signals.ecg.beats.EcgBeats`).
    clock_offset_ms : strap beat time − R-peak time, the median over the minute's beats, in
        ms (None when not checked). The ECG's samples and the strap's beats are placed on
        the host clock each their own way (:mod:`sensors.pmd.stream`, :mod:`sensors.beats`);
        what is left between them is removed before pairing, and shown.
    """

    r_peaks: int
    ectopic: int
    ventricular: int
    confirmed: float | None
    rr_difference_ms: float | None
    quality: float
    clock_offset_ms: float | None = None


@dataclass(frozen=True, slots=True)
class ChestWork:
    """A minute's breathing (fused from its sources) and its ECG check (None without ECG)."""

    breathing: FusedBreathing
    ecg: EcgCheck | None


def ecg_beats_or_none(ecg_uv: FloatArray, rate_hz: float, t0_s: float) -> EcgBeats | None:
    """The R-peaks of an ECG stretch (µV at ``rate_hz`` from ``t0_s``); None for less than
    :data:`MIN_ECG_S` of it or when it cannot be read (a ``ValueError``)."""
    if rate_hz <= 0 or ecg_uv.size < MIN_ECG_S * rate_hz:
        return None
    try:
        return ecg_beats(ecg_uv, rate_hz, t0_s)
    except ValueError:
        return None


def ecg_check(beats: EcgBeats, strap_t_s: list[float], start_s: float, end_s: float) -> EcgCheck:
    """The ECG's view of the strap's beats ``strap_t_s`` of ``[start_s, end_s)``."""
    inside = (beats.r_times_s >= start_s) & (beats.r_times_s < end_s)
    strap = np.asarray([t for t in strap_t_s if start_s <= t < end_s], dtype=np.float64)
    offset_s = _clock_offset_s(beats.r_times_s, strap)
    agreement = match_beats(beats.r_times_s[inside] + (offset_s or 0.0), strap)
    return EcgCheck(
        r_peaks=int(inside.sum()),
        ectopic=int(beats.ectopic[inside].sum()),
        ventricular=int(beats.ventricular[inside].sum()),
        confirmed=agreement.ppv if strap.size else None,
        rr_difference_ms=agreement.median_abs_delta_rr_ms,
        quality=float(beats.quality),
        clock_offset_ms=None if offset_s is None else 1000.0 * offset_s,
    )


def _clock_offset_s(r_times_s: FloatArray, strap_t_s: FloatArray) -> float | None:
    """Median of (each strap beat − its nearest R-peak), in s: the offset between the two
    clocks, when it is under half a beat (None without beats on either side)."""
    if r_times_s.size == 0 or strap_t_s.size == 0:
        return None
    right = np.clip(np.searchsorted(r_times_s, strap_t_s), 0, r_times_s.size - 1)
    left = np.clip(right - 1, 0, r_times_s.size - 1)
    to_left, to_right = strap_t_s - r_times_s[left], strap_t_s - r_times_s[right]
    nearest = np.where(np.abs(to_left) <= np.abs(to_right), to_left, to_right)
    return float(np.median(nearest))


def chest_respiration(
    rsa: BreathingEstimate | None,
    acc_t_s: FloatArray,
    acc_xyz_mg: FloatArray,
    beats: EcgBeats | None,
    start_s: float,
    end_s: float,
) -> FusedBreathing:
    """Breathing of the window ``[start_s, end_s)`` from its three sources, fused.

    - ``rsa``: the heart rhythm's estimate, as every strap gives it
      (:func:`~signals.breathing.respiration.breathing_estimate`);
    - ``ecg``: ECG-derived respiration (:func:`~signals.ecg.edr.ecg_breathing`) of the
      R-peaks ``beats`` (None without ECG);
    - ``chest``: the accelerometer's breathing movement
      (:func:`~signals.motion.chest_breathing.chest_breathing` of ``acc_xyz_mg``, mg, at
      ``acc_t_s``); None without samples.

    Fused by :func:`~signals.breathing.fusion.fuse_breathing` (which says which it used).
    A source that cannot be estimated (a ``ValueError``) is absent.
    """
    ecg: BreathingEstimate | None = None
    chest: BreathingEstimate | None = None
    if beats is not None:
        try:
            ecg = ecg_breathing(beats, start_s, end_s)
        except ValueError:
            ecg = None
    if acc_t_s.size:
        try:
            chest = chest_breathing(acc_t_s, acc_xyz_mg, start_s, end_s)
        except ValueError:
            chest = None
    return fuse_breathing(rsa, ecg, chest)


def chest_work(
    time_s: list[float],
    rr_ms: list[float],
    gaps: list[bool],
    acc_t_s: FloatArray,
    acc_xyz_mg: FloatArray,
    ecg_uv: FloatArray,
    ecg_rate_hz: float,
    ecg_t0_s: float,
    start_s: float,
    end_s: float,
) -> ChestWork:
    """A live minute ending at ``end_s`` (positional, for a worker), over the breathing
    window ``[start_s, end_s)``: the beats ``time_s``, ``rr_ms``, ``gaps`` (for the heart
    rhythm's estimate; none: no estimate), the accelerometer and the ECG of the window."""
    rsa: BreathingEstimate | None = None
    if time_s:
        try:
            rsa = breathing_estimate(time_s, rr_ms, gaps)
        except ValueError:
            rsa = None
    beats = ecg_beats_or_none(ecg_uv, ecg_rate_hz, ecg_t0_s)
    breathing = chest_respiration(rsa, acc_t_s, acc_xyz_mg, beats, start_s, end_s)
    check = None if beats is None else ecg_check(beats, time_s, end_s - EPOCH_S, end_s)
    return ChestWork(breathing, check)
