"""Epochs of whole recordings from arrays: the fast paths equal the references, bit for bit.

:func:`signals.epochs.windows.window_epochs` (searchsorted bounds, prefix counts, sums of
contiguous slices) against :func:`signals.epochs.windows.window_epoch` (masks and
:func:`~signals.markers.window_markers.batch_markers`, one epoch at a time) on seeded
series with artifacts, missing values, gaps, a dropout and equal beat times, for several
epoch lengths; and the clock minutes of :func:`signals.epochs.batch.epochs_from_beats`
(ordered beats, no notices: computed from arrays) against :class:`EpochBuilder` fed beat
by beat. A ``realdata`` test checks the epochs' 5-min markers against NeuroKit2's
``hrv_time`` on Holter windows (NeuroKit2 is imported inside it).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from signals.epochs.batch import epochs_from_beats
from signals.epochs.builder import EpochBuilder
from signals.epochs.types import Epoch
from signals.epochs.windows import window_epoch, window_epochs
from signals.hrv.time_domain import time_domain
from signals.markers.window_markers import batch_markers
from tests.support.paths import shared_file

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def series(seed: int) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray]:
    """Beats with artifacts, missing values, gaps, a dropout and two beats at one time."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(300, 3000))
    rr = rng.normal(820.0, 80.0, n)
    t = 1_700_000_000.0 + 3.7 + np.cumsum(rr) / 1000.0
    jump = int(rng.integers(1, n))
    t[jump:] += float(rng.uniform(850.0, 1000.0))  # nothing for a while
    t[n // 2] = t[n // 2 - 1]  # two beats stamped at the same time
    gaps = np.zeros(n, dtype=np.bool_)
    gaps[[0, jump, *rng.integers(1, n, 3)]] = True
    rr[rng.integers(0, n, n // 50)] = np.nan
    rr[rng.integers(0, n, 2)] = 3000.0  # long beats: their intervals reach back past a start
    art = rng.random(n) < float(rng.uniform(0.0, 0.08))
    return t, rr, gaps, art


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("epoch_s", [30.0, 60.0, 7.3, 400.0])
def test_window_epochs_equal_the_reference_bit_for_bit(seed: int, epoch_s: float) -> None:
    t, rr, gaps, art = series(seed)
    origin = float(t[0] - 0.8)
    count = math.ceil((float(t[-1]) - origin) / epoch_s)
    starts = origin + np.arange(count) * epoch_s
    fast = window_epochs(t, rr, gaps, art, starts, epoch_s)
    reference = [
        window_epoch(t, rr, gaps, art, origin + k * epoch_s, epoch_s) for k in range(count)
    ]
    # repr is exact for floats (and tells nan, -0.0 and None apart): equal bit for bit.
    assert [repr(e) for e in fast] == [repr(e) for e in reference]
    assert {e.quality for e in fast} >= {"good", "no_signal"}  # the cases are exercised


def test_window_epochs_of_nothing() -> None:
    empty = np.zeros(0)
    assert window_epochs(empty, empty, empty.astype(bool), empty.astype(bool), empty, 30.0) == []
    t, rr = np.array([10.0]), np.array([800.0])
    flags = np.array([False])
    starts = np.array([9.0, 39.0])
    fast = window_epochs(t, rr, flags, flags, starts, 30.0)
    assert fast == [window_epoch(t, rr, flags, flags, s, 30.0) for s in (9.0, 39.0)]
    assert [e.quality for e in fast] == ["poor", "no_signal"]


def holter() -> tuple[FloatArray, FloatArray]:
    """nsr001: the first value is the time of the first beat, then RR in seconds."""
    values = np.loadtxt(shared_file("holter-24h", "nsr001_rr_secs.txt"))
    return values[0] + np.cumsum(values[1:]), values[1:] * 1000.0


@pytest.mark.realdata
def test_epoch_markers_equal_neurokit2_on_holter_windows() -> None:
    """Mean NN and HR, SDNN, RMSSD and pNN50 of 5-min windows ending at 30-s epochs' ends,
    as NeuroKit2 computes them on the same beats, to 1e-6 (pNN50 by NeuroKit2's
    definition: NN50 / number of intervals; ours divides by the differences)."""
    nk = pytest.importorskip("neurokit2")
    t, rr = holter()
    gaps = np.zeros(rr.size, dtype=np.bool_)
    art = np.zeros(rr.size, dtype=np.bool_)
    origin = float(t[0] - rr[0] / 1000.0)
    ks = [10, 300, 1111, 1800, 2600]  # night and day, a 5-min window each
    starts = origin + np.asarray(ks, dtype=np.float64) * 30.0
    epochs = window_epochs(t, rr, gaps, art, starts, 30.0)
    for start, epoch in zip(starts.tolist(), epochs, strict=True):
        end = start + 30.0
        lo = int(np.searchsorted(t, end - 300.0, side="left"))
        hi = int(np.searchsorted(t, end, side="right"))
        ref = nk.hrv_time({"RRI": rr[lo:hi], "RRI_Time": t[lo:hi] - t[lo]}).iloc[0]
        ours = batch_markers(t, rr, gaps, art, end, 300.0)
        td = time_domain(rr[lo:hi])
        assert ours.n_beats == hi - lo and td.pnn50_pct is not None
        assert epoch.rmssd_5min_ms == ours.rmssd_ms
        assert ours.mean_rr_ms == pytest.approx(ref["HRV_MeanNN"], abs=1e-6)
        assert ours.mean_hr_bpm == pytest.approx(60000.0 / ref["HRV_MeanNN"], abs=1e-6)
        assert ours.sdnn_ms == pytest.approx(ref["HRV_SDNN"], abs=1e-6)
        assert ours.rmssd_ms == pytest.approx(ref["HRV_RMSSD"], abs=1e-6)
        nk_pnn50 = td.pnn50_pct * (hi - lo - 1) / (hi - lo)
        assert nk_pnn50 == pytest.approx(ref["HRV_pNN50"], abs=1e-6)


def pushed_one_by_one(
    t: FloatArray, rr: FloatArray, gaps: BoolArray, art: BoolArray
) -> list[Epoch]:
    """The minutes :class:`EpochBuilder` closes, pushed beat by beat (the live path)."""
    builder = EpochBuilder()
    out: list[Epoch] = []
    for beat in zip(t.tolist(), rr.tolist(), gaps.tolist(), art.tolist(), strict=True):
        out += builder.push(*beat)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_minutes_of_ordered_beats_equal_the_builder_bit_for_bit(seed: int) -> None:
    """epochs_from_beats computes ordered beats without notices from arrays: the same
    minutes as the builder, to the bit (coverage summed in push order, fsum markers)."""
    t, rr, gaps, art = series(seed)
    if seed % 2:
        t = np.round(t * 4.0) / 4.0  # beats on minute edges and at equal times
    fast = epochs_from_beats(t.tolist(), rr.tolist(), gaps.tolist(), art.tolist())
    reference = pushed_one_by_one(t, rr, gaps, art)
    assert [repr(e) for e in fast] == [repr(e) for e in reference]
    assert {e.quality for e in fast} >= {"good", "no_signal"}
    assert any(e.hr_rise_bpm_30s is not None for e in fast)
