"""Charts drawn as lines of cells: a time chart (one or two series, session bands, a clock
axis), a Poincaré plot and the tachogram's series. Pure drawing on the Braille
canvas of :mod:`tui.widgets.braille`, once per data or size change; the widgets in
:mod:`tui.widgets.chart` hold the lines.

NaN values (and NaN times) break a line, so gaps stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final

import numpy as np
import numpy.typing as npt
from rich.style import Style
from textual.strip import Strip

from tui.widgets.braille import (
    AXIS_W,
    Canvas,
    as_float,
    axis_label,
    axis_number,
    strip_of,
    text_cells,
    value_range,
)
from tui.widgets.series import KIND_COLOURS, OTHER_KIND, Band, Series

__all__ = ["TICK_STEPS_MIN", "draw_poincare", "draw_time_chart", "tachogram_series"]

TICK_STEPS_MIN: Final = (1, 2, 5, 10, 15, 30, 60, 120, 180, 240, 360, 720)


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


def _x_range(series: Sequence[Series]) -> tuple[float, float]:
    finite = [t[np.isfinite(t)] for t in (as_float(s.time_s) for s in series)]
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
    right_w = AXIS_W if len(series) == 2 else 0
    cols = width - AXIS_W - right_w
    rows = height - 2 - (1 if bands else 0)
    if cols < 4 or rows < 1:
        return [strip_of(text_cells("(too small)"[:width].ljust(width), dim))] + [
            Strip.blank(width, base) for _ in range(height - 1)
        ]
    x_lo, x_hi = x_range if x_range is not None else _x_range(series)
    x_span = x_hi - x_lo if x_hi > x_lo else 1.0
    canvas = Canvas(cols, rows)
    y_ranges = []
    for layer, s in enumerate(series):
        t, v = as_float(s.time_s), as_float(s.values)
        lo, hi = value_range(v, s.y_range)
        y_ranges.append((lo, hi))
        inside = (t >= x_lo) & (t <= x_hi)
        near = inside | np.r_[inside[1:], False] | np.r_[False, inside[:-1]]
        px = (t[near] - x_lo) / x_span * (2 * cols - 1)
        py = (hi - np.clip(v[near], lo, hi)) / ((hi - lo) or 1.0) * (4 * rows - 1)
        canvas.line(px, py, layer)
    column_kind = _band_columns(bands, x_lo, x_span, cols)
    colours = [base + Style(color=s.style) for s in series]
    row_colours = [
        _row_colours(s, colour, lo, hi, rows, base)
        for s, colour, (lo, hi) in zip(series, colours, y_ranges, strict=True)
    ]
    tints = {k: Style(bgcolor=KIND_COLOURS.get(k, OTHER_KIND)[1]) for k in column_kind if k}
    lines = [_legend(series, colours, bands, width, base)]
    for row in range(rows):
        lo, hi = y_ranges[0] if y_ranges else (0.0, 0.0)
        cells = text_cells(axis_label(row, rows, lo, hi, AXIS_W - 1) + " ", dim)
        styled: dict[tuple[int, str | None], Style] = {}
        owners = canvas.owner[row].tolist()
        for char, owner, kind in zip(canvas.row_chars(row), owners, column_kind, strict=True):
            style = styled.get((owner, kind))
            if style is None:
                style = row_colours[owner][row] if owner >= 0 else base
                style = styled[(owner, kind)] = style + tints[kind] if kind else style
            cells.append((char, style))
        if right_w:
            lo, hi = y_ranges[1]
            cells += text_cells(" " + axis_label(row, rows, lo, hi, AXIS_W - 1), dim)
        lines.append(strip_of(cells))
    if bands:
        strip_cells = [(" ", base)] * AXIS_W
        for kind in column_kind:
            strip_cells.append(_band_cell(kind, base))
        lines.append(strip_of(strip_cells + [(" ", base)] * right_w))
    lines.append(_tick_row(x_lo, x_lo + x_span, cols, width, dim))
    return lines


def _row_colours(
    series: Series, colour: Style, lo: float, hi: float, rows: int, base: Style
) -> list[Style]:
    """The style of the series' dots in each row: its colour, or its shade at the row's middle."""
    if not series.shades:
        return [colour] * rows
    out = []
    for row in range(rows):
        middle = hi - (4 * row + 1.5) / max(4 * rows - 1, 1) * (hi - lo)
        shade = series.style
        for from_value, shade_colour in series.shades:
            if middle >= from_value:
                shade = shade_colour
        out.append(base + Style(color=shade))
    return out


def _band_columns(bands: Sequence[Band], x_lo: float, x_span: float, cols: int) -> list[str | None]:
    """The kind of band under the middle of each plot column (None outside bands).

    A band narrower than a column, which may cover no column's middle, takes the
    column its own middle falls in: a short session stays in sight as the window moves.
    """
    column_kind: list[str | None] = [None] * cols
    mids = x_lo + (np.arange(cols) + 0.5) / cols * x_span
    for band in bands:
        inside = np.flatnonzero((mids >= band.start_s) & (mids < band.end_s))
        if not inside.size and band.end_s > x_lo and band.start_s < x_lo + x_span:
            middle = (max(band.start_s, x_lo) + min(band.end_s, x_lo + x_span)) / 2
            inside = np.array([min(int((middle - x_lo) / x_span * cols), cols - 1)])
        for index in inside:
            column_kind[int(index)] = band.kind
    return column_kind


def _band_cell(kind: str | None, base: Style) -> tuple[str, Style]:
    if kind is None:
        return (" ", base)
    return ("▀", base + Style(color=KIND_COLOURS.get(kind, OTHER_KIND)[0]))


def _legend(
    series: Sequence[Series],
    colours: Sequence[Style],
    bands: Sequence[Band],
    width: int,
    base: Style,
) -> Strip:
    entries = [
        text_cells("━ ", colour) + text_cells(s.name + "   ", base)
        for s, colour in zip(series, colours, strict=True)
    ]
    for kind in dict.fromkeys(b.kind for b in bands):
        entries.append([_band_cell(kind, base), (" ", base), *text_cells(kind + "  ", base)])
    cells: list[tuple[str, Style]] = []
    for entry in entries:  # whole entries only: one that does not fit is left out, not cut
        shown = len("".join(char for char, _ in entry).rstrip())
        if len(cells) + shown > width:
            break
        cells += entry
    return strip_of((cells + [(" ", base)] * width)[:width])


def _tick_row(x_lo: float, x_hi: float, cols: int, width: int, style: Style) -> Strip:
    row = [" "] * width
    for col, text in _ticks(x_lo, x_hi, cols):
        at = min(max(AXIS_W + col - 2, 0), width - len(text))
        if all(c == " " for c in row[max(at - 1, 0) : at + len(text) + 1]):
            row[at : at + len(text)] = list(text)
    return strip_of(text_cells("".join(row), style))


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
    x, y = as_float(rr_n_ms), as_float(rr_next_ms)
    sd = " · ".join(
        f"{name} {value:.1f} ms" for name, value in (("SD1", sd1_ms), ("SD2", sd2_ms)) if value
    )
    title = "Poincaré" + (f" · {sd}" if sd else "")
    if len(title) + 26 <= width:
        title += " · RR(n+1) against RR(n)"
    rows = height - 2
    cols = min(width - AXIS_W, rows * 2)
    lines = [strip_of(text_cells(title[:width].ljust(width), base))]
    both = np.concatenate([x, y])
    both = both[np.isfinite(both)]
    if cols < 4 or rows < 2 or both.size == 0:
        note = "no beats" if both.size == 0 else "(too small)"
        lines.append(strip_of(text_cells(note[:width].ljust(width), dim)))
        return lines + [Strip.blank(width, base) for _ in range(max(height - 2, 0))]
    lo, hi = (float(v) for v in np.percentile(both, [0.5, 99.5]))
    pad = (hi - lo) * 0.05 if hi > lo else 10.0
    lo, hi = lo - pad, hi + pad
    canvas = Canvas(cols, rows)
    diagonal = np.linspace(0, 1, 4 * rows)
    canvas.dots(diagonal[::3] * (2 * cols - 1), (1 - diagonal[::3]) * (4 * rows - 1), 0)
    canvas.dots((x - lo) / (hi - lo) * (2 * cols - 1), (hi - y) / (hi - lo) * (4 * rows - 1), 1)
    styles = [dim, base + Style(color=colour)]
    for row in range(rows):
        cells = text_cells(axis_label(row, rows, lo, hi, AXIS_W - 1) + " ", dim)
        for col in range(cols):
            owner = int(canvas.owner[row, col])
            cells.append((canvas.char(row, col), styles[owner] if owner >= 0 else base))
        lines.append(strip_of((cells + [(" ", base)] * width)[:width]))
    middle = "RR(n) ms".center(max(cols - 10, 0)) if cols >= 18 else " " * max(cols - 10, 0)
    axis = f"{axis_number(lo, lo, hi):<5}{middle}{axis_number(hi, lo, hi):>5}"
    lines.append(strip_of(text_cells((" " * AXIS_W + axis)[:width].ljust(width), dim)))
    return lines


def tachogram_series(
    time_s: npt.ArrayLike, rr_ms: npt.ArrayLike, gap_before: npt.ArrayLike, style: str = "#61afef"
) -> Series:
    """RR intervals (ms) over beat times (epoch s), with a NaN before each gap to break the line.

    The axis spans the 0.5th-99.5th percentiles (padded), so a few artifacts sit
    on the edge instead of flattening the rest.
    """
    t, rr = as_float(time_s), as_float(rr_ms)
    gaps = np.flatnonzero(np.asarray(gap_before, dtype=np.bool_).reshape(-1)[1:]) + 1
    finite = rr[np.isfinite(rr)]
    y_range = None
    if finite.size:
        lo, hi = (float(v) for v in np.percentile(finite, [0.5, 99.5]))
        pad = max((hi - lo) * 0.1, 5.0)
        y_range = (lo - pad, hi + pad)
    t, rr = np.insert(t, gaps, np.nan), np.insert(rr, gaps, np.nan)
    return Series("RR (ms)", t, rr, style, y_range)
