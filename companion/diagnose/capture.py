"""A short raw recording of the strap's packets, through the recorder's own supervisor.

:func:`capture` runs a :class:`~sensors.ble.supervisor.StrapSupervisor` whose decoder writes
every packet and link event into a ``*.hsrec`` recording as it arrives (the writer
``holdspace record --out`` uses), for ``seconds_s`` seconds of the strap's clock from the
first connection. Drops and reconnections during that time stay in the recording and in the
link's states, which is what the checklist's walk-away test looks at. The supervisor also
streams Polar's PMD frames (ECG and acceleration) when the strap serves them; the recording
then holds them too. The supervisor never produces a session, a label or a check-in: the
recording holds packets, link events and the battery level only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from companion.diagnose.access import StrapAccess, plain_failure
from sensors.ble.link import LinkState, ReconnectPolicy
from sensors.ble.supervisor import StrapSupervisor
from sensors.decoder import StrapDecoder
from sensors.events import Connected, DeviceInfo
from sensors.recording import RecordingHeader, RecordingWriter

__all__ = ["CONNECT_BUDGET_S", "CaptureReport", "capture"]

CONNECT_BUDGET_S: Final = 90.0
"""Longest wait for the first connection, in seconds: about three scans and connection
attempts (fatal failures, such as Bluetooth switched off, end it at once)."""
CAPTURE_POLICY: Final = ReconnectPolicy(max_attempts=None, scan_s=10.0, connect_timeout_s=20.0)
"""Retry for as long as the capture lasts: a strap walked out of range comes back."""


@dataclass(frozen=True, slots=True)
class CaptureReport:
    """What the capture recorded.

    Attributes
    ----------
    recording : the ``*.hsrec`` recording's bytes (empty when nothing was recorded).
    seconds_s : the capture's length asked for, in seconds of the strap's clock.
    lines : recording lines by kind (``hrm``, ``connected``, ``disconnected``, ``battery``,
        and ``pmd`` lines when PMD was streamed), and ``dropped``: the disconnections not
        asked for (the capture's own stop is one asked for).
    packets, bad_packets : heart-rate packets decoded and refused as malformed.
    states : the link's states in order, with their details and times (seconds from the
        first state, on the monotonic clock).
    pmd : the ECG and accelerometer streams' state in a few words ("ECG 130 Hz on; …"),
        empty when the strap serves no PMD.
    failure : one sentence when the strap could not be recorded, else None.
    """

    recording: bytes
    seconds_s: float
    lines: dict[str, int] = field(default_factory=dict)
    packets: int = 0
    bad_packets: int = 0
    states: tuple[dict[str, Any], ...] = ()
    pmd: str = ""
    failure: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "seconds_s": self.seconds_s,
            "lines": dict(self.lines),
            "packets": self.packets,
            "bad_packets": self.bad_packets,
            "pmd": self.pmd,
            "failure": self.failure,
            "states": list(self.states),
        }


async def capture(
    address: str, access: StrapAccess, seconds_s: float, *, pair: bool, folder: Path
) -> CaptureReport:
    """Record ``address`` for ``seconds_s`` seconds (strap clock) into ``folder``/capture.hsrec."""
    path = folder / "capture.hsrec"
    started = datetime.fromtimestamp(access.wall(), UTC)
    header = RecordingHeader(
        started_at=started, recording_id=uuid.uuid4().hex, device=DeviceInfo(address=address)
    )
    with RecordingWriter(path, header) as writer:
        supervisor = StrapSupervisor(
            address,
            decoder=StrapDecoder(recorder=writer),
            scanner_backend=access.scanner_backend,
            client_backend=access.client_backend,
            policy=CAPTURE_POLICY,
            pair=pair,
            wall=access.wall,
            pmd=True,
        )
        failure = await _stream(supervisor, seconds_s / access.speed)
    recording = path.read_bytes()
    failure = failure or _never_connected(supervisor)
    if failure is None and supervisor.packets == 0:
        failure = (
            f"The strap {address} was connected but sent no heart-rate packet in "
            f"{seconds_s:g} s; wet its electrodes, wear it, and try again."
        )
    return CaptureReport(
        recording,
        seconds_s,
        _line_kinds(recording),
        supervisor.packets,
        supervisor.bad_packets,
        _states(supervisor),
        supervisor.pmd_status,
        failure,
    )


async def _stream(supervisor: StrapSupervisor, loop_s: float) -> str | None:
    """Run the supervisor until ``loop_s`` after its first connection (or the connect
    budget without one); the sentence of a failure that ended it, else None."""
    connected = asyncio.Event()

    async def stop_in_time() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(connected.wait(), CONNECT_BUDGET_S)
            await asyncio.sleep(loop_s)
        supervisor.stop()

    stopper = asyncio.create_task(stop_in_time())
    try:
        async for event in supervisor.events():
            if isinstance(event, Connected):
                connected.set()
    except Exception as exc:
        return plain_failure(exc, supervisor.address)
    finally:
        stopper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopper
    return None


def _never_connected(supervisor: StrapSupervisor) -> str | None:
    """Why nothing was recorded when the strap never connected (the last retry's reason)."""
    if any(s.state is LinkState.STREAMING for s in supervisor.history):
        return None
    reasons = [s.detail for s in supervisor.history if s.state is LinkState.RECONNECTING]
    reason = reasons[-1] if reasons else "it did not answer"
    return f"The strap {supervisor.address} was never connected: {reason.rstrip('.')}."


def _line_kinds(recording: bytes) -> dict[str, int]:
    """Recording lines by kind, and ``dropped``: the disconnections not asked for."""
    kinds: Counter[str] = Counter()
    for line in recording.splitlines()[1:]:
        with contextlib.suppress(ValueError, AttributeError):
            doc = json.loads(line)
            kinds[str(doc.get("ev"))] += 1
            kinds["dropped"] += doc.get("ev") == "disconnected" and not doc.get("intentional")
    return dict(sorted(kinds.items()))


def _states(supervisor: StrapSupervisor) -> tuple[dict[str, Any], ...]:
    history = list(supervisor.history)
    t0 = history[0].at_s if history else 0.0
    return tuple(
        {
            "state": s.state.value,
            "detail": s.detail,
            "attempt": s.attempt,
            "retry_in_s": s.retry_in_s,
            "at_s": round(s.at_s - t0, 3),
        }
        for s in history
    )
