"""Staying connected to a strap all day: scan, connect, subscribe, watch, reconnect.

:class:`StrapSupervisor` is a :class:`~sensors.source.BeatSource`: it yields
the same events as a replayed recording, decoded by the same
:class:`~sensors.decoder.StrapDecoder`. Its states, each published as a
:class:`SupervisorStatus` (to ``on_status`` and :attr:`StrapSupervisor.status`):

``scanning`` → ``connecting`` → ``streaming`` ⇄ ``contact-lost``; on a drop or a
failure ``reconnecting`` (with the seconds until the next attempt) and back to
``scanning``; ``gave-up`` after a failure that retrying cannot fix (no
Bluetooth, pairing needed) or too many failed attempts in a row; ``stopped``
when asked to stop.

- **Backoff**: capped exponential with jitter (:class:`ReconnectPolicy`); the
  first retry after a drop comes at once, since most drops are brief. The states,
  the policy and when to give up live in :mod:`sensors.ble.link`.
- **Watchdog**: no packet for :attr:`ReconnectPolicy.silence_s` seconds while
  streaming counts as a drop: the link is closed and rebuilt.
- **Gaps**: every drop, ours or the strap's, goes through the decoder
  (``disconnected``), so the beat clock marks a gap before the next beat and
  a recording keeps the line. No beat is counted twice: the decoder's clock
  places each packet's intervals once, and packets from a client already
  replaced are ignored.
- **Intentional stop**: :meth:`StrapSupervisor.stop` closes the link with the
  ``intentional`` flag set (Bleak calls the disconnected callback for our own
  disconnects too) and ends the event stream.

- **PMD (opt-in, ``pmd=True``)**: when the strap serves Polar's Measurement Data
  service, ECG and then the accelerometer are started beside the heart-rate stream, in a
  task of its own so heart rate never waits on it (:class:`~sensors.ble.pmd.streams.PmdStreams`),
  and their frames go through one :class:`~sensors.pmd.stream.PmdDecoder` (recording into
  the same file) and out as :class:`~sensors.events.EcgSamples` and
  :class:`~sensors.events.AccSamples`. A PMD failure never stops the heart-rate stream: the
  status line says why ECG or ACC is off. With ``pmd`` off, or a strap without PMD, nothing
  changes.

Only Bleak's public API is used; the scanner and client backends are injected
(default: the platform's), which is how the emulated strap is reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient
from bleak.backends.scanner import BaseBleakScanner

from sensors.ble import uuids
from sensors.ble.errors import StrapError, explain_ble_error, strap_not_found
from sensors.ble.link import (
    LinkState,
    ReconnectPolicy,
    SupervisorStatus,
    give_up_error,
)
from sensors.ble.pmd.streams import PmdStreams
from sensors.ble.scan import find_strap
from sensors.clock import Clock, LoopClock
from sensors.decoder import StrapDecoder
from sensors.events import BatteryLevel, DeviceInfo, SourceEvent
from sensors.hrm import HeartRateParseError, SensorContact
from sensors.pmd.stream import PmdDecoder

__all__ = ["StrapSupervisor"]

log = logging.getLogger("holdspace.strap")

BODY_LOCATIONS: Final = {0: "other", 1: "chest", 2: "wrist", 3: "finger", 4: "hand", 5: "ear lobe"}
HISTORY_STATES: Final = 1000


class StrapSupervisor:
    """A strap, kept connected, as a beat source.

    Parameters
    ----------
    address : the strap's Bluetooth address.
    decoder : the decoder and beat clock (with a recorder when recording).
    scanner_backend, client_backend : Bleak backends (default: the platform's).
    policy : backoff, watchdog and timeouts.
    pair : pair before connecting (straps that need bonding).
    wall : epoch-seconds clock stamping packet arrivals.
    clock : monotonic clock for backoff and the watchdog.
    rng : randomness of the jitter (seed it in tests).
    on_status : called with every state change.
    pmd : stream ECG and acceleration too when the strap serves Polar's PMD service.
    pmd_decoder : the PMD decoder (default: one recording into the strap decoder's recorder).
    """

    def __init__(
        self,
        address: str,
        *,
        decoder: StrapDecoder | None = None,
        scanner_backend: type[BaseBleakScanner] | None = None,
        client_backend: type[BaseBleakClient] | None = None,
        policy: ReconnectPolicy | None = None,
        pair: bool = False,
        wall: Callable[[], float] = time.time,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        on_status: Callable[[SupervisorStatus], None] | None = None,
        pmd: bool = False,
        pmd_decoder: PmdDecoder | None = None,
    ) -> None:
        self.address = address
        self.source_id = f"strap:{address}"
        self.description = f"strap {address}"
        self.decoder = decoder if decoder is not None else StrapDecoder()
        self.scanner_backend = scanner_backend
        self.client_backend = client_backend
        self.policy = policy if policy is not None else ReconnectPolicy()
        self.pair = pair
        self.wall = wall
        self.clock: Clock = clock if clock is not None else LoopClock()
        self.rng = rng if rng is not None else random.Random()
        self.on_status = on_status
        self.status = SupervisorStatus(LinkState.SCANNING)
        self.history: deque[SupervisorStatus] = deque(maxlen=HISTORY_STATES)
        self.error: StrapError | None = None
        """Why the supervisor gave up, when it did."""
        self.device = DeviceInfo(address=address)
        self.packets = 0
        self.bad_packets = 0
        self._queue: asyncio.Queue[SourceEvent | None] = asyncio.Queue()
        self._stop = asyncio.Event()
        self._dropped = asyncio.Event()
        self._drop_reason = ""
        self._client: BleakClient | None = None
        self._generation = 0
        self._last_packet_s = 0.0
        self._linked = False  # a Connected went out and its Disconnected not yet
        self.pmd = pmd
        self.pmd_decoder = (
            pmd_decoder if pmd_decoder is not None else PmdDecoder(self.decoder.recorder)
        )
        self.pmd_streams = PmdStreams(
            self.pmd_decoder, emit=self._emit, wall=wall, clock=self.clock, on_note=self._pmd_note
        )

    @property
    def progress(self) -> float | None:
        return None

    # -- the beat source --------------------------------------------------------------------------

    async def events(self) -> AsyncIterator[SourceEvent]:
        """Run until :meth:`stop` or giving up; yield every event as it happens.

        Raises :class:`~sensors.ble.errors.StrapError` after the stream when the
        supervisor gave up (the events before it were yielded).
        """
        runner = asyncio.create_task(self._run(), name=f"strap supervisor {self.address}")
        try:
            while True:
                event = await self._queue.get()
                if event is None:
                    break
                yield event
        finally:
            self._stop.set()
            self._dropped.set()
            if not runner.done():
                with contextlib.suppress(asyncio.CancelledError):
                    await runner
        if runner.done() and not runner.cancelled() and runner.exception() is not None:
            raise runner.exception()  # type: ignore[misc]
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        """End cleanly: disconnect (intentionally) and end the event stream."""
        self._stop.set()
        self._dropped.set()

    # -- the loop --------------------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        try:
            while not self._stop.is_set():
                try:
                    await self._session()
                    attempt = 0  # streamed, then dropped: start over gently
                    reason = self._drop_reason or "the link dropped"
                except StrapError as exc:
                    attempt += 1
                    final = give_up_error(exc, attempt, self.policy, pair=self.pair)
                    if final is not None:
                        self._give_up(final)
                        return
                    reason = exc.message.rstrip(".")
                if self._stop.is_set():
                    break
                delay = self.policy.delay_s(attempt, self.rng)
                self._set(LinkState.RECONNECTING, reason, retry_in_s=delay, attempt=attempt)
                if delay > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), delay)
        finally:
            if self.status.state is not LinkState.GAVE_UP:
                self._set(LinkState.STOPPED, "recording stopped")
            self._queue.put_nowait(None)

    def _give_up(self, error: StrapError) -> None:
        self.error = error
        self._set(LinkState.GAVE_UP, error.message)

    async def _session(self) -> None:
        """Scan, connect, subscribe and stream until the link ends; StrapError on failure."""
        self._set(LinkState.SCANNING, f"looking for {self.address}")
        try:
            device = await find_strap(
                self.address, self.policy.scan_s, backend=self.scanner_backend
            )
        except Exception as exc:
            raise self._explain(exc) from None
        if device is None:
            raise strap_not_found(self.address)
        if self._stop.is_set():
            return
        self._set(LinkState.CONNECTING, f"connecting to {device.name or self.address}")
        self._generation += 1
        generation = self._generation
        self._dropped.clear()
        self._drop_reason = ""
        client = BleakClient(
            device,
            disconnected_callback=lambda _: self._on_disconnected(generation),
            timeout=self.policy.connect_timeout_s,
            pair=self.pair,
            backend=self.client_backend,
        )
        self._client = client
        try:
            try:
                await client.connect()
                self.device = await self._device_info(client, device.name or "")
                await self._battery(client, generation)
                await client.start_notify(
                    uuids.HEART_RATE_MEASUREMENT,
                    lambda _, data: self._on_packet(generation, data),
                )
            except Exception as exc:
                raise self._explain(exc) from None
            self._last_packet_s = self.clock.monotonic()
            self._emit(self.decoder.connected(self.wall(), self.device))
            self._linked = True
            self._set(LinkState.STREAMING, self._streaming_detail())
            pmd_task = (
                self.pmd_streams.connected(client, lambda: self._live(generation))
                if self.pmd
                else None
            )
            try:
                await self._watch()
            finally:
                await self.pmd_streams.ended(pmd_task, intentional=self._stop.is_set())
        finally:
            await self._close(client)

    async def _watch(self) -> None:
        """Wait for a drop, a stop, or silence longer than the watchdog allows."""
        silence_s = self.policy.silence_s
        while not self._dropped.is_set():
            quiet_s = self.clock.monotonic() - self._last_packet_s
            if quiet_s >= silence_s:
                self._drop_reason = f"no data from the strap for {silence_s:.0f} s"
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._dropped.wait(), silence_s - quiet_s)

    async def _close(self, client: BleakClient) -> None:
        """Close the link and mark the gap (intentional when we are stopping)."""
        intentional = self._stop.is_set()
        self._generation += 1  # late packets of this client are ignored from now on
        if client.is_connected:
            with contextlib.suppress(Exception):
                await client.disconnect()
        self._client = None
        if self._linked:
            self._linked = False
            reason = "stopped" if intentional else (self._drop_reason or "link lost")
            self._emit(self.decoder.disconnected(self.wall(), reason, intentional))

    # -- PMD (ECG and acceleration) ---------------------------------------------------------

    @property
    def pmd_status(self) -> str:
        """Why ECG or the accelerometer is on or off, in a few words (empty without ``pmd``)."""
        return self.pmd_streams.status

    def _pmd_note(self, _note: str) -> None:
        if self.status.state is LinkState.STREAMING:
            self._set(LinkState.STREAMING, self._streaming_detail())

    # -- callbacks ------------------------------------------------------------------------------

    def _live(self, generation: int) -> bool:
        """Whether callbacks of the client of ``generation`` still count."""
        return generation == self._generation and not self._stop.is_set()

    def _on_disconnected(self, generation: int) -> None:
        if generation != self._generation:
            return
        if not self._drop_reason:
            self._drop_reason = "the link dropped"
        self._dropped.set()

    def _on_packet(self, generation: int, data: bytearray) -> None:
        if generation != self._generation or self._stop.is_set():
            return
        self._last_packet_s = self.clock.monotonic()
        try:
            event = self.decoder.packet(self.wall(), bytes(data))
        except HeartRateParseError as exc:
            self.bad_packets += 1
            log.warning("%s sent a malformed packet (%s); skipped.", self.address, exc)
            return
        self.packets += 1
        self._emit(event)
        contact = event.measurement.contact
        state = self.status.state
        if contact is SensorContact.NO_CONTACT and state is LinkState.STREAMING:
            self._set(
                LinkState.CONTACT_LOST,
                "no skin contact: moisten the electrodes and check the strap sits snugly",
            )
        elif contact is not SensorContact.NO_CONTACT and state is LinkState.CONTACT_LOST:
            self._set(LinkState.STREAMING, "contact is back")

    def _on_battery(self, generation: int, data: bytearray) -> None:
        if generation == self._generation and data:
            self._emit(BatteryLevel(self.wall(), int(data[0])))

    # -- helpers --------------------------------------------------------------------------------

    async def _device_info(self, client: BleakClient, name: str) -> DeviceInfo:
        async def text(uuid: str) -> str:
            if client.services.get_characteristic(uuid) is None:
                return ""
            with contextlib.suppress(Exception):
                return bytes(await client.read_gatt_char(uuid)).decode("utf-8", "replace").strip()
            return ""

        location = ""
        if client.services.get_characteristic(uuids.BODY_SENSOR_LOCATION) is not None:
            with contextlib.suppress(Exception):
                raw = await client.read_gatt_char(uuids.BODY_SENSOR_LOCATION)
                location = BODY_LOCATIONS.get(raw[0], "other") if raw else ""
        return DeviceInfo(
            name=name,
            address=self.address,
            manufacturer=await text(uuids.MANUFACTURER_NAME),
            model=await text(uuids.MODEL_NUMBER),
            firmware=await text(uuids.FIRMWARE_REVISION),
            body_location=location,
        )

    async def _battery(self, client: BleakClient, generation: int) -> None:
        char: BleakGATTCharacteristic | None = client.services.get_characteristic(
            uuids.BATTERY_LEVEL
        )
        if char is None:
            return
        with contextlib.suppress(Exception):
            raw = await client.read_gatt_char(char)
            if raw:
                self._emit(BatteryLevel(self.wall(), int(raw[0])))
        if "notify" in char.properties:
            with contextlib.suppress(Exception):
                await client.start_notify(char, lambda _, d: self._on_battery(generation, d))

    def _explain(self, exc: BaseException) -> StrapError:
        explained = explain_ble_error(exc, device=self.address)
        if explained is not None:
            return explained
        log.debug("unexpected error from %s", self.address, exc_info=exc)
        return StrapError(
            f"The connection to {self.address} failed ({type(exc).__name__}); retrying.",
            state="bluetooth-error",
        )

    def _streaming_detail(self) -> str:
        d = self.device
        label = " ".join(p for p in (d.name or d.model, f"({self.address})") if p)
        pmd = f"; {self.pmd_status}" if self.pmd_status else ""
        return f"receiving from {label}{pmd}"

    def _emit(self, event: SourceEvent) -> None:
        self._queue.put_nowait(event)

    def _set(
        self,
        state: LinkState,
        detail: str = "",
        *,
        retry_in_s: float | None = None,
        attempt: int = 0,
    ) -> None:
        status = SupervisorStatus(state, detail, retry_in_s, attempt, self.clock.monotonic())
        self.status = status
        self.history.append(status)
        log.info("strap %s: %s", self.address, status.line())
        if self.on_status is not None:
            self.on_status(status)

    def states_seen(self) -> list[str]:
        """The states of :attr:`history`, in order (for tests and diagnostics)."""
        return [s.state.value for s in self.history]

    def describe(self) -> dict[str, Any]:
        """The current status as JSON-ready data (for the live socket)."""
        s = self.status
        out: dict[str, Any] = {
            "state": s.state.value,
            "detail": s.detail,
            "retry_in_s": s.retry_in_s,
            "attempt": s.attempt,
            "device": self.device.to_json(),
        }
        if self.pmd:
            out["pmd"] = self.pmd_status
        return out
