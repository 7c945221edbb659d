"""The live screen's plot: heart rate downsampled from the beats, stress per minute, sessions."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import numpy as np
import pytest
from textual.app import App, ComposeResult

from sensors.beats import Beat
from tui.widgets.live_plot import HR_STEP_S, WINDOW_S, LivePlot

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC).timestamp()


def steady(start_s: float, end_s: float, rr_ms: float) -> list[Beat]:
    """Beats every ``rr_ms`` in ``(start_s, end_s]`` (epoch seconds)."""
    n = int((end_s - start_s) * 1000.0 // rr_ms)
    return [Beat(start_s + (k + 1) * rr_ms / 1000.0, rr_ms) for k in range(n)]


def test_one_point_per_step_of_beats_whatever_the_batches() -> None:
    plot = LivePlot()
    beats = steady(T0, T0 + 59.5, 800.0)  # 75 bpm for a minute
    one = LivePlot()
    one.add_beats(beats)
    for k in range(0, len(beats), 7):  # the same beats in small batches
        plot.add_beats(beats[k : k + 7])
    times, hr = plot.hr_points()
    assert (times, hr) == one.hr_points()
    assert len(times) == 5  # 6 steps of 10 s; the last is still open
    assert hr == pytest.approx([75.0] * 5)
    assert np.diff(times) == pytest.approx([HR_STEP_S] * 4)
    assert plot.now_s == beats[-1].time_s


def test_gaps_and_implausible_beats() -> None:
    plot = LivePlot()
    plot.add_beats(steady(T0, T0 + 20.0, 1000.0))
    plot.add_beats([Beat(T0 + 20.5, 52.0)])  # a bogus 52-ms interval: left out of the mean
    after_gap = steady(T0 + 100.0, T0 + 130.0, 600.0)
    plot.add_beats([Beat(after_gap[0].time_s, 600.0, gap_before=True), *after_gap[1:]])
    _, hr = plot.hr_points()
    finite = [v for v in hr if math.isfinite(v)]
    assert finite == pytest.approx([60.0, 60.0, 60.0, 100.0, 100.0, 100.0])
    assert sum(math.isnan(v) for v in hr) == 1  # the line breaks once, at the gap


async def test_drawn_over_the_last_half_hour_with_stress_and_sessions() -> None:
    class Host(App[None]):
        def compose(self) -> ComposeResult:
            yield LivePlot()

    app = Host()
    async with app.run_test(size=(100, 16)) as pilot:
        plot = app.query_one(LivePlot)
        for minute in range(45):
            start = T0 + 60.0 * minute
            plot.add_beats(steady(start, start + 60.0, 750.0 if minute < 40 else 600.0))
            plot.add_minute(start, None if minute == 42 else min(100, 2 * minute))
        plot.set_sessions(
            [(T0 + 20 * 60.0, T0 + 35 * 60.0, "client"), (T0 + 40 * 60.0, None, "break")]
        )
        await pilot.pause()
        hr, stress = plot.ranges()
        assert hr == pytest.approx((80.0, 100.0))
        assert stress == pytest.approx((30.0, 88.0))  # minutes 15-44 in view, 42 not scored
        rows = [plot.render_line(y).text for y in range(plot.size.height)]
    assert rows[0].startswith("━ heart rate (bpm)   ━ stress (0-100)   ▀ client  ▀ break")
    assert "09:15" in rows[-1] and "09:40" in rows[-1] and "09:10" not in rows[-1]
    assert rows[1].rstrip().endswith("100") and rows[-3].rstrip().endswith("0")
    assert WINDOW_S == 30 * 60.0
