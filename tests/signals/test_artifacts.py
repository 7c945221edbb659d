"""Artifact detection (Lipponen & Tarvainen 2019), correction and the live detector.

Synthetic series come from a seeded generator with respiratory sinus arrhythmia
(RSA), a wandering breathing rate and depth, a Mayer-wave component, a slow
drift and white noise. Real recordings (``../shared/data``) are marked
``realdata`` and skip when the folder is absent; NeuroKit2 is imported inside
the tests that cross-check against it (its import costs seconds).
"""

from __future__ import annotations

import csv
import dataclasses
import subprocess
import sys
from collections import Counter
from datetime import UTC, date
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from signals.artifacts.batch import MIN_SEGMENT_BEATS, ArtifactScreen, screen_artifacts
from signals.artifacts.correct import correct_artifacts
from signals.artifacts.lipponen import ArtifactKind, classify, segment_features
from signals.artifacts.live.detector import LOOKAHEAD_BEATS, LiveArtifactDetector
from signals.artifacts.live.verdicts import LiveVerdict
from tests.support.paths import ROOT, SHARED_DATA
from tests.support.synthetic_rr import clean_rr

FloatArray = npt.NDArray[np.float64]
DATA = SHARED_DATA
realdata = pytest.mark.realdata  # skipped without ../shared/data; fails under CI=true
K = ArtifactKind
TYPES = ("ectopic", "missed", "extra", "long", "short")


# --- synthetic series ----------------------------------------------------------------------------


def inject(clean: FloatArray, events: dict[int, str]) -> tuple[FloatArray, dict[int, ArtifactKind]]:
    """Put artifacts into a clean series; returns the series and the expected kind per index.

    ``events`` maps a position in ``clean`` to a type: a premature beat at 65 %
    of the interval with a full compensatory pause (``ectopic``), two intervals
    merged (``missed``), one interval split 45/55 (``extra``), one interval
    1.4 times too long (``long``) or 0.6 times too short (``short``).
    """
    out: list[float] = []
    kinds: dict[int, ArtifactKind] = {}
    i = 0
    while i < clean.size:
        event, j = events.get(i), len(out)
        if event == "ectopic":
            out += [0.65 * clean[i], clean[i + 1] + 0.35 * clean[i]]
            kinds[j] = kinds[j + 1] = K.ECTOPIC
            i += 2
            continue
        if event == "missed":
            out.append(clean[i] + clean[i + 1])
            kinds[j] = K.MISSED
            i += 2
            continue
        if event == "extra":
            out += [0.45 * clean[i], 0.55 * clean[i]]
            kinds[j] = kinds[j + 1] = K.EXTRA
        elif event == "long":
            out.append(1.4 * clean[i])
            kinds[j] = K.LONG
        elif event == "short":
            out.append(0.6 * clean[i])
            kinds[j] = K.SHORT
        else:
            out.append(clean[i])
        i += 1
    return np.asarray(out), kinds


def artefacted(seed: int, **kwargs: Any) -> tuple[FloatArray, FloatArray, dict[int, ArtifactKind]]:
    clean = clean_rr(np.random.default_rng(seed), 1500, **kwargs)
    events = {p: TYPES[(k + seed) % 5] for k, p in enumerate(range(50, 1450, 40))}
    rr, kinds = inject(clean, events)
    return clean, rr, kinds


# --- batch detection on synthetic series ---------------------------------------------------------


@pytest.mark.parametrize(
    ("base_ms", "breaths_per_min"), [(600.0, 12.0), (800.0, 12.0), (1000.0, 12.0), (800.0, 6.0)]
)
def test_injected_artifacts_are_found_with_their_class(
    base_ms: float, breaths_per_min: float
) -> None:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    beats = far_from_any = 0
    for seed in range(12):
        _, rr, kinds = artefacted(seed, base_ms=base_ms, rsa=0.03, breaths_per_min=breaths_per_min)
        screen = screen_artifacts(rr)
        beats += rr.size
        for j, kind in kinds.items():
            assert screen.flagged[j], (seed, j, kind)
            total[kind.name] += 1
            right[kind.name] += screen.kind[j] == kind
        injected = np.asarray(sorted(kinds))
        for flagged_at in np.flatnonzero(screen.flagged).tolist():
            far_from_any += bool(np.abs(injected - flagged_at).min() > 2)
    for name, count in total.items():
        assert right[name] >= 0.97 * count, (name, right[name], count)
    # A normal neighbour of an artifact is sometimes flagged too (after a pause the
    # next beat can look short against a rising RSA); far from artifacts, hardly ever
    # (measured: at most 2 of 18 000 beats).
    assert far_from_any <= 2e-4 * beats


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_counts_by_type_count_each_event_once(seed: int) -> None:
    """An ectopic beat (two intervals) and an extra beat (two halves) count once."""
    _, rr, kinds = artefacted(seed, base_ms=800.0, rsa=0.03, breaths_per_min=12.0)
    screen = screen_artifacts(rr)
    expected = Counter(kind.name.lower() for j, kind in kinds.items() if kinds.get(j - 1) != kind)
    counts = screen.counts()
    for name in ("ectopic", "missed", "extra"):
        assert counts[name] == expected[name], name
    # Now and then a normal neighbour of an artifact is called long or short too.
    for name in ("long", "short"):
        assert expected[name] <= counts[name] <= expected[name] + 1, name
    assert counts["out_of_range"] == 0
    assert len(kinds) <= screen.count <= len(kinds) + 2
    assert screen.count == int(screen.flagged.sum())
    assert screen.fraction == pytest.approx(screen.count / rr.size)


def test_with_strong_rsa_ectopic_and_missed_beats_keep_their_class() -> None:
    """In ±8 % RSA at 12 breaths/min a lone long or short beat can sit in an
    up-down-up pattern of dRR and read as ectopic (the classes of the paper are
    shapes of dRR): it is still flagged. Ectopic and missed beats stay right."""
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for seed in range(12):
        _, rr, kinds = artefacted(seed, base_ms=900.0, rsa=0.08, breaths_per_min=12.0)
        screen = screen_artifacts(rr)
        for j, kind in kinds.items():
            assert screen.flagged[j] or kind == K.EXTRA, (seed, j, kind)
            total[kind.name] += 1
            right[kind.name] += screen.kind[j] == kind
    assert right["ECTOPIC"] == total["ECTOPIC"]
    assert right["MISSED"] >= 0.95 * total["MISSED"]


@pytest.mark.parametrize("base_ms", [650.0, 800.0, 1000.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_no_false_positives_in_clean_rsa_of_15_percent(base_ms: float, seed: int) -> None:
    """Swings of ±15 % come with slow breathing (6/min, the paced-breathing rate)."""
    rr = clean_rr(np.random.default_rng(seed), 3000, base_ms=base_ms, rsa=0.15)
    assert screen_artifacts(rr).count == 0
    assert screen_artifacts(rr, threshold_ceiling=None).count == 0


def test_few_false_positives_with_fast_breathing() -> None:
    """At 15 breaths/min and 60-75 bpm a breath spans only 4-5 beats: the dRR
    series swings from beat to beat and the paper's thresholds (5.2 quartile
    deviations of |dRR|) let a few normal beats through as long or short."""
    flagged = beats = 0
    for seed in range(5):
        for base_ms in (800.0, 1000.0):
            rr = clean_rr(np.random.default_rng(seed), 3000, base_ms=base_ms, rsa=0.05,
                          breaths_per_min=15.0)  # fmt: skip
            flagged += screen_artifacts(rr).count
            beats += rr.size
    assert flagged / beats < 0.005


def test_nothing_is_compared_across_a_gap() -> None:
    rng = np.random.default_rng(5)
    before, after = clean_rr(rng, 300, rsa=0.03), clean_rr(rng, 300, rsa=0.03)
    before[-1] *= 0.65  # short, then long after the gap: the shape of an ectopic beat
    after[0] *= 1.35
    rr = np.concatenate([before, after])
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[[0, 300]] = True
    assert screen_artifacts(rr, gaps).count == 0
    # Read across the gap, the same beats are an ectopic pair: the test has teeth.
    assert screen_artifacts(rr).kind[299:301].tolist() == [K.ECTOPIC, K.ECTOPIC]


def test_tiny_segments_get_only_the_plausibility_check() -> None:
    rr = np.array([800.0, 1600.0, 800.0, 800.0, 250.0, 800.0, 2300.0])
    gaps = np.array([True, False, False, True, False, True, False])
    screen = screen_artifacts(rr, gaps)
    assert screen.flagged.tolist() == [False, False, False, False, True, False, True]
    assert screen.counts()["out_of_range"] == 2
    assert MIN_SEGMENT_BEATS > 3


def test_implausible_and_missing_values_are_out_of_range() -> None:
    rr = clean_rr(np.random.default_rng(2), 400, base_ms=800.0, rsa=0.03)
    rr[200] = np.nan
    rr[-1] = 2500.0  # the last two intervals lack the look-ahead of the algorithm
    screen = screen_artifacts(rr)
    assert screen.kind[200] == K.OUT_OF_RANGE
    assert screen.kind[-1] == K.OUT_OF_RANGE
    assert screen.counts()["out_of_range"] == 2 == screen.count


@pytest.mark.parametrize(("every", "plain_share"), [(2, (0.8, 1.0)), (3, (0.0, 0.05))])
def test_frequent_ectopy_is_found_thanks_to_the_threshold_ceiling(
    every: int, plain_share: tuple[float, float]
) -> None:
    """Bigeminy (every 2nd beat premature) and trigeminy (every 3rd). In trigeminy
    the quartile deviation of |dRR| is made of ectopy, and the paper's thresholds
    find (almost) none; the ceiling finds them all. The sinus interval between
    the pause and the next premature beat is then called short (its dRR falls
    and the next two rise): all of a trigeminy run is flagged."""
    clean = clean_rr(np.random.default_rng(4), 1200, base_ms=800.0, rsa=0.05)
    rr = clean.copy()
    premature = range(400, 800, every)
    fractions = np.random.default_rng(14).uniform(0.5, 0.6, len(premature))
    for i, fraction in zip(premature, fractions, strict=True):
        rr[i], rr[i + 1] = fraction * clean[i], clean[i + 1] + (1.0 - fraction) * clean[i]
    plain = screen_artifacts(rr, threshold_ceiling=None).ectopic / len(premature)
    assert plain_share[0] <= plain <= plain_share[1]
    screen = screen_artifacts(rr)
    assert abs(screen.ectopic - len(premature)) <= 1
    assert screen.flagged[400:800].all()


def test_screen_api() -> None:
    empty = screen_artifacts([])
    assert (empty.count, empty.fraction) == (0, 0.0)
    assert set(empty.counts()) == {*TYPES, "out_of_range"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        empty.ectopic = 1  # type: ignore[misc]
    with pytest.raises(ValueError, match="same length"):
        screen_artifacts([800.0, 800.0], [True])
    assert isinstance(empty, ArtifactScreen)


def test_signals_artifacts_never_imports_neurokit2_or_pandas() -> None:
    code = (
        "import sys, signals.artifacts.batch, signals.artifacts.correct, "
        "signals.artifacts.live.detector; "
        "print(sorted(m for m in ('neurokit2', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "[]", out.stderr


# --- correction ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_correction_restores_the_clean_series(seed: int) -> None:
    clean, rr, kinds = artefacted(seed, base_ms=800.0, rsa=0.03, breaths_per_min=12.0)
    screen = screen_artifacts(rr)
    fixed = correct_artifacts(rr, screen)
    events = Counter(kinds[j].name for j in kinds if kinds.get(j - 1) != kinds[j])
    assert fixed.inserted == events["MISSED"]
    assert fixed.removed == events["EXTRA"]
    assert fixed.rr_ms.size == clean.size
    kept = ~fixed.changed
    assert np.array_equal(fixed.rr_ms[kept], rr[fixed.source_index[kept]])
    error = np.abs(fixed.rr_ms - clean) / clean
    assert error.max() < 0.08
    assert error[fixed.changed].mean() < 0.02


def test_corrected_beats_keep_their_times() -> None:
    clean = clean_rr(np.random.default_rng(8), 300, base_ms=900.0, rsa=0.03)
    rr, _ = inject(clean, {100: "missed", 200: "extra", 250: "ectopic"})
    fixed = correct_artifacts(rr)
    time_ms = np.cumsum(rr)
    fixed_time_ms = time_ms[fixed.source_index] + fixed.end_offset_ms
    assert np.allclose(fixed_time_ms[:100], time_ms[:100])
    # The beat the strap missed comes back halfway through the long interval.
    assert fixed_time_ms[100] == pytest.approx(time_ms[100] - rr[100] / 2.0)
    assert np.allclose(np.cumsum(clean)[:200], fixed_time_ms[:200], atol=0.15 * clean.mean())
    assert np.all(np.diff(fixed_time_ms) > 0)


def test_correction_never_reaches_across_a_gap() -> None:
    rng = np.random.default_rng(9)
    rr = np.concatenate([clean_rr(rng, 200, base_ms=600.0), clean_rr(rng, 200, base_ms=1100.0)])
    gaps = np.zeros(rr.size, dtype=bool)
    gaps[[0, 200]] = True
    clean = rr.copy()
    rr[202] *= 1.4
    fixed = correct_artifacts(rr, screen_artifacts(rr, gaps), gaps)
    assert fixed.changed.tolist().count(True) == 1
    assert fixed.rr_ms[202] == pytest.approx(clean[202], rel=0.05)
    assert fixed.gap_before.tolist() == gaps.tolist()


# --- live detector -------------------------------------------------------------------------------


def live_kinds(
    rr: FloatArray, gaps: npt.NDArray[np.bool_] | None = None
) -> tuple[npt.NDArray[np.int8], dict[str, int]]:
    detector = LiveArtifactDetector()
    verdicts: list[LiveVerdict] = []
    for j, value in enumerate(rr.tolist()):
        verdicts += detector.push(value, bool(gaps[j]) if gaps is not None else False)
    verdicts += detector.flush()
    assert [v.index for v in verdicts] == list(range(rr.size))
    return np.asarray([v.kind for v in verdicts], dtype=np.int8), detector.counts()


def test_live_answers_each_beat_once_three_beats_later() -> None:
    detector = LiveArtifactDetector()
    rr = clean_rr(np.random.default_rng(1), 30)
    answered: list[int] = []
    for n, value in enumerate(rr.tolist()):
        answered += [v.index for v in detector.push(value)]
        if n + 1 >= MIN_SEGMENT_BEATS:
            assert answered[-1] == n - LOOKAHEAD_BEATS
    answered += [v.index for v in detector.flush()]
    assert answered == list(range(30))
    assert detector.flush() == ()


def test_live_gap_flushes_the_segment_and_tiny_segments_are_only_checked() -> None:
    detector = LiveArtifactDetector()
    first = [detector.push(v) for v in (800.0, 1600.0, 800.0)]
    assert first == [(), (), ()]
    at_gap = detector.push(250.0, gap_before=True)
    assert [(v.index, v.flagged) for v in at_gap] == [(0, False), (1, False), (2, False)]
    (last,) = detector.flush()
    assert (last.index, last.kind) == (3, K.OUT_OF_RANGE)


def test_live_handles_missing_values() -> None:
    rr = clean_rr(np.random.default_rng(6), 400, base_ms=800.0, rsa=0.03)
    rr[[0, 200]] = np.nan
    kinds_live, counts = live_kinds(rr)
    batch = screen_artifacts(rr)
    assert kinds_live[[0, 200]].tolist() == [K.OUT_OF_RANGE, K.OUT_OF_RANGE]
    assert np.array_equal(kinds_live, batch.kind)
    assert counts == batch.counts()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_live_agrees_with_batch_on_injected_series(seed: int) -> None:
    _, rr, kinds = artefacted(seed, base_ms=800.0, rsa=0.03, breaths_per_min=12.0)
    batch = screen_artifacts(rr)
    kinds_live, counts = live_kinds(rr)
    assert all(kinds_live[j] == batch.kind[j] for j in kinds)
    assert np.mean(kinds_live == batch.kind) > 0.998
    differences = sum(abs(counts[key] - value) for key, value in batch.counts().items())
    assert differences <= 2


def test_live_agrees_with_batch_on_a_simulated_workday() -> None:
    from sensors.simulate.day import simulate_day

    day = simulate_day("heavy", seed=1, day=date(2026, 11, 23), tz=UTC)
    rr = day.detected.rr_s * 1000.0
    batch = screen_artifacts(rr)
    kinds_live, _ = live_kinds(rr)
    inner = slice(100, rr.size - 100)
    agreement = np.mean((kinds_live != 0)[inner] == batch.flagged[inner])
    assert agreement > 0.998  # measured 99.91 %


def test_simulated_workday_artefacts_are_all_found() -> None:
    """The day generator's ground truth: every ectopic and missed beat, right class."""
    from sensors.simulate.day import simulate_day

    day = simulate_day("heavy", seed=1, day=date(2026, 11, 23), tz=UTC).detected
    screen = screen_artifacts(day.rr_s * 1000.0)
    premature = np.searchsorted(day.beat_s, day.ectopic_s)
    merged = np.searchsorted(day.beat_s, day.missed_s)
    assert (screen.kind[premature] == K.ECTOPIC).all()
    assert (screen.kind[premature + 1] == K.ECTOPIC).all()
    assert (screen.kind[merged] == K.MISSED).all()
    assert screen.missed == merged.size
    assert premature.size <= screen.ectopic <= premature.size + 10
    others = screen.flagged.copy()
    others[np.concatenate([premature, premature + 1, merged])] = False
    assert others.mean() < 0.002


# --- real recordings -----------------------------------------------------------------------------


def kubios_rr() -> FloatArray:
    return np.loadtxt(DATA / "kubios-ref" / "SampleExport.txt", comments="#")


def polar_pvc_rr() -> FloatArray:
    with (DATA / "polar-h10-pvc" / "polar_h10_ecg_rr.csv").open(newline="") as handle:
        return np.asarray([float(row["rr"]) for row in csv.DictReader(handle) if row["rr"].strip()])


def holter_hour_rr() -> FloatArray:
    rr_ms = np.loadtxt(DATA / "holter-24h" / "nsr001_rr_secs.txt")[1:] * 1000.0
    return rr_ms[np.cumsum(rr_ms) < 3600e3]


REAL = {"kubios": kubios_rr, "polar-pvc": polar_pvc_rr, "nsr001-1h": holter_hour_rr}


@pytest.mark.realdata
@realdata
def test_kubios_sample() -> None:
    """Kubios analysed this series with artifact correction off; it is clean sinus
    rhythm with large HRV. The algorithm calls 13 of 423 intervals (3.1 %) long:
    transient slowings of 1000-1160 ms among 700-800 ms beats (NeuroKit2 flags
    the same 13)."""
    screen = screen_artifacts(kubios_rr())
    assert screen.count == 13
    assert set(screen.kind[screen.flagged].tolist()) == {K.LONG}


@pytest.mark.realdata
@realdata
def test_polar_h10_pvcs_are_found() -> None:
    rr = polar_pvc_rr()
    median = np.asarray([np.median(rr[max(0, j - 5) : j + 6]) for j in range(rr.size)])
    pairs = int(np.sum((rr[:-1] < 0.8 * median[:-1]) & (rr[1:] > 1.2 * median[1:])))
    assert pairs > 200  # trigeminy and bigeminy: about 30 % of the beats
    screen = screen_artifacts(rr)
    assert 0.95 * pairs <= screen.ectopic <= 1.05 * pairs  # measured 238 for 237 pairs
    # The paper's thresholds alone adapt to the ectopy and find only a few.
    assert screen_artifacts(rr, threshold_ceiling=None).ectopic < 0.1 * pairs


@pytest.mark.realdata
@realdata
def test_live_agrees_with_batch_on_real_recordings() -> None:
    rr = polar_pvc_rr()
    kinds_live, _ = live_kinds(rr)
    assert np.mean(kinds_live == screen_artifacts(rr).kind) > 0.99  # measured 100 %
    rr = np.loadtxt(DATA / "holter-24h" / "healthy000_rr_ms.txt")
    kinds_live, _ = live_kinds(rr)
    inner = slice(100, rr.size - 100)
    agreement = np.mean((kinds_live != 0)[inner] == screen_artifacts(rr).flagged[inner])
    assert agreement > 0.97  # measured 97.6 %: trailing vs centred thresholds


def neurokit_labels(rr_ms: FloatArray) -> tuple[dict[str, set[int]], FloatArray]:
    """NeuroKit2's Kubios-method labels, indexed like ``rr_ms`` (peaks at 1000 Hz).

    Peaks are the cumulative RR rounded to whole samples; the RR it sees come
    back as the second value so both sides judge identical input.
    """
    import neurokit2 as nk

    peaks = np.concatenate([[0], np.round(np.cumsum(rr_ms))]).astype(np.int64)
    info, _ = nk.signal_fixpeaks(
        peaks, sampling_rate=1000, method="kubios", iterative=False, show=False
    )
    # NeuroKit2 indexes peaks: its interval k ends at peak k, our interval k - 1.
    labels = {key: {int(k) - 1 for k in info[key]} for key in (*TYPES[:3], "longshort")}
    return labels, np.diff(peaks).astype(np.float64)


@pytest.mark.realdata
@realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_classification_is_neurokit2s_index_for_index(name: str) -> None:
    """Given NeuroKit2's conventions for the first interval (its RR and dRR are
    set to the series means), our features and flow reproduce its labels."""
    labels, rr = neurokit_labels(REAL[name]())
    rr_nk = np.concatenate([[rr.mean()], rr])
    drr_nk = np.diff(rr_nk, prepend=rr_nk[0])
    drr_nk[0] = drr_nk[1:].mean()
    ours = classify(rr_nk, segment_features(rr_nk, drr_nk, ceiling_fraction=None))[1:]
    for key, kinds in [
        ("ectopic", [K.ECTOPIC]),
        ("missed", [K.MISSED]),
        ("extra", [K.EXTRA]),
        ("longshort", [K.LONG, K.SHORT]),
    ]:
        assert set(np.flatnonzero(np.isin(ours, kinds)).tolist()) == labels[key], key


@pytest.mark.realdata
@realdata
@pytest.mark.parametrize("name", sorted(REAL))
def test_screen_agrees_with_neurokit2(name: str) -> None:
    """Measured (default screen): Kubios 13/13 of NeuroKit2's flags, 0 beyond;
    Polar PVC 20/20, plus 647 more found through the threshold ceiling (without
    it 19/20, the 20th a borderline |dRR| = 1.003 moved by the first-interval
    convention below); nsr001 first hour 257/257, 0 beyond.

    Systematic differences: (1) we flag both intervals around an ectopic beat
    and both halves of an extra beat, NeuroKit2 lists one index per event, so
    those partners are not counted as extras; (2) NeuroKit2 compares the first
    interval with the series mean, we take its dRR as 0, which shifts the
    thresholds of the first 45 beats slightly; (3) pandas' rolling quantiles
    carry ~1e-14 rounding, so a |dRR| exactly at the threshold (integer-ms data)
    can fall either way on long series (4 of 2700 flags over a 22-h Holter day).
    """
    labels, rr = neurokit_labels(REAL[name]())
    theirs = set().union(*labels.values())
    partners = {j - 1 for j in labels["ectopic"]} | {j + 1 for j in labels["extra"]}
    for ceiling in (None, 0.25):
        ours = set(np.flatnonzero(screen_artifacts(rr, threshold_ceiling=ceiling).flagged).tolist())
        assert len(theirs & ours) >= 0.95 * len(theirs), (ceiling, sorted(theirs - ours))
        if ceiling is None or name != "polar-pvc":
            assert len(ours - theirs - partners) <= 0.01 * rr.size, (ceiling, ours - theirs)
