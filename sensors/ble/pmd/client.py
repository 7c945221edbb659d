"""Talk PMD to a connected Polar strap: features, settings, start and stop.

:class:`PmdClient` wraps a connected Bleak client. Requests are written to the PMD control
point (with response), and each waits for the control point's indication answering it
(same op code; a ``more`` flag appends the next indication's parameters, as the SDK's
``BlePMDClient.sendPmdCommand`` does). A refusal becomes a :class:`PmdError`, a
:class:`~sensors.ble.errors.StrapError` with one plain sentence. The bytes are built and
read by :mod:`sensors.pmd.control`.

Pitfalls from users' reports, and what is done about them:

- **No data for up to 30 s after a start** (polarofficial/polar-ble-sdk #414 and #424,
  fsmeraldi/bleakheart #1; fixed for most by Bleak 0.21.1): nothing waits on data here, so a
  late stream simply begins late; only the control point's answer has a timeout, 30 s by
  default as in the SDK (``receiveControlPointPacket``).
- **ECG and ACC together drop the link on some H10 firmware** (bleakheart #12): the caller,
  :class:`~sensors.ble.pmd.streams.PmdStreams`, starts ECG first, then ACC, and turns ACC
  off after repeated drops (:class:`~sensors.ble.pmd.streams.AccDropGuard`).
- **Older H10 firmware** has no PMD (the SDK README: ECG and ACC from firmware 3.0.35), and
  other Polar devices list other settings: :meth:`PmdClient.features` and
  :meth:`PmdClient.available_settings` say what there is
  (:func:`~sensors.ble.pmd.streams.choose_settings` picks from it).
- **Bonding on Windows**: a control point write refused for lack of authentication or
  encryption becomes the ``pairing-required`` sentence of :mod:`sensors.ble.errors`.
- **MTU**: PMD needs an ATT MTU of at least 232 (spec "Prerequisite"); BlueZ, Windows and
  macOS negotiate it themselves, and a strap that still finds it too small answers status 10,
  which :func:`~sensors.pmd.control.status_text` explains.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Final, Protocol

from bleak.backends.characteristic import BleakGATTCharacteristic

from sensors.ble.errors import StrapError, explain_ble_error
from sensors.pmd.control import (
    OP_GET_SETTINGS,
    OP_START,
    OP_STOP,
    STATUS_ALREADY_IN_STATE,
    ControlResponse,
    PmdMeasurement,
    PmdSettings,
    parse_available_settings,
    parse_control_response,
    parse_features,
    settings_request,
    start_request,
    status_text,
    stop_request,
)
from sensors.pmd.frames import PmdParseError
from sensors.pmd.uuids import PMD_CONTROL_UUID, PMD_DATA_UUID

__all__ = ["CONTROL_STREAM_STOPPED", "RESPONSE_TIMEOUT_S", "GattClient", "PmdClient", "PmdError"]

log = logging.getLogger("holdspace.pmd")

RESPONSE_TIMEOUT_S: Final = 30.0
"""How long a control point request waits for its indication (the SDK's 30 s)."""
CONTROL_STREAM_STOPPED: Final = 0x01
"""First byte of a control point indication that is not a response: the strap stopped the
streams whose types follow (``ONLINE_MEASUREMENT_STOPPED`` in ``PmdControlPointCommand.kt``)."""
_OPS: Final = {OP_GET_SETTINGS: "settings", OP_START: "start", OP_STOP: "stop"}

Notify = Callable[[BleakGATTCharacteristic, bytearray], None]


class GattClient(Protocol):
    """The part of :class:`bleak.BleakClient` PMD needs (a test can pass a small fake)."""

    async def read_gatt_char(self, char_specifier: str) -> bytearray: ...

    async def write_gatt_char(
        self, char_specifier: str, data: bytes, response: bool | None = None
    ) -> None: ...

    async def start_notify(self, char_specifier: str, callback: Notify) -> None: ...

    async def stop_notify(self, char_specifier: str) -> None: ...


class PmdError(StrapError):
    """A PMD request failed: refused by the strap, unanswered, or lost with the link."""


def _name(measurement: int) -> str:
    try:
        return PmdMeasurement(measurement).name
    except ValueError:
        return f"measurement {measurement}"


class PmdClient:
    """PMD requests over a connected client.

    Parameters
    ----------
    client : a connected :class:`bleak.BleakClient` (or anything with its four methods).
    response_timeout_s : how long each request waits for the control point's answer.
    on_stopped : called with the measurement types when the strap stops streams itself.
    """

    def __init__(
        self,
        client: GattClient,
        *,
        response_timeout_s: float = RESPONSE_TIMEOUT_S,
        on_stopped: Callable[[tuple[int, ...]], None] | None = None,
    ) -> None:
        self.client = client
        self.response_timeout_s = response_timeout_s
        self.on_stopped = on_stopped
        self._responses: asyncio.Queue[bytes] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._open = False

    async def features(self) -> frozenset[PmdMeasurement]:
        """The measurements the strap serves (read of the control point)."""
        try:
            raw = await self.client.read_gatt_char(PMD_CONTROL_UUID)
            return parse_features(bytes(raw))
        except PmdParseError as exc:
            raise PmdError(f"The strap's PMD features could not be read ({exc}).") from None
        except Exception as exc:
            raise _explain(exc, "the PMD features read") from None

    async def available_settings(self, measurement: PmdMeasurement) -> dict[str, tuple[int, ...]]:
        """What the strap offers for ``measurement`` (``{"sample_rate_hz": (...), ...}``)."""
        response = await self._request(settings_request(measurement))
        try:
            return parse_available_settings(response.parameters)
        except PmdParseError as exc:
            raise PmdError(
                f"The strap's {measurement.name} settings could not be read ({exc})."
            ) from None

    async def start(self, settings: PmdSettings) -> ControlResponse:
        """Start a stream; one already running (status 6) counts as started."""
        return await self._request(start_request(settings), ok=(STATUS_ALREADY_IN_STATE,))

    async def stop(self, measurement: PmdMeasurement) -> None:
        """Stop a stream; one already stopped (status 6) counts as stopped."""
        await self._request(stop_request(measurement), ok=(STATUS_ALREADY_IN_STATE,))

    async def subscribe(self, on_frame: Callable[[bytes], None]) -> None:
        """Receive every PMD data notification (subscribe before starting a stream)."""
        try:
            await self.client.start_notify(PMD_DATA_UUID, lambda _, data: on_frame(bytes(data)))
        except Exception as exc:
            raise _explain(exc, "the PMD data subscription") from None

    async def close(self) -> None:
        """Unsubscribe from the control point and the data (errors ignored: the link may be
        gone already)."""
        for uuid in (PMD_DATA_UUID, PMD_CONTROL_UUID):
            with contextlib.suppress(Exception):
                await self.client.stop_notify(uuid)
        self._open = False

    # -- the control point ------------------------------------------------------------------

    def _on_control(self, _char: BleakGATTCharacteristic, data: bytearray) -> None:
        payload = bytes(data)
        if payload[:1] == bytes([CONTROL_STREAM_STOPPED]):
            log.info("the strap stopped PMD streams %s", list(payload[1:]))
            if self.on_stopped is not None:
                self.on_stopped(tuple(payload[1:]))
            return
        self._responses.put_nowait(payload)

    async def _ensure_open(self) -> None:
        if not self._open:
            await self.client.start_notify(PMD_CONTROL_UUID, self._on_control)
            self._open = True

    async def _request(self, request: bytes, ok: tuple[int, ...] = ()) -> ControlResponse:
        what = f"{_name(request[1])} {_OPS.get(request[0], 'request')}"
        async with self._lock:
            try:
                await self._ensure_open()
                while not self._responses.empty():  # a late answer to an abandoned request
                    self._responses.get_nowait()
                await self.client.write_gatt_char(PMD_CONTROL_UUID, request, response=True)
                response = await self._answer(request, what)
            except PmdError:
                raise
            except Exception as exc:
                raise _explain(exc, f"the {what} request") from None
        if response.status != 0 and response.status not in ok:
            reason = status_text(response.status)
            raise PmdError(
                f"The {what} was refused: {reason[:1].lower()}{reason[1:]}", state="gatt-error"
            )
        return response

    async def _answer(self, request: bytes, what: str) -> ControlResponse:
        """The response to ``request``, with continued parameters appended."""
        try:
            async with asyncio.timeout(self.response_timeout_s):
                first = await self._next(request)
                parameters, more = first.parameters, first.more
                while more:
                    following = await self._next(request)
                    parameters, more = parameters + following.parameters, following.more
        except TimeoutError:
            raise PmdError(
                f"The strap did not answer the {what} within {self.response_timeout_s:.0f} s.",
                state="timeout",
            ) from None
        return replace(first, parameters=parameters, more=False)

    async def _next(self, request: bytes) -> ControlResponse:
        """The next indication answering ``request``'s op code; others are skipped."""
        while True:
            payload = await self._responses.get()
            try:
                response = parse_control_response(payload)
            except PmdParseError as exc:
                log.warning("skipped a PMD control point indication: %s", exc)
                continue
            if response.op_code == request[0]:
                return response
            log.debug(
                "skipped a PMD answer to op %d while waiting for %d", response.op_code, request[0]
            )


def _explain(exc: BaseException, doing: str) -> PmdError:
    explained = explain_ble_error(exc)
    if explained is not None:
        return PmdError(explained.message, state=explained.state)
    return PmdError(
        f"Bluetooth failed during {doing} ({type(exc).__name__}).", state="bluetooth-error"
    )
