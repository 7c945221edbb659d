"""Open a local HTML file in headless Debian chromium: evaluate, screenshot, list requests.

Chromium is driven with the DevTools protocol over ``--remote-debugging-pipe``: it reads
commands on its fd 3 and writes responses on its fd 4, each a JSON message ended by a NUL
byte. Every read has a deadline (``select``); nothing sleeps. The network requests the page
made come from chromium's own net-log, read after it exits, so a test can prove a report
loads nothing from outside. :func:`decode_png` turns a screenshot into pixels (numpy).
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.support.paths import skip_or_fail

CHROMIUM = Path(shutil.which("chromium") or "/usr/bin/chromium")
TIMEOUT_S = 30.0
"""How long any one step (start, command, page load, exit) may take before failing."""

_CMD_FD = 3
"""Chromium reads DevTools commands on this fd (``--remote-debugging-pipe``)."""
_RESP_FD = 4
"""Chromium writes DevTools responses and events on this fd."""
_HIGH_FD = 10
"""Pipe ends are first copied at or above this, so placing them on 3 and 4 cannot clash."""


class BrowserError(RuntimeError):
    """Chromium failed, timed out, or answered a DevTools command with an error."""


class JavaScriptError(BrowserError):
    """The evaluated expression threw (or its promise rejected)."""


def chromium_missing_reason() -> str | None:
    """None when chromium can be run here, else one sentence saying why not."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"Debian chromium is not installed ({CHROMIUM}); `make browser` installs it as root"
    return None


def require_chromium() -> None:
    """Skip the test, with the reason, when chromium is missing; under ``CI=true`` fail."""
    reason = chromium_missing_reason()
    if reason is not None:
        skip_or_fail(reason)


@pytest.fixture
def chromium() -> None:
    """Chromium can be run (``tests.support.browser`` is a plugin of ``tests/conftest.py``)."""
    require_chromium()


needs_chromium = pytest.mark.usefixtures("chromium")
"""Skip the test, with the reason, when chromium is missing; under ``CI=true`` fail."""


def launch_args(user_data_dir: Path, net_log: Path, width: int, height: int) -> list[str]:
    """Chromium's command line: headless, offline, nothing reaching out on its own."""
    return [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        "--remote-debugging-pipe",
        f"--user-data-dir={user_data_dir}",
        f"--log-net-log={net_log}",
        f"--window-size={width},{height}",
        "about:blank",
    ]


class DevToolsPipe:
    """DevTools messages over the two pipes, with a deadline on every read."""

    def __init__(self, write_fd: int, read_fd: int, describe: Any) -> None:
        self._write_fd = write_fd
        self._read_fd = read_fd
        self._describe = describe  # () -> str: chromium's state, for error messages
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; raise BrowserError on an error answer."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._write_fd, data) :]
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._receive(deadline, f"the answer to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method} failed: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self._events.append(reply)

    def wait_event(self, method: str, session: str | None = None) -> dict[str, Any]:
        """The params of the first (buffered or coming) event ``method`` of ``session``."""
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    params: dict[str, Any] = event.get("params", {})
                    return params
            message = self._receive(deadline, f"the event {method}")
            if "method" in message:
                self._events.append(message)

    def _receive(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._read_fd], [], [], max(left, 0.0))
            if not ready:
                raise BrowserError(
                    f"chromium sent no {waiting_for} within {TIMEOUT_S:.0f} s; {self._describe()}"
                )
            chunk = os.read(self._read_fd, 1 << 16)
            if not chunk:
                raise BrowserError(
                    f"chromium closed its DevTools pipe while we waited for {waiting_for}; "
                    f"{self._describe()}"
                )
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message


@dataclass
class PageRun:
    """What a page did; ``requests`` is filled once chromium has exited."""

    requests: list[str] = field(default_factory=list)


class Page:
    """One loaded page: evaluate JavaScript in it and take screenshots."""

    def __init__(self, pipe: DevToolsPipe, session: str, run: PageRun) -> None:
        self._pipe = pipe
        self._session = session
        self._run = run

    @property
    def requests(self) -> list[str]:
        """URLs of the network requests the page made (complete after the with-block)."""
        return self._run.requests

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` (promises awaited); JavaScriptError if it throws."""
        result = self._pipe.call(
            "Runtime.evaluate",
            self._session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        details = result.get("exceptionDetails")
        if details is not None:
            exception = details.get("exception", {})
            text = exception.get("description") or exception.get("value") or details.get("text")
            raise JavaScriptError(f"JavaScript {expression!r} threw: {text}")
        return result["result"].get("value")

    def screenshot(
        self, clip: tuple[float, float, float, float] | None = None, full_page: bool = False
    ) -> bytes:
        """A PNG of the viewport, of the whole page, or of ``clip`` = (x, y, width, height)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page and clip is None:
            metrics = self._pipe.call("Page.getLayoutMetrics", self._session)
            size = metrics["cssContentSize"]
            clip = (0.0, 0.0, float(size["width"]), float(size["height"]))
        if clip is not None:
            x, y, width, height = clip
            params["clip"] = {"x": x, "y": y, "width": width, "height": height, "scale": 1}
            params["captureBeyondViewport"] = True
        result = self._pipe.call("Page.captureScreenshot", self._session, **params)
        return base64.b64decode(result["data"])


def _spawn(args: list[str], log: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    """Start chromium with a command pipe on its fd 3 and a response pipe on its fd 4.

    Returns the process, our write end of the command pipe and our read end of the
    response pipe. ``pass_fds`` keeps fd numbers and cannot renumber them (and
    ``close_fds`` runs after ``preexec_fn``, closing anything it placed), so the child's
    ends are copied to fds at or above :data:`_HIGH_FD` (so that neither can sit on 3 or 4)
    and ``preexec_fn`` moves them onto 3 and 4. Every other fd we hold is close-on-exec
    (PEP 446) and does not reach chromium.
    """
    cmd_read, cmd_write = os.pipe()
    resp_read, resp_write = os.pipe()
    child_read = fcntl.fcntl(cmd_read, fcntl.F_DUPFD_CLOEXEC, _HIGH_FD)
    child_write = fcntl.fcntl(resp_write, fcntl.F_DUPFD_CLOEXEC, _HIGH_FD)
    for fd in (cmd_read, resp_write):
        os.close(fd)

    def place_fds() -> None:
        os.dup2(child_read, _CMD_FD)  # dup2 leaves the copies inheritable
        os.dup2(child_write, _RESP_FD)

    try:
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                close_fds=False,
                preexec_fn=place_fds,  # only dup2: no lock a forked child could wait on
            )
    except BaseException:
        for fd in (cmd_write, resp_read):
            os.close(fd)
        raise
    finally:
        for fd in (child_read, child_write):
            os.close(fd)
    return process, cmd_write, resp_read


def _stop(process: subprocess.Popen[bytes], pipe: DevToolsPipe) -> None:
    """Ask chromium to close (so it finishes its net-log), kill it if it does not exit."""
    with suppress(BrowserError, OSError):
        pipe.call("Browser.close")
    try:
        process.wait(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=TIMEOUT_S)


@contextmanager
def open_page(
    html: Path, work_dir: Path, *, width: int = 1200, height: int = 900
) -> Iterator[Page]:
    """Load ``html`` in a fresh headless chromium; ``Page.requests`` is set at exit.

    The viewport is ``width`` x ``height`` CSS pixels at one device pixel per CSS pixel.

    ``work_dir`` (e.g. the test's ``tmp_path``) receives a new profile directory, the
    net-log and chromium's output (``chromium.log``, quoted in errors).
    """
    require_chromium()
    work_dir.mkdir(parents=True, exist_ok=True)
    profile = work_dir / "chromium-profile"
    profile.mkdir()  # must be new: a used profile could bring state (or locks) along
    net_log = work_dir / "net-log.json"
    log = work_dir / "chromium.log"
    process, cmd_write, resp_read = _spawn(launch_args(profile, net_log, width, height), log)

    def describe() -> str:
        state = "running" if process.poll() is None else f"exited {process.returncode}"
        output = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        return f"chromium {state}; its output ends: {output!r}"

    pipe = DevToolsPipe(cmd_write, resp_read, describe)
    run = PageRun()
    try:
        target = pipe.call("Target.createTarget", url="about:blank")["targetId"]
        session = pipe.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        pipe.call(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        pipe.call("Page.enable", session)
        navigated = pipe.call("Page.navigate", session, url=html.resolve().as_uri())
        if "errorText" in navigated:
            raise BrowserError(f"chromium could not open {html}: {navigated['errorText']}")
        pipe.wait_event("Page.loadEventFired", session)
        yield Page(pipe, session, run)
    finally:
        try:
            _stop(process, pipe)
        finally:
            for fd in (cmd_write, resp_read):
                os.close(fd)
    run.requests = page_requests(read_net_log(net_log))


def read_net_log(path: Path) -> dict[str, Any]:
    """Chromium's net-log, repaired when chromium was killed before closing it.

    A complete log is one JSON object. A cut one is ``{"constants": {...},`` on the first
    line, ``"events": [`` and then one event per line ending in ``,``: those lines are
    read one by one, and a last, half-written line is dropped.
    """
    text = path.read_text(errors="replace") if path.exists() else ""
    if not text.strip():
        raise BrowserError(f"chromium wrote no net-log at {path}")
    with suppress(json.JSONDecodeError):
        complete: dict[str, Any] = json.loads(text)
        return complete
    lines = text.splitlines()
    constants: dict[str, Any] = json.loads(lines[0].rstrip().rstrip(",") + "}")["constants"]
    events: list[dict[str, Any]] = []
    for line in lines[1:]:
        stripped = line.strip().rstrip(",")
        if not stripped.startswith("{"):
            continue
        try:
            events.append(json.loads(stripped))
        except json.JSONDecodeError:
            break
    return {"constants": constants, "events": events}


def page_requests(log: dict[str, Any]) -> list[str]:
    """URLs that the page (not chromium's own services) asked the network for.

    A request is a ``URL_REQUEST_START_JOB`` event; it is the page's when its
    network-isolation key names a ``file://`` site (chromium's background fetches carry
    other keys, such as ``null null``).
    """
    type_ids: dict[str, int] = log["constants"]["logEventTypes"]
    start_job = type_ids["URL_REQUEST_START_JOB"]
    urls: list[str] = []
    for event in log.get("events", []):
        params = event.get("params") or {}
        if event.get("type") == start_job and "file://" in str(
            params.get("network_isolation_key", "")
        ):
            urls.append(params["url"])
    return urls


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHANNELS = {2: 3, 6: 4}
"""Channels per PNG colour type this decoder reads: truecolour (RGB) and RGBA."""


def decode_png(data: bytes) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Pixels of an 8-bit, non-interlaced RGB or RGBA PNG: uint8, H x W x 3 or 4.

    Raises ValueError for anything else (other depths, palettes, grey, interlacing, a
    broken file).
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG (bad signature)")
    header: tuple[int, ...] | None = None
    compressed = bytearray()
    offset = len(PNG_SIGNATURE)
    while offset + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[offset : offset + 8])
        body = data[offset + 8 : offset + 8 + length]
        if len(body) != length:
            raise ValueError(f"PNG chunk {kind!r} is cut short")
        offset += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG has no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    if depth != 8 or colour not in _CHANNELS or interlace != 0:
        raise ValueError(
            f"unsupported PNG: bit depth {depth}, colour type {colour}, interlace {interlace} "
            "(only 8-bit, non-interlaced colour types 2 and 6)"
        )
    channels = _CHANNELS[colour]
    stride = width * channels
    try:
        raw = zlib.decompress(bytes(compressed))
    except zlib.error as error:
        raise ValueError(f"PNG image data does not inflate: {error}") from error
    if len(raw) < height * (stride + 1):
        raise ValueError("PNG image data is shorter than its size says")
    rows = np.frombuffer(raw, dtype=np.uint8, count=height * (stride + 1)).reshape(
        height, stride + 1
    )
    pixels = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        pixels[y] = _unfilter(int(rows[y, 0]), rows[y, 1:], previous, channels)
        previous = pixels[y]
    return pixels.reshape(height, width, channels)


def _unfilter(
    kind: int,
    line: np.ndarray[Any, np.dtype[np.uint8]],
    above: np.ndarray[Any, np.dtype[np.uint8]],
    bpp: int,
) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """Undo one scanline's PNG filter (0 None, 1 Sub, 2 Up, 3 Average, 4 Paeth)."""
    if kind == 0:
        return line
    if kind == 2:
        return line + above  # uint8 arithmetic wraps modulo 256, as PNG wants
    if kind not in (1, 3, 4):
        raise ValueError(f"unknown PNG filter type {kind}")
    if kind == 1:
        # Sub depends only on the same channel to the left: a running sum per channel.
        padded = np.zeros(-(-len(line) // bpp) * bpp, dtype=np.uint8)
        padded[: len(line)] = line
        summed = np.cumsum(padded.reshape(-1, bpp), axis=0, dtype=np.uint64) % 256
        return summed.astype(np.uint8).reshape(-1)[: len(line)]
    out = bytearray(len(line))
    source = line.tobytes()
    up = above.tobytes()
    for i, value in enumerate(source):
        left = out[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (value + ((left + up[i]) >> 1)) & 0xFF
        else:
            upper_left = up[i - bpp] if i >= bpp else 0
            out[i] = (value + _paeth(left, up[i], upper_left)) & 0xFF
    return np.frombuffer(bytes(out), dtype=np.uint8)


def _paeth(left: int, up: int, upper_left: int) -> int:
    estimate = left + up - upper_left
    to_left, to_up, to_corner = abs(estimate - left), abs(estimate - up), abs(estimate - upper_left)
    if to_left <= to_up and to_left <= to_corner:
        return left
    if to_up <= to_corner:
        return up
    return upper_left
