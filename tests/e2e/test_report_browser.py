"""The HTML day report rendered by headless Debian chromium: charts drawn, nothing loaded.

Skipped, with the reason, where chromium is not installed (``make browser`` installs it);
under ``CI=true`` it fails with the reason instead.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from companion.review.html import build_day_report
from companion.store.store import Store
from tests.support.browser import decode_png, needs_chromium, open_page

pytestmark = needs_chromium

HR_RGB = (0xB0, 0x3A, 0x48)
STRESS_RGB = (0x3A, 0x6E, 0xA5)
CLIENT_STRIP_RGB = tuple(round(0.9 * c + 0.1 * 255) for c in (0xE3, 0xA5, 0x4C))
"""The client colour of the session strip, drawn at opacity 0.9 on white."""

MEASURE = """(() => {
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x: r.x, y: r.y + window.scrollY, width: r.width, height: r.height}; };
  const charts = [...document.querySelectorAll('svg.chart')].map((svg) => ({
    cls: svg.getAttribute('class'), box: box(svg),
    shapes: svg.querySelectorAll('rect, path, line').length }));
  return {
    charts,
    bands: document.querySelectorAll('svg.timeline rect.band').length,
    hrLength: document.querySelector('svg.timeline path.line-hr').getTotalLength(),
    stressLength: document.querySelector('svg.timeline path.line-stress').getTotalLength(),
    bars: [...document.querySelectorAll('svg.load rect.bar')].map((r) => r.getBBox().width),
    prompts: document.querySelectorAll('svg.timeline path.prompt-mark').length,
    pageHeight: document.documentElement.scrollHeight,
    tableRows: document.querySelectorAll('table.sessions tbody tr').length,
  };
})()"""


def near(pixels: np.ndarray[Any, Any], rgb: tuple[int, ...], tolerance: int = 30) -> int:
    """How many pixels are within ``tolerance`` of ``rgb`` on every channel."""
    diff = np.abs(pixels[..., :3].astype(np.int16) - np.array(rgb, dtype=np.int16))
    return int(np.all(diff <= tolerance, axis=-1).sum())


@pytest.fixture(scope="module")
def report_file(heavy_day_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("browser") / "data"
    shutil.copytree(heavy_day_store, data)
    with Store(data, read_only=True) as store:
        page = build_day_report(store, store.days()[0])
    out = data.parent / "day.html"
    out.write_text(page, encoding="utf-8")
    return out


def test_chromium_renders_the_charts_and_loads_nothing(report_file: Path, tmp_path: Path) -> None:
    with open_page(report_file, tmp_path, width=1200, height=900) as page:
        found = page.evaluate(MEASURE)
        png = page.screenshot(full_page=True)
        timeline = found["charts"][0]["box"]
        clip = (timeline["x"], timeline["y"], timeline["width"], timeline["height"])
        chart_png = page.screenshot(clip=clip)

    # Every chart is laid out at a readable size and holds its shapes.
    assert [c["cls"] for c in found["charts"]] == [
        "chart timeline",
        "chart load",
        "chart recovery",
    ]
    for chart in found["charts"]:
        assert chart["box"]["width"] >= 900, chart
        assert chart["box"]["height"] >= 150, chart
        assert chart["shapes"] >= 20, chart
    assert found["bands"] == found["tableRows"] == 12
    assert found["prompts"] == 3
    assert found["hrLength"] > 2000 and found["stressLength"] > 2000
    assert len(found["bars"]) == 12 and min(found["bars"]) > 0

    # A screenshot is produced, the size of the page, and the timeline is drawn in its colours.
    shot = tmp_path / "report.png"
    shot.write_bytes(png)
    whole = decode_png(shot.read_bytes())
    assert whole.shape[1] == 1200 and whole.shape[0] == found["pageHeight"]
    pixels = decode_png(chart_png)
    assert abs(pixels.shape[0] - timeline["height"]) <= 1
    assert near(pixels, HR_RGB) > 1000, "the heart-rate line is not drawn"
    assert near(pixels, STRESS_RGB) > 1000, "the stress line is not drawn"
    assert near(pixels, CLIENT_STRIP_RGB, 6) > 2000, "the client-session bands are not drawn"
    assert near(whole[: int(timeline["y"])], HR_RGB) < near(pixels, HR_RGB) // 5

    # Chromium's net-log shows the page asked for nothing outside the file itself.
    assert page.requests == []
