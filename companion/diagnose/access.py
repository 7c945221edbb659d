"""How the diagnosis reaches a strap: the system's Bluetooth, or an emulated strap.

:class:`StrapAccess` carries Bleak's backends and the clock stamping packets, as
:class:`~companion.live.recorder.Emulation` does for ``holdspace record``: the diagnosis runs
the same Bleak code either way. :func:`emulated_access` starts the emulated strap of
:mod:`sensors.emulated` on a virtual radio of its own, playing a recording's packets (never
its sessions or check-ins: a strap does not send them).
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from sensors.ble.errors import explain_ble_error

if TYPE_CHECKING:
    from sensors.emulated.script import StrapProfile

__all__ = ["SYSTEM_BLUETOOTH", "StrapAccess", "emulated_access", "plain_failure"]

log = logging.getLogger("holdspace.diagnose")

_DETAIL_CHARS: Final = 160
"""An unknown failure's message is cut to this many characters."""


@dataclass(frozen=True, slots=True)
class StrapAccess:
    """The way to the strap.

    Attributes
    ----------
    scanner_backend, client_backend : Bleak's backends (None: the system's Bluetooth).
    wall : epoch-seconds clock stamping packets (the emulated strap's, for an emulation).
    speed : how much faster than real time the strap's clock runs (1 for a real strap).
    emulated : the backends are a virtual radio's (no adapter of this machine is used).
    emulated_strap : the emulated strap's address, when there is one.
    """

    scanner_backend: Any = None
    client_backend: Any = None
    wall: Callable[[], float] = time.time
    speed: float = 1.0
    emulated: bool = False
    emulated_strap: str | None = None


SYSTEM_BLUETOOTH: Final = StrapAccess()
"""The system's Bluetooth, through Bleak's default backend."""


@asynccontextmanager
async def emulated_access(
    recording: Path, speed: float, profile: StrapProfile | None = None
) -> AsyncIterator[StrapAccess]:
    """An emulated strap playing ``recording``'s packets at ``speed``, for the block's duration.

    Raises :class:`~sensors.recording.RecordingError` for a bad recording.
    """
    # Bumble (the virtual radio) loads only when a strap is emulated.
    from sensors.emulated.radio import VirtualRadio
    from sensors.emulated.script import POLAR_H10, StrapScript
    from sensors.emulated.strap import EmulatedStrap

    script = StrapScript.from_recording(recording)
    # The strap plays packets, faults and PMD frames, never the helper's sessions.
    strap_only = StrapScript(
        script.packets,
        script.faults,
        pmd_frames=script.pmd_frames,
        pmd_settings=script.pmd_settings,
    )
    if profile is None and script.pmd_frames:
        profile = POLAR_H10
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, strap_only, profile, speed=speed)
    await strap.start()
    try:
        yield StrapAccess(
            radio.scanner_backend, radio.client_backend, strap.now_s, speed, True, strap.address
        )
    finally:
        await strap.stop()


def plain_failure(exc: BaseException, device: str | None = None) -> str:
    """One sentence for a failure on the Bluetooth path, ending with a period.

    The explanation of :func:`~sensors.ble.errors.explain_ble_error` when it knows the
    failure; otherwise the exception's type and first line (the traceback goes to the
    run's log in the bundle, at debug level).
    """
    explained = explain_ble_error(exc, device=device)
    if explained is not None:
        return explained.message
    log.debug("unexpected failure on the Bluetooth path", exc_info=exc)
    detail = str(exc).strip().splitlines()[0][:_DETAIL_CHARS] if str(exc).strip() else ""
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return f"Bluetooth failed in a way Holdspace does not know ({what}); see run.log."
