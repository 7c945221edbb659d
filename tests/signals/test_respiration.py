"""Breathing rate from RSA: synthetic rhythms, gaps, per-minute tracking, and a respiration belt.

The belt tests read ``../shared/data/ecg-respiration`` (marked ``realdata``, skipped
when absent): R peaks from the 100 Hz ECG with NeuroKit2, the belt's rate with
``nk.rsp_process``; NeuroKit2 is imported inside those tests only.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest

from signals.breathing.respiration import (
    MINUTE_WINDOW_S,
    breathing_estimate,
    breathing_in_window,
    breathing_in_windows,
    breathing_rate,
    breathing_rate_per_minute,
)
from signals.hrv.frequency import frequency_domain
from signals.hrv.report import hrv_report
from tests.support.paths import SHARED_DATA

FloatArray = npt.NDArray[np.float64]
DATA = SHARED_DATA
realdata = pytest.mark.realdata  # skipped without ../shared/data; fails under CI=true


def beats(
    modulation_ms: Callable[[float], float],
    seconds: float,
    *,
    mean_ms: float = 850.0,
    noise_ms: float = 6.0,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """Beat times (s) and RR (ms): each RR is the modulation at the previous beat plus noise."""
    rng = np.random.default_rng(seed)
    times, rr = [0.0], []
    while times[-1] < seconds:
        value = mean_ms + modulation_ms(times[-1]) + rng.normal(0.0, noise_ms)
        rr.append(value)
        times.append(times[-1] + value / 1000.0)
    return np.asarray(times[1:]), np.asarray(rr)


def sine(freq_hz: float, amp_ms: float, phase: float = 0.0) -> Callable[[float], float]:
    return lambda t: amp_ms * math.sin(2.0 * math.pi * freq_hz * t + phase)


# --- synthetic -----------------------------------------------------------------------------------


def test_breathing_at_0_25_hz_gives_15_per_minute_and_an_hf_spectrum() -> None:
    t, rr = beats(sine(0.25, 40.0), 300.0)
    estimate = breathing_estimate(t, rr)
    assert estimate.rate_per_min == pytest.approx(15.0, abs=0.2)
    assert not estimate.slow
    assert estimate.quality > 0.8
    assert breathing_rate(t, rr) == estimate.rate_per_min
    fd = frequency_domain(t, rr)
    assert fd.hf_ms2 is not None and fd.lf_ms2 is not None
    assert fd.hf_ms2 > 20.0 * fd.lf_ms2


def test_paced_breathing_at_6_per_minute_is_detected() -> None:
    t, rr = beats(lambda s: sine(0.1, 60.0)(s) + sine(0.27, 10.0, 1.0)(s), 300.0)
    estimate = breathing_estimate(t, rr)
    assert estimate.slow
    assert estimate.rate_per_min == pytest.approx(6.0, abs=0.3)
    fd = frequency_domain(t, rr)
    assert fd.lf_nu is not None and fd.lf_nu > 80.0


def test_mayer_waves_do_not_pass_for_slow_breathing() -> None:
    # A 0.1 Hz blood-pressure rhythm 1.4 times the amplitude of the 0.25 Hz RSA: still
    # 15 breaths/min. (From 1.6 times on, a perfectly regular 0.1 Hz rhythm holds over 60 %
    # of the power and reads as slow breathing: the spectrum alone cannot tell it from
    # paced breathing. Real Mayer waves are irregular and broader, see the module notes.)
    t, rr = beats(lambda s: sine(0.1, 35.0)(s) + sine(0.25, 25.0)(s), 300.0, noise_ms=10.0)
    estimate = breathing_estimate(t, rr)
    assert not estimate.slow
    assert estimate.rate_per_min == pytest.approx(15.0, abs=0.5)


def test_breathing_across_a_gap_uses_the_stretches_on_either_side() -> None:
    t, rr = beats(sine(0.2, 40.0), 300.0)
    keep = (t < 120.0) | (t > 180.0)  # one minute lost
    gaps = np.zeros(int(keep.sum()), dtype=bool)
    gaps[np.flatnonzero(t[keep] > 180.0)[0]] = True
    assert breathing_rate(t[keep], rr[keep], gaps) == pytest.approx(12.0, abs=0.3)


def test_too_little_data_gives_no_rate() -> None:
    t, rr = beats(sine(0.25, 40.0), 40.0)
    estimate = breathing_estimate(t, rr)
    assert estimate.rate_per_min is None and estimate.quality == 0.0
    t5, rr5 = beats(sine(0.25, 40.0), 300.0)
    chopped = np.zeros(rr5.size, dtype=bool)
    chopped[::20] = True  # stretches of 20 beats (< 60 s) only
    assert breathing_rate(t5, rr5, chopped) is None
    assert breathing_rate_per_minute([], []) == ()


def test_per_minute_rate_follows_a_change_to_paced_breathing() -> None:
    def rhythm(s: float) -> float:
        return sine(0.25, 30.0)(s) if s < 300.0 else sine(0.1, 70.0)(s)

    t, rr = beats(rhythm, 600.0)
    minutes = breathing_rate_per_minute(t, rr)
    assert len(minutes) == 10
    assert [m.start_s for m in minutes[:2]] == pytest.approx([t[0], t[0] + 60.0])
    rates = [m.estimate.rate_per_min for m in minutes]
    assert all(r is not None for r in rates)
    early = [r for r in rates[:3] if r is not None]
    late = [r for r in rates[-3:] if r is not None]
    assert early == pytest.approx([15.0] * 3, abs=0.5)
    assert late == pytest.approx([6.0] * 3, abs=0.5)
    assert all(m.estimate.slow for m in minutes[-3:])


def _mayer_and_fast_breathing(mayer_ms: float) -> tuple[FloatArray, FloatArray]:
    """HR 75, breathing at 22/min with a 6-ms RSA, under 0.1 Hz waves of ``mayer_ms``."""

    def rhythm(s: float) -> float:
        return sine(0.1, mayer_ms)(s) + sine(22.0 / 60.0, 6.0, 0.5)(s)

    return beats(rhythm, 600.0, mean_ms=800.0, noise_ms=2.0, seed=3)


def test_fast_breathing_reads_through_strong_mayer_waves() -> None:
    # Mayer waves 1.5 times the RSA amplitude: the raw spectrum's LF power is over
    # twice the HF one and its highest peak is at 6/min; the estimate reads 22/min.
    t, rr = _mayer_and_fast_breathing(9.0)
    fd = frequency_domain(t, rr)
    assert fd.lf_ms2 is not None and fd.hf_ms2 is not None
    assert fd.lf_ms2 > 2.0 * fd.hf_ms2
    centres = np.arange(60.0, 560.0, 30.0)
    rates = [e.rate_per_min for e in breathing_in_windows(t, rr, None, centres)]
    assert rates == pytest.approx([22.0] * len(rates), abs=1.0)
    assert breathing_rate(t, rr) == pytest.approx(22.0, abs=1.0)
    # Three times the RSA amplitude: the whitened spectrum peaks at the Mayer waves in
    # most windows, counting still sees 18-22/min; they disagree and no rate is given
    # rather than a wrong one.
    t, rr = _mayer_and_fast_breathing(18.0)
    found = breathing_in_windows(t, rr, None, centres)
    assert all(e.rate_per_min is None or abs(e.rate_per_min - 22.0) <= 2.0 for e in found)
    assert breathing_rate(t, rr) is None


def test_no_rhythm_gives_no_rate_and_a_low_quality() -> None:
    rng = np.random.default_rng(11)
    rr = 800.0 + rng.normal(0.0, 25.0, 900)
    t = np.cumsum(rr) / 1000.0
    span = breathing_estimate(t, rr)
    assert span.rate_per_min is None and span.quality < 0.2
    windows = breathing_in_windows(t, rr, None, np.arange(60.0, 660.0, 30.0))
    assert sum(e.rate_per_min is None for e in windows) > 0.5 * len(windows)
    assert max(e.quality for e in windows) < 0.5
    flat = breathing_in_windows(t, np.full(t.size, 800.0), None, [300.0])[0]
    assert flat.rate_per_min is None and flat.quality == 0.0


def test_batched_windows_equal_the_per_window_reference() -> None:
    t, rr = beats(lambda s: sine(0.22, 30.0)(s) + sine(0.09, 20.0)(s), 900.0, noise_ms=10.0, seed=5)
    rr[[100, 400]] *= [0.6, 1.5]  # an extra and a missed beat
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[np.searchsorted(t, [300.0, 320.0, 600.0])] = True  # a short stretch, then a gap
    centres = np.concatenate((np.arange(-20.0, 940.0, 17.0), [t[-1], 299.9]))
    batched = breathing_in_windows(t, rr, gaps, centres, window_s=60.0)
    assert len(batched) == centres.size
    rated = 0
    for c, got in zip(centres, batched, strict=True):
        ref = breathing_in_window(t, rr, gaps, float(c), window_s=60.0)
        assert (got.rate_per_min is None) == (ref.rate_per_min is None), c
        if ref.rate_per_min is not None:
            rated += 1
            assert got.rate_per_min == pytest.approx(ref.rate_per_min, abs=1e-9)
        assert got.quality == pytest.approx(ref.quality, abs=1e-9)
        assert got.slow == ref.slow
    assert rated > 20
    minutes = breathing_rate_per_minute(t, rr, gaps)
    assert [m.estimate for m in minutes[2:4]] == list(
        breathing_in_windows(t, rr, gaps, [m.start_s + 30.0 for m in minutes[2:4]])
    )


# --- respiration belt ----------------------------------------------------------------------------


def _recording(name: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Beat times (s), RR (ms) and the belt's rate (breaths/min, 100 Hz) of a recording."""
    nk = pytest.importorskip("neurokit2")
    table = np.genfromtxt(DATA / "ecg-respiration" / name, delimiter=",", names=True)
    ecg, rsp = table["ECG"], table["RSP"]
    if table.dtype.names is not None and "PhotoSensor" in table.dtype.names:
        light = table["PhotoSensor"]
        low = np.flatnonzero(light < light.max() / 2.0)  # the resting part of the session
        ecg, rsp = ecg[low[0] : low[-1] + 1], rsp[low[0] : low[-1] + 1]
    _, info = nk.ecg_peaks(ecg, sampling_rate=100)
    peaks = np.asarray(info["ECG_R_Peaks"])
    signals, _ = nk.rsp_process(rsp, sampling_rate=100)
    belt = signals["RSP_Rate"].to_numpy()
    return peaks[1:] / 100.0, np.diff(peaks) * 10.0, belt


RECORDINGS = [
    ("bio_resting_5min_100hz.csv", 15.93),  # belt median, breaths/min
    ("bio_resting_8min_100hz.csv", 8.90),
]


@pytest.mark.realdata
@realdata
@pytest.mark.parametrize(("name", "belt_median"), RECORDINGS)
def test_span_rate_within_one_breath_of_the_belt(name: str, belt_median: float) -> None:
    t, rr, belt = _recording(name)
    assert float(np.median(belt)) == pytest.approx(belt_median, abs=0.05)
    # Achieved: 15.35 and 8.87 (NN series of the report), 15.30 and 8.87 (raw RR).
    report = hrv_report(t, rr)
    assert report.respiration.rate_per_min == pytest.approx(belt_median, abs=1.0)
    assert breathing_rate(t, rr) == pytest.approx(belt_median, abs=1.0)


@pytest.mark.realdata
@realdata
@pytest.mark.parametrize(("name", "belt_median"), RECORDINGS)
def test_per_minute_rate_tracks_the_belt(name: str, belt_median: float) -> None:
    t, rr, belt = _recording(name)
    belt_t = np.arange(belt.size) / 100.0
    errors = []
    minutes = breathing_rate_per_minute(t, rr)
    for minute in minutes:
        left = min(
            max(minute.start_s - (MINUTE_WINDOW_S - 60.0) / 2.0, t[0]), t[-1] - MINUTE_WINDOW_S
        )
        inside = (belt_t > left) & (belt_t <= left + MINUTE_WINDOW_S)
        rate = minute.estimate.rate_per_min
        if rate is not None:  # None: spectrum and count disagree, the rate cannot be told
            errors.append(abs(rate - float(np.median(belt[inside]))))
    # Achieved (60-s windows): 4 of 5 and 8 of 8 minutes rated, median absolute errors
    # 0.4 and 0.7 breaths/min.
    assert len(errors) >= 0.75 * len(minutes)
    assert float(np.median(errors)) < 1.5
    assert belt_median > 0
