"""Canaries for the chromium harness (``tests/support/browser.py``): it must be able to fail.

A page that fetches from outside is caught, an inline page is not; a red rectangle is red
where it was drawn and only there; a throwing expression raises; the PNG decoder is
checked against a small encoder that uses every filter type.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.browser import (
    JavaScriptError,
    decode_png,
    needs_chromium,
    open_page,
    page_requests,
    read_net_log,
)

EXTERNAL_URL = "http://example.org/x.png"
RECT = (40, 30, 120, 80)
"""x, y, width, height of the red rectangle, in CSS pixels from the page's corner."""


def write_page(tmp_path: Path, body: str) -> Path:
    page = tmp_path / "page.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<style>html,body{margin:0;background:#fff}svg{display:block}</style></head>"
        f"<body>{body}</body></html>",
        encoding="utf-8",
    )
    return page


@needs_chromium
def test_an_external_image_is_listed_as_a_request(tmp_path: Path) -> None:
    page_file = write_page(tmp_path, f'<p>report</p><img src="{EXTERNAL_URL}" alt="">')
    with open_page(page_file, tmp_path / "run") as page:
        assert page.evaluate("document.images.length") == 1
    assert EXTERNAL_URL in page.requests


@needs_chromium
def test_an_inline_page_makes_no_request_and_draws_where_told(tmp_path: Path) -> None:
    x, y, width, height = RECT
    svg = (
        '<svg width="300" height="200" xmlns="http://www.w3.org/2000/svg">'
        f'<rect id="r" x="{x}" y="{y}" width="{width}" height="{height}" fill="#ff0000"/>'
        "</svg><script>document.title = 'inline';</script>"
    )
    with open_page(write_page(tmp_path, svg), tmp_path / "run", width=400, height=300) as page:
        assert page.evaluate("document.querySelectorAll('rect').length") == 1
        box = page.evaluate(
            "(() => { const b = document.getElementById('r').getBoundingClientRect();"
            " return {x: b.x, y: b.y, width: b.width, height: b.height}; })()"
        )
        assert box == {"x": x, "y": y, "width": width, "height": height}
        assert page.evaluate("Promise.resolve(document.title)") == "inline"
        margin = 10
        clip = decode_png(
            page.screenshot(clip=(x - margin, y - margin, width + 2 * margin, height + 2 * margin))
        )
        whole = decode_png(page.screenshot(full_page=True))
    assert page.requests == []

    assert clip.shape[:2] == (height + 2 * margin, width + 2 * margin)
    rgb = clip[..., :3].astype(int)
    inside = rgb[margin : margin + height, margin : margin + width]
    assert (inside == [255, 0, 0]).all()
    outside = rgb.copy()
    outside[margin : margin + height, margin : margin + width] = 255
    assert (outside == 255).all(), "only the rectangle may be non-white"

    assert whole.shape[:2] == (300, 400)
    red = np.all(whole[..., :3] == [255, 0, 0], axis=-1)
    rows, cols = np.nonzero(red)
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (y, y + height - 1, x, x + width - 1)
    assert red.sum() == width * height


@needs_chromium
def test_a_javascript_exception_raises_a_clear_error(tmp_path: Path) -> None:
    with open_page(write_page(tmp_path, "<p>x</p>"), tmp_path / "run") as page:
        with pytest.raises(JavaScriptError, match="boom-7f3"):
            page.evaluate("(() => { throw new Error('boom-7f3'); })()")
        with pytest.raises(JavaScriptError, match="rejected-2c"):
            page.evaluate("Promise.reject(new Error('rejected-2c'))")
        with pytest.raises(JavaScriptError, match="noSuchName"):
            page.evaluate("noSuchName + 1")
        assert page.evaluate("1 + 1") == 2


# -- the PNG decoder, against a tiny encoder --------------------------------------------


def paeth(left: int, up: int, upper_left: int) -> int:
    estimate = left + up - upper_left
    distances = [abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)]
    return [left, up, upper_left][distances.index(min(distances))]


def filter_row(kind: int, row: bytes, above: bytes, bpp: int) -> bytes:
    """PNG filter ``kind`` (0-4) applied to one scanline, as an encoder does it."""
    out = bytearray()
    for i, value in enumerate(row):
        left = row[i - bpp] if i >= bpp else 0
        upper_left = above[i - bpp] if i >= bpp else 0
        predictor = [0, left, above[i], (left + above[i]) // 2, paeth(left, above[i], upper_left)]
        out.append((value - predictor[kind]) % 256)
    return bytes(out)


def chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(pixels: np.ndarray[Any, np.dtype[np.uint8]], **header: int) -> bytes:
    """An 8-bit PNG of ``pixels`` (H x W x 3 or 4); row y uses filter type y % 5."""
    height, width, channels = pixels.shape
    colour = header.get("colour", {3: 2, 4: 6}[channels])
    ihdr = struct.pack(
        ">IIBBBBB", width, height, header.get("depth", 8), colour, 0, 0, header.get("interlace", 0)
    )
    stride = width * channels
    raw = bytearray()
    above = bytes(stride)
    for y in range(height):
        row = pixels[y].tobytes()
        raw += bytes([y % 5]) + filter_row(y % 5, row, above, channels)
        above = row
    idat = zlib.compress(bytes(raw))
    # Split the image data over two IDAT chunks: a decoder must join them.
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat[:7])
        + chunk(b"IDAT", idat[7:])
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("channels", [3, 4])
def test_decode_png_round_trips_every_filter_type(channels: int) -> None:
    rng = np.random.default_rng(5)
    pixels = rng.integers(0, 256, size=(11, 7, channels), dtype=np.uint8)
    pixels[3] = pixels[2]  # a row equal to the one above, and a smooth ramp
    pixels[6] = np.arange(7 * channels, dtype=np.uint8).reshape(7, channels) * 30
    decoded = decode_png(encode_png(pixels))
    assert decoded.dtype == np.uint8
    assert decoded.shape == pixels.shape
    assert np.array_equal(decoded, pixels)


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({"depth": 16}, "bit depth 16"),
        ({"colour": 0}, "colour type 0"),
        ({"interlace": 1}, "interlace 1"),
    ],
)
def test_decode_png_refuses_what_it_does_not_read(header: dict[str, int], message: str) -> None:
    pixels = np.zeros((2, 2, 3), dtype=np.uint8)
    with pytest.raises(ValueError, match=message):
        decode_png(encode_png(pixels, **header))


def test_decode_png_refuses_a_non_png() -> None:
    with pytest.raises(ValueError, match="signature"):
        decode_png(b"GIF89a" + bytes(20))


# -- the net-log -------------------------------------------------------------------------


def test_a_cut_net_log_is_still_read(tmp_path: Path) -> None:
    """Chromium killed mid-write leaves no closing ``]}``: the whole events are kept."""
    constants = {"logEventTypes": {"URL_REQUEST_START_JOB": 7, "OTHER": 3}}
    events = [
        {
            "type": 7,
            "params": {
                "url": "https://fonts.example/a.css",
                "network_isolation_key": "file:// file://",
            },
        },
        {
            "type": 7,
            "params": {"url": "https://update.example/", "network_isolation_key": "null null"},
        },
        {
            "type": 3,
            "params": {"url": "https://other.example/", "network_isolation_key": "file://"},
        },
        {"type": 7, "params": {"url": "https://late.example/", "network_isolation_key": "file://"}},
    ]
    lines = [json.dumps({"constants": constants})[:-1] + ",", '"events": [']
    lines += [json.dumps(event) + "," for event in events]
    log = tmp_path / "net-log.json"
    log.write_text("\n".join(lines)[:-25], encoding="utf-8")  # cut inside the last event
    assert page_requests(read_net_log(log)) == ["https://fonts.example/a.css"]
    log.write_text("\n".join(lines)[:-1] + "\n]}\n", encoding="utf-8")
    assert page_requests(read_net_log(log)) == [
        "https://fonts.example/a.css",
        "https://late.example/",
    ]
