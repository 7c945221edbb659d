"""Finding straps: a scan for the Heart Rate service, or for every device nearby."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bleak import BleakScanner
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import BaseBleakScanner

from sensors.ble.uuids import HEART_RATE_SERVICE

__all__ = ["FoundStrap", "find_strap", "scan_straps"]

DEFAULT_SCAN_S = 5.0


@dataclass(frozen=True, slots=True)
class FoundStrap:
    """One device seen while scanning.

    Attributes
    ----------
    name : its advertised name ("" when it has none).
    address : its Bluetooth address (a UUID on macOS).
    rssi_dbm : received signal strength, in dBm (closer to 0 is nearer).
    advertises_hr : whether it advertises the Heart Rate service.
    """

    name: str
    address: str
    rssi_dbm: int
    advertises_hr: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "address": self.address,
            "rssi_dbm": self.rssi_dbm,
            "heart_rate_service": self.advertises_hr,
        }


async def scan_straps(
    timeout_s: float = DEFAULT_SCAN_S,
    *,
    all_devices: bool = False,
    backend: type[BaseBleakScanner] | None = None,
) -> list[FoundStrap]:
    """Scan for ``timeout_s`` seconds; strongest signal first.

    Only devices advertising the Heart Rate service unless ``all_devices`` (some
    straps and watches do not advertise it). Bleak errors propagate; see
    :func:`sensors.ble.errors.explain_ble_error`.
    """
    options: dict[str, Any] = {} if all_devices else {"service_uuids": [HEART_RATE_SERVICE]}
    if backend is not None:
        options["backend"] = backend
    found = await BleakScanner.discover(timeout_s, return_adv=True, **options)
    out = [
        FoundStrap(
            name=adv.local_name or device.name or "",
            address=device.address,
            rssi_dbm=adv.rssi,
            advertises_hr=HEART_RATE_SERVICE in adv.service_uuids,
        )
        for device, adv in found.values()
    ]
    return sorted(out, key=lambda s: (-s.advertises_hr, -s.rssi_dbm, s.address))


async def find_strap(
    address: str,
    timeout_s: float = DEFAULT_SCAN_S,
    *,
    backend: type[BaseBleakScanner] | None = None,
) -> BLEDevice | None:
    """A fresh ``BLEDevice`` for ``address`` from a scan, or None when it is not around."""
    if backend is None:
        return await BleakScanner.find_device_by_address(address, timeout_s)
    return await BleakScanner.find_device_by_address(address, timeout_s, backend=backend)
