"""Beats held as columns, the stage's beat queues, and two array kernels against
their plain definitions: the sliding minimum of the heart-rate rise and the
sample-entropy match counts."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import pytest

from companion.pipeline.beat_queue import BeatQueue
from companion.store.store import Store
from sensors.beats import Beat, BeatColumns, beat_columns
from signals.hrv.nonlinear import _match_counts
from signals.markers.hr_rise import _window_min

# -- BeatColumns ---------------------------------------------------------------------------------


def _beats(n: int, seed: int = 0) -> list[Beat]:
    rng = np.random.default_rng(seed)
    rr = rng.normal(800.0, 40.0, n)
    t = 1_762_000_000.0 + np.cumsum(rr) / 1000.0
    gaps = rng.random(n) < 0.1
    return [Beat(float(a), float(b), bool(c)) for a, b, c in zip(t, rr, gaps, strict=True)]


def test_columns_behave_as_a_tuple_of_beats() -> None:
    beats = _beats(50)
    columns = beat_columns(beats)
    assert isinstance(columns, BeatColumns)
    assert len(columns) == 50
    assert columns == beats and columns == tuple(beats)
    assert list(columns) == beats
    assert columns[7] == beats[7] and columns[-1] == beats[-1]
    part = columns[10:20]
    assert isinstance(part, BeatColumns) and list(part) == beats[10:20]
    assert columns != beats[:-1]
    assert columns.gap_indices(100) == [100 + i for i, b in enumerate(beats) if b.gap_before]
    assert beat_columns(columns) is columns


def test_columns_must_have_equal_lengths() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        BeatColumns([1.0, 2.0], [800.0], [False, False])


def test_appending_columns_or_beats_stores_the_same_files(tmp_path: Path) -> None:
    root = tmp_path
    beats = _beats(3000, seed=1)
    # Out of order at one place: a beat back in the previous ten minutes.
    beats[1500], beats[1501] = beats[1501], beats[1500]
    reasons = {i: "missing_beats" for i, b in enumerate(beats) if b.gap_before}
    for name, given in (("a", list(beats)), ("b", beat_columns(beats))):
        with Store(root / name) as store:
            store.append_beats(given, "src", reasons)
    files_a = sorted(p.relative_to(root / "a") for p in (root / "a").rglob("beats-*.json"))
    files_b = sorted(p.relative_to(root / "b") for p in (root / "b").rglob("beats-*.json"))
    assert files_a == files_b and len(files_a) > 3
    for rel in files_a:
        assert (root / "a" / rel).read_bytes() == (root / "b" / rel).read_bytes()
    with Store(root / "b") as store:
        (day,) = store.days()
        got = store.beats(day)
    order = sorted(range(len(beats)), key=lambda i: beats[i].time_s)
    assert got.time_s.tolist() == [beats[i].time_s for i in order]
    assert got.gap_before.tolist() == [beats[i].gap_before for i in order]


# -- BeatQueue -----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_beat_queue_matches_a_deque_of_beats(seed: int) -> None:
    rng = np.random.default_rng(seed)
    queue = BeatQueue()
    ref: deque[tuple[float, float, bool]] = deque()
    t = 0.0
    for _ in range(3000):
        action = rng.integers(0, 5)
        if action == 0:
            k = int(rng.integers(0, 300))
            new = []
            for _ in range(k):
                t += float(rng.uniform(0.3, 1.2))
                new.append((t, float(rng.normal(800, 50)), bool(rng.random() < 0.1)))
            queue.extend([b[0] for b in new], [b[1] for b in new], [b[2] for b in new])
            ref.extend(new)
        elif action == 1:
            t += 0.8
            queue.append(t, 800.0, False)
            ref.append((t, 800.0, False))
        elif action == 2 and ref:
            assert queue.popleft() == ref.popleft()
        elif action == 3:
            k = int(rng.integers(0, 200))
            taken = queue.take(k)
            expected = [ref.popleft() for _ in range(min(k, len(ref)))]
            assert list(zip(*taken, strict=True)) == expected
        else:
            cut = t - float(rng.uniform(0, 200))
            queue.drop_before(cut)
            while ref and ref[0][0] < cut:
                ref.popleft()
            upto = t - float(rng.uniform(0, 60))
            assert list(zip(*queue.up_to(upto), strict=True)) == [b for b in ref if b[0] <= upto]
        assert len(queue) == len(ref)
    with pytest.raises(IndexError):
        BeatQueue().popleft()


def test_up_to_filters_beats_out_of_time_order() -> None:
    queue = BeatQueue()
    queue.extend([1.0, 3.0, 2.0, 4.0], [800.0, 810.0, 820.0, 830.0], [False, True, False, False])
    assert queue.up_to(2.5) == ([1.0, 2.0], [800.0, 820.0], [False, False])
    queue.drop_before(2.5)  # from the front only, as a deque would
    assert len(queue) == 3


# -- kernels -------------------------------------------------------------------------------------


def _window_min_plain(values: np.ndarray, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    out = np.full(last.size, np.inf)
    for i, (a, b) in enumerate(zip(first.tolist(), last.tolist(), strict=True)):
        window = values[a : b + 1]
        window = window[window == window]
        if window.size:
            out[i] = window.min()
    return out


@pytest.mark.parametrize("seed", range(20))
def test_window_min_equals_the_plain_minimum(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 400)), int(rng.integers(0, 6))
    values = rng.normal(size=n + k)
    values[rng.random(n + k) < 0.1] = np.nan
    last = np.arange(k, k + n)
    first = np.maximum(0, last - rng.integers(-1, 90, n))
    np.maximum.accumulate(first, out=first)
    first = np.minimum(first, last + 1)  # some windows empty
    assert np.array_equal(_window_min(values, first, last), _window_min_plain(values, first, last))


def _match_counts_plain(templates: np.ndarray, r: float, m: int) -> tuple[int, int]:
    b = a = 0
    for i in range(templates.shape[0]):
        dist = np.abs(templates[i + 1 :] - templates[i])
        close = (dist[:, :m] <= r).all(axis=1)
        b += int(close.sum())
        a += int((close & (dist[:, m] <= r)).sum())
    return b, a


@pytest.mark.parametrize("dimension", [1, 2, 3])
@pytest.mark.parametrize("seed", range(8))
def test_match_counts_equal_all_pairs(dimension: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(dimension + 2, 600))
    rr = rng.normal(800.0, 50.0, n)
    if seed % 2:  # quantised as a Holter file (1/128 s): many exact ties
        rr = np.round(rr / 7.8125) * 7.8125
    templates = rr[np.arange(n - dimension)[:, None] + np.arange(dimension + 1)]
    r = 0.2 * float(rr.std(ddof=1))
    assert _match_counts(templates, r, dimension) == _match_counts_plain(templates, r, dimension)


def test_a_beat_that_is_not_finite_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    beats = _beats(20, seed=2)
    beats[5] = Beat(beats[5].time_s, float("nan"), False)
    with Store(tmp_path / "s") as store:
        with pytest.raises(ValueError, match="not finite"):
            store.append_beats(beats, "src")
        assert store.days() == []
    assert not list((tmp_path / "s").rglob("beats-*.json"))
