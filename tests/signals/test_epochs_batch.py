"""``EpochBuilder.push_many`` closes the same minutes, with the same numbers, as ``push``."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from signals.epochs.builder import EpochBuilder
from signals.epochs.types import Epoch


def stream(seed: int) -> tuple[list[float], list[float], list[bool], list[bool]]:
    """Beats with artifacts, missing values, gaps, a dropout and a few late beats."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(200, 4000))
    rr = rng.normal(820.0, 60.0, n)
    t = 1_700_000_000.0 + 17.3 + np.cumsum(rr) / 1000.0
    jump = int(rng.integers(1, n))
    t[jump:] += float(rng.uniform(30.0, 400.0))  # nothing for a while
    gaps = np.zeros(n, dtype=bool)
    gaps[[jump, *rng.integers(1, n, 3)]] = True
    rr[rng.integers(0, n, n // 40)] = np.nan
    flags = rng.random(n) < 0.03
    times = t.tolist()
    for k in rng.integers(5, n, 3):  # a beat stamped over two minutes late
        times[int(k)] = times[int(k) - 1] - 150.0
    return times, rr.tolist(), gaps.tolist(), flags.tolist()


def by_push(
    beats: tuple[list[float], list[float], list[bool], list[bool]], cuts: list[int]
) -> list[tuple[int, list[Epoch]]]:
    builder, out = EpochBuilder(), []
    for a, b in itertools.pairwise(cuts):
        for i in range(a, b):
            try:
                closed = builder.push(beats[0][i], beats[1][i], beats[2][i], beats[3][i])
            except ValueError:
                continue
            if closed:
                out.append((i, closed))
        out.append((b, builder.mark_no_signal(beats[0][b - 1] + 1.0)))
    out.append((-1, builder.flush()))
    return out


def by_push_many(
    beats: tuple[list[float], list[float], list[bool], list[bool]], cuts: list[int]
) -> list[tuple[int, list[Epoch]]]:
    builder, out = EpochBuilder(), []
    for a, b in itertools.pairwise(cuts):
        # A beat older than the window end raises in push(); push_many() passes such
        # stretches to push() beat by beat, so the test feeds them the same way.
        i = a
        while i < b:
            stop = i + 1
            while stop < b and beats[0][stop] >= beats[0][stop - 1]:
                stop += 1
            try:
                closes = builder.push_many(
                    beats[0][i:stop], beats[1][i:stop], beats[2][i:stop], beats[3][i:stop]
                )
            except ValueError:
                closes = []
                for j in range(i, stop):
                    try:
                        closed = builder.push(beats[0][j], beats[1][j], beats[2][j], beats[3][j])
                    except ValueError:
                        continue
                    if closed:
                        closes.append((j - i, closed))
            out += [(i + k, closed) for k, closed in closes]
            i = stop
        out.append((b, builder.mark_no_signal(beats[0][b - 1] + 1.0)))
    out.append((-1, builder.flush()))
    return out


def as_dicts(out: list[tuple[int, list[Epoch]]]) -> list[tuple[int, list[dict[str, object]]]]:
    return [(i, [dataclasses.asdict(e) for e in closed]) for i, closed in out if closed]


@pytest.mark.parametrize("seed", range(16))
def test_push_many_closes_what_push_closes(seed: int) -> None:
    beats = stream(seed)
    rng = np.random.default_rng(50 + seed)
    n = len(beats[0])
    cuts = sorted({0, n, *rng.integers(1, n, 5).tolist()})
    expected = as_dicts(by_push(beats, cuts))
    assert len(expected) > 3
    assert as_dicts(by_push_many(beats, cuts)) == expected


def test_push_many_counts_a_minute_of_beats_at_once() -> None:
    builder = EpochBuilder()
    t = [600.0 + 0.75 * k for k in range(1, 161)]  # two minutes at 80 bpm
    closes = builder.push_many(t, [750.0] * 160, [False] * 160, [False] * 160)
    # The beat at 660 s closes the first minute, the one at 720 s the second.
    assert [(index, len(closed)) for index, closed in closes] == [(79, 1), (159, 1)]
    (minute,) = closes[0][1]
    assert minute.n_beats == 79 and minute.hr_bpm == pytest.approx(80.0)
    assert minute.coverage == pytest.approx(1.0)
