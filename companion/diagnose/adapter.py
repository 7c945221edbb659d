"""The Bluetooth adapter's state, in one plain sentence and a few facts.

A short scan through Bleak says whether Bluetooth works at all (the same call
``holdspace scan`` makes); a failure becomes the sentence of
:func:`~sensors.ble.errors.explain_ble_error` ("No Bluetooth adapter was found on this
machine; ..."). On Linux, ``bluetoothctl show`` adds the controller's power, pairing and
role lines and its hardware id (``Modalias``), never its name or address. Devices other
than heart-rate straps are only counted: the neighbours' phones are not the bug report's
business.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Final

from companion.diagnose.access import StrapAccess, plain_failure
from companion.diagnose.versions import run_tool
from sensors.ble.scan import FoundStrap, scan_straps

__all__ = ["CONTROLLER_FIELDS", "AdapterReport", "controller_state", "probe_adapter"]

CONTROLLER_FIELDS: Final = (
    "Powered",
    "PowerState",
    "Pairable",
    "Discoverable",
    "Discovering",
    "Roles",
    "Modalias",
)
"""The lines of ``bluetoothctl show`` kept: state and hardware, not the machine's name or
address."""


@dataclass(frozen=True, slots=True)
class AdapterReport:
    """What a short scan said about Bluetooth on this machine.

    Attributes
    ----------
    sentence : the state in one plain sentence.
    works : the scan ran (Bluetooth is there and on).
    scan_s : how long the scan lasted, in seconds.
    devices_seen : devices of any kind the scan saw.
    straps : the devices among them advertising the Heart Rate service.
    controller : the kept lines of ``bluetoothctl show`` (Linux), else empty.
    emulated : the scan ran on the emulated strap's virtual radio.
    """

    sentence: str
    works: bool
    scan_s: float
    devices_seen: int = 0
    straps: tuple[FoundStrap, ...] = ()
    controller: dict[str, str] = field(default_factory=dict)
    emulated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "works": self.works,
            "emulated": self.emulated,
            "scan_s": self.scan_s,
            "devices_seen": self.devices_seen,
            "heart_rate_straps": [s.to_json() for s in self.straps],
            "controller": dict(self.controller),
        }


async def probe_adapter(access: StrapAccess, scan_s: float) -> AdapterReport:
    """Scan for ``scan_s`` seconds (of the strap's clock) and say what that tells about
    the adapter."""
    controller = {} if access.emulated else controller_state()
    try:
        found = await scan_straps(
            scan_s / access.speed, all_devices=True, backend=access.scanner_backend
        )
    except Exception as exc:
        return AdapterReport(
            plain_failure(exc), False, scan_s, controller=controller, emulated=access.emulated
        )
    straps = tuple(s for s in found if s.advertises_hr)
    radio = "The emulated strap's virtual radio works" if access.emulated else "Bluetooth works"
    return AdapterReport(
        f"{radio}: a {scan_s:g} s scan saw {_devices(len(found))}, {_straps(len(straps))}.",
        True,
        scan_s,
        len(found),
        straps,
        controller,
        access.emulated,
    )


def _devices(n: int) -> str:
    return f"{n} device" if n == 1 else f"{n} devices"


def _straps(n: int) -> str:
    if n == 0:
        return "none of them a heart-rate strap"
    return "1 of them a heart-rate strap" if n == 1 else f"{n} of them heart-rate straps"


def controller_state() -> dict[str, str]:
    """The :data:`CONTROLLER_FIELDS` of ``bluetoothctl show`` (empty off Linux or without BlueZ)."""
    if not sys.platform.startswith("linux"):
        return {}
    output = run_tool(["bluetoothctl", "show"])
    kept: dict[str, str] = {}
    for line in (output or "").splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key in CONTROLLER_FIELDS:
            value = value.strip()
            kept[key] = f"{kept[key]}, {value}" if key in kept else value
    return kept
