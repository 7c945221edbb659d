"""ECG and acceleration beside a strap's heart rate: what the supervisor does with PMD.

:class:`PmdStreams` runs, for each connection of a
:class:`~sensors.ble.supervisor.StrapSupervisor` with ``pmd`` on, the steps that bring a
Polar strap's PMD streams up, in a task of its own so heart rate never waits on them:

1. the connection resets the :class:`~sensors.pmd.stream.PmdDecoder`'s clock offset (right
   after the ``connected`` event, as a replay does on its ``connected`` line);
2. a strap without the PMD service gets a note and nothing else;
3. read the features, subscribe to the data (before any start, as the spec's
   "Prerequisite" asks);
4. ECG first, then the accelerometer (starting both at once drops the link on some H10
   firmware, fsmeraldi/bleakheart #12): ask the settings, :func:`choose_settings`, record
   the start, send it. A start whose answer asks for a scale factor (the Verity Sense's, not
   the H10's) is stopped again, since the factor is not applied here;
5. frames go through the decoder and out as events; bad ones are counted and skipped.

When the connection ends, the streams still running are recorded as stopped, and a drop
soon after the accelerometer started counts against it (:class:`AccDropGuard`). Every
failure becomes a short note (:attr:`PmdStreams.status`), never an exception: heart rate
goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bleak import BleakClient

from sensors.ble.errors import StrapError
from sensors.ble.pmd.client import PmdClient
from sensors.clock import Clock
from sensors.events import SourceEvent
from sensors.pmd.control import (
    ACC_SETTINGS,
    ECG_SETTINGS,
    PmdMeasurement,
    PmdSettings,
    start_factor,
)
from sensors.pmd.frames import PmdParseError
from sensors.pmd.stream import PmdDecoder
from sensors.pmd.uuids import PMD_SERVICE_UUID

__all__ = ["AccDropGuard", "PmdStreams", "choose_settings"]

log = logging.getLogger("holdspace.pmd")

_NAMES = {PmdMeasurement.ECG: "ECG", PmdMeasurement.ACC: "accelerometer"}


def choose_settings(wanted: PmdSettings, available: Mapping[str, tuple[int, ...]]) -> PmdSettings:
    """``wanted``, adjusted to what the strap offers.

    Each of sample rate and resolution is kept when offered (or when the strap lists none),
    else the offered value nearest to it is taken. The range is kept when offered, the widest
    offered otherwise, and left out when the strap lists no range (as for the H10's ECG).
    """

    def nearest(value: int, offered: tuple[int, ...]) -> int:
        if not offered or value in offered:
            return value
        return min(offered, key=lambda v: (abs(v - value), -v))

    ranges = available.get("range_g", ())
    range_g: int | None = None
    if ranges:
        range_g = wanted.range_g if wanted.range_g in ranges else max(ranges)
    return PmdSettings(
        wanted.measurement,
        nearest(wanted.sample_rate_hz, available.get("sample_rate_hz", ())),
        nearest(wanted.resolution_bits, available.get("resolution_bits", ())),
        range_g,
    )


@dataclass(slots=True)
class AccDropGuard:
    """Turn the accelerometer off after it seems to take the link down with it.

    Some H10 firmware drops the link soon after ACC starts beside ECG (bleakheart #12). A drop
    within :attr:`window_s` seconds of starting ACC counts; after :attr:`limit` of them, ACC
    stays off for the rest of the run. Times are on any one monotonic clock.
    """

    window_s: float = 60.0
    limit: int = 2
    drops: int = 0
    acc_started_s: float | None = None

    @property
    def allowed(self) -> bool:
        return self.drops < self.limit

    def acc_started(self, at_s: float) -> None:
        self.acc_started_s = at_s

    def link_dropped(self, at_s: float) -> bool:
        """Note a drop; True when it counted against ACC."""
        started, self.acc_started_s = self.acc_started_s, None
        if started is not None and at_s - started <= self.window_s:
            self.drops += 1
            return True
        return False

    def note(self) -> str:
        """Why ACC is off, once it is."""
        return (
            f"accelerometer off: the strap dropped the link {self.drops} times within "
            f"{self.window_s:.0f} s of starting it beside ECG (a known H10 firmware problem); "
            "ECG only"
        )


class PmdStreams:
    """The PMD side of one supervisor run.

    Parameters
    ----------
    decoder : the PMD decoder (recording, when the run records).
    emit : where decoded :class:`~sensors.events.EcgSamples` and
        :class:`~sensors.events.AccSamples` go.
    wall : epoch-seconds clock stamping frames and starts.
    clock : monotonic clock of the drop guard.
    on_note : called with :attr:`status` whenever it changes.
    """

    def __init__(
        self,
        decoder: PmdDecoder,
        *,
        emit: Callable[[SourceEvent], None],
        wall: Callable[[], float],
        clock: Clock,
        on_note: Callable[[str], None],
    ) -> None:
        self.decoder = decoder
        self.emit = emit
        self.wall = wall
        self.clock = clock
        self.on_note = on_note
        self.status = ""
        """Why ECG and the accelerometer are on or off, in a few words."""
        self.frames = 0
        self.bad_frames = 0
        self.acc_guard = AccDropGuard()
        self._running: list[PmdMeasurement] = []

    def connected(self, client: BleakClient, live: Callable[[], bool]) -> asyncio.Task[None] | None:
        """Bring the streams up on a new connection; ``live()`` is False once it is replaced.

        Returns the task doing it (hand it to :meth:`ended`), or None for a strap without PMD,
        which is left exactly as with PMD off (no note: most straps have none, and heart rate
        and RR are all they are asked for).
        """
        self.decoder.reset_clock()
        if client.services.get_service(PMD_SERVICE_UUID) is None:
            self.status = ""
            return None
        return asyncio.create_task(self._bring_up(client, live), name="pmd start")

    async def ended(self, task: asyncio.Task[None] | None, *, intentional: bool) -> None:
        """The connection ended: cancel the start, record the streams' end, count a drop."""
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        for measurement in list(self._running):
            self._stopped(measurement)
        if not intentional and self.acc_guard.link_dropped(self.clock.monotonic()):
            log.warning("the strap dropped the link soon after its accelerometer started")
            if not self.acc_guard.allowed:
                self.status = self.acc_guard.note()

    async def _bring_up(self, client: BleakClient, live: Callable[[], bool]) -> None:
        pmd = PmdClient(client, on_stopped=lambda types: self._strap_stopped(types, live))
        try:
            features = await pmd.features()
            await pmd.subscribe(lambda data: self._frame(data, live))
        except StrapError as exc:
            self._note(f"no ECG or accelerometer ({exc.message.rstrip('.')})")
            return
        notes = []
        for wanted in (ECG_SETTINGS, ACC_SETTINGS):  # ECG first
            name = _NAMES[wanted.measurement]
            if wanted.measurement not in features:
                notes.append(f"no {name} on this strap")
            elif wanted is ACC_SETTINGS and not self.acc_guard.allowed:
                notes.append(self.acc_guard.note())
            else:
                try:
                    settings = await self._start(pmd, wanted)
                except StrapError as exc:
                    notes.append(f"{name} off ({exc.message.rstrip('.')})")
                    continue
                notes.append(f"{name} {settings.sample_rate_hz} Hz on")
                if wanted is ACC_SETTINGS:
                    self.acc_guard.acc_started(self.clock.monotonic())
        self._note("; ".join(notes))

    async def _start(self, pmd: PmdClient, wanted: PmdSettings) -> PmdSettings:
        """Start one stream with the settings the strap offers nearest to ``wanted``."""
        settings = choose_settings(wanted, await pmd.available_settings(wanted.measurement))
        self.decoder.started(self.wall(), settings)  # its first frames may beat the answer
        self._running.append(settings.measurement)
        try:
            factor = start_factor((await pmd.start(settings)).parameters)
            if factor != 1.0:
                with contextlib.suppress(StrapError):
                    await pmd.stop(settings.measurement)
                raise StrapError(f"the strap scales its samples by {factor:g}, not applied here")
        except StrapError:
            self._stopped(settings.measurement)
            raise
        return settings

    def _stopped(self, measurement: PmdMeasurement) -> None:
        if measurement in self._running:
            self._running.remove(measurement)
            self.decoder.stopped(self.wall(), measurement)

    def _frame(self, data: bytes, live: Callable[[], bool]) -> None:
        if not live():
            return
        try:
            event = self.decoder.frame(self.wall(), data)
        except PmdParseError as exc:
            self.bad_frames += 1
            log.warning("skipped a PMD frame the strap sent (%s).", exc)
            return
        self.frames += 1
        self.emit(event)

    def _strap_stopped(self, types: tuple[int, ...], live: Callable[[], bool]) -> None:
        if not live():
            return
        stopped = [m for m in self._running if int(m) in types]
        for measurement in stopped:
            self._stopped(measurement)
        if stopped:
            self._note(f"the strap stopped {' and '.join(_NAMES[m] for m in stopped)} by itself")

    def _note(self, note: str) -> None:
        self.status = note
        self.on_note(note)
