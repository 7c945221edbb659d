"""Braille line charts for the terminal: a time chart, a tachogram and a Poincaré plot.

The widgets hold how to draw their data and draw it once per data or size
change (:mod:`tui.widgets.plots`, on the Braille canvas of
:mod:`tui.widgets.braille`), keeping the resulting lines (Textual's line API),
so ``set_data`` every few seconds costs a millisecond or so.

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

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tui.widgets.braille import as_float
from tui.widgets.plots import draw_poincare, draw_time_chart, tachogram_series
from tui.widgets.series import Band, Series

if TYPE_CHECKING:
    import numpy.typing as npt

# The drawing (:mod:`tui.widgets.plots`, numpy) loads with the first data, so a
# screen holding a chart shows its first frame before numpy is imported.

__all__ = ["PoincarePlot", "Tachogram", "TimeChart"]


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
        x, y = as_float(rr_n_ms), as_float(rr_next_ms)
        self._show(partial(draw_poincare, x, y, sd1_ms, sd2_ms))
