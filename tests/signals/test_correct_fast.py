"""The vectorised :func:`correct_artifacts` against the plain per-beat reference.

The reference below is the beat-by-beat loop the module used before it was
vectorised: walk each gap-free segment, split a missed beat, merge a pair of
extra halves, then interpolate the flagged values with PCHIP. Results must be
equal element for element (``np.array_equal``, not ``allclose``): the same
floating-point operations in the same order.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from signals.artifacts.batch import ArtifactScreen, screen_artifacts, segment_bounds
from signals.artifacts.correct import CorrectedRR, correct_artifacts
from signals.artifacts.lipponen import ArtifactKind
from signals.hrv.pchip import pchip

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
K = ArtifactKind
SPLIT, MERGED = -1, -2
INTERPOLATED = (K.ECTOPIC, K.LONG, K.SHORT, K.OUT_OF_RANGE, K.EXTRA)


def _ends_ms(rr: FloatArray) -> FloatArray:
    finite = np.isfinite(rr)
    if not finite.any():
        return np.arange(1.0, rr.size + 1.0)
    at = np.arange(rr.size)
    ends: FloatArray = np.cumsum(np.maximum(np.interp(at, at[finite], rr[finite]), 0.0))
    return ends


def _segment(
    rr: FloatArray, kind: npt.NDArray[np.int8], gap: bool, start: int
) -> list[tuple[float, bool, int, float, int]]:
    out: list[tuple[float, bool, int, float, int]] = []
    j, end = 0, rr.size
    while j < end:
        k = int(kind[j])
        first_gap = gap and j == 0
        if k == K.MISSED:
            half = float(rr[j]) / 2.0
            out.append((half, first_gap, start + j, -half, SPLIT))
            out.append((half, False, start + j, 0.0, SPLIT))
            j += 1
        elif k == K.EXTRA and j + 1 < end and kind[j + 1] == k:
            out.append((float(rr[j] + rr[j + 1]), first_gap, start + j + 1, 0.0, MERGED))
            j += 2
        else:
            out.append((float(rr[j]), first_gap, start + j, 0.0, k))
            j += 1
    return out


def reference(rr: FloatArray, kinds: npt.NDArray[np.int8], gaps: BoolArray) -> CorrectedRR:
    """The per-beat loop, segment by segment."""
    rows: list[tuple[float, bool, int, float, int]] = []
    values: list[FloatArray] = []
    changed: list[BoolArray] = []
    for start, end in segment_bounds(gaps):
        part = _segment(rr[start:end], kinds[start:end], bool(gaps[start]), start)
        kind = np.asarray([p[4] for p in part])
        value = np.asarray([p[0] for p in part])
        src = np.asarray([p[2] for p in part])
        ends_ms = _ends_ms(rr[start:end])[src - start] + np.asarray([p[3] for p in part])
        anchor = kind == K.NORMAL
        fill = np.isin(kind, INTERPOLATED) & anchor.any()
        if fill.any():
            x, y = ends_ms[anchor], value[anchor]
            at = np.clip(ends_ms[fill], x[0], x[-1])
            value[fill] = pchip(x, y, at) if x.size >= 2 else y[0]
        rows += part
        values.append(value)
        changed.append(fill | (kind == SPLIT) | (kind == MERGED))
    kind_all = np.asarray([p[4] for p in rows], dtype=np.int64)
    return CorrectedRR(
        rr_ms=np.concatenate(values) if values else np.zeros(0),
        gap_before=np.asarray([p[1] for p in rows], dtype=np.bool_),
        source_index=np.asarray([p[2] for p in rows], dtype=np.intp),
        end_offset_ms=np.asarray([p[3] for p in rows], dtype=np.float64),
        changed=np.concatenate(changed) if changed else np.zeros(0, np.bool_),
        inserted=int(np.count_nonzero(kind_all == SPLIT)) // 2,
        removed=int(np.count_nonzero(kind_all == MERGED)),
    )


def _screen(kinds: npt.NDArray[np.int8]) -> ArtifactScreen:
    return ArtifactScreen(kinds != K.NORMAL, kinds, 0, 0, 0, 0, 0, 0)


def assert_same(got: CorrectedRR, want: CorrectedRR) -> None:
    for name in ("rr_ms", "gap_before", "source_index", "end_offset_ms", "changed"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype, name
        assert np.array_equal(a, b, equal_nan=a.dtype.kind == "f"), name
        # Signed zeros too (an end offset of -0.0 must stay -0.0).
        if a.dtype.kind == "f":
            assert np.array_equal(np.signbit(a), np.signbit(b)), name
    assert (got.inserted, got.removed) == (want.inserted, want.removed)


def random_case(
    seed: int, n: int, flagged_share: float
) -> tuple[FloatArray, npt.NDArray[np.int8], BoolArray]:
    """RR with random kinds (runs of extra halves included) and random gaps."""
    rng = np.random.default_rng(seed)
    rr = rng.normal(800.0, 60.0, n)
    kinds = np.where(rng.random(n) < flagged_share, rng.integers(1, 7, n), K.NORMAL).astype(np.int8)
    runs = rng.random(n) < flagged_share / 3  # extra-beat runs of 2-5
    for j in np.flatnonzero(runs):
        kinds[j : j + int(rng.integers(2, 6))] = K.EXTRA
    gaps = rng.random(n) < 0.02
    if n:
        gaps[0] = bool(rng.random() < 0.5)
    return rr, kinds, gaps


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("share", [0.0, 0.05, 0.3, 1.0])
def test_equals_reference_on_random_kinds(seed: int, share: float) -> None:
    n = [0, 1, 2, 3, 7, 50, 400, 2000][seed % 8]
    rr, kinds, gaps = random_case(seed, n, share)
    assert_same(correct_artifacts(rr, _screen(kinds), gaps), reference(rr, kinds, gaps))


@pytest.mark.parametrize("seed", range(6))
def test_equals_reference_after_a_real_screen(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    rr = 900.0 + 60.0 * np.sin(np.arange(3000) / 4.0) + rng.normal(0.0, 8.0, 3000)
    hits = rng.choice(3000, 60, replace=False)
    rr[hits[:20]] *= 2.0  # missed
    rr[hits[20:40]] *= 0.5  # extra halves
    rr[hits[40:]] *= 1.3  # long
    rr[rng.choice(3000, 5)] = np.nan
    gaps = rng.random(3000) < 0.003
    screen = screen_artifacts(rr, gaps)
    assert_same(correct_artifacts(rr, screen, gaps), reference(rr, screen.kind, gaps))


@pytest.mark.parametrize(
    "kinds",
    [
        [],
        [K.MISSED],
        [K.EXTRA],
        [K.EXTRA, K.EXTRA],
        [K.EXTRA, K.EXTRA, K.EXTRA],
        [K.MISSED, K.EXTRA, K.EXTRA, K.NORMAL],
        [K.NORMAL, K.EXTRA, K.EXTRA, K.EXTRA, K.EXTRA, K.EXTRA, K.NORMAL],
        [K.ECTOPIC, K.ECTOPIC, K.LONG, K.SHORT, K.OUT_OF_RANGE],
    ],
)
@pytest.mark.parametrize("gap_at", [None, 0, 1, 2])
def test_edge_cases(kinds: list[int], gap_at: int | None) -> None:
    k = np.asarray(kinds, dtype=np.int8)
    rr = 700.0 + 10.0 * np.arange(k.size, dtype=np.float64)
    gaps = np.zeros(k.size, dtype=np.bool_)
    if gap_at is not None and gap_at < k.size:
        gaps[gap_at] = True
    assert_same(correct_artifacts(rr, _screen(k), gaps), reference(rr, k, gaps))


def test_a_run_of_extra_halves_is_not_merged_across_a_gap() -> None:
    k = np.full(4, K.EXTRA, dtype=np.int8)
    rr = np.array([400.0, 410.0, 420.0, 430.0])
    gaps = np.array([False, True, False, False])
    fixed = correct_artifacts(rr, _screen(k), gaps)
    # [400] alone, then [410 + 420] merged and [430] alone.
    assert fixed.source_index.tolist() == [0, 2, 3]
    assert fixed.removed == 1
