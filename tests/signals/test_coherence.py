"""Paced breathing numerics: the pacer's curve, the swing per breath, the coherence ratio."""

from __future__ import annotations

import math
import subprocess
import sys
from collections.abc import Callable

import numpy as np
import pytest

from signals.breathing.coherence import breath_swings, coherence, heart_rate_bpm
from signals.breathing.pacer import PATTERNS, BreathPattern, pacer_at, pattern_named, with_rate
from tests.support.paths import ROOT


def synthetic_beats(
    hr_bpm: Callable[[float], float], duration_s: float, start_s: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """Beat times (s) and RR (ms) of a heart whose rate follows ``hr_bpm(t)``."""
    t, times, rr = start_s, [], []
    while t < start_s + duration_s:
        interval_ms = 60000.0 / hr_bpm(t)
        t += interval_ms / 1000.0
        times.append(t)
        rr.append(interval_ms)
    return np.array(times), np.array(rr)


def sine_hr(mean_bpm: float, amplitude_bpm: float, rate_per_min: float) -> Callable[[float], float]:
    return lambda t: mean_bpm + amplitude_bpm * math.sin(2 * math.pi * rate_per_min / 60.0 * t)


# -- patterns -------------------------------------------------------------------


def test_default_patterns_and_rates() -> None:
    paced = BreathPattern.paced()
    assert (paced.inhale_s, paced.hold_in_s, paced.exhale_s, paced.hold_out_s) == (5, 0, 5, 0)
    assert paced.cycle_s == 10.0 and paced.rate_per_min == 6.0
    box = BreathPattern.box()
    assert box.cycle_s == 16.0 and box.rate_per_min == pytest.approx(3.75)
    ext = BreathPattern.extended_exhale()
    assert (ext.inhale_s, ext.exhale_s, ext.rate_per_min) == (4.0, 6.0, 6.0)
    assert [pattern_named(name).name for name in PATTERNS] == list(PATTERNS)
    uneven = BreathPattern.paced(5.0, inhale_share=0.4)
    assert (uneven.inhale_s, uneven.exhale_s) == pytest.approx((4.8, 7.2))


def test_with_rate_scales_every_stage() -> None:
    faster = with_rate(BreathPattern.box(), 7.5)
    assert faster.name == "box"
    assert (faster.inhale_s, faster.hold_in_s, faster.exhale_s, faster.hold_out_s) == (
        pytest.approx((2.0, 2.0, 2.0, 2.0))
    )
    slower = with_rate(BreathPattern.extended_exhale(), 5.0)
    assert slower.rate_per_min == pytest.approx(5.0)
    assert slower.exhale_s / slower.inhale_s == pytest.approx(1.5)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: BreathPattern.paced(2.5), "2.5"),
        (lambda: BreathPattern.paced(12.5), "12.5"),
        (lambda: BreathPattern.paced(6.0, inhale_share=0.9), "0.9"),
        (lambda: BreathPattern.paced(6.0, inhale_share=0.1), "0.1"),
        (lambda: with_rate(BreathPattern.paced(), 13.0), "13.0"),
        (lambda: BreathPattern.box(side_s=7.0), "2.14"),
        (lambda: BreathPattern("x", -1.0, 0.0, 5.0, 0.0), "-1.0"),
        (lambda: pattern_named("square"), "square"),
    ],
)
def test_bad_values_are_named_in_the_error(make: Callable[[], object], named: str) -> None:
    with pytest.raises(ValueError, match=named.replace(".", r"\.")):
        make()


# -- pacer ----------------------------------------------------------------------


def test_pacer_paced_six_per_minute() -> None:
    p = BreathPattern.paced()
    start = pacer_at(p, 0.0)
    assert (start.stage, start.fill, start.breath_index, start.remaining_in_stage_s) == (
        "inhale",
        0.0,
        0,
        5.0,
    )
    mid_in = pacer_at(p, 2.5)
    assert mid_in.stage == "inhale" and mid_in.fill == pytest.approx(0.5)
    assert mid_in.stage_fraction == pytest.approx(0.5)
    full = pacer_at(p, 5.0)
    assert full.stage == "exhale" and full.fill == pytest.approx(1.0)
    late_out = pacer_at(p, 8.75)
    assert late_out.stage == "exhale"
    assert late_out.fill == pytest.approx((1 + math.cos(math.pi * 0.75)) / 2)
    assert late_out.remaining_in_stage_s == pytest.approx(1.25)
    later = pacer_at(p, 61.0)
    assert later.breath_index == 6 and later.stage == "inhale"
    assert pacer_at(p, 60.0).breath_index == 6
    assert pacer_at(p, -3.0) == start


def test_pacer_fill_is_smooth_and_monotonic_within_stages() -> None:
    p = BreathPattern.extended_exhale()
    fills = [pacer_at(p, t).fill for t in np.arange(0.0, 10.0, 0.05)]
    rising, falling = np.diff(fills[:80]), np.diff(fills[80:])
    assert np.all(rising >= 0) and np.all(falling <= 0)
    assert max(abs(np.diff(fills))) < 0.02  # no jumps at 20 frames/s


def test_pacer_box_visits_all_four_stages() -> None:
    box = BreathPattern.box()
    expect = [(1.0, "inhale", None), (5.0, "hold", 1.0), (9.0, "exhale", None), (13.0, "rest", 0.0)]
    for t, stage, fill in expect:
        state = pacer_at(box, t)
        assert state.stage == stage
        assert state.stage_fraction == pytest.approx(0.25)
        assert state.remaining_in_stage_s == pytest.approx(3.0)
        if fill is not None:
            assert state.fill == fill
    assert pacer_at(box, 16.0).breath_index == 1


def test_pacer_extended_exhale_stage_lengths() -> None:
    p = BreathPattern.extended_exhale()
    assert pacer_at(p, 3.9).stage == "inhale"
    assert pacer_at(p, 4.1).stage == "exhale"
    assert pacer_at(p, 9.9).stage == "exhale"
    assert pacer_at(p, 10.1).breath_index == 1


# -- swing per breath -----------------------------------------------------------


def test_swings_of_a_six_per_minute_heart_wave() -> None:
    amplitude = 5.0  # beats/min: the swing (peak to valley) is twice this
    t, rr = synthetic_beats(sine_hr(65.0, amplitude, 6.0), 62.0, start_s=100.0)
    swings = breath_swings(t, heart_rate_bpm(rr), BreathPattern.paced(), start_s=100.0)
    assert [s.breath_index for s in swings] == [0, 1, 2, 3, 4, 5]
    assert [s.start_s for s in swings] == pytest.approx([100.0 + 10 * k for k in range(6)])
    for s in swings:
        # Beats ~0.9 s apart sample the 10-s wave; the extremes are missed by < 5 %.
        assert 0.95 * 2 * amplitude <= s.swing_bpm <= 2 * amplitude + 1e-9
        assert 9 <= s.n_beats <= 12


def test_swings_only_for_completed_breaths_with_enough_beats() -> None:
    t, rr = synthetic_beats(sine_hr(60.0, 3.0, 6.0), 35.0)
    hr = heart_rate_bpm(rr)
    assert len(breath_swings(t, hr, BreathPattern.paced(), 0.0)) == 3
    assert len(breath_swings(t, hr, BreathPattern.paced(), 0.0, end_s=20.0)) == 2
    gap = (t < 10.0) | (t > 19.0)  # the second breath keeps one beat or none
    kept = breath_swings(t[gap], hr[gap], BreathPattern.paced(), 0.0)
    assert [s.breath_index for s in kept] == [0, 2]
    assert breath_swings([], [], BreathPattern.paced(), 0.0) == []


# -- coherence ------------------------------------------------------------------


def test_coherence_is_high_for_a_regular_tenth_hertz_rhythm() -> None:
    t, rr = synthetic_beats(sine_hr(65.0, 5.0, 6.0), 90.0)
    reading = coherence(t, rr)
    assert reading is not None
    assert reading.peak_hz == pytest.approx(0.1, abs=0.004)
    # A pure line keeps ~92 % of its power within ±0.015 Hz under a 64-s Hann
    # window (ratio ~12); RR from a sine HR adds small harmonics.
    assert reading.score > 80.0
    assert reading.ratio > 4.0
    assert reading.score == pytest.approx(100 * reading.ratio / (1 + reading.ratio))
    assert reading.peak_ms2 < reading.total_ms2


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_coherence_is_low_for_white_noise(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rr = 800.0 + 40.0 * rng.standard_normal(120)
    t = np.cumsum(rr) / 1000.0
    reading = coherence(t, rr)
    assert reading is not None
    # A flat spectrum puts ~0.03 / 0.4 ≈ 8 % of its power in any ±0.015 Hz
    # window; picking the highest peak roughly doubles or triples that.
    assert reading.score < 40.0
    assert reading.ratio < 0.7


def test_coherence_needs_64_seconds_and_some_variability() -> None:
    t, rr = synthetic_beats(sine_hr(65.0, 5.0, 6.0), 60.0)
    assert coherence(t, rr) is None
    flat_rr = np.full(100, 800.0)
    assert coherence(np.cumsum(flat_rr) / 1000.0, flat_rr) is None
    with pytest.raises(ValueError, match="differ in length"):
        coherence([1.0, 2.0], [800.0])


def test_the_pacer_loads_without_scipy() -> None:
    probe = (
        "import sys, signals.breathing.coherence, signals.breathing.pacer; "
        "print('scipy' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"  # nothing on the breathing path needs SciPy
