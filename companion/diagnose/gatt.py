"""The strap's GATT table: its services, characteristics, their properties and readable values.

One connection through Bleak (the backend of :class:`~companion.diagnose.access.StrapAccess`),
the services Bleak discovered, each readable characteristic read once. A read that fails is
kept as its one-sentence failure: on Windows, Polar's PMD control point refuses reads until the
strap is bonded, and that is exactly what the table should show. Values are kept as hex (and as
text when they are printable UTF-8), at most :data:`VALUE_MAX_BYTES` of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.service import BleakGATTService

from companion.diagnose.access import StrapAccess, plain_failure
from sensors.ble.errors import strap_not_found
from sensors.ble.scan import find_strap
from sensors.ble.uuids import HEART_RATE_SERVICE
from sensors.pmd.uuids import PMD_CONTROL_UUID, PMD_DATA_UUID, PMD_SERVICE_UUID

__all__ = ["VALUE_MAX_BYTES", "GattTable", "read_gatt_table"]

VALUE_MAX_BYTES: Final = 64
"""Longest value kept per characteristic (strap values are a few bytes)."""
POLAR_NAMES: Final = {
    PMD_SERVICE_UUID: "Polar Measurement Data (PMD)",
    PMD_CONTROL_UUID: "PMD control point",
    PMD_DATA_UUID: "PMD data",
}
"""Bleak names the Bluetooth SIG's UUIDs; Polar's own are named here."""


@dataclass(frozen=True, slots=True)
class GattTable:
    """A strap's GATT table as Bleak saw it.

    Attributes
    ----------
    address, name : the strap, as found by the scan.
    services : JSON-ready services, each with its characteristics and descriptors.
    """

    address: str
    name: str
    services: tuple[dict[str, Any], ...]

    @property
    def characteristics(self) -> int:
        return sum(len(s["characteristics"]) for s in self.services)

    def serves(self, uuid: str) -> bool:
        return any(s["uuid"] == uuid for s in self.services)

    @property
    def has_heart_rate(self) -> bool:
        return self.serves(HEART_RATE_SERVICE)

    @property
    def has_pmd(self) -> bool:
        return self.serves(PMD_SERVICE_UUID)

    def to_json(self) -> dict[str, Any]:
        return {
            "address": self.address,
            "name": self.name,
            "heart_rate_service": self.has_heart_rate,
            "pmd_service": self.has_pmd,
            "services": list(self.services),
        }


async def read_gatt_table(
    address: str, access: StrapAccess, *, pair: bool, scan_s: float, timeout_s: float
) -> GattTable:
    """Find ``address`` (a scan of ``scan_s`` seconds of the strap's clock), connect (pairing
    first with ``pair``), list and read its GATT table.

    Raises :class:`~sensors.ble.errors.StrapError` when the strap is not found, and what
    Bleak raises when connecting fails (see :func:`~companion.diagnose.access.plain_failure`).
    """
    device = await find_strap(address, scan_s / access.speed, backend=access.scanner_backend)
    if device is None:
        raise strap_not_found(address)
    client = BleakClient(device, timeout=timeout_s, pair=pair, backend=access.client_backend)
    async with client:
        services = [await _service(client, service) for service in client.services]
    return GattTable(address, device.name or "", tuple(services))


async def _service(client: BleakClient, service: BleakGATTService) -> dict[str, Any]:
    return {
        "uuid": service.uuid,
        "handle": service.handle,
        "description": POLAR_NAMES.get(service.uuid, service.description),
        "characteristics": [
            await _characteristic(client, c)
            for c in sorted(service.characteristics, key=lambda c: c.handle)
        ],
    }


async def _characteristic(client: BleakClient, char: BleakGATTCharacteristic) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uuid": char.uuid,
        "handle": char.handle,
        "description": POLAR_NAMES.get(char.uuid, char.description),
        "properties": sorted(char.properties),
        "descriptors": [
            {"uuid": d.uuid, "handle": d.handle, "description": d.description}
            for d in sorted(char.descriptors, key=lambda d: d.handle)
        ],
    }
    if "read" in char.properties:
        try:
            value = bytes(await client.read_gatt_char(char))
        except Exception as exc:
            out["read_error"] = plain_failure(exc, client.address)
        else:
            out.update(_value(value))
    return out


def _value(value: bytes) -> dict[str, Any]:
    kept = value[:VALUE_MAX_BYTES]
    out: dict[str, Any] = {"value_hex": kept.hex(" "), "value_bytes": len(value)}
    try:
        text = kept.decode("utf-8")
    except UnicodeDecodeError:
        return out
    if text and text.isprintable():
        out["value_text"] = text
    return out
