"""Braille dots and text cells: the canvas the charts of :mod:`tui.widgets.plots` draw on.

Each terminal cell holds a 2 x 4 grid of Braille dots (U+2800-U+28FF), so a
canvas of ``w`` columns and ``h`` rows has ``2w x 4h`` dots. Dots and lines are
set with numpy, all at once; a row of cells becomes one :class:`~textual.strip.Strip`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

__all__ = [
    "AXIS_W",
    "BRAILLE_BASE",
    "Canvas",
    "FloatArray",
    "as_float",
    "axis_label",
    "axis_number",
    "strip_of",
    "text_cells",
    "value_range",
]

FloatArray = npt.NDArray[np.float64]

BRAILLE_BASE: Final = 0x2800
DOT_BITS: Final = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], np.uint8)
"""Bit of the dot at (row 0-3, column 0-1) of a Braille cell."""
AXIS_W: Final = 6
"""Width of a value axis (labels and a space), in cells."""
MAX_STEPS: Final = 4096
"""Most dots drawn for one line segment (a far-off point cannot blow up the work)."""


@dataclass(slots=True)
class Canvas:
    """Braille dots over ``cols x rows`` cells; ``owner`` is the last layer drawn in a cell."""

    cols: int
    rows: int
    bits: npt.NDArray[np.uint8] = field(init=False)
    owner: npt.NDArray[np.int16] = field(init=False)

    def __post_init__(self) -> None:
        self.bits = np.zeros((self.rows, self.cols), np.uint8)
        self.owner = np.full((self.rows, self.cols), -1, np.int16)

    def dots(self, px: FloatArray, py: FloatArray, layer: int) -> None:
        x = np.rint(px).astype(np.intp)
        y = np.rint(py).astype(np.intp)
        keep = (x >= 0) & (x < 2 * self.cols) & (y >= 0) & (y < 4 * self.rows)
        x, y = x[keep], y[keep]
        np.bitwise_or.at(self.bits, (y // 4, x // 2), DOT_BITS[y % 4, x % 2])
        self.owner[y // 4, x // 2] = layer

    def line(self, px: FloatArray, py: FloatArray, layer: int) -> None:
        """The polyline through the points, broken at non-finite ones."""
        ok = np.isfinite(px) & np.isfinite(py)
        self.dots(px[ok], py[ok], layer)
        joined = ok[:-1] & ok[1:]
        x0, x1, y0, y1 = px[:-1][joined], px[1:][joined], py[:-1][joined], py[1:][joined]
        span = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))
        steps = np.minimum(np.ceil(span).astype(np.intp) + 1, MAX_STEPS)
        which = np.repeat(np.arange(steps.size), steps)
        first = np.cumsum(steps) - steps
        frac = (np.arange(which.size) - first[which]) / np.maximum(steps - 1, 1)[which]
        self.dots(x0[which] + (x1 - x0)[which] * frac, y0[which] + (y1 - y0)[which] * frac, layer)

    def char(self, row: int, col: int) -> str:
        """The Braille character of one cell (a space when no dot is set)."""
        bits = int(self.bits[row, col])
        return chr(BRAILLE_BASE + bits) if bits else " "

    def row_chars(self, row: int) -> list[str]:
        """The characters of a row of cells."""
        return [chr(BRAILLE_BASE + b) if b else " " for b in self.bits[row].tolist()]


def value_range(values: FloatArray, fixed: tuple[float, float] | None) -> tuple[float, float]:
    """``fixed``, else the finite values' range padded by 5 % ((0, 1) when there are none)."""
    if fixed is not None:
        return fixed
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * 0.05 if hi > lo else 1.0
    return lo - pad, hi + pad


def axis_number(value: float, lo: float, hi: float) -> str:
    """A value on an axis from ``lo`` to ``hi``: whole numbers, one decimal on a narrow axis."""
    return f"{value:.0f}" if hi - lo >= 10 else f"{value:.1f}"


def strip_of(cells: Sequence[tuple[str, Style]]) -> Strip:
    """One line from (character, style) cells, runs of one style merged."""
    segments: list[Segment] = []
    run, style = "", None
    for char, cell_style in cells:
        if cell_style is not style and run:  # styles come from lookups: same run, same object
            segments.append(Segment(run, style))
            run = ""
        run += char
        style = cell_style
    if run:
        segments.append(Segment(run, style))
    return Strip(segments, len(cells))


def text_cells(text: str, style: Style) -> list[tuple[str, Style]]:
    """Cells of ``text``, one character each, all in ``style``."""
    return [(c, style) for c in text]


def as_float(values: npt.ArrayLike) -> FloatArray:
    """Any array-like as a flat float64 array."""
    return np.asarray(values, dtype=np.float64).reshape(-1)


def axis_label(row: int, rows: int, lo: float, hi: float, width: int) -> str:
    """The label of a plot row, right-aligned: top, bottom and (5+ rows) middle values."""
    if hi <= lo:
        return " " * width
    if row == 0:
        text = axis_number(hi, lo, hi)
    elif row == rows - 1:
        text = axis_number(lo, lo, hi)
    elif rows >= 5 and row == (rows - 1) // 2:
        text = axis_number((lo + hi) / 2, lo, hi)
    else:
        text = ""
    return text.rjust(width)[:width]
