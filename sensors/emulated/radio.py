"""A virtual Bluetooth LE radio in this process: Bumble controllers on one local link."""

from __future__ import annotations

import asyncio
import logging
from typing import Final

from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from sensors.emulated.backend import BumbleClient, BumbleScanner, bind_backends

__all__ = ["CENTRAL_ADDRESS", "VirtualRadio"]

# Bumble warns about links it tears down on purpose here (strap drops, shutdown).
logging.getLogger("bumble").setLevel(logging.ERROR)

CENTRAL_ADDRESS: Final = "F0:CE:27:0A:00:01"
"""The address of this host's side (the one the Bleak backend drives)."""


class VirtualRadio:
    """One local link with the host's central device and any number of peripherals.

    Bleak builds its backends itself, from a class; :attr:`scanner_backend` and
    :attr:`client_backend` are classes bound to this radio, to pass as
    ``backend=`` to ``BleakScanner`` and ``BleakClient``.
    """

    def __init__(self) -> None:
        self.link = LocalLink()  # type: ignore[no-untyped-call]
        self._central: Device | None = None
        self._central_ready: asyncio.Lock | None = None
        self._controllers: dict[str, Controller] = {}
        self._bound: tuple[type[BumbleScanner], type[BumbleClient]] | None = None

    def add_device(self, name: str, address: str) -> Device:
        """A new Bumble device with its own controller on this link (not powered yet)."""
        if address in self._controllers:
            raise ValueError(f"{address} is already on this radio")
        controller = Controller(name, link=self.link, public_address=address)
        self._controllers[address] = controller
        return Device(
            name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller))
        )

    def remove_device(self, address: str) -> None:
        """Take a device's controller off the link (a strap out of range for good)."""
        controller = self._controllers.pop(address, None)
        if controller is not None and controller in self.link.controllers:
            self.link.remove_controller(controller)

    def has_device(self, address: str) -> bool:
        return address.upper() in self._controllers

    async def central(self) -> Device:
        """The host's device, powered on at first use."""
        if self._central_ready is None:
            self._central_ready = asyncio.Lock()
        async with self._central_ready:
            if self._central is None:
                device = self.add_device("holdspace-host", CENTRAL_ADDRESS)
                await device.power_on()
                self._central = device
        return self._central

    @property
    def scanner_backend(self) -> type[BumbleScanner]:
        """A Bleak scanner backend class scanning on this radio."""
        return self._backends()[0]

    @property
    def client_backend(self) -> type[BumbleClient]:
        """A Bleak client backend class connecting on this radio."""
        return self._backends()[1]

    def _backends(self) -> tuple[type[BumbleScanner], type[BumbleClient]]:
        if self._bound is None:
            self._bound = bind_backends(self)
        return self._bound
