"""Rolling markers: O(1) per beat, and equal to the batch definitions at every beat checked."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest

from signals.artifacts.batch import screen_artifacts
from signals.markers.rolling import RollingWindow
from signals.markers.window_markers import RollingMarkers, batch_markers
from tests.support.epochs import recorded_day
from tests.support.paths import SHARED_DATA, shared_file

HOLTER = SHARED_DATA / "holter-24h" / "nsr001_rr_secs.txt"
REL = 1e-9

Beats = tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_], npt.NDArray[np.bool_]
]


def _assert_same(rolling: RollingMarkers, batch: RollingMarkers, where: str) -> float:
    """Assert rolling == batch to :data:`REL`; return the worst relative error seen."""
    assert (rolling.n_beats, rolling.n_diffs) == (batch.n_beats, batch.n_diffs), where
    assert rolling.window_end_s == batch.window_end_s, where
    worst = 0.0
    for name in ("mean_rr_ms", "mean_hr_bpm", "sdnn_ms", "rmssd_ms"):
        got, want = getattr(rolling, name), getattr(batch, name)
        if want is None or got is None:
            assert got is want, f"{name} at {where}: {got} != {want}"
            continue
        error = abs(got - want)
        assert error <= REL * abs(want) + 1e-12, f"{name} at {where}: {got} != {want}"
        worst = max(worst, error / abs(want) if want else 0.0)
    if batch.ln_rmssd is None or rolling.ln_rmssd is None:
        assert rolling.ln_rmssd is batch.ln_rmssd, where
    else:
        assert abs(rolling.ln_rmssd - batch.ln_rmssd) <= REL, f"ln_rmssd at {where}"
    return worst


def _check_stream(beats: Beats, window_s: float, every: int, dense_until_s: float) -> float:
    """Feed every beat; compare with the batch at every ``every``-th beat and all early ones."""
    t, rr, gaps, art = beats
    window = RollingWindow(window_s)
    worst = 0.0
    times, rrs, gap_list, art_list = t.tolist(), rr.tolist(), gaps.tolist(), art.tolist()
    for i in range(t.size):
        window.push(times[i], rrs[i], gap_list[i], art_list[i])
        if i % every == 0 or times[i] <= dense_until_s or i == t.size - 1:
            k = i + 1
            batch = batch_markers(t[:k], rr[:k], gaps[:k], art[:k], times[i], window_s)
            worst = max(worst, _assert_same(window.markers(), batch, f"beat {i}"))
    return worst


def _synthetic_day(seed: int, n: int = 40_000) -> Beats:
    """RR that are not exact binary fractions: slow drifts, RSA, noise, gaps, artifacts."""
    rng = np.random.default_rng(seed)
    k = np.arange(n)
    rr = 850.0 + 250.0 * np.sin(k / 9000.0) + 40.0 * np.sin(k / 3.7) + rng.normal(0, 7.3, n)
    rr[20_000:21_000] = 1000.0 / 3.0 + rng.normal(0, 0.01, 1000)  # a stretch of tiny variance
    rr[30_000:30_500] = 1000.0  # and one of none at all
    t = 1.7e9 + np.cumsum(rr) / 1000.0
    gaps = np.zeros(n, dtype=bool)
    gaps[0] = True
    gaps[rng.choice(n, 40, replace=False)] = True
    jumps = np.flatnonzero(gaps[1:]) + 1
    for j in jumps:  # time passes during a gap: up to 10 minutes
        t[j:] += rng.uniform(0.5, 600.0)
    art = rng.random(n) < 0.02
    return t, rr, gaps, art


def test_hand_computed_markers() -> None:
    window = RollingWindow(60.0)
    for t, rr in [(0.8, 800.0), (1.62, 820.0), (2.41, 790.0), (3.24, 830.0)]:
        window.push(t, rr, gap_before=False)
    m = window.markers()
    mean = (800.0 + 820.0 + 790.0 + 830.0) / 4.0
    assert m.n_beats == 4 and m.n_diffs == 3
    assert m.mean_rr_ms == pytest.approx(mean) and m.mean_hr_bpm == pytest.approx(60000.0 / mean)
    assert m.sdnn_ms == pytest.approx(math.sqrt((10.0**2 + 10.0**2 + 20.0**2 + 20.0**2) / 3.0))
    assert m.rmssd_ms == pytest.approx(math.sqrt((20.0**2 + 30.0**2 + 40.0**2) / 3.0))
    assert m.ln_rmssd == pytest.approx(math.log(m.rmssd_ms or 0.0))
    assert window.mean_hr_bpm == pytest.approx(m.mean_hr_bpm)


def test_no_difference_across_a_gap_or_an_artifact() -> None:
    window = RollingWindow(60.0)
    window.push(1.0, 1000.0, True)
    window.push(2.0, 1000.0, False)
    window.push(5.0, 900.0, True)  # gap: no difference with the beat before
    window.push(5.5, 500.0, False, artifact=True)  # excluded, and both its differences
    window.push(6.5, 1000.0, False)
    window.push(7.4, 900.0, False)
    m = window.markers()
    assert (m.n_beats, m.n_diffs) == (5, 2)
    assert m.rmssd_ms == pytest.approx(math.sqrt((0.0 + 100.0**2) / 2.0))


def test_the_window_slides_by_time_and_empties() -> None:
    window = RollingWindow(10.0)
    for k in range(1, 31):
        window.push(float(k), 1000.0 + (k % 2) * 20.0, k == 1)
    m = window.markers()
    assert m.n_beats == 11 and m.n_diffs == 10  # beats at 20 .. 30 s (the start is inclusive)
    assert m.window_end_s == 30.0
    window.advance_to(39.5)
    assert window.markers().n_beats == 1
    window.advance_to(100.0)
    empty = window.markers()
    assert empty.n_beats == 0 and empty.mean_rr_ms is None and empty.rmssd_ms is None
    window.push(101.0, 1000.0, False)  # nothing left to difference with
    assert window.markers().n_diffs == 0 and window.markers().sdnn_ms is None


def test_too_few_beats_give_no_markers_and_the_past_is_refused() -> None:
    window = RollingWindow(60.0)
    window.push(1.0, 1000.0, True)
    assert window.markers().mean_hr_bpm is None and window.markers().n_beats == 1
    with pytest.raises(ValueError, match="older"):
        window.push(0.5, 1000.0, False)
    with pytest.raises(ValueError, match="positive"):
        RollingWindow(0.0)
    window.reset()
    assert window.markers().n_beats == 0 and window.window_end_s is None


@pytest.mark.parametrize("window_s", [60.0, 300.0])
def test_rolling_equals_batch_over_a_long_synthetic_day(window_s: float) -> None:
    beats = _synthetic_day(seed=int(window_s))
    worst = _check_stream(beats, window_s, every=97, dense_until_s=beats[0][0] + 3600.0)
    assert worst < REL


@pytest.mark.realdata
@pytest.mark.parametrize("window_s", [60.0, 300.0])
def test_rolling_equals_batch_on_a_22_hour_holter_day(window_s: float) -> None:
    values = np.loadtxt(shared_file(*HOLTER.relative_to(SHARED_DATA).parts))
    rr = values[1:] * 1000.0  # the first value is the time of the first beat, not an RR
    t = values[0] + np.cumsum(values[1:])
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[0] = True
    art = screen_artifacts(rr, gaps).flagged
    assert rr.size > 100_000
    worst = _check_stream((t, rr, gaps, art), window_s, every=50, dense_until_s=t[0] + 3600.0)
    assert worst < REL


@pytest.mark.parametrize("name", ["heavy-day.hsrec", "calm-day.hsrec"])
@pytest.mark.parametrize("window_s", [60.0, 300.0])
def test_rolling_equals_batch_on_the_fixture_days(name: str, window_s: float) -> None:
    day = recorded_day(name)
    beats = (day.time_s, day.rr_ms, day.gap_before, day.artifact)
    assert _check_stream(beats, window_s, every=25, dense_until_s=day.time_s[0] + 600.0) < REL
