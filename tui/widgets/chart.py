"""Braille line charts for the terminal: a time chart, a tachogram and a Poincaré plot.

Each terminal cell holds a 2 x 4 grid of Braille dots (U+2800-U+28FF), so a
chart of ``w`` columns and ``h`` rows has ``2w x 4h`` dots. Drawing is
vectorised with numpy and done once per data or size change; the widgets keep
the resulting lines (Textual's line API), so ``set_data`` every few seconds
costs a millisecond or so.

Usage::

    chart = TimeChart()
    chart.set_data(
        [Series("HR (bpm)", minute_s, hr_bpm, "#e06c75"),
         Series("stress (0-100)", minute_s, stress, "#e5c07b", y_range=(0, 100))],
        bands=[Band(start_s, end_s, "client")],
    )

The first series is labelled on the left axis, the second on the right.
NaN values (and NaN times) break the line, so gaps stay visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Final

import numpy as np
import numpy.typing as npt
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

__all__ = [
    "KIND_COLOURS",
    "Band",
    "PoincarePlot",
    "Series",
    "Tachogram",
    "TimeChart",
    "draw_poincare",
    "draw_time_chart",
    "tachogram_series",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

BRAILLE_BASE: Final = 0x2800
_DOT_BITS: Final = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], np.uint8)
"""Bit of the dot at (row 0-3, column 0-1) of a Braille cell."""
_AXIS_W: Final = 6
_MAX_STEPS: Final = 4096
"""Most dots drawn for one line segment (a far-off point cannot blow up the work)."""
TICK_STEPS_MIN: Final = (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720)

KIND_COLOURS: Final[Mapping[str, tuple[str, str]]] = {
    "client": ("#a37fd6", "#2a2238"),
    "break": ("#6cbf78", "#1d2e21"),
    "supervision": ("#5f9bd6", "#1c2838"),
    "admin": ("#a0a0a0", "#262626"),
}
"""Session kind to (strip colour, background tint of the plot)."""
_OTHER_KIND: Final = ("#c9a15f", "#2e2619")


@dataclass(frozen=True, slots=True)
class Series:
    """One line: ``values`` over ``time_s`` (epoch seconds); NaN breaks the line.

    ``style`` is a Rich colour ("#e06c75", "red"); ``y_range`` fixes the axis
    (else the finite data's range, padded by 5 %).
    """

    name: str
    time_s: npt.ArrayLike
    values: npt.ArrayLike
    style: str = "#e06c75"
    y_range: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded stretch of the time axis (a session): epoch seconds and its kind."""

    start_s: float
    end_s: float
    kind: str


@dataclass(slots=True)
class _Canvas:
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
        np.bitwise_or.at(self.bits, (y // 4, x // 2), _DOT_BITS[y % 4, x % 2])
        self.owner[y // 4, x // 2] = layer

    def line(self, px: FloatArray, py: FloatArray, layer: int) -> None:
        """The polyline through the points, broken at non-finite ones."""
        ok = np.isfinite(px) & np.isfinite(py)
        self.dots(px[ok], py[ok], layer)
        joined = ok[:-1] & ok[1:]
        x0, x1, y0, y1 = px[:-1][joined], px[1:][joined], py[:-1][joined], py[1:][joined]
        span = np.maximum(np.abs(x1 - x0), np.abs(y1 - y0))
        steps = np.minimum(np.ceil(span).astype(np.intp) + 1, _MAX_STEPS)
        which = np.repeat(np.arange(steps.size), steps)
        first = np.cumsum(steps) - steps
        frac = (np.arange(which.size) - first[which]) / np.maximum(steps - 1, 1)[which]
        self.dots(x0[which] + (x1 - x0)[which] * frac, y0[which] + (y1 - y0)[which] * frac, layer)

    def char(self, row: int, col: int) -> str:
        bits = int(self.bits[row, col])
        return chr(BRAILLE_BASE + bits) if bits else " "


def _value_range(values: FloatArray, fixed: tuple[float, float] | None) -> tuple[float, float]:
    if fixed is not None:
        return fixed
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    pad = (hi - lo) * 0.05 if hi > lo else 1.0
    return lo - pad, hi + pad


def _label(value: float, lo: float, hi: float) -> str:
    return f"{value:.0f}" if hi - lo >= 10 else f"{value:.1f}"


def _strip(cells: Sequence[tuple[str, Style]]) -> Strip:
    """One line from (character, style) cells, runs of one style merged."""
    segments: list[Segment] = []
    run, style = "", None
    for char, cell_style in cells:
        if cell_style != style and run:
            segments.append(Segment(run, style))
            run = ""
        run += char
        style = cell_style
    if run:
        segments.append(Segment(run, style))
    return Strip(segments, len(cells))


def _text_cells(text: str, style: Style) -> list[tuple[str, Style]]:
    return [(c, style) for c in text]


def _ticks(x_lo: float, x_hi: float, cols: int) -> list[tuple[int, str]]:
    """HH:MM labels at whole local minutes, spaced to fit ``cols`` columns."""
    span_min = max((x_hi - x_lo) / 60.0, 1e-9)
    fit = max(cols // 8, 1)
    step = next((s for s in TICK_STEPS_MIN if span_min / s <= fit), TICK_STEPS_MIN[-1])
    offset = datetime.fromtimestamp(x_lo).astimezone().utcoffset()
    shift = offset.total_seconds() if offset is not None else 0.0
    first = np.ceil((x_lo + shift) / (step * 60.0)) * step * 60.0 - shift
    out = []
    for t in np.arange(first, x_hi + 1e-6, step * 60.0):
        col = round((t - x_lo) / (x_hi - x_lo) * (cols - 1)) if x_hi > x_lo else 0
        out.append((col, datetime.fromtimestamp(float(t)).astimezone().strftime("%H:%M")))
    return out


def _as_float(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64).reshape(-1)


def _x_range(series: Sequence[Series]) -> tuple[float, float]:
    finite = [t[np.isfinite(t)] for t in (_as_float(s.time_s) for s in series)]
    finite = [t for t in finite if t.size]
    if not finite:
        return 0.0, 1.0
    return min(float(t.min()) for t in finite), max(float(t.max()) for t in finite)


def draw_time_chart(
    series: Sequence[Series],
    x_range: tuple[float, float] | None,
    bands: Sequence[Band],
    width: int,
    height: int,
    base: Style | None = None,
) -> list[Strip]:
    """The lines of a time chart ``width`` cells wide and ``height`` high (see module)."""
    base = base or Style()
    dim = base + Style(dim=True)
    series = list(series)[:2]
    right_w = _AXIS_W if len(series) == 2 else 0
    cols = width - _AXIS_W - right_w
    rows = height - 2 - (1 if bands else 0)
    if cols < 4 or rows < 1:
        return [_strip(_text_cells("(too small)"[:width].ljust(width), dim))] + [
            Strip.blank(width, base) for _ in range(height - 1)
        ]
    x_lo, x_hi = x_range if x_range is not None else _x_range(series)
    x_span = x_hi - x_lo if x_hi > x_lo else 1.0
    canvas = _Canvas(cols, rows)
    y_ranges = []
    for layer, s in enumerate(series):
        t, v = _as_float(s.time_s), _as_float(s.values)
        lo, hi = _value_range(v, s.y_range)
        y_ranges.append((lo, hi))
        inside = (t >= x_lo) & (t <= x_hi)
        near = inside | np.r_[inside[1:], False] | np.r_[False, inside[:-1]]
        px = (t[near] - x_lo) / x_span * (2 * cols - 1)
        py = (hi - np.clip(v[near], lo, hi)) / ((hi - lo) or 1.0) * (4 * rows - 1)
        canvas.line(px, py, layer)
    column_kind = _band_columns(bands, x_lo, x_span, cols)
    colours = [base + Style(color=s.style) for s in series]
    tints = {k: Style(bgcolor=KIND_COLOURS.get(k, _OTHER_KIND)[1]) for k in column_kind if k}
    lines = [_legend(series, colours, bands, width, base)]
    for row in range(rows):
        lo, hi = y_ranges[0] if y_ranges else (0.0, 0.0)
        cells = _text_cells(_axis_label(row, rows, lo, hi, _AXIS_W - 1) + " ", dim)
        for col, kind in enumerate(column_kind):
            owner = int(canvas.owner[row, col])
            style = colours[owner] if owner >= 0 else base
            cells.append((canvas.char(row, col), style + tints[kind] if kind else style))
        if right_w:
            lo, hi = y_ranges[1]
            cells += _text_cells(" " + _axis_label(row, rows, lo, hi, _AXIS_W - 1), dim)
        lines.append(_strip(cells))
    if bands:
        strip_cells = [(" ", base)] * _AXIS_W
        for kind in column_kind:
            strip_cells.append(_band_cell(kind, base))
        lines.append(_strip(strip_cells + [(" ", base)] * right_w))
    lines.append(_tick_row(x_lo, x_lo + x_span, cols, width, dim))
    return lines


def _band_columns(bands: Sequence[Band], x_lo: float, x_span: float, cols: int) -> list[str | None]:
    """The kind of band under the middle of each plot column (None outside bands)."""
    column_kind: list[str | None] = [None] * cols
    mids = x_lo + (np.arange(cols) + 0.5) / cols * x_span
    for band in bands:
        for index in np.flatnonzero((mids >= band.start_s) & (mids < band.end_s)):
            column_kind[int(index)] = band.kind
    return column_kind


def _band_cell(kind: str | None, base: Style) -> tuple[str, Style]:
    if kind is None:
        return (" ", base)
    return ("▀", base + Style(color=KIND_COLOURS.get(kind, _OTHER_KIND)[0]))


def _legend(
    series: Sequence[Series],
    colours: Sequence[Style],
    bands: Sequence[Band],
    width: int,
    base: Style,
) -> Strip:
    cells: list[tuple[str, Style]] = []
    for s, colour in zip(series, colours, strict=True):
        cells += _text_cells("━ ", colour) + _text_cells(s.name + "   ", base)
    for kind in dict.fromkeys(b.kind for b in bands):
        cells += [_band_cell(kind, base), (" ", base), *_text_cells(kind + "  ", base)]
    return _strip((cells + [(" ", base)] * width)[:width])


def _tick_row(x_lo: float, x_hi: float, cols: int, width: int, style: Style) -> Strip:
    row = [" "] * width
    for col, text in _ticks(x_lo, x_hi, cols):
        at = min(max(_AXIS_W + col - 2, 0), width - len(text))
        if all(c == " " for c in row[max(at - 1, 0) : at + len(text) + 1]):
            row[at : at + len(text)] = list(text)
    return _strip(_text_cells("".join(row), style))


def _axis_label(row: int, rows: int, lo: float, hi: float, width: int) -> str:
    if hi <= lo:
        return " " * width
    if row == 0:
        text = _label(hi, lo, hi)
    elif row == rows - 1:
        text = _label(lo, lo, hi)
    elif rows >= 5 and row == (rows - 1) // 2:
        text = _label((lo + hi) / 2, lo, hi)
    else:
        text = ""
    return text.rjust(width)[:width]


def draw_poincare(
    rr_n_ms: npt.ArrayLike,
    rr_next_ms: npt.ArrayLike,
    sd1_ms: float | None,
    sd2_ms: float | None,
    width: int,
    height: int,
    base: Style | None = None,
    colour: str = "#61afef",
) -> list[Strip]:
    """The lines of a Poincaré plot: RR(n+1) (up) against RR(n) (across), in ms, equal scales.

    Axis limits are the 0.5th and 99.5th percentiles of both series, so a few
    artifacts do not squash the cloud; the dim diagonal is the identity line.
    """
    base = base or Style()
    dim = base + Style(dim=True)
    x, y = _as_float(rr_n_ms), _as_float(rr_next_ms)
    sd = " · ".join(
        f"{name} {value:.1f} ms" for name, value in (("SD1", sd1_ms), ("SD2", sd2_ms)) if value
    )
    title = "Poincaré" + (f" · {sd}" if sd else "")
    if len(title) + 26 <= width:
        title += " · RR(n+1) against RR(n)"
    rows = height - 2
    cols = min(width - _AXIS_W, rows * 2)
    lines = [_strip(_text_cells(title[:width].ljust(width), base))]
    both = np.concatenate([x, y])
    both = both[np.isfinite(both)]
    if cols < 4 or rows < 2 or both.size == 0:
        note = "no beats" if both.size == 0 else "(too small)"
        lines.append(_strip(_text_cells(note[:width].ljust(width), dim)))
        return lines + [Strip.blank(width, base) for _ in range(max(height - 2, 0))]
    lo, hi = (float(v) for v in np.percentile(both, [0.5, 99.5]))
    pad = (hi - lo) * 0.05 if hi > lo else 10.0
    lo, hi = lo - pad, hi + pad
    canvas = _Canvas(cols, rows)
    diagonal = np.linspace(0, 1, 4 * rows)
    canvas.dots(diagonal[::3] * (2 * cols - 1), (1 - diagonal[::3]) * (4 * rows - 1), 0)
    canvas.dots((x - lo) / (hi - lo) * (2 * cols - 1), (hi - y) / (hi - lo) * (4 * rows - 1), 1)
    styles = [dim, base + Style(color=colour)]
    for row in range(rows):
        cells = _text_cells(_axis_label(row, rows, lo, hi, _AXIS_W - 1) + " ", dim)
        for col in range(cols):
            owner = int(canvas.owner[row, col])
            cells.append((canvas.char(row, col), styles[owner] if owner >= 0 else base))
        lines.append(_strip((cells + [(" ", base)] * width)[:width]))
    middle = "RR(n) ms".center(max(cols - 10, 0)) if cols >= 18 else " " * max(cols - 10, 0)
    axis = f"{_label(lo, lo, hi):<5}{middle}{_label(hi, lo, hi):>5}"
    lines.append(_strip(_text_cells((" " * _AXIS_W + axis)[:width].ljust(width), dim)))
    return lines


def tachogram_series(
    time_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike, style: str = "#61afef"
) -> Series:
    """RR intervals (ms) over beat times (epoch s), with a NaN before each gap to break the line.

    The axis spans the 0.5th-99.5th percentiles (padded), so a few artifacts sit
    on the edge instead of flattening the rest.
    """
    t, rr = _as_float(time_s), _as_float(rr_ms)
    gaps = np.flatnonzero(np.asarray(gap_before, dtype=np.bool_).reshape(-1)[1:]) + 1
    finite = rr[np.isfinite(rr)]
    y_range = None
    if finite.size:
        lo, hi = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
        pad = max((hi - lo) * 0.1, 5.0)
        y_range = (lo - pad, hi + pad)
    t, rr = np.insert(t, gaps, np.nan), np.insert(rr, gaps, np.nan)
    return Series("RR (ms)", t, rr, style, y_range)


def _nothing(width: int, height: int, base: Style) -> list[Strip]:
    return []


class _ChartWidget(Widget):
    """Holds how to draw its data; draws once per data or size change (Textual's line API)."""

    def __init__(
        self, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._draw: Callable[[int, int, Style], list[Strip]] = _nothing
        self._lines: list[Strip] = []
        self._drawn_for: tuple[int, int] | None = None

    def _show(self, draw: Callable[[int, int, Style], list[Strip]]) -> None:
        self._draw = draw
        self._drawn_for = None
        self.refresh()

    def render_line(self, y: int) -> Strip:
        size = (self.size.width, self.size.height)
        if self._drawn_for != size:
            self._lines = self._draw(*size, self.rich_style)
            self._drawn_for = size
        if y < len(self._lines):
            return self._lines[y].adjust_cell_length(size[0], self.rich_style)
        return Strip.blank(size[0], self.rich_style)


class TimeChart(_ChartWidget):
    """One or two series over local clock time, with optional session bands.

    Layout: a legend row, the plot (left axis for the first series, right axis
    for the second), a strip of session bands (when there are any) and a row of
    HH:MM ticks. Give it a height in CSS (the default is 12 rows).
    """

    DEFAULT_CSS = """
    TimeChart { height: 12; }
    """

    def set_data(
        self,
        series: Sequence[Series],
        x_range: tuple[float, float] | None = None,
        bands: Iterable[Band | tuple[float, float, str]] = (),
    ) -> None:
        """Show ``series`` (at most two) over ``x_range`` (epoch s; None: the data's span).

        Cheap: the chart is drawn lazily, once, at the next refresh.
        """
        shaded = tuple(b if isinstance(b, Band) else Band(*b) for b in bands)
        self._show(partial(draw_time_chart, tuple(series), x_range, shaded))


class Tachogram(TimeChart):
    """RR intervals (ms) over time, broken at gaps in the recording."""

    def set_beats(
        self, time_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike
    ) -> None:
        """Beat times (epoch s), RR intervals (ms) and gap flags, as stored."""
        self.set_data([tachogram_series(time_s, rr_ms, gap_before)])


class PoincarePlot(_ChartWidget):
    """Scatter of RR(n+1) against RR(n) in ms, with SD1 and SD2 in the title row."""

    DEFAULT_CSS = """
    PoincarePlot { height: 14; }
    """

    def set_data(
        self,
        rr_n_ms: npt.ArrayLike,
        rr_next_ms: npt.ArrayLike,
        sd1_ms: float | None = None,
        sd2_ms: float | None = None,
    ) -> None:
        """Successive RR pairs in ms; SD1 / SD2 (ms) as reported for the session."""
        x, y = _as_float(rr_n_ms), _as_float(rr_next_ms)
        self._show(partial(draw_poincare, x, y, sd1_ms, sd2_ms))
