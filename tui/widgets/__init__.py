"""Reusable widgets: Braille charts (:mod:`tui.widgets.chart`)."""

from tui.widgets.chart import PoincarePlot, Tachogram, TimeChart
from tui.widgets.series import Band, Series

__all__ = ["Band", "PoincarePlot", "Series", "Tachogram", "TimeChart"]
