"""Decode the Bluetooth Heart Rate Measurement characteristic (0x2A37).

The payload layout follows the Bluetooth SIG Heart Rate Service 1.0, section 3.1:

    byte 0   flags
      bit 0    heart rate value is uint16 little-endian (else uint8)
      bits 1-2 sensor contact status: 0 or 1 = feature not supported,
               2 = supported but no contact detected, 3 = contact detected
      bit 3    energy expended present (uint16 LE, kilojoules)
      bit 4    RR intervals present (uint16 LE each, unit 1/1024 s, oldest first)
      bits 5-7 reserved for future use: ignored, never rejected
    then     heart rate, [energy expended], RR x n

The number of RR intervals is not in the packet: it is whatever remains after
the optional fields, ``(len - offset) // 2``; an odd trailing byte is ignored.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final

__all__ = [
    "RR_TICKS_PER_S",
    "HeartRateMeasurement",
    "HeartRateParseError",
    "SensorContact",
    "encode_heart_rate_measurement",
    "parse_heart_rate_measurement",
    "ticks_to_ms",
]

RR_TICKS_PER_S: Final = 1024
"""RR intervals travel in units of 1/1024 s, not milliseconds."""

_FLAG_HR_UINT16: Final = 0x01
_FLAG_CONTACT_MASK: Final = 0x06
_FLAG_ENERGY: Final = 0x08
_FLAG_RR: Final = 0x10


class HeartRateParseError(ValueError):
    """A payload is not a valid Heart Rate Measurement.

    The only exception :func:`parse_heart_rate_measurement` raises. Its message
    says which field was missing and at which byte offset.
    """


class SensorContact(enum.Enum):
    """Tri-state skin contact, from flag bits 1-2.

    A strap that does not support contact detection reports ``UNSUPPORTED`` and
    must never be shown as having poor contact.
    """

    UNSUPPORTED = "unsupported"
    NO_CONTACT = "no_contact"
    CONTACT = "contact"


def ticks_to_ms(ticks: int) -> float:
    """Convert an RR interval in 1/1024 s ticks to milliseconds, unrounded."""
    return ticks * 1000.0 / RR_TICKS_PER_S


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded 0x2A37 notification.

    Attributes
    ----------
    heart_rate_bpm : heart rate as the strap computed it, in beats per minute.
        ``0`` means the strap has no valid reading (see :attr:`has_heart_rate`).
    heart_rate_uint16 : whether the value travelled as uint16 (straps may switch).
    contact : skin contact state.
    energy_expended_kj : cumulative energy expended in kilojoules, or ``None``
        when the packet does not carry it. 0xFFFF means "saturated".
    rr_ticks : RR intervals in 1/1024 s, oldest first; may be empty.
    """

    heart_rate_bpm: int
    heart_rate_uint16: bool
    contact: SensorContact
    energy_expended_kj: int | None
    rr_ticks: tuple[int, ...]

    @property
    def has_heart_rate(self) -> bool:
        """False when the strap sent 0, its way of saying "no valid reading"."""
        return self.heart_rate_bpm != 0

    @property
    def rr_ms(self) -> tuple[float, ...]:
        """RR intervals in milliseconds (``ticks * 1000 / 1024``), never rounded."""
        return tuple(ticks_to_ms(t) for t in self.rr_ticks)


def parse_heart_rate_measurement(payload: bytes) -> HeartRateMeasurement:
    """Decode a Heart Rate Measurement payload.

    Parameters
    ----------
    payload : the raw characteristic value, as delivered by a notification.

    Returns
    -------
    HeartRateMeasurement
        Every packet is parsed by its own flags; reserved flag bits are ignored.

    Raises
    ------
    HeartRateParseError
        When the payload is empty, or shorter than its flags promise
        (heart rate or energy expended truncated). Nothing else is raised.
    """
    data = bytes(payload)
    if not data:
        raise HeartRateParseError("empty Heart Rate Measurement payload")
    flags = data[0]
    offset = 1
    uint16 = bool(flags & _FLAG_HR_UINT16)
    if uint16:
        if len(data) < offset + 2:
            raise HeartRateParseError(
                f"payload of {len(data)} bytes ends before its uint16 heart rate at byte {offset}"
            )
        heart_rate = int.from_bytes(data[offset : offset + 2], "little")
        offset += 2
    else:
        if len(data) < offset + 1:
            raise HeartRateParseError(
                f"payload of {len(data)} bytes ends before its uint8 heart rate at byte {offset}"
            )
        heart_rate = data[offset]
        offset += 1

    contact_bits = (flags & _FLAG_CONTACT_MASK) >> 1
    if contact_bits == 3:
        contact = SensorContact.CONTACT
    elif contact_bits == 2:
        contact = SensorContact.NO_CONTACT
    else:
        contact = SensorContact.UNSUPPORTED

    energy: int | None = None
    if flags & _FLAG_ENERGY:
        if len(data) < offset + 2:
            raise HeartRateParseError(
                f"payload of {len(data)} bytes ends before its energy expended at byte {offset}"
            )
        energy = int.from_bytes(data[offset : offset + 2], "little")
        offset += 2

    rr: tuple[int, ...] = ()
    if flags & _FLAG_RR:
        count = (len(data) - offset) // 2
        rr = tuple(
            int.from_bytes(data[offset + 2 * i : offset + 2 * i + 2], "little")
            for i in range(count)
        )

    return HeartRateMeasurement(
        heart_rate_bpm=heart_rate,
        heart_rate_uint16=uint16,
        contact=contact,
        energy_expended_kj=energy,
        rr_ticks=rr,
    )


def encode_heart_rate_measurement(
    heart_rate_bpm: int,
    rr_ticks: tuple[int, ...] | list[int] = (),
    *,
    contact: SensorContact = SensorContact.CONTACT,
    energy_expended_kj: int | None = None,
    uint16: bool | None = None,
) -> bytes:
    """Build a 0x2A37 payload, as a strap would send it (for emulation and tests).

    ``uint16`` defaults to whatever the heart rate needs. RR are in 1/1024 s ticks.
    """
    if uint16 is None:
        uint16 = heart_rate_bpm > 0xFF
    flags = 0
    if uint16:
        flags |= _FLAG_HR_UINT16
    if contact is SensorContact.CONTACT:
        flags |= 0x06
    elif contact is SensorContact.NO_CONTACT:
        flags |= 0x04
    if energy_expended_kj is not None:
        flags |= _FLAG_ENERGY
    if rr_ticks:
        flags |= _FLAG_RR
    out = bytearray([flags])
    out += heart_rate_bpm.to_bytes(2 if uint16 else 1, "little")
    if energy_expended_kj is not None:
        out += energy_expended_kj.to_bytes(2, "little")
    for tick in rr_ticks:
        out += int(tick).to_bytes(2, "little")
    return bytes(out)
