"""GATT UUIDs a heart-rate strap serves, as Bleak writes them (128-bit, lowercase)."""

from __future__ import annotations

from typing import Final

__all__ = [
    "BATTERY_LEVEL",
    "BATTERY_SERVICE",
    "BODY_SENSOR_LOCATION",
    "DEVICE_INFORMATION",
    "FIRMWARE_REVISION",
    "HEART_RATE_CONTROL_POINT",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "MANUFACTURER_NAME",
    "MODEL_NUMBER",
    "sig_uuid",
]


def sig_uuid(short: int) -> str:
    """The 128-bit form of a 16-bit Bluetooth SIG UUID."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


HEART_RATE_SERVICE: Final = sig_uuid(0x180D)
HEART_RATE_MEASUREMENT: Final = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION: Final = sig_uuid(0x2A38)
HEART_RATE_CONTROL_POINT: Final = sig_uuid(0x2A39)
BATTERY_SERVICE: Final = sig_uuid(0x180F)
BATTERY_LEVEL: Final = sig_uuid(0x2A19)
DEVICE_INFORMATION: Final = sig_uuid(0x180A)
MANUFACTURER_NAME: Final = sig_uuid(0x2A29)
MODEL_NUMBER: Final = sig_uuid(0x2A24)
FIRMWARE_REVISION: Final = sig_uuid(0x2A26)
