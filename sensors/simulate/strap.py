"""Packetise detected beats into Heart Rate Measurement notifications, like a Polar H7.

The emulated strap (contact detection supported) behaves as BLE_NOTES describes:

* one notification per strap period of about 1 s (its crystal off by up to
  50 ppm), arriving at the host after a latency of tens of milliseconds;
* each carries the RR of the beats completed since the previous notification
  (0..n, at most 9, or 8 when energy expended rides along), in 1/1024 s ticks:
  the tick counts are differences of the rounded cumulative sum of the true RR,
  so rounding never accumulates (the remainder is carried);
* its heart rate field is the strap's own estimate, ``round(60000 / mean RR)``
  over the last :data:`HR_ESTIMATE_BEATS` detected beats, in beats per minute;
* every 10th notification carries cumulative energy expended, in kilojoules;
* during a contact loss notifications say "no contact", heart rate 0, no RR;
  during a disconnect nothing arrives, and beats completed meanwhile are lost.

References
----------
Bluetooth SIG. Heart Rate Service 1.0 (characteristic 0x2A37).
Keytel LR et al. Prediction of energy expenditure from heart rate monitoring
during submaximal exercise. J Sports Sci 2005;23:289-297 (energy from heart rate).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from sensors.events import BatteryLevel, Connected, DeviceInfo, Disconnected
from sensors.hrm import RR_TICKS_PER_S, SensorContact, encode_heart_rate_measurement
from sensors.recording import RecordedPacket
from sensors.simulate.noise import FloatArray
from sensors.simulate.scenarios import LinkPlan

__all__ = ["HR_ESTIMATE_BEATS", "StrapTrack", "packetise", "rr_to_ticks"]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PERIOD_S: Final = 1.0
"""Nominal notification period of the strap, in seconds."""

HR_ESTIMATE_BEATS: Final = 5
"""The strap's heart rate field averages this many recent RR intervals."""

ENERGY_EVERY: Final = 10
"""Every this many notifications carries energy expended."""

MAX_RR_PER_PACKET: Final = 9
"""RR intervals that fit a default-MTU notification with a uint8 heart rate."""

SUPERVISION_TIMEOUT_S: Final = (2.0, 6.0)
"""How long before the host notices a lost link the last notification arrived."""

BATTERY_EVERY_S: Final = 1800.0
"""Battery level is reported at connection and about every half hour, in seconds."""

_REST_ENERGY_KJ_PER_MIN: Final = 5.0
"""Resting energy expenditure floor, kilojoules per minute (about 85 W)."""


def rr_to_ticks(rr_s: FloatArray) -> IntArray:
    """RR in seconds to 1/1024 s ticks, rounding the cumulative sum (unbiased)."""
    edges = np.round(np.concatenate(([0.0], np.cumsum(rr_s))) * RR_TICKS_PER_S)
    ticks: IntArray = np.diff(edges).astype(np.int64)
    return ticks


def _energy_kj_per_min(hr_bpm: FloatArray) -> FloatArray:
    """Keytel 2005 (male, 70 kg, 35 years) with a resting floor, kJ per minute."""
    rate: FloatArray = np.maximum(_REST_ENERGY_KJ_PER_MIN, -34.1 + 0.6309 * hr_bpm)
    return rate


@dataclass(frozen=True, slots=True, eq=False)
class StrapTrack:
    """Every notification and link event of one recording, ready to stream.

    Packet ``k`` carries the RR ticks ``rr_ticks[first_beat[k]:last_beat[k]]``
    (none without contact).

    Attributes
    ----------
    start_epoch_s : the recording start, seconds since the Unix epoch.
    arrival_s : host arrival time of each notification, seconds after the start.
    first_beat, last_beat : slice of the detected beats each notification carries.
    contact : skin contact per notification.
    heart_rate_bpm : heart rate field per notification (0 without contact).
    energy_kj : cumulative energy expended in kilojoules, or -1 when absent.
    rr_ticks : RR of every detected beat, in 1/1024 s ticks.
    transmitted_beats : how many RR intervals reach the host.
    link_events : connection, disconnection and battery events, in time order,
        with epoch times.
    """

    start_epoch_s: float
    arrival_s: FloatArray
    first_beat: IntArray
    last_beat: IntArray
    contact: BoolArray
    heart_rate_bpm: IntArray
    energy_kj: IntArray
    rr_ticks: IntArray
    transmitted_beats: int
    link_events: tuple[Connected | Disconnected | BatteryLevel, ...]

    def packets(self) -> Iterator[RecordedPacket]:
        """Yield the notifications lazily, with arrival times in epoch seconds (to 1 µs)."""
        start_epoch_s = self.start_epoch_s
        ticks = self.rr_ticks.tolist()
        rows = zip(
            self.arrival_s.tolist(),
            self.first_beat.tolist(),
            self.last_beat.tolist(),
            self.contact.tolist(),
            self.heart_rate_bpm.tolist(),
            self.energy_kj.tolist(),
            strict=True,
        )
        for arrival_s, lo, hi, contact, hr_bpm, energy_kj in rows:
            payload = encode_heart_rate_measurement(
                hr_bpm,
                ticks[lo:hi] if contact else (),
                contact=SensorContact.CONTACT if contact else SensorContact.NO_CONTACT,
                energy_expended_kj=energy_kj if energy_kj >= 0 else None,
            )
            yield RecordedPacket(at_s=round(start_epoch_s + arrival_s, 6), payload=payload)


def _segments(
    link: LinkPlan, duration_s: float, rng: np.random.Generator
) -> list[tuple[float, float]]:
    """Connected stretches ``(connect_s, last_emission_s)`` between disconnects."""
    segments: list[tuple[float, float]] = []
    connect_s = 0.0
    for start_s, end_s in sorted(link.disconnects):
        segments.append((connect_s, start_s - rng.uniform(*SUPERVISION_TIMEOUT_S)))
        connect_s = float(end_s)
    segments.append((connect_s, duration_s))
    return segments


def packetise(
    beat_s: FloatArray,
    rr_s: FloatArray,
    link: LinkPlan,
    duration_s: float,
    device: DeviceInfo,
    rng: np.random.Generator,
    *,
    start_epoch_s: float,
) -> StrapTrack:
    """Turn detected beats into the strap's notifications and link events.

    Parameters
    ----------
    beat_s, rr_s : detected beat times (seconds after the start) and RR (seconds).
    link : scripted disconnects and contact losses.
    duration_s : length of the recording, in seconds.
    device : what the strap says about itself on every connection.
    rng : the only source of randomness.
    start_epoch_s : the recording start, seconds since the Unix epoch.
    """
    period_s = PERIOD_S * (1.0 + rng.uniform(-50e-6, 50e-6))
    emit_parts: list[FloatArray] = []
    lo_parts: list[IntArray] = []
    for connect_s, last_s in _segments(link, duration_s, rng):
        first_s = connect_s + rng.uniform(0.3, 1.0)
        count = max(0, int((last_s - first_s) / period_s) + 1)
        emits = np.asarray(first_s + period_s * np.arange(count), dtype=np.float64)
        emits = emits[emits <= last_s]
        hi = np.searchsorted(beat_s, emits, side="right")
        lo = np.concatenate(([np.searchsorted(beat_s, connect_s, side="right")], hi[:-1]))
        emit_parts.append(emits)
        lo_parts.append(lo[: len(emits)].astype(np.int64))
    emit_s = np.concatenate(emit_parts)
    first = np.concatenate(lo_parts)
    last = np.searchsorted(beat_s, emit_s, side="right").astype(np.int64)
    latency_s = np.minimum(0.015 + rng.gamma(2.0, 0.012, size=len(emit_s)), 0.2)
    arrival_s = emit_s + latency_s

    contact = np.ones(len(emit_s), dtype=bool)
    for start_s, end_s in link.contact_losses:
        contact &= (arrival_s < start_s) | (arrival_s >= end_s)
    has_energy = np.arange(len(emit_s)) % ENERGY_EVERY == ENERGY_EVERY - 1
    cap = np.where(has_energy, MAX_RR_PER_PACKET - 1, MAX_RR_PER_PACKET)
    first = np.maximum(first, last - cap)  # a full buffer drops its oldest RR

    rr_ms = rr_s * 1000.0
    cum_ms = np.concatenate(([0.0], np.cumsum(rr_ms)))
    upto = np.maximum(last, 1)
    since = np.maximum(upto - HR_ESTIMATE_BEATS, 0)
    mean_rr_ms = (cum_ms[upto] - cum_ms[since]) / (upto - since)
    heart_rate = np.where(contact, np.rint(60000.0 / mean_rr_ms), 0).astype(np.int64)

    dt_min = np.diff(np.concatenate(([0.0], emit_s))) / 60.0
    energy = np.floor(np.cumsum(_energy_kj_per_min(heart_rate.astype(np.float64)) * dt_min))
    energy_kj = np.where(has_energy, np.minimum(energy, 0xFFFF), -1).astype(np.int64)

    transmitted = int(np.sum(np.where(contact, last - first, 0)))
    return StrapTrack(
        start_epoch_s=start_epoch_s,
        arrival_s=arrival_s,
        first_beat=first,
        last_beat=last,
        contact=contact,
        heart_rate_bpm=heart_rate,
        energy_kj=energy_kj,
        rr_ticks=rr_to_ticks(rr_s),
        transmitted_beats=transmitted,
        link_events=_link_events(link, duration_s, device, rng, start_epoch_s),
    )


def _link_events(
    link: LinkPlan,
    duration_s: float,
    device: DeviceInfo,
    rng: np.random.Generator,
    start_epoch_s: float,
) -> tuple[Connected | Disconnected | BatteryLevel, ...]:
    """Connected at the start, each disconnect and reconnect, battery levels (slowly draining)."""
    full_percent = float(rng.integers(88, 101))
    drain_per_h = float(rng.uniform(0.8, 1.4))

    def at(offset_s: float) -> float:
        return round(start_epoch_s + offset_s, 6)

    def battery(offset_s: float) -> BatteryLevel:
        percent = int(full_percent - drain_per_h * offset_s / 3600.0)
        return BatteryLevel(at_s=at(offset_s), percent=percent)

    def next_report(after_s: float) -> float:
        return after_s + BATTERY_EVERY_S + rng.uniform(-30.0, 30.0)

    events: list[Connected | Disconnected | BatteryLevel] = [Connected(at(0.0), device)]
    events.append(battery(0.25))
    report_s = next_report(0.25)
    for start_s, end_s in [*sorted(link.disconnects), (duration_s, duration_s)]:
        while report_s < start_s:
            events.append(battery(report_s))
            report_s = next_report(report_s)
        if start_s >= duration_s:
            break
        events.append(Disconnected(at(start_s), reason="link lost"))
        events.append(Connected(at(end_s), device))
        events.append(battery(end_s + 0.25))
        report_s = next_report(end_s + 0.25)
    return tuple(events)
