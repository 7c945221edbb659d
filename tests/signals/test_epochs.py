"""Epochs: one per clock minute, with markers, coverage, quality and the heart-rate rise.

The fixture days replayed through the live path come from
:func:`tests.support.epochs.recorded_day`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from signals.epochs.batch import epochs_from_beats
from signals.epochs.builder import EpochBuilder
from signals.epochs.types import GRACE_S, MAX_ARTIFACT_FRACTION, Epoch
from signals.markers.window_markers import batch_markers
from tests.support.epochs import T0, iso_s, recorded_day


def _steady_beats(
    start_s: float, duration_s: float, rr_cycle: tuple[float, ...] = (950.0, 1050.0)
) -> list[tuple[float, float, bool]]:
    """Beats (time_s, rr_ms, gap_before) cycling through ``rr_cycle`` from ``start_s``."""
    out: list[tuple[float, float, bool]] = []
    t = start_s
    k = 0
    while True:
        rr = rr_cycle[k % len(rr_cycle)]
        if t + rr / 1000.0 > start_s + duration_s:
            return out
        t += rr / 1000.0
        out.append((t, rr, k == 0))
        k += 1


def _feed(builder: EpochBuilder, beats: list[tuple[float, float, bool]]) -> list[Epoch]:
    out: list[Epoch] = []
    for t, rr, gap in beats:
        out += builder.push(t, rr, gap)
    return out


def test_one_epoch_per_whole_minute_with_its_markers() -> None:
    builder = EpochBuilder()
    epochs = _feed(builder, _steady_beats(T0, 170.0))
    assert [e.start_s for e in epochs] == [T0, T0 + 60.0]  # the third minute is still open
    first, second = epochs
    assert first.start_s % 60.0 == 0.0 and first.end_s == T0 + 60.0
    assert second.n_beats == 60 and second.coverage == pytest.approx(1.0)
    assert second.hr_bpm == pytest.approx(60.0) and second.rmssd_ms == pytest.approx(100.0)
    assert second.ln_rmssd == pytest.approx(math.log(100.0))
    assert second.quality == "good" and second.quality_reason == ""
    assert second.hr_rise_bpm_30s == pytest.approx(0.0, abs=1.0)
    assert builder.current_start_s == T0 + 120.0
    assert [e.start_s for e in builder.flush()] == [T0 + 120.0]


def test_epoch_markers_are_the_batch_markers_of_the_minute_and_five_minutes() -> None:
    rng = np.random.default_rng(7)
    rr = 800.0 + 60.0 * rng.standard_normal(900)
    t = T0 + 0.25 + np.cumsum(rr) / 1000.0
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[[0, 400]] = True
    art = rng.random(rr.size) < 0.03
    epochs = epochs_from_beats(t.tolist(), rr.tolist(), gaps.tolist(), art.tolist())
    assert len(epochs) >= 10
    for e in epochs:
        short = batch_markers(t[t < e.end_s], rr[t < e.end_s], gaps, art, e.end_s, 60.0)
        long = batch_markers(t[t < e.end_s], rr[t < e.end_s], gaps, art, e.end_s, 300.0)
        assert e.hr_bpm == pytest.approx(short.mean_hr_bpm, rel=1e-12)
        assert e.rmssd_ms == pytest.approx(short.rmssd_ms, rel=1e-12)
        assert e.rmssd_5min_ms == pytest.approx(long.rmssd_ms, rel=1e-12)
        assert e.ln_rmssd_5min == pytest.approx(long.ln_rmssd, rel=1e-12)
        in_minute = (t >= e.start_s) & (t < e.end_s)
        assert e.n_beats == int(in_minute.sum())
        assert e.artifact_fraction == pytest.approx(art[in_minute].mean())


def test_a_disconnection_yields_no_signal_minutes_once_time_passes() -> None:
    builder = EpochBuilder()
    epochs = _feed(builder, _steady_beats(T0, 90.0))
    epochs += builder.mark_no_signal(T0 + 90.2, disconnected=True)
    epochs += builder.advance_to(T0 + 300.0 + GRACE_S)
    assert [e.start_s for e in epochs] == [T0 + 60.0 * k for k in range(5)]
    partial, *empty = epochs[1:]
    assert partial.quality == "poor" and partial.coverage == pytest.approx(0.5, abs=0.02)
    assert "disconnected" in partial.quality_reason and "50%" in partial.quality_reason
    for e in empty:
        assert e.quality == "no_signal" and e.n_beats == 0 and e.coverage == 0.0
        assert e.quality_reason == "no beats: the strap disconnected"
        assert e.hr_bpm is None and e.rmssd_ms is None
    assert empty[0].rmssd_5min_ms is not None  # the 5-min window still holds the first beats
    # Beats come back: contact is no longer blamed for later quiet minutes.
    epochs = _feed(builder, [(T0 + 301.0, 1000.0, True)])
    assert epochs == []  # the minute is still open
    (back, quiet) = builder.advance_to(T0 + 420.0 + GRACE_S)
    assert back.quality_reason.startswith("the strap disconnected; beats covered only 2%")
    assert quiet.quality_reason == "no beats: nothing received from the strap"


def test_contact_loss_is_named_and_time_without_notice_is_not() -> None:
    builder = EpochBuilder()
    _feed(builder, _steady_beats(T0, 20.0))
    lost = builder.mark_no_signal(T0 + 20.0) + builder.advance_to(T0 + 120.0 + GRACE_S)
    assert lost[0].quality_reason.startswith("the strap lost skin contact; beats covered only")
    assert lost[1].quality_reason == "no beats: the strap lost skin contact"
    quiet = EpochBuilder()
    _feed(quiet, _steady_beats(T0, 20.0))
    assert quiet.advance_to(T0 + 120.0 + GRACE_S)[1].quality_reason.startswith("no beats: nothing")


def test_too_many_artifacts_make_a_minute_poor() -> None:
    builder = EpochBuilder()
    beats = _steady_beats(T0, 130.0)
    epochs: list[Epoch] = []
    for k, (t, rr, gap) in enumerate(beats):
        epochs += builder.push(t, rr, gap, artifact=(60 <= k < 120 and k % 6 == 0))
    clean, noisy = epochs
    assert clean.quality == "good"
    assert noisy.artifact_fraction == pytest.approx(10 / 60)
    assert noisy.artifact_fraction > MAX_ARTIFACT_FRACTION
    assert noisy.quality == "poor" and "17% of beats were artifacts" in noisy.quality_reason


def test_an_abrupt_heart_rate_rise_is_measured_a_slow_one_is_small() -> None:
    abrupt = _steady_beats(T0, 60.0, (1000.0,))
    t = abrupt[-1][0]
    for k in range(60):  # 60 -> 95 bpm within about 8 s
        rr = max(632.0, 1000.0 - 50.0 * k)
        t += rr / 1000.0
        abrupt.append((t, rr, False))
    builder = EpochBuilder()
    _feed(builder, abrupt)
    (epoch,) = builder.advance_to(T0 + 130.0)
    assert epoch.hr_rise_bpm_30s is not None and epoch.hr_rise_bpm_30s > 30.0

    slow: list[tuple[float, float, bool]] = []
    t = T0
    while t < T0 + 180.0:  # 60 -> 95 bpm with a 40-s time constant
        hr = 95.0 - 35.0 * math.exp(-max(0.0, t - T0 - 60.0) / 40.0)
        t += 60.0 / hr
        slow.append((t, 60000.0 / hr, not slow))
    gentle = EpochBuilder()
    epochs = _feed(gentle, slow)
    assert max(e.hr_rise_bpm_30s or 0.0 for e in epochs) < 20.0


def test_minutes_wait_for_late_beats_and_beats_later_still_are_counted_out() -> None:
    builder = EpochBuilder()
    _feed(builder, _steady_beats(T0, 58.0))
    assert builder.advance_to(T0 + 60.0 + GRACE_S - 0.1) == []  # a beat may still come
    assert builder.push(T0 + 59.0, 1000.0, False) == []
    (epoch,) = builder.advance_to(T0 + 60.0 + GRACE_S)
    assert epoch.n_beats == 59 and epoch.coverage == pytest.approx(59.0 / 60.0)
    assert builder.push(T0 + 59.9, 400.0, False) == [] and builder.late_beats == 1
    assert builder.flush()[0].n_beats == 0  # and it did not reach the next minute either


@pytest.mark.parametrize("name", ["heavy-day.hsrec", "calm-day.hsrec"])
def test_fixture_days_are_cut_into_contiguous_minutes_with_honest_quality(name: str) -> None:
    day = recorded_day(name)
    epochs = day.epochs
    starts = np.array([e.start_s for e in epochs])
    assert np.all(np.diff(starts) == 60.0) and starts[0] % 60.0 == 0.0
    assert epochs[-1].end_s <= day.end_s
    quality = [e.quality for e in epochs]
    assert quality.count("good") / len(epochs) > 0.95
    for lost in day.truth["disconnects"] + day.truth["contact_losses"]:
        a, b = iso_s(lost["start"]), iso_s(lost["end"])
        hit = [e for e in epochs if e.start_s < b and e.end_s > a]
        # Every minute touched by a loss of signal longer than 12 s is not good.
        assert all(e.quality != "good" for e in hit if min(b, e.end_s) - max(a, e.start_s) > 12)
        inside = [e for e in hit if e.start_s >= a and e.end_s <= b]
        assert all(e.quality == "no_signal" for e in inside)
    assert max(e.hr_rise_bpm_30s or 0.0 for e in epochs) < 20.0  # no movement in the script


def test_the_batch_helper_gives_the_same_epochs_as_the_live_feed() -> None:
    day = recorded_day("calm-day.hsrec")
    batch = epochs_from_beats(
        day.time_s.tolist(),
        day.rr_ms.tolist(),
        day.gap_before.tolist(),
        day.artifact.tolist(),
        no_signal_s=day.no_contact_s,
        disconnected_s=day.disconnected_s,
        end_s=day.end_s,
    )
    assert tuple(batch) == day.epochs
