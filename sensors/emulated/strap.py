"""An emulated heart-rate strap: a Bumble peripheral playing a :class:`StrapScript`.

It serves what real straps serve — Heart Rate (0x180D: measurement 0x2A37
notify, body sensor location 0x2A38, control point 0x2A39), Battery (0x180F:
level 0x2A19, read and notify) and Device Information (0x180A: manufacturer,
model, firmware) — advertises like one, and plays its script in time: packet
``k`` goes out when the strap's clock reaches its time. The strap's clock is
the event loop's clock scaled by ``speed`` from the script's start, so a demo
at 60x plays an hour a minute, and a test on a fast-forwarding loop plays a
day in moments with the same timing.

A profile with ``pmd`` (:data:`~sensors.emulated.script.POLAR_H10`) also serves
Polar's PMD service (:mod:`sensors.emulated.pmd`) and, on connecting, asks for
the larger ATT MTU an H10 uses; the script's ECG and ACC frames go out on the
same clock as its heart-rate packets, while the host has their streams started.

Faults of the script happen on time: link loss (strap-side disconnect, no
advertising while away), silence, contact loss (no-contact packets without RR,
and for a Polar-like profile a link drop 25 s later), reboot. Tests can also
force a link drop at any moment (:meth:`EmulatedStrap.drop_link`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from bumble import gatt, hci
from bumble.att import Attribute
from bumble.core import UUID, AdvertisingData
from bumble.device import Connection, Device, Peer

from sensors.emulated.pmd import PmdService
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import (
    ContactLoss,
    LinkLoss,
    Reboot,
    Silence,
    StrapProfile,
    StrapScript,
)
from sensors.hrm import SensorContact, encode_heart_rate_measurement, parse_heart_rate_measurement
from sensors.pmd.control import ACC_SETTINGS, ECG_SETTINGS
from sensors.recording import RecordedPacket, RecordedPmdFrame

__all__ = ["EmulatedStrap"]

log = logging.getLogger("holdspace.emulated")

HEART_RATE_SERVICE: Final = 0x180D
BODY_LOCATION_CHEST: Final = 1
GARMIN_BOGUS_RR_TICKS: Final = 53
"""The ~52 ms interval an HRM-Dual appends over BLE."""
ADVERTISING_INTERVAL_MS: Final = 20.0
_LINK_LOST: Final = hci.HCI_CONNECTION_TIMEOUT_ERROR
_POWER_OFF: Final = hci.HCI_REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF_ERROR
_READ: Final = gatt.Characteristic.Properties.READ
_NOTIFY: Final = gatt.Characteristic.Properties.NOTIFY
_WRITE: Final = gatt.Characteristic.Properties.WRITE


class EmulatedStrap:
    """A strap on ``radio`` playing ``script`` at ``speed`` times real time.

    Parameters
    ----------
    radio : the virtual radio it lives on.
    script : what it sends and what happens to it.
    profile : what kind of strap it is.
    speed : how much faster than real time the script plays (1: real time).

    Attributes
    ----------
    sent : packets delivered to a subscribed host.
    lost : packets of the script that no host received (link down, not subscribed).
    pmd : the PMD service, for a profile with ``pmd`` (else None).
    pmd_delivered : every PMD data notification sent, with the script's time of its frame.
    """

    def __init__(
        self,
        radio: VirtualRadio,
        script: StrapScript,
        profile: StrapProfile | None = None,
        *,
        speed: float = 1.0,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be positive, got {speed}")
        self.radio = radio
        self.script = script
        self.profile = profile if profile is not None else StrapProfile()
        self.speed = speed
        self.sent = 0
        self.lost = 0
        self.delivered: list[RecordedPacket] = []
        """Every packet a subscribed host was sent, with the script's time."""
        self.on_packet: Callable[[RecordedPacket], None] | None = None
        self._device: Device | None = None
        self._task: asyncio.Task[None] | None = None
        self._t0_loop = 0.0
        self._available = False  # powered, in range, in contact: advertises when not connected
        self._silent_until = -math.inf
        self._contact_until = -math.inf  # no contact until then
        self._energy_kj = 0.0
        self._packets_sent = 0
        self._battery_pct = self.profile.battery_start_pct
        self._finished = asyncio.Event()
        self._stopping = asyncio.Event()
        self._pending: set[asyncio.Task[None]] = set()
        self._hrm: gatt.Characteristic[bytes] | None = None
        self._battery: gatt.Characteristic[bytes] | None = None
        self.pmd_delivered: list[RecordedPmdFrame] = []
        self.pmd: PmdService | None = None
        if self.profile.pmd:
            self.pmd = PmdService(
                script.pmd_settings or (ECG_SETTINGS, ACC_SETTINGS),
                requires_bonding=self.profile.requires_bonding,
                on_frame=self.pmd_delivered.append,
            )

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def address(self) -> str:
        return self.profile.address

    @property
    def name(self) -> str:
        return self.profile.name

    def now_s(self) -> float:
        """The strap's clock: epoch seconds on the script's timeline."""
        loop = asyncio.get_running_loop()
        return self.script.start_s + (loop.time() - self._t0_loop) * self.speed

    async def start(self) -> None:
        """Power on, advertise, and start playing the script."""
        if self._task is not None:
            return
        device = self.radio.add_device(self.profile.name, self.profile.address)
        self._device = device
        self._build_services(device)
        device.on(device.EVENT_CONNECTION, self._on_connection)
        await device.power_on()
        self._t0_loop = asyncio.get_running_loop().time()
        self._available = True
        await self._advertise()
        self._task = asyncio.create_task(self._play(), name=f"emulated strap {self.address}")

    async def stop(self) -> None:
        """Stop playing, drop any link and leave the radio."""
        task, self._task = self._task, None
        if task is not None:
            # Let the player stop between two packets: cancelling it inside an HCI
            # command would leave Bumble's host waiting for a reply it then rejects.
            self._stopping.set()
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=5.0)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._available = False
        if self.pmd is not None:
            await self.pmd.settle()
        if self._pending:  # HCI commands in flight finish before the radio goes
            await asyncio.wait(list(self._pending), timeout=5.0)
        device = self._device
        if device is not None:
            await self._disconnect_all(_POWER_OFF)
            if self._pending:
                await asyncio.wait(list(self._pending), timeout=5.0)
            with contextlib.suppress(Exception):
                await device.stop_advertising()
            self.radio.remove_device(self.address)
        self._finished.set()

    async def finished(self) -> None:
        """Wait until the whole script has played."""
        await self._finished.wait()

    @property
    def connected(self) -> bool:
        return bool(self._device is not None and self._device.connections)

    async def drop_link(self, away_s: float = 0.0) -> None:
        """Drop the link now, as if the strap went out of range, back after ``away_s``."""
        self._available = False
        await self._disconnect_all(_LINK_LOST)
        if away_s > 0:
            await asyncio.sleep(away_s / self.speed)
        self._available = True
        await self._advertise()

    # -- GATT ---------------------------------------------------------------------------------

    def _build_services(self, device: Device) -> None:
        profile = self.profile
        hrm: gatt.Characteristic[bytes] = gatt.Characteristic(
            gatt.GATT_HEART_RATE_MEASUREMENT_CHARACTERISTIC, _NOTIFY, Attribute.Permissions(0), b""
        )
        if profile.requires_bonding:
            hrm.descriptors = [
                gatt.Descriptor(
                    gatt.GATT_CLIENT_CHARACTERISTIC_CONFIGURATION_DESCRIPTOR,
                    Attribute.READABLE | Attribute.WRITEABLE | Attribute.WRITE_REQUIRES_ENCRYPTION,
                    device.gatt_server.make_descriptor_value(hrm),
                )
            ]
        location = gatt.Characteristic(
            gatt.GATT_BODY_SENSOR_LOCATION_CHARACTERISTIC,
            _READ,
            Attribute.READABLE,
            bytes([BODY_LOCATION_CHEST]),
        )
        control: gatt.Characteristic[bytes] = gatt.Characteristic(
            gatt.GATT_HEART_RATE_CONTROL_POINT_CHARACTERISTIC,
            _WRITE,
            Attribute.WRITEABLE,
            gatt.CharacteristicValue(write=self._control_point),
        )
        battery_props = _READ | (_NOTIFY if profile.battery_notifies else 0)
        battery: gatt.Characteristic[bytes] = gatt.Characteristic(
            gatt.GATT_BATTERY_LEVEL_CHARACTERISTIC,
            battery_props,
            Attribute.READABLE,
            bytes([self._battery_pct]),
        )

        def text(uuid: UUID, value: str) -> gatt.Characteristic[bytes]:
            return gatt.Characteristic(uuid, _READ, Attribute.READABLE, value.encode())

        pmd = [self.pmd.service(device)] if self.pmd is not None else []
        device.add_services(
            [
                *pmd,
                gatt.Service(gatt.GATT_HEART_RATE_SERVICE, [hrm, location, control]),
                gatt.Service(gatt.GATT_BATTERY_SERVICE, [battery]),
                gatt.Service(
                    gatt.GATT_DEVICE_INFORMATION_SERVICE,
                    [
                        text(
                            gatt.GATT_MANUFACTURER_NAME_STRING_CHARACTERISTIC, profile.manufacturer
                        ),
                        text(gatt.GATT_MODEL_NUMBER_STRING_CHARACTERISTIC, profile.model),
                        text(gatt.GATT_FIRMWARE_REVISION_STRING_CHARACTERISTIC, profile.firmware),
                    ],
                ),
            ]
        )
        self._hrm = hrm
        self._battery = battery

    def _control_point(self, connection: Connection, value: bytes) -> None:
        if value[:1] == b"\x01":  # reset energy expended
            self._energy_kj = 0.0

    def _advertising_data(self) -> bytes:
        fields: list[tuple[int, bytes]] = [
            (AdvertisingData.FLAGS, bytes([0x06])),
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.profile.name.encode()),
        ]
        if self.profile.advertises_hr:
            fields.append(
                (
                    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                    bytes(UUID.from_16_bits(HEART_RATE_SERVICE)),
                )
            )
        return bytes(AdvertisingData(fields))

    async def _advertise(self) -> None:
        device = self._device
        if device is None or not self._available or device.connections or device.is_advertising:
            return
        await device.start_advertising(
            advertising_data=self._advertising_data(),
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
        )

    def _on_connection(self, connection: Connection) -> None:
        connection.on(connection.EVENT_DISCONNECTION, lambda *_: self._after_disconnection())
        mtu = self.profile.pmd_mtu
        if self.pmd is not None and mtu is not None:
            task = asyncio.get_running_loop().create_task(self._ask_mtu(connection, mtu))
            self._pending.add(task)
            task.add_done_callback(self._settled)

    @staticmethod
    async def _ask_mtu(connection: Connection, mtu: int) -> None:
        """Ask for a larger ATT MTU, as an H10 does: its PMD frames are up to 229 bytes."""
        with contextlib.suppress(Exception):  # the link may already be gone
            await Peer(connection).request_mtu(mtu)

    def _after_disconnection(self) -> None:
        if self.pmd is not None:
            self.pmd.link_dropped()
        if self._available and self._task is not None:
            task = asyncio.get_running_loop().create_task(self._advertise())
            self._pending.add(task)
            task.add_done_callback(self._settled)

    def _settled(self, task: asyncio.Task[None]) -> None:
        self._pending.discard(task)
        _log_failure(task)

    async def _disconnect_all(self, reason: int) -> None:
        device = self._device
        if device is None:
            return
        with contextlib.suppress(Exception):
            await device.stop_advertising()
        for connection in list(device.connections.values()):
            with contextlib.suppress(Exception):
                await connection.disconnect(reason)

    # -- playing the script -------------------------------------------------------------------

    async def _play(self) -> None:
        timeline: list[tuple[float, int, object]] = []
        for packet in self.script.packets:
            timeline.append((packet.at_s, 1, packet))
        for fault in self.script.faults:
            timeline.append((fault.at_s, 0, fault))
            match fault:
                case ContactLoss(at_s=t, duration_s=d) if (
                    self.profile.drop_after_contact_loss_s is not None
                    and d > self.profile.drop_after_contact_loss_s
                ):
                    timeline.append((t + self.profile.drop_after_contact_loss_s, 0, "contact-drop"))
                    timeline.append((t + d, 0, "contact-back"))
                case LinkLoss(at_s=t, away_s=d):
                    timeline.append((t + d, 0, "back"))
                case Reboot(at_s=t, down_s=d):
                    timeline.append((t + d, 0, "back"))
                case _:
                    pass
        if self.pmd is not None:
            timeline.extend((frame.at_s, 2, frame) for frame in self.script.pmd_frames)
        timeline.sort(key=lambda item: (item[0], item[1]))
        stopping = self._stopping
        for at_s, _, item in timeline:
            wait_s = (at_s - self.now_s()) / self.speed
            if wait_s > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), wait_s)
            if stopping.is_set():
                return
            if isinstance(item, RecordedPacket):
                await self._send(item)
            elif isinstance(item, RecordedPmdFrame):
                if self.pmd is not None and item.at_s >= self._silent_until:
                    await self.pmd.send(item)
            else:
                await self._apply(item, at_s)
        self._finished.set()

    async def _apply(self, item: object, at_s: float) -> None:
        match item:
            case LinkLoss():
                self._available = False
                await self._disconnect_all(_LINK_LOST)
            case Reboot():
                self._available = False
                self._energy_kj = 0.0
                await self._disconnect_all(_POWER_OFF)
            case Silence(duration_s=d):
                self._silent_until = at_s + d
            case ContactLoss(duration_s=d):
                self._contact_until = at_s + d
            case "contact-drop":
                self._available = False
                await self._disconnect_all(_LINK_LOST)
            case "back" | "contact-back":
                self._available = True
                await self._advertise()
            case _:
                log.warning("unknown strap script item %r", item)

    def _payload(self, packet: RecordedPacket) -> bytes:
        profile = self.profile
        in_contact = packet.at_s >= self._contact_until
        if (
            in_contact
            and not profile.uint16_hr
            and profile.energy_every is None
            and not profile.garmin_extra_rr
        ):
            return packet.payload
        m = parse_heart_rate_measurement(packet.payload)
        if not in_contact:
            m = replace(m, contact=SensorContact.NO_CONTACT, rr_ticks=())
        rr = list(m.rr_ticks)
        if profile.garmin_extra_rr and rr:
            rr.append(GARMIN_BOGUS_RR_TICKS)
        energy: int | None = None
        if profile.energy_every is not None:
            self._energy_kj += m.heart_rate_bpm * 0.0012  # about 4 kJ/min at 60 bpm
            if self._packets_sent % profile.energy_every == 0:
                energy = min(0xFFFF, int(self._energy_kj))
        return encode_heart_rate_measurement(
            m.heart_rate_bpm,
            rr,
            contact=m.contact,
            energy_expended_kj=energy,
            uint16=True if profile.uint16_hr else None,
        )

    async def _send(self, packet: RecordedPacket) -> None:
        await self._drain_battery(packet.at_s)
        device, hrm = self._device, self._hrm
        if (
            device is None
            or hrm is None
            or packet.at_s < self._silent_until
            or not device.connections
            or not self._subscribed(device, hrm)
        ):
            self.lost += 1
            return
        payload = self._payload(packet)
        self._packets_sent += 1
        await device.notify_subscribers(hrm, payload)
        self.sent += 1
        sent = RecordedPacket(packet.at_s, payload)
        self.delivered.append(sent)
        if self.on_packet is not None:
            self.on_packet(sent)

    @staticmethod
    def _subscribed(device: Device, hrm: gatt.Characteristic[bytes]) -> bool:
        for cccds in device.gatt_server.subscribers.values():
            value = cccds.get(hrm.handle)
            if value and value[0] & 0x01:
                return True
        return False

    async def _drain_battery(self, at_s: float) -> None:
        hours = (at_s - self.script.start_s) / 3600.0
        level = max(
            0, round(self.profile.battery_start_pct - self.profile.battery_drain_pct_per_h * hours)
        )
        battery, device = self._battery, self._device
        if level == self._battery_pct or battery is None or device is None:
            return
        self._battery_pct = level
        battery.value = bytes([level])
        if self.profile.battery_notifies and device.connections:
            await device.notify_subscribers(battery, bytes([level]))


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.debug("emulated strap: re-advertising failed: %s", task.exception())
