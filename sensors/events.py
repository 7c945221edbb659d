"""The events every beat source yields: one stream type, whatever the source.

A live strap, the emulated strap and a replayed recording yield
:class:`Measurement` events built by the same :class:`~sensors.decoder.StrapDecoder`,
and, from a Polar strap streaming PMD, :class:`EcgSamples` and :class:`AccSamples` built
by the same :class:`~sensors.pmd.stream.PmdDecoder`; an imported RR file yields
:class:`BeatsImported`. Link, battery, session and
check-in events are shared by all of them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from sensors.beats import Beat, GapReason
from sensors.hrm import HeartRateMeasurement

__all__ = [
    "SESSION_KINDS",
    "AccSamples",
    "BatteryLevel",
    "BeatsImported",
    "CheckIn",
    "Connected",
    "DeviceInfo",
    "Disconnected",
    "EcgSamples",
    "Measurement",
    "SessionEnded",
    "SessionStarted",
    "SourceEvent",
]

SESSION_KINDS: Final = ("client", "supervision", "peer", "team", "admin", "break", "other")
"""Kinds of session a helper can tag. Labels are the helper's own codes, never client names."""


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """What a strap says about itself (Device Information service, 0x180A)."""

    name: str = ""
    address: str = ""
    manufacturer: str = ""
    model: str = ""
    firmware: str = ""
    body_location: str = ""

    def to_json(self) -> dict[str, str]:
        return {k: v for k, v in _device_items(self) if v}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DeviceInfo:
        known = {k for k, _ in _device_items(cls())}
        return cls(**{k: str(v) for k, v in data.items() if k in known})


def _device_items(info: DeviceInfo) -> list[tuple[str, str]]:
    return [(name, getattr(info, name)) for name in DeviceInfo.__slots__]


@dataclass(frozen=True, slots=True)
class Measurement:
    """One strap notification: raw payload, its decoding and the beats it added.

    Attributes
    ----------
    arrival_s : host arrival time, seconds since the Unix epoch.
    payload : the raw 0x2A37 bytes, kept for recordings.
    measurement : the decoded packet.
    beats : beats placed on the beat clock from this packet's RR, oldest first.
    gap_reason : why the first beat is flagged ``gap_before``, when it is.
    """

    arrival_s: float
    payload: bytes
    measurement: HeartRateMeasurement
    beats: tuple[Beat, ...]
    gap_reason: GapReason | None = None


@dataclass(frozen=True, slots=True)
class BeatsImported:
    """Beats read from a file of another tool; no packets behind them.

    ``gap_reasons`` maps the index of each beat flagged ``gap_before`` to why.
    """

    beats: Sequence[Beat]
    gap_reasons: Mapping[int, GapReason] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Connected:
    """The strap is connected and notifying."""

    at_s: float
    device: DeviceInfo = field(default_factory=DeviceInfo)


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The link dropped (``intentional`` when we asked for it)."""

    at_s: float
    reason: str = ""
    intentional: bool = False


@dataclass(frozen=True, slots=True)
class BatteryLevel:
    """Battery level of the strap, in percent."""

    at_s: float
    percent: int


@dataclass(frozen=True, slots=True)
class SessionStarted:
    """A tagged session begins. ``kind`` is one of :data:`SESSION_KINDS`."""

    at_s: float
    kind: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The open session ends. ``heavy`` is the helper's own mark, if given."""

    at_s: float
    heavy: bool | None = None


@dataclass(frozen=True, slots=True)
class CheckIn:
    """Answers the helper gave to a check-in, question id to answer."""

    at_s: float
    answers: Mapping[str, str | int | float | bool]


@dataclass(frozen=True, slots=True)
class EcgSamples:
    """One PMD ECG frame's samples, placed on the host clock.

    Attributes
    ----------
    arrival_s : host arrival time of the frame, seconds since the Unix epoch.
    first_sample_s : host time of sample 0, epoch seconds (like ``Beat.t_s``); sample ``k``
        is at ``first_sample_s + k / rate_hz`` (see :mod:`sensors.pmd.stream` for the mapping
        from the strap's clock).
    rate_hz : the stream's nominal sample rate (130 Hz on the H10).
    samples_uv : the samples, oldest first, in microvolts.
    """

    arrival_s: float
    first_sample_s: float
    rate_hz: float
    samples_uv: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AccSamples:
    """One PMD accelerometer frame's samples, placed on the host clock.

    Attributes
    ----------
    arrival_s : host arrival time of the frame, epoch seconds.
    first_sample_s : host time of sample 0, epoch seconds; sample ``k`` is at
        ``first_sample_s + k / rate_hz``.
    rate_hz : the stream's nominal sample rate.
    samples_mg : (x, y, z) per sample, oldest first, in milli-g.
    """

    arrival_s: float
    first_sample_s: float
    rate_hz: float
    samples_mg: tuple[tuple[int, int, int], ...]


SourceEvent = (
    Measurement
    | EcgSamples
    | AccSamples
    | BeatsImported
    | Connected
    | Disconnected
    | BatteryLevel
    | SessionStarted
    | SessionEnded
    | CheckIn
)
"""Everything a beat source can yield."""
