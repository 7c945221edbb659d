"""What an emulated strap plays: its packets, the faults scripted on top, and its kind.

A :class:`StrapScript` is a timeline in epoch seconds: the 0x2A37 payloads the
strap sends (from a recording or a generated day), the PMD frames a Polar H10
streams (ECG and ACC, when the recording holds them) and :data:`Fault` s that
happen to the strap or its link. The helper's own events of a recording
(sessions, check-ins) are kept apart in :attr:`StrapScript.helper_events`: a
strap does not send them, but a demo can play them alongside.

:data:`POLAR_H10` is the profile of a strap that serves PMD
(:mod:`sensors.emulated.pmd`); every other profile serves heart rate only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from sensors.events import CheckIn, Connected, Disconnected, SessionEnded, SessionStarted
from sensors.pmd.control import PmdSettings
from sensors.recording import (
    RecordedPacket,
    RecordedPmdFrame,
    RecordedPmdStart,
    RecordingReader,
    RecordLine,
)

__all__ = [
    "POLAR_H10",
    "ContactLoss",
    "Fault",
    "HelperEvent",
    "LinkLoss",
    "Reboot",
    "Silence",
    "StrapProfile",
    "StrapScript",
]

POLAR_DROP_AFTER_S: Final = 25.0
"""Polar straps drop the link 20–30 s after losing skin contact."""


@dataclass(frozen=True, slots=True)
class LinkLoss:
    """The link drops at ``at_s`` (out of range); the strap is back ``away_s`` later."""

    at_s: float
    away_s: float


@dataclass(frozen=True, slots=True)
class Silence:
    """Connected but sending nothing from ``at_s`` for ``duration_s`` (inf: for good)."""

    at_s: float
    duration_s: float = math.inf


@dataclass(frozen=True, slots=True)
class ContactLoss:
    """No skin contact from ``at_s`` for ``duration_s``: packets say so and carry no RR.

    A strap with ``drop_after_s`` (Polar) also drops the link that long after
    contact is lost and advertises again only when contact returns.
    """

    at_s: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class Reboot:
    """The strap restarts at ``at_s``: link gone, energy counter reset, back ``down_s`` later."""

    at_s: float
    down_s: float = 3.0


Fault = LinkLoss | Silence | ContactLoss | Reboot
HelperEvent = SessionStarted | SessionEnded | CheckIn


@dataclass(frozen=True, slots=True)
class StrapProfile:
    """The kind of strap being emulated.

    Attributes
    ----------
    name, address : what it advertises and where.
    manufacturer, model, firmware : its Device Information service.
    advertises_hr : whether the Heart Rate service UUID is in its advertisement
        (some wearables leave it out; only an "all devices" scan finds them).
    requires_bonding : notifications need an encrypted (paired) link.
    battery_start_pct, battery_drain_pct_per_h : battery level over the day.
    battery_notifies : the Battery Level characteristic notifies.
    uint16_hr : send the heart rate as uint16 (allowed by the spec, rare).
    energy_every : carry energy expended (kJ) in every n-th packet; None: never.
    garmin_extra_rr : append a bogus ~52 ms RR to packets with RR (HRM-Dual over BLE).
    drop_after_contact_loss_s : drop the link this long after losing contact (None: never).
    pmd : serve Polar's PMD service and stream the script's ECG and ACC frames.
    pmd_mtu : the ATT MTU the strap asks for on connecting (the H10 works with 232),
        None: it never asks, and its frames are cut to the default MTU's 20 bytes.
    rssi_dbm : not used by the radio (Bumble reports its own), kept for the profile's record.
    """

    name: str = "Polar H10 EMU"
    address: str = "F0:C0:FF:EE:00:01"
    manufacturer: str = "Holdspace emulator"
    model: str = "H10 (emulated)"
    firmware: str = "1.0"
    advertises_hr: bool = True
    requires_bonding: bool = False
    battery_start_pct: int = 92
    battery_drain_pct_per_h: float = 1.5
    battery_notifies: bool = True
    uint16_hr: bool = False
    energy_every: int | None = None
    garmin_extra_rr: bool = False
    drop_after_contact_loss_s: float | None = POLAR_DROP_AFTER_S
    pmd: bool = False
    pmd_mtu: int | None = 232


POLAR_H10: Final = StrapProfile(model="H10 (emulated, PMD)", firmware="3.0.35", pmd=True)
"""A Polar H10 that streams ECG (130 Hz) and ACC over PMD besides heart rate."""


@dataclass(frozen=True, slots=True)
class StrapScript:
    """A strap's timeline: packets to send and faults, in epoch seconds.

    Attributes
    ----------
    packets : (epoch seconds, 0x2A37 payload), in time order.
    faults : what happens to the strap or its link.
    helper_events : sessions and check-ins of the recording, for a demo to play.
    pmd_frames : PMD data frames (epoch seconds, payload), in time order: a PMD
        strap sends each while its measurement's stream runs.
    pmd_settings : the settings of each measurement the frames hold (from the
        recording's ``pmd_start`` lines): what a PMD strap offers.
    """

    packets: tuple[RecordedPacket, ...]
    faults: tuple[Fault, ...] = ()
    helper_events: tuple[HelperEvent, ...] = field(default=())
    pmd_frames: tuple[RecordedPmdFrame, ...] = ()
    pmd_settings: tuple[PmdSettings, ...] = ()

    @property
    def start_s(self) -> float:
        return self.packets[0].at_s if self.packets else 0.0

    @property
    def end_s(self) -> float:
        return self.packets[-1].at_s if self.packets else 0.0

    def with_faults(self, *faults: Fault) -> StrapScript:
        """This script with more faults."""
        return replace(self, faults=(*self.faults, *faults))

    @classmethod
    def from_events(cls, events: Iterable[RecordLine]) -> StrapScript:
        """Packets and helper events of a recording's lines; its link drops become faults.

        A recorded ``Disconnected`` not asked for becomes a :class:`LinkLoss`
        lasting until the next ``Connected``. PMD frames and the settings of their
        streams (the first ``pmd_start`` of each measurement) are kept.
        """
        packets: list[RecordedPacket] = []
        pmd_frames: list[RecordedPmdFrame] = []
        pmd_settings: dict[int, PmdSettings] = {}
        helper: list[HelperEvent] = []
        faults: list[Fault] = []
        dropped_at: float | None = None
        for event in events:
            match event:
                case RecordedPacket():
                    packets.append(event)
                case RecordedPmdFrame():
                    pmd_frames.append(event)
                case RecordedPmdStart(settings=settings):
                    pmd_settings.setdefault(int(settings.measurement), settings)
                case Disconnected(at_s=t, intentional=False):
                    dropped_at = t
                case Connected(at_s=t) if dropped_at is not None:
                    faults.append(LinkLoss(dropped_at, max(0.0, t - dropped_at)))
                    dropped_at = None
                case SessionStarted() | SessionEnded() | CheckIn():
                    helper.append(event)
                case _:
                    pass
        return cls(
            tuple(packets),
            tuple(faults),
            tuple(helper),
            tuple(pmd_frames),
            tuple(pmd_settings.values()),
        )

    @classmethod
    def from_recording(cls, path: Path | str) -> StrapScript:
        """The script of a ``*.hsrec`` recording (raises ``RecordingError`` on a bad line)."""
        return cls.from_events(line for _, line in RecordingReader(path))
