"""The PMD control point: requests, responses, settings and error codes.

Sources: Polar, *Polar Measurement Data Specification for 3rd Party*
(polarofficial/polar-ble-sdk ``technical_documentation/Polar_Measurement_Data_Specification.pdf``:
"PMD Measurement Types", "Control Point Error Codes", "Read Features", "Request Stream
Settings", "Start Stream", "Stop Stream"), and the SDK's Kotlin ``PmdControlPointCommand.kt``,
``PmdControlPointResponse.kt``, ``PmdSetting.kt``, ``PmdMeasurementType.kt``. Checked against
the real H10 exchanges captured with gatttool in phdiethelm/h10_ecg ``exploration/gatttool.md``.

Requests (written to the control point)::

    [0x01, type]               get the measurement's available settings
    [0x02, type, setting...]   start it; each setting is [setting type, count 1, value LE]
    [0x03, type]               stop it

Setting types (``PmdSetting.PmdSettingType``), value widths from ``typeToFieldSize``: 0 sample
rate (uint16, Hz), 1 resolution (uint16, bits), 2 range (uint16, ±g), 3 range in milli-units
(uint32), 4 channels (uint8), 5 factor (float32, only in start responses). A settings
response lists each type once: ``[type, count, value x count]``.

Responses (indicated by the control point)::

    0xF0, op code, measurement type, status, more (0/1), parameters...

``more`` says a further indication continues the parameters (the SDK appends the next
indication's bytes from offset 5). A non-zero status carries no parameters. Reading the
control point gives ``[0x0F, bitmask, ...]``: bit 0 ECG, 1 PPG, 2 ACC, 3 PPI, 5 gyroscope,
6 magnetometer (byte 1, ``PmdMeasurementType.fromByteArray``). The H10 answers
``0f 05 00…`` (ECG and ACC), ECG settings ``f0 01 00 00 00 00 01 82 00 01 01 0e 00``
(130 Hz, 14 bits), ACC settings 25/50/100/200 Hz, 16 bits, ±2/4/8 g and no channel count, so
a start request here sends sample rate, resolution and (for ACC) range, never a channel
count; the ECG start ``02 00 00 01 82 00 01 01 0e 00`` is the one the H10 accepted in the
capture.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Final

from sensors.pmd.frames import PmdParseError

__all__ = [
    "ACC_SETTINGS",
    "ECG_SETTINGS",
    "FEATURE_READ_CODE",
    "OP_GET_SETTINGS",
    "OP_START",
    "OP_STOP",
    "RESPONSE_CODE",
    "STATUS_ALREADY_IN_STATE",
    "STATUS_SUCCESS",
    "ControlResponse",
    "PmdMeasurement",
    "PmdSettings",
    "encode_control_response",
    "encode_features",
    "factor_from_bits",
    "measurement_from_name",
    "parse_available_settings",
    "parse_control_response",
    "parse_features",
    "settings_request",
    "start_factor",
    "start_request",
    "status_text",
    "stop_request",
]

OP_GET_SETTINGS: Final = 0x01
OP_START: Final = 0x02
OP_STOP: Final = 0x03
RESPONSE_CODE: Final = 0xF0
"""First byte of every control point response."""
FEATURE_READ_CODE: Final = 0x0F
"""First byte of the control point's read value (the features bitmask follows)."""
STATUS_SUCCESS: Final = 0
STATUS_ALREADY_IN_STATE: Final = 6
"""Start of a running stream, stop of a stopped one (the H10 answers ``f0 03 02 06 00``)."""

_SAMPLE_RATE: Final = 0
_RESOLUTION: Final = 1
_RANGE: Final = 2
_RANGE_MILLIUNIT: Final = 3
_CHANNELS: Final = 4
_FACTOR: Final = 5
_SETTING_KEYS: Final = {
    _SAMPLE_RATE: ("sample_rate_hz", 2),
    _RESOLUTION: ("resolution_bits", 2),
    _RANGE: ("range_g", 2),
    _RANGE_MILLIUNIT: ("range_milliunit", 4),
    _CHANNELS: ("channels", 1),
    _FACTOR: ("factor_bits", 4),
}
"""Setting type -> (our key, value width in bytes). ``factor_bits`` is the float32's raw bits."""
_UINT16_MAX: Final = 0xFFFF


class PmdMeasurement(IntEnum):
    """PMD measurement types (spec "PMD Measurement Types"; ``PmdMeasurementType.kt``)."""

    ECG = 0
    PPG = 1
    ACC = 2
    PPI = 3
    GYRO = 5
    MAGNETOMETER = 6


def measurement_from_name(name: str) -> PmdMeasurement:
    """``"ecg"`` -> :attr:`PmdMeasurement.ECG`; :class:`ValueError` for an unknown name."""
    try:
        return PmdMeasurement[name.upper()]
    except KeyError:
        known = ", ".join(m.name.lower() for m in PmdMeasurement)
        raise ValueError(f"unknown PMD measurement {name!r} (expected one of {known})") from None


@dataclass(frozen=True, slots=True)
class PmdSettings:
    """The settings a PMD stream is started with.

    Attributes
    ----------
    measurement : what is measured.
    sample_rate_hz : samples per second.
    resolution_bits : bits per sample (and per reference sample of compressed frames).
    range_g : full-scale range of the accelerometer in ±g; ``None`` for ECG.
    """

    measurement: PmdMeasurement
    sample_rate_hz: int
    resolution_bits: int
    range_g: int | None = None

    def __post_init__(self) -> None:
        if not 0 < self.sample_rate_hz <= _UINT16_MAX:
            raise ValueError(f"sample rate {self.sample_rate_hz} Hz is outside 1..65535")
        if not 1 <= self.resolution_bits <= 32:
            raise ValueError(f"resolution {self.resolution_bits} bits is outside 1..32")
        if self.range_g is not None and not 0 < self.range_g <= _UINT16_MAX:
            raise ValueError(f"range {self.range_g} g is outside 1..65535")

    def to_json(self) -> dict[str, Any]:
        """The fields of a ``pmd_start`` recording line."""
        return {
            "measurement": self.measurement.name.lower(),
            "sample_rate_hz": self.sample_rate_hz,
            "resolution_bits": self.resolution_bits,
            "range_g": self.range_g,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PmdSettings:
        """Inverse of :meth:`to_json`; :class:`ValueError` names the bad field."""
        measurement = data.get("measurement")
        if not isinstance(measurement, str):
            raise ValueError(f"'measurement' must be a string, got {measurement!r}")
        range_g = data.get("range_g")
        return cls(
            measurement_from_name(measurement),
            _integer(data, "sample_rate_hz"),
            _integer(data, "resolution_bits"),
            None if range_g is None else _integer(data, "range_g"),
        )


def _integer(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"'{key}' must be an integer, got {value!r}")
    return value


ECG_SETTINGS: Final = PmdSettings(PmdMeasurement.ECG, 130, 14)
"""The H10's only ECG setting: 130 Hz, 14 bits (its settings response)."""
ACC_SETTINGS: Final = PmdSettings(PmdMeasurement.ACC, 50, 16, 8)
"""H10 accelerometer at 50 Hz (of 25/50/100/200), 16 bits, ±8 g: enough for breathing and
steps, and a quarter of the 200 Hz link load."""


def settings_request(measurement: PmdMeasurement) -> bytes:
    """Ask for the available settings of ``measurement``."""
    return bytes([OP_GET_SETTINGS, int(measurement)])


def start_request(settings: PmdSettings) -> bytes:
    """Start a stream: sample rate, resolution and, when set, range; never a channel count."""
    values = [(_SAMPLE_RATE, settings.sample_rate_hz), (_RESOLUTION, settings.resolution_bits)]
    if settings.range_g is not None:
        values.append((_RANGE, settings.range_g))
    out = bytearray([OP_START, int(settings.measurement)])
    for setting, value in values:
        out += bytes([setting, 1]) + value.to_bytes(2, "little")
    return bytes(out)


def stop_request(measurement: PmdMeasurement) -> bytes:
    """Stop the stream of ``measurement``."""
    return bytes([OP_STOP, int(measurement)])


@dataclass(frozen=True, slots=True)
class ControlResponse:
    """One control point indication.

    Attributes
    ----------
    op_code : the request it answers (1 settings, 2 start, 3 stop).
    measurement : the measurement type byte, as sent (an ``int``: a strap may answer for
        types this code does not name).
    status : 0 for success, else an error code (:func:`status_text`).
    more : another indication continues ``parameters``.
    parameters : what follows byte 4 (settings for op 1; a reserved byte or settings such as
        the factor for op 2).
    """

    op_code: int
    measurement: int
    status: int
    more: bool
    parameters: bytes

    @property
    def ok(self) -> bool:
        return self.status == STATUS_SUCCESS


def parse_control_response(payload: bytes) -> ControlResponse:
    """Decode a control point indication; :class:`~sensors.pmd.frames.PmdParseError` if it is
    not one (too short, or not starting with 0xF0).

    A 4-byte response without its ``more`` byte is accepted, as the SDK reads it.
    """
    payload = bytes(payload)
    if len(payload) < 4:
        raise PmdParseError(f"a PMD control response has at least 4 bytes; got {len(payload)}")
    if payload[0] != RESPONSE_CODE:
        raise PmdParseError(
            f"a PMD control response starts with 0x{RESPONSE_CODE:02x}; "
            f"got 0x{payload[0]:02x} (offset 0)"
        )
    status = payload[3]
    ok = status == STATUS_SUCCESS
    return ControlResponse(
        op_code=payload[1],
        measurement=payload[2],
        status=status,
        more=ok and len(payload) > 4 and payload[4] != 0,
        parameters=payload[5:] if ok else b"",
    )


def encode_control_response(
    op_code: int,
    measurement: int,
    status: int = STATUS_SUCCESS,
    parameters: bytes = b"",
    *,
    more: bool = False,
) -> bytes:
    """A control point indication, as a strap sends it (for the emulated H10).

    ``parameters`` are only sent with a success status, as the SDK reads them.
    """
    for name, value in (("op_code", op_code), ("measurement", measurement), ("status", status)):
        if not 0 <= value <= 0xFF:
            raise ValueError(f"{name} {value} does not fit one byte")
    head = bytes([RESPONSE_CODE, op_code, measurement, status, int(more)])
    return head + (bytes(parameters) if status == STATUS_SUCCESS else b"")


def parse_available_settings(parameters: bytes) -> dict[str, tuple[int, ...]]:
    """Decode a settings response's parameters into ``{"sample_rate_hz": (25, 50, ...), ...}``.

    Keys: ``sample_rate_hz``, ``resolution_bits``, ``range_g``, ``channels``, and the rarer
    ``range_milliunit`` and ``factor_bits`` (the float32 factor's raw bits). Values are
    unsigned little-endian, in the order sent. Empty or one-byte parameters (the reserved
    byte of a start response) give ``{}``, as in the SDK. Raises
    :class:`~sensors.pmd.frames.PmdParseError` for an unknown setting type or a truncated list.
    """
    params = bytes(parameters)
    out: dict[str, tuple[int, ...]] = {}
    if len(params) <= 1:
        return out
    offset = 0
    while offset < len(params):
        if offset + 2 > len(params):
            raise PmdParseError(f"PMD settings end inside a setting header (offset {offset})")
        setting, count = params[offset], params[offset + 1]
        known = _SETTING_KEYS.get(setting)
        if known is None:
            raise PmdParseError(f"unknown PMD setting type {setting} (offset {offset})")
        key, width = known
        offset += 2
        if offset + width * count > len(params):
            raise PmdParseError(
                f"PMD setting {key} lists {count} values of {width} bytes; "
                f"{len(params) - offset} bytes remain (offset {offset})"
            )
        values = tuple(
            int.from_bytes(params[offset + i * width : offset + (i + 1) * width], "little")
            for i in range(count)
        )
        out[key] = out.get(key, ()) + values
        offset += width * count
    return out


def factor_from_bits(bits: int) -> float:
    """The float32 scale factor a start response's ``factor_bits`` encodes."""
    value: float = struct.unpack("<f", bits.to_bytes(4, "little"))[0]
    return value


def start_factor(parameters: bytes) -> float:
    """The factor a start response asks samples to be scaled by; 1.0 when it gives none.

    The H10 answers a start with one reserved byte (no factor); the Verity Sense with a
    FACTOR setting (spec "Start Stream": ``05 01 40 da 7f 39``, 2.44e-4), which the SDK's
    ``AccData.kt`` multiplies compressed samples by. Unreadable parameters count as none.
    """
    try:
        bits = parse_available_settings(parameters).get("factor_bits", ())
    except PmdParseError:
        return 1.0
    return factor_from_bits(bits[0]) if bits else 1.0


def parse_features(payload: bytes) -> frozenset[PmdMeasurement]:
    """Measurements a strap serves, from the control point's read value ``[0x0F, mask, ...]``."""
    payload = bytes(payload)
    if len(payload) < 2 or payload[0] != FEATURE_READ_CODE:
        raise PmdParseError(
            f"the PMD features read starts with 0x{FEATURE_READ_CODE:02x} and a mask; "
            f"got {payload.hex(' ')!r}"
        )
    return frozenset(m for m in PmdMeasurement if payload[1] >> int(m) & 1)


def encode_features(measurements: Iterable[PmdMeasurement]) -> bytes:
    """The control point's read value serving ``measurements`` (17 bytes, as the H10's)."""
    mask = 0
    for m in measurements:
        mask |= 1 << int(m)
    return bytes([FEATURE_READ_CODE, mask]) + bytes(15)


_STATUS_TEXT: Final = {
    0: "The strap accepted the request.",
    1: "The strap does not know this request (invalid op code).",
    2: "The strap does not know this measurement type.",
    3: "The strap does not support this measurement.",
    4: "The strap refused the request as having the wrong length.",
    5: "The strap refused a parameter of the request (invalid parameter).",
    6: "The strap is already in the requested state (the stream is already running or stopped).",
    7: "The strap does not support this resolution.",
    8: "The strap does not support this sample rate.",
    9: "The strap does not support this range.",
    10: (
        "The Bluetooth link's packet size (MTU) is too small for the strap's data; "
        "the computer must negotiate a larger MTU (at least 232 bytes)."
    ),
    11: "The strap does not support this number of channels.",
    12: "The strap is in a state that does not allow this request.",
    13: "The strap is on its charger and cannot measure now.",
    14: "The strap's memory is full.",
}
"""One sentence per status (spec "Control Point Error Codes"; 14 is the SDK's ERROR_DISK_FULL)."""


def status_text(status: int) -> str:
    """One plain sentence for a control point status code."""
    return _STATUS_TEXT.get(status, f"The strap answered with an unknown error code {status}.")
