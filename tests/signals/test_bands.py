"""Steady stress bands (issue 17): a 72 -> 73 bpm step never flips a band, and the
screen, the prompts and the review agree minute by minute on the same stream."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from companion.prompts.rules import HighStressRun, high_floors
from companion.prompts.types import MinuteInput, PolicyConfig
from companion.review.day import load_day, steady_high
from companion.store.store import Store
from signals.epochs.types import EPOCH_S, Epoch
from signals.scores.bands import (
    BAND_FLOORS,
    BAND_HOLD_MINUTES,
    BAND_MARGIN_POINTS,
    BAND_RESET_GAP_S,
    Band,
    SteadyLevel,
    band_of,
    steady_bands,
)
from signals.scores.baseline import HR_SPREAD_FLOOR_BPM, Baseline
from signals.scores.stress import StressScorer, stress_score

T0 = 1_795_500_000.0
MIN = 60.0


def _minutes(scores: list[int | None], t0: float = T0) -> list[tuple[float, int | None]]:
    return [(t0 + MIN * k, s) for k, s in enumerate(scores)]


def _live_bands(scores: list[int | None]) -> list[Band | None]:
    """The bands StressScorer gives a stream whose plain scores are ``scores``."""
    base = Baseline("resting", 65.0, 5.0, 3.5, 0.3, 5, 1, "test")
    out: list[Band | None] = []
    scorer = StressScorer(base)
    for k, want in enumerate(scores):
        epoch = _epoch_scoring(base, want, T0 + MIN * k)
        result = scorer.score(epoch)
        assert result.score == want
        out.append(result.band)
    return out


def _epoch(start_s: float, hr_bpm: float, ln_rmssd: float, quality: str = "good") -> Epoch:
    return Epoch(
        start_s=start_s,
        n_beats=int(hr_bpm),
        coverage=1.0 if quality == "good" else 0.2,
        artifact_fraction=0.0,
        hr_bpm=hr_bpm,
        rmssd_ms=math.exp(ln_rmssd),
        ln_rmssd=ln_rmssd,
        rmssd_5min_ms=math.exp(ln_rmssd),
        ln_rmssd_5min=ln_rmssd,
        hr_rise_bpm_30s=1.0,
        n_diffs=int(hr_bpm) - 1,
        quality=quality,
        quality_reason="" if quality == "good" else "contact lost",
    )


def _epoch_scoring(base: Baseline, score: int | None, start_s: float) -> Epoch:
    """A minute whose plain score is ``score``: both markers ``z`` spreads from baseline."""
    if score is None:
        return _epoch(start_s, base.hr_bpm, base.ln_rmssd, quality="poor")
    for step in range(-3000, 6000, 5):
        z = step / 1000.0
        hr, ln = base.hr_bpm + z * base.hr_spread_bpm, base.ln_rmssd - z * base.ln_rmssd_spread
        epoch = _epoch(start_s, hr, ln)
        if stress_score(epoch, base).score == score:
            return epoch
    raise AssertionError(f"no minute scores {score}")


def test_band_edges_and_constants() -> None:
    assert [band_of(s) for s in (0, 25, 26, 50, 51, 75, 76, 100)] == [
        "rest", "rest", "low", "low", "medium", "medium", "high", "high",
    ]  # fmt: skip
    assert BAND_FLOORS == (26, 51, 76) and BAND_HOLD_MINUTES == 2 and BAND_MARGIN_POINTS == 4
    assert high_floors(76) == BAND_FLOORS and high_floors(60) == (26, 51, 60)


@pytest.mark.parametrize("edge", [26, 51, 76])
def test_a_score_wobbling_1_to_3_points_across_an_edge_never_flips_the_band(edge: int) -> None:
    wobble = [edge - 1, edge + 1, edge - 2, edge + 3, edge - 1, edge + 2, edge + 3, edge - 3]
    scores: list[int | None] = [*wobble * 5, edge + 3, edge + 3, edge + 3]
    below = band_of(edge - 1)
    assert steady_bands(_minutes(scores)) == [below] * len(scores)
    assert _live_bands(scores) == [below] * len(scores)
    # From above the edge, the same wobble keeps the band above.
    above = band_of(edge)
    assert steady_bands(_minutes([edge + 2, *wobble])) == [above] * (len(wobble) + 1)


def test_a_crossing_flips_when_the_two_minute_mean_passes_the_margin() -> None:
    up: list[int | None] = [70, 82, 83, 84]
    assert steady_bands(_minutes(up)) == ["medium", "medium", "high", "high"]
    assert _live_bands(up) == ["medium", "medium", "high", "high"]
    down: list[int | None] = [85, 69, 68, 80]
    assert steady_bands(_minutes(down)) == ["high", "high", "medium", "medium"]
    # A quick real rise moves at once, to the nearer of the mean's and the latest's band.
    assert steady_bands(_minutes([74, 89, 91])) == ["medium", "high", "high"]
    assert steady_bands(_minutes([20, 90, 90])) == ["rest", "medium", "high"]
    assert steady_bands(_minutes([20, 90, 60])) == ["rest", "medium", "medium"]
    # A mean just inside the margin (79 from medium) never flips, nor does a mean past
    # it whose latest minute is back in the band.
    assert steady_bands(_minutes([70, 79, 79, 79])) == ["medium"] * 4
    assert steady_bands(_minutes([60, 95, 74])) == ["medium"] * 3
    assert steady_bands(_minutes([60, 85, 40, 85])) == ["medium"] * 4


def test_one_unscored_minute_is_bridged_two_are_not_and_a_long_gap_starts_afresh() -> None:
    # One unscored minute is bridged: 85 and 76 still form the pair (mean 80.5) ...
    scores: list[int | None] = [70, 85, None, 76]
    assert steady_bands(_minutes(scores)) == ["medium", "medium", None, "high"]
    assert _live_bands(scores) == ["medium", "medium", None, "high"]
    # ... two are not (more than BAND_PAIR_GAP_S): 76 is judged alone, short of 80,
    # while 85 alone passes the margin.
    scores = [70, 85, None, None, 76]
    assert steady_bands(_minutes(scores)) == ["medium", "medium", None, None, "medium"]
    scores = [70, 85, None, None, 85]
    assert steady_bands(_minutes(scores)) == ["medium", "medium", None, None, "high"]
    assert _live_bands(scores) == ["medium", "medium", None, None, "high"]
    later = T0 + BAND_RESET_GAP_S + MIN
    assert steady_bands([(T0, 70), (later, 78)]) == ["medium", "high"]
    assert steady_bands([(T0, 70), (T0 + BAND_RESET_GAP_S, 78)]) == ["medium", "medium"]


@pytest.mark.parametrize("edge", [26, 51, 76])
def test_a_72_to_73_bpm_step_at_a_band_edge_does_not_flip_the_band(edge: int) -> None:
    # A baseline at the spread floor (the steepest the score gets per bpm), with ln RMSSD
    # set so that 72 bpm scores the last score below the edge.
    base = Baseline("resting", 62.0, HR_SPREAD_FLOOR_BPM, 3.5, 0.3, 5, 1, "test")
    found = [
        ln / 1000.0
        for ln in range(1500, 4500)
        if stress_score(_epoch(T0, 72.0, ln / 1000.0), base).score == edge - 1
    ]
    assert found, "no ln RMSSD puts 72 bpm just below the edge"
    ln = max(found, key=lambda v: stress_score(_epoch(T0, 73.0, v), base).score or 0)
    at_73 = stress_score(_epoch(T0, 73.0, ln), base).score
    assert at_73 is not None and at_73 >= edge  # the plain band does flip
    scorer = StressScorer(base)
    bands = [scorer.score(_epoch(T0 + MIN * k, 72.0, ln)).band for k in range(5)]
    bands += [scorer.score(_epoch(T0 + MIN * k, 73.0, ln)).band for k in range(5, 60)]
    assert bands == [band_of(edge - 1)] * 60


def test_live_review_and_prompts_agree_minute_by_minute(heavy_day_store: Path) -> None:
    with Store(heavy_day_store) as store:
        (day,) = store.days()
        docs = store.epochs(day)
        review = load_day(store, day)
        analyses = {s.session_id: store.session_analysis(s.session_id) for s in store.sessions(day)}
    live = [d.get("band") for d in docs]
    stress = [d.get("stress") for d in docs]
    # Live (StressScorer, stored as the minute's band) vs the pure rule over stored scores.
    minutes = [
        (float(d["start_s"]), s if isinstance(s, int) else None)
        for d, s in zip(docs, stress, strict=True)
    ]
    assert steady_bands(minutes) == live
    # The rule held a band somewhere, so this compares more than the plain bands.
    assert any(
        b is not None and s is not None and b != band_of(s)
        for b, s in zip(live, stress, strict=True)
    )
    # Review (the day's grid) vs live.
    high = steady_high(review.minute_s, review.stress)
    at = {round(t): bool(h) for t, h in zip(review.minute_s, high, strict=True)}
    assert all(at[round(t)] == (b == "high") for (t, _), b in zip(minutes, live, strict=True))
    # Session rows and stored session loads count the same high minutes as the screen showed.
    for row in review.sessions:
        end = row.end_s if row.end_s is not None else math.inf
        shown = sum(
            b == "high"
            for (t, _), b in zip(minutes, live, strict=True)
            if row.start_s <= t + EPOCH_S / 2 < end
        )
        assert row.minutes_high == shown
        stored = analyses[row.session_id]
        if stored is not None and row.end_s is not None:
            assert stored["minutes_high"] == shown
    # Prompts: the pause rule's "high" and the tally's band follow the same minutes.
    run = HighStressRun(PolicyConfig())
    for (t, s), b in zip(minutes, live, strict=True):
        if s is None:
            continue
        run.update(MinuteInput(t + EPOCH_S, s, True, 0.0))
        assert run.band_high == (b == "high")


def test_a_raised_threshold_needs_the_margin_above_it() -> None:
    run = HighStressRun(PolicyConfig(high_stress=90))
    fired = []
    for k, s in enumerate([60, 92, 94, 93, 92, 91, 92, 90, 93]):
        fired.append(run.update(MinuteInput(T0 + MIN * k, s, True, 0.0)) is not None)
    assert not any(fired)  # two-minute means of 93.5 at most: never high for 90 (+4)
    run = HighStressRun(PolicyConfig(high_stress=90))
    fired = [
        run.update(MinuteInput(T0 + MIN * k, s, True, 0.0)) is not None
        for k, s in enumerate([60, 94, 93, 94, 94, 96])
    ]
    assert fired == [False, False, False, False, True, False]  # a mean of 94: high


def test_session_tally_counts_the_steady_high_band() -> None:
    from companion.prompts.policy import PromptPolicy

    policy = PromptPolicy()
    policy.minute(MinuteInput(T0, 70, True, 0.0))
    policy.session_started("client", "c1", T0 + 30.0)
    for k, s in enumerate([77, 78, 79, 80, 77], start=1):
        policy.minute(MinuteInput(T0 + MIN * k, s, True, 0.0))
    # Hovering at 77-80 from medium never shows "high": a plain count would say 5.
    assert policy._tally is not None and policy._tally.summary() is not None
    summary = policy._tally.summary()
    assert summary is not None and summary.minutes_high == 0


def test_a_minute_after_two_unscored_ones_is_judged_alone_with_the_margin() -> None:
    # One unscored minute is bridged: the pair (70, 85) has a mean of 77.5, not past 80.
    assert steady_bands(_minutes([70, None, 85])) == ["medium", None, "medium"]
    # Two or more (likely movement and settling): the minute before is stale, and the
    # fresh one alone decides, with the same margin.
    assert steady_bands(_minutes([70, None, None, 85])) == ["medium", None, None, "high"]
    assert _live_bands([70, None, None, 85]) == ["medium", None, None, "high"]
    # ... so a wobble across an edge between dropouts still never flips the band.
    wobble: list[int | None] = [74, None, None, 77, None, None, 74, None, None, 79]
    assert steady_bands(_minutes(wobble)) == ["medium", None, None] * 3 + ["medium"]


def test_a_first_minute_shows_its_plain_band_but_is_confirmed_only_past_the_margin() -> None:
    tracker = SteadyLevel()
    assert tracker.update(T0, 77) == 3 and not tracker.confirmed  # shown high, not sustained
    assert tracker.update(T0 + MIN, 78) == 3 and not tracker.confirmed  # mean 77.5
    assert tracker.update(T0 + 2 * MIN, 83) == 3 and tracker.confirmed  # mean 80.5
    assert tracker.update(T0 + 3 * MIN, 70) == 3 and tracker.confirmed  # held: mean 76.5
    fresh = SteadyLevel()
    assert fresh.update(T0, 20) == 0 and fresh.confirmed  # the lowest level needs nothing
    assert fresh.update(T0 + MIN, 95) == 2 and fresh.confirmed  # moved (mean 57.5 > 55)
