"""The ECG: R peaks through NeuroKit2, ectopic beats by shape, EDR, and matching strap beats.

Synthetic ECGs built here (Gaussian P-QRS-T waves, breathing-modulated QRS, premature
ventricular beats with a wide QRS) at the H10's 130 Hz (:mod:`signals.ecg`).
"""

from __future__ import annotations

import numpy as np
import pytest

from signals.ecg.beats import ecg_beats
from signals.ecg.edr import ecg_breathing
from signals.ecg.matching import match_beats
from signals.ecg.shape import premature_beats
from tests.support.chest_signals import synthetic_ecg

RATE_HZ = 130.0
T0_S = 1_760_000_000.0


@pytest.mark.parametrize("pvc_every", [None, 2, 3])
def test_every_r_peak_is_found_on_the_callers_clock(pvc_every: int | None) -> None:
    s = synthetic_ecg(120.0, RATE_HZ, seed=21, pvc_every=pvc_every)
    b = ecg_beats(s.ecg_uv, RATE_HZ, T0_S)
    m = match_beats(T0_S + s.r_times_s, b.r_times_s, tolerance_s=0.02)
    assert m.sensitivity == 1.0 and m.ppv == 1.0
    assert b.r_times_s.shape == b.r_amplitude_uv.shape == b.ectopic.shape == b.ventricular.shape
    assert b.quality > 0.9
    assert b.start_s == T0_S and b.end_s == pytest.approx(T0_S + 120.0)


@pytest.mark.parametrize("pvc_every", [2, 3, 7])
def test_premature_wide_beats_are_ventricular_and_no_sinus_beat_is_flagged(pvc_every: int) -> None:
    s = synthetic_ecg(120.0, RATE_HZ, seed=22, pvc_every=pvc_every)
    b = ecg_beats(s.ecg_uv, RATE_HZ, 0.0)
    m = match_beats(s.r_times_s, b.r_times_s, tolerance_s=0.02)
    truth = s.pvc[m.ecg_index]
    assert not b.ectopic[m.strap_index][~truth].any()  # no sinus beat flagged
    assert b.ectopic[m.strap_index][truth].all()  # every PVC differs in shape
    assert b.ventricular[m.strap_index][truth].all()  # premature, wide and different
    assert (b.qrs_width_ms[b.ventricular] > b.qrs_width_ms[~b.ectopic].max()).all()


def test_without_ectopy_nothing_is_flagged() -> None:
    b = ecg_beats(synthetic_ecg(120.0, RATE_HZ, seed=23).ecg_uv, RATE_HZ, 0.0)
    assert not b.ectopic.any() and not b.ventricular.any()
    assert b.correlation.min() > 0.95


@pytest.mark.parametrize(
    ("heart_bpm", "breaths_per_min"), [(60.0, 6.0), (66.0, 12.0), (75.0, 15.0), (80.0, 20.0)]
)
@pytest.mark.parametrize("pvc_every", [None, 3])
def test_ecg_derived_breathing_within_half_a_breath_per_minute(
    heart_bpm: float, breaths_per_min: float, pvc_every: int | None
) -> None:
    s = synthetic_ecg(
        180.0,
        RATE_HZ,
        seed=24,
        heart_bpm=heart_bpm,
        breaths_per_min=breaths_per_min,
        pvc_every=pvc_every,
    )
    b = ecg_beats(s.ecg_uv, RATE_HZ, T0_S)
    for start in (T0_S, T0_S + 60.0, T0_S + 120.0):
        e = ecg_breathing(b, start, start + 60.0)
        assert e.rate_per_min == pytest.approx(breaths_per_min, abs=0.5)
        assert e.quality > 0.5


def test_ecg_breathing_outside_the_beats_has_no_rate() -> None:
    b = ecg_beats(synthetic_ecg(60.0, RATE_HZ, seed=25).ecg_uv, RATE_HZ, 0.0)
    assert ecg_breathing(b, 600.0, 660.0).rate_per_min is None
    assert ecg_breathing(b, 30.0, 90.0).rate_per_min is None  # half the window has no beats


def test_too_short_flat_or_broken_ecg_gives_no_beats() -> None:
    for x in (np.zeros(1000), np.ones(100), np.full(1000, np.nan)):
        b = ecg_beats(x, RATE_HZ, 5.0)
        assert b.r_times_s.size == 0 and b.quality == 0.0
    assert ecg_breathing(ecg_beats(np.zeros(1000), RATE_HZ, 0.0), 0.0, 60.0).rate_per_min is None


def test_premature_beats_in_bigeminy() -> None:
    rr = np.array([0.8, 0.45, 1.15] * 3 + [0.8, 0.8])
    times = np.concatenate([[0.0], np.cumsum(rr)])
    flags = premature_beats(times)
    assert flags.tolist() == [False] + [rr_ < 0.6 for rr_ in rr.tolist()]


def test_match_beats_pairs_one_to_one_within_the_tolerance() -> None:
    ecg = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    strap = np.array([1.01, 2.02, 2.05, 4.0, 5.3, 6.01, 7.0])  # 2.05 extra, 3 missed, 5.3 too far
    m = match_beats(ecg, strap, tolerance_s=0.1)
    assert m.ecg_index.tolist() == [0, 1, 3, 5]
    assert m.strap_index.tolist() == [0, 1, 3, 5]
    assert m.sensitivity == pytest.approx(4 / 6) and m.ppv == pytest.approx(4 / 7)
    assert m.median_offset_ms == pytest.approx(10.0)
    assert m.delta_rr_ms.tolist() == pytest.approx(
        [10.0]
    )  # only 1.01→2.02 against 1→2 is consecutive
    assert m.median_abs_delta_rr_ms == pytest.approx(10.0)


def test_match_beats_gives_the_nearest_strap_beat_the_peak() -> None:
    m = match_beats([1.0], [0.95, 1.02], tolerance_s=0.1)
    assert m.strap_index.tolist() == [1] and m.ecg_index.tolist() == [0]


def test_match_beats_on_nothing() -> None:
    m = match_beats([], [1.0, 2.0])
    assert m.sensitivity == 0.0 and m.ppv == 0.0 and m.median_offset_ms is None
    assert m.median_abs_delta_rr_ms is None


def test_neurokit2_is_imported_only_when_an_ecg_is_processed() -> None:
    import subprocess
    import sys

    code = (
        "import sys, signals.ecg.beats, signals.ecg.edr, signals.ecg.matching, "
        "signals.motion.activity, signals.motion.chest_breathing, signals.breathing.fusion; "
        "print('neurokit2' in sys.modules, 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
