"""Reusable widgets: Braille charts (:mod:`tui.widgets.chart`)."""

from tui.widgets.chart import Band, PoincarePlot, Series, Tachogram, TimeChart

__all__ = ["Band", "PoincarePlot", "Series", "Tachogram", "TimeChart"]
