"""The PMD service of an emulated Polar H10: its control point and its data stream.

Served as a real H10 serves it (Polar, *Polar Measurement Data Specification for
3rd Party*; :mod:`sensors.pmd.control`):

* **control point** (``…5c81``: read, write, indicate). A read gives the features
  (``0f 05 00…``: ECG and ACC). A write is answered by an indication built with
  :func:`~sensors.pmd.control.encode_control_response`, sent after the write's own
  response: op 1 lists the settings the strap can stream (the rate and resolution
  of its script, and for ACC the ranges ±2/4/8 g); op 2 starts a stream — status 6
  ("already in state") when it runs, 7/8/9 for a resolution, rate or range it does
  not have, 5 for a channel count (the H10 refuses one); op 3 stops it — status 6
  when it is not running; an unknown op code is status 1, a measurement the H10
  does not have 3, an unknown one 2, a request too short 4. A response longer than
  the link allows continues in further indications (the ``more`` byte), as the SDK
  reads it.
* **data** (``…5c82``: notify). The frames of the strap's script (:mod:`sensors.pmd.frames`)
  of every started stream, on the strap's clock: each frame goes out when the
  script's clock reaches its time. A frame longer than the link's ATT MTU allows
  is cut into frames that fit (at the default MTU of 23: 3 ECG or 1 ACC sample per
  20-byte notification), each stamped with the sensor time of its own last sample,
  so the samples and their times are exactly the script's.

A dropped link stops every stream, as on the H10: the host starts them again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from bumble import gatt
from bumble.att import Attribute
from bumble.core import UUID
from bumble.device import Connection, Device

from sensors.pmd.control import (
    OP_GET_SETTINGS,
    OP_START,
    OP_STOP,
    STATUS_ALREADY_IN_STATE,
    STATUS_SUCCESS,
    PmdMeasurement,
    PmdSettings,
    encode_control_response,
    encode_features,
    parse_available_settings,
)
from sensors.pmd.frames import (
    HEADER_BYTES,
    AccFrame,
    EcgFrame,
    PmdParseError,
    decode_data_frame,
    encode_acc_frame,
    encode_ecg_frame,
)
from sensors.pmd.uuids import PMD_CONTROL_UUID, PMD_DATA_UUID, PMD_SERVICE_UUID
from sensors.recording import RecordedPmdFrame

__all__ = ["ACC_RANGES_G", "PmdService", "split_frame"]

log = logging.getLogger("holdspace.emulated")

ACC_RANGES_G: Final = (2, 4, 8)
"""Accelerometer ranges the H10 offers, in ±g."""

_STATUS_INVALID_OP: Final = 1
_STATUS_INVALID_MEASUREMENT: Final = 2
_STATUS_NOT_SUPPORTED: Final = 3
_STATUS_INVALID_LENGTH: Final = 4
_STATUS_INVALID_PARAMETER: Final = 5
_STATUS_INVALID_RESOLUTION: Final = 7
_STATUS_INVALID_RATE: Final = 8
_STATUS_INVALID_RANGE: Final = 9
_HEAD_BYTES: Final = 5
"""A control response's head: 0xF0, op code, measurement, status, more."""
_SETTING_SAMPLE_RATE: Final = 0
_SETTING_RESOLUTION: Final = 1
_SETTING_RANGE: Final = 2
_SAMPLE_BYTES: Final = {PmdMeasurement.ECG: 3, PmdMeasurement.ACC: 6}
"""Bytes per sample of the frames the H10 sends (ECG type 0, ACC raw 16-bit type 1)."""
_READ: Final = gatt.Characteristic.Properties.READ
_WRITE: Final = gatt.Characteristic.Properties.WRITE
_NOTIFY: Final = gatt.Characteristic.Properties.NOTIFY
_INDICATE: Final = gatt.Characteristic.Properties.INDICATE


@dataclass(frozen=True, slots=True)
class _Request:
    """A control point write, read leniently: only what decides the answer."""

    op_code: int
    measurement: int
    settings: bytes


def split_frame(payload: bytes, settings: PmdSettings, max_bytes: int) -> list[bytes]:
    """``payload`` as frames of at most ``max_bytes`` bytes with the same samples.

    Each part keeps the frame's measurement and type and carries the sensor time of
    its own last sample: ``t_last - (n - 1 - k) / rate`` for the frame's sample ``k``.
    A frame that fits is returned as it is. Raises
    :class:`~sensors.pmd.frames.PmdParseError` for a frame that does not decode.
    """
    if len(payload) <= max_bytes:
        return [payload]
    frame = decode_data_frame(payload, settings)
    per_part = max(1, (max_bytes - HEADER_BYTES) // _SAMPLE_BYTES[settings.measurement])
    samples: tuple[int, ...] | tuple[tuple[int, int, int], ...]
    samples = frame.samples_uv if isinstance(frame, EcgFrame) else frame.samples_mg
    n = len(samples)
    step_ns = 1e9 / settings.sample_rate_hz
    parts: list[bytes] = []
    for lo in range(0, n, per_part):
        hi = min(n, lo + per_part)
        time_ns = frame.sensor_time_ns - round((n - hi) * step_ns)
        if isinstance(frame, EcgFrame):
            parts.append(encode_ecg_frame(time_ns, frame.samples_uv[lo:hi]))
        else:
            assert isinstance(frame, AccFrame)
            parts.append(encode_acc_frame(time_ns, frame.samples_mg[lo:hi], settings))
    return parts


class PmdService:
    """The PMD service of one emulated strap: what it can stream and what runs.

    Parameters
    ----------
    settings : the strap's stream of each measurement (from its script).
    requires_bonding : the descriptors need an encrypted link, as the strap's others do.
    on_frame : called with every data notification sent (the script's time, the bytes).
    """

    def __init__(
        self,
        settings: Iterable[PmdSettings],
        *,
        requires_bonding: bool = False,
        on_frame: Callable[[RecordedPmdFrame], None] | None = None,
    ) -> None:
        self.settings = {s.measurement: s for s in settings}
        self.requires_bonding = requires_bonding
        self.on_frame = on_frame
        self.running: dict[PmdMeasurement, PmdSettings] = {}
        """Streams started by the connected host (stopped when the link drops)."""
        self.requests: list[bytes] = []
        """Every control point write, in order (for tests)."""
        self._device: Device | None = None
        self._control: gatt.Characteristic[bytes] | None = None
        self._data: gatt.Characteristic[bytes] | None = None
        self._pending: set[asyncio.Task[None]] = set()

    def service(self, device: Device) -> gatt.Service:
        """The GATT service to add to ``device``."""
        self._device = device
        control: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(PMD_CONTROL_UUID),
            _READ | _WRITE | _INDICATE,
            Attribute.READABLE | Attribute.WRITEABLE,
            gatt.CharacteristicValue(read=self._features, write=self._written),
        )
        data: gatt.Characteristic[bytes] = gatt.Characteristic(
            UUID(PMD_DATA_UUID), _NOTIFY, Attribute.Permissions(0), b""
        )
        if self.requires_bonding:
            for characteristic in (control, data):
                characteristic.descriptors = [
                    gatt.Descriptor(
                        gatt.GATT_CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR,
                        Attribute.READABLE
                        | Attribute.WRITEABLE
                        | Attribute.WRITE_REQUIRES_ENCRYPTION,
                        device.gatt_server.make_descriptor_value(characteristic),
                    )
                ]
        self._control, self._data = control, data
        return gatt.Service(UUID(PMD_SERVICE_UUID), [control, data])

    def link_dropped(self) -> None:
        """The link is gone: every stream stops."""
        self.running.clear()

    async def settle(self) -> None:
        """Wait for indications in flight."""
        if self._pending:
            await asyncio.wait(list(self._pending), timeout=5.0)

    # -- control point ------------------------------------------------------------------------

    def _features(self, connection: Connection) -> bytes:
        return encode_features(set(self.settings))

    def _written(self, connection: Connection, value: bytes) -> None:
        value = bytes(value)
        self.requests.append(value)
        responses = list(self._answer(value, connection.att_mtu - 3))
        task = asyncio.get_running_loop().create_task(self._indicate(connection, responses))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _indicate(self, connection: Connection, responses: list[bytes]) -> None:
        device, control = self._device, self._control
        if device is None or control is None:
            return
        await asyncio.sleep(0)  # after the write's own response, as the strap answers
        try:
            for response in responses:
                await device.indicate_subscriber(connection, control, response)
        except Exception as exc:  # the link dropped meanwhile: nobody to answer
            log.debug("emulated PMD: indication not sent: %s", exc)

    def _answer(self, value: bytes, room: int) -> Iterator[bytes]:
        """The indications answering one control point write."""
        if len(value) < 2:
            op = value[0] if value else 0
            yield encode_control_response(op, 0, _STATUS_INVALID_LENGTH)
            return
        request = _Request(value[0], value[1], value[2:])
        status, parameters = self._handle(request)
        if status != STATUS_SUCCESS or len(parameters) + _HEAD_BYTES <= room:
            yield encode_control_response(request.op_code, request.measurement, status, parameters)
            return
        size = max(1, room - _HEAD_BYTES)
        for lo in range(0, len(parameters), size):
            more = lo + size < len(parameters)
            yield encode_control_response(
                request.op_code,
                request.measurement,
                status,
                parameters[lo : lo + size],
                more=more,
            )

    def _handle(self, request: _Request) -> tuple[int, bytes]:
        if request.op_code not in (OP_GET_SETTINGS, OP_START, OP_STOP):
            return _STATUS_INVALID_OP, b""
        try:
            measurement = PmdMeasurement(request.measurement)
        except ValueError:
            return _STATUS_INVALID_MEASUREMENT, b""
        offered = self.settings.get(measurement)
        if offered is None:
            return _STATUS_NOT_SUPPORTED, b""
        if request.op_code == OP_GET_SETTINGS:
            return STATUS_SUCCESS, _settings_parameters(offered)
        if request.op_code == OP_STOP:
            if self.running.pop(measurement, None) is None:
                return STATUS_ALREADY_IN_STATE, b""
            return STATUS_SUCCESS, b""
        if measurement in self.running:
            return STATUS_ALREADY_IN_STATE, b""
        status = _check_start(request.settings, offered)
        if status == STATUS_SUCCESS:
            self.running[measurement] = offered
        return status, b"\x00" if status == STATUS_SUCCESS else b""

    # -- data ---------------------------------------------------------------------------------

    async def send(self, frame: RecordedPmdFrame) -> bool:
        """Notify ``frame`` (cut to the link's MTU) if its stream runs; whether it went out."""
        device, data = self._device, self._data
        if device is None or data is None or not frame.payload:
            return False
        measurement = _measurement_of(frame.payload)
        settings = self.running.get(measurement) if measurement is not None else None
        if settings is None:
            return False
        sent = False
        for connection in list(device.connections.values()):
            if not _subscribed(device, data, connection):
                continue
            try:
                parts = split_frame(frame.payload, settings, connection.att_mtu - 3)
            except PmdParseError as exc:
                log.warning("emulated PMD: a frame of the script does not decode: %s", exc)
                return False
            for part in parts:
                await device.notify_subscriber(connection, data, part)
                if self.on_frame is not None:
                    self.on_frame(RecordedPmdFrame(frame.at_s, part))
            sent = True
        return sent


def _measurement_of(payload: bytes) -> PmdMeasurement | None:
    try:
        return PmdMeasurement(payload[0] & 0x3F)
    except ValueError:
        return None


def _subscribed(device: Device, data: gatt.Characteristic[bytes], connection: Connection) -> bool:
    cccds = device.gatt_server.subscribers.get(connection, {})  # by connection (Bumble 0.0.2xx)
    value = cccds.get(data.handle)
    return bool(value and value[0] & 0x01)


def _settings_parameters(offered: PmdSettings) -> bytes:
    """The settings response's parameters: ``[type, count, uint16 values…]`` per setting."""

    def setting(kind: int, values: tuple[int, ...]) -> bytes:
        return bytes([kind, len(values)]) + b"".join(v.to_bytes(2, "little") for v in values)

    out = setting(_SETTING_SAMPLE_RATE, (offered.sample_rate_hz,))
    out += setting(_SETTING_RESOLUTION, (offered.resolution_bits,))
    if offered.measurement is PmdMeasurement.ACC:
        out += setting(_SETTING_RANGE, ACC_RANGES_G)
    return out


def _check_start(raw: bytes, offered: PmdSettings) -> int:
    """The status of a start request's settings against what the strap streams."""
    try:
        asked = parse_available_settings(raw)
    except PmdParseError:
        return _STATUS_INVALID_PARAMETER
    if "channels" in asked:
        return _STATUS_INVALID_PARAMETER
    rules = (
        ("sample_rate_hz", (offered.sample_rate_hz,), _STATUS_INVALID_RATE),
        ("resolution_bits", (offered.resolution_bits,), _STATUS_INVALID_RESOLUTION),
        ("range_g", ACC_RANGES_G if offered.range_g is not None else (), _STATUS_INVALID_RANGE),
    )
    for key, allowed, status in rules:
        values = asked.get(key, ())
        if len(values) > 1 or any(v not in allowed for v in values):
            return status
    return STATUS_SUCCESS
