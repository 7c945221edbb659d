"""A Bleak backend on a Bumble device: real ATT/GATT to straps on a :class:`VirtualRadio`.

Bleak's ``backend=`` argument (on ``BleakScanner`` and ``BleakClient``) is a
supported extension point; these classes implement its two interfaces
(:class:`~bleak.backends.scanner.BaseBleakScanner`,
:class:`~bleak.backends.client.BaseBleakClient`) on the radio's central
device. Behaviour follows Bleak on BlueZ where it matters to an application:

- advertisements become Bleak's ``AdvertisementData`` (128-bit lowercase UUIDs);
- connecting to an address the radio has never had raises
  ``BleakDeviceNotFoundError``; to one that does not answer, ``TimeoutError``
  after the client's ``timeout`` (Bumble's connect would wait for ever);
- the disconnected callback fires on every disconnection, our own included;
- ATT errors become ``BleakGATTProtocolError`` with their code;
- :attr:`BumbleClient.mtu_size` reports 23, as BlueZ does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, Final

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.device import BLEDevice
from bleak.backends.scanner import AdvertisementData, BaseBleakScanner
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakDeviceNotFoundError, BleakError, BleakGATTProtocolError
from bleak.uuids import normalize_uuid_str
from bumble.att import ATT_Error
from bumble.core import UUID, AdvertisingData
from bumble.device import Advertisement, Connection, Device, Peer
from bumble.gatt import Characteristic
from bumble.gatt_client import CharacteristicProxy
from bumble.hci import Address

if TYPE_CHECKING:
    from sensors.emulated.radio import VirtualRadio

__all__ = ["BumbleClient", "BumbleScanner", "bind_backends"]

log = logging.getLogger("holdspace.emulated")

BLUEZ_MTU: Final = 23
_UUID_LISTS: Final = (
    AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.INCOMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
    AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
)
_PROPERTY_NAMES: Final = {
    Characteristic.Properties.BROADCAST: "broadcast",
    Characteristic.Properties.READ: "read",
    Characteristic.Properties.WRITE_WITHOUT_RESPONSE: "write-without-response",
    Characteristic.Properties.WRITE: "write",
    Characteristic.Properties.NOTIFY: "notify",
    Characteristic.Properties.INDICATE: "indicate",
    Characteristic.Properties.AUTHENTICATED_SIGNED_WRITES: "authenticated-signed-writes",
    Characteristic.Properties.EXTENDED_PROPERTIES: "extended-properties",
}


def bleak_uuid(uuid: UUID) -> str:
    """A Bumble UUID as Bleak writes it: 128-bit, lowercase, dashed."""
    return normalize_uuid_str(uuid.to_hex_str("-").lower())


def advertisement_data(adv: Advertisement) -> AdvertisementData:
    """Bleak's view of one Bumble advertisement report."""
    data = adv.data
    name = data.get(AdvertisingData.COMPLETE_LOCAL_NAME) or data.get(
        AdvertisingData.SHORTENED_LOCAL_NAME
    )
    uuids: list[str] = []
    for kind in _UUID_LISTS:
        for group in data.get_all(kind):
            for uuid in group if isinstance(group, list) else [group]:
                text = bleak_uuid(uuid)
                if text not in uuids:
                    uuids.append(text)
    manufacturer: dict[int, bytes] = {}
    for item in data.get_all(AdvertisingData.MANUFACTURER_SPECIFIC_DATA):
        if isinstance(item, tuple) and len(item) == 2:
            manufacturer[int(item[0])] = bytes(item[1])
    return AdvertisementData(
        local_name=None if name is None else str(name),
        manufacturer_data=manufacturer,
        service_data={},
        service_uuids=uuids,
        tx_power=None,
        rssi=int(adv.rssi),
        platform_data=(adv,),
    )


def _address(adv: Advertisement) -> str:
    return str(adv.address.to_string(with_type_qualifier=False)).upper()


class BumbleScanner(BaseBleakScanner):
    """Scans the radio's link; bound to a radio by :func:`bind_backends`."""

    radio: ClassVar[VirtualRadio]

    def __init__(
        self,
        detection_callback: Any,
        service_uuids: list[str] | None,
        scanning_mode: str = "active",
        **kwargs: Any,
    ) -> None:
        super().__init__(detection_callback, service_uuids)
        self._central: Device | None = None

    async def start(self) -> None:
        self.seen_devices = {}
        central = await self.radio.central()
        self._central = central
        central.on(central.EVENT_ADVERTISEMENT, self._on_advertisement)
        if not central.is_scanning:
            await central.start_scanning(filter_duplicates=False)

    async def stop(self) -> None:
        central = self._central
        if central is None:
            return
        self._central = None
        central.remove_listener(central.EVENT_ADVERTISEMENT, self._on_advertisement)
        if central.is_scanning and not central.listeners(central.EVENT_ADVERTISEMENT):
            await central.stop_scanning()

    def _on_advertisement(self, adv: Advertisement) -> None:
        data = advertisement_data(adv)
        if not self.is_allowed_uuid(data.service_uuids):
            return
        address = _address(adv)
        device = self.create_or_update_device(address, address, data.local_name, adv.address, data)
        self.call_detection_callbacks(device, data)


class BumbleClient(BaseBleakClient):
    """Connects over the radio's link; bound to a radio by :func:`bind_backends`."""

    radio: ClassVar[VirtualRadio]

    def __init__(
        self,
        address_or_ble_device: BLEDevice | str,
        *,
        disconnected_callback: Callable[[], None] | None = None,
        timeout: float = 10.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self.address = self.address.upper()
        self._name = (
            address_or_ble_device.name
            if isinstance(address_or_ble_device, BLEDevice) and address_or_ble_device.name
            else self.address.replace(":", "-")
        )
        self._connection: Connection | None = None
        self._peer: Peer | None = None
        self._subscriptions: dict[int, Callable[[bytes], None]] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def mtu_size(self) -> int:
        return BLUEZ_MTU

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        if self._connection is not None:
            return
        if not self.radio.has_device(self.address):
            raise BleakDeviceNotFoundError(
                self.address, f"Device with address {self.address} was not found."
            )
        central = await self.radio.central()
        try:
            async with asyncio.timeout(self._timeout):
                connection = await central.connect(Address(self.address), timeout=None)
        except TimeoutError:
            raise TimeoutError(f"connecting to {self.address} timed out") from None
        self._connection = connection
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        try:
            async with asyncio.timeout(self._timeout):
                if pair:
                    await connection.pair()
                self._peer = Peer(connection)
                self.services = await self._discover(self._peer)
        except BaseException:
            await self.disconnect()
            raise

    async def _discover(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in await peer.discover_services():
            bleak_service = BleakGATTService(service, service.handle, bleak_uuid(service.uuid))
            collection.add_service(bleak_service)
            for char in await service.discover_characteristics():
                properties = [n for flag, n in _PROPERTY_NAMES.items() if char.properties & flag]
                bleak_char = BleakGATTCharacteristic(
                    char,
                    char.handle,
                    bleak_uuid(char.uuid),
                    properties,  # type: ignore[arg-type]
                    lambda: BLUEZ_MTU - 3,
                    bleak_service,
                )
                collection.add_characteristic(bleak_char)
                for desc in await char.discover_descriptors():
                    collection.add_descriptor(
                        BleakGATTDescriptor(desc, desc.handle, bleak_uuid(desc.type), bleak_char)
                    )
        return collection

    def _on_disconnection(self, reason: int) -> None:
        self._connection = None
        self._peer = None
        self._subscriptions.clear()
        callback = self._disconnected_callback
        if callback is not None:
            callback()

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        done = asyncio.get_running_loop().create_future()
        connection.once(connection.EVENT_DISCONNECTION, lambda *_: done.set_result(None))
        try:
            await connection.disconnect()
            async with asyncio.timeout(self._timeout):
                await done
        except Exception as exc:  # already gone: the disconnection event settles it
            log.debug("disconnect from %s: %s", self.address, exc)
        self._connection = None
        self._peer = None

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        await self._require().connection.pair()

    async def unpair(self) -> None:
        central = await self.radio.central()
        if central.keystore is not None:
            await central.keystore.delete(self.address)
        await self.disconnect()

    def _require(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        peer = self._require()
        try:
            return bytearray(await peer.read_value(characteristic.obj))
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, *, use_cached: bool = False, **kwargs: Any
    ) -> bytearray:
        peer = self._require()
        try:
            return bytearray(await peer.read_value(descriptor.obj))
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        peer = self._require()
        try:
            await peer.write_value(characteristic.obj, bytes(data), with_response=response)
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        peer = self._require()
        try:
            await peer.write_value(descriptor.obj, bytes(data), with_response=True)
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        peer = self._require()
        proxy: CharacteristicProxy[Any] = characteristic.obj

        def deliver(value: bytes) -> None:
            callback(bytearray(value))

        try:
            await peer.subscribe(proxy, deliver)
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None
        self._subscriptions[characteristic.handle] = deliver

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        peer = self._require()
        deliver = self._subscriptions.pop(characteristic.handle, None)
        try:
            await peer.unsubscribe(characteristic.obj, deliver)
        except ATT_Error as exc:
            raise BleakGATTProtocolError(exc.error_code) from None


def bind_backends(radio: VirtualRadio) -> tuple[type[BumbleScanner], type[BumbleClient]]:
    """Scanner and client backend classes that work on ``radio``."""
    scanner = type("BumbleScanner", (BumbleScanner,), {"radio": radio})
    client = type("BumbleClient", (BumbleClient,), {"radio": radio})
    return scanner, client
