"""The strap path shared by live, emulated and replayed sources.

:class:`StrapDecoder` owns the one :class:`~sensors.beats.BeatClock` of a
stream. Every source of strap packets calls it, which is why replaying a
recording yields exactly the beats the live strap produced.
"""

from __future__ import annotations

from sensors.beats import BeatClock
from sensors.events import Connected, DeviceInfo, Disconnected, Measurement
from sensors.hrm import parse_heart_rate_measurement
from sensors.recording import RecordedPacket, RecordingWriter

__all__ = ["StrapDecoder"]


class StrapDecoder:
    """Decode packets and link events into source events, with one beat clock.

    Parameters
    ----------
    clock : the beat clock (a fresh one by default).
    recorder : when given (live straps), every packet and link event is
        appended to this recording as it is decoded, so the recording replays
        to exactly the same beats.
    """

    def __init__(
        self, clock: BeatClock | None = None, recorder: RecordingWriter | None = None
    ) -> None:
        self.clock = clock if clock is not None else BeatClock()
        self.recorder = recorder

    def packet(self, arrival_s: float, payload: bytes) -> Measurement:
        """Decode one notification that arrived at ``arrival_s`` (epoch seconds).

        Raises :class:`~sensors.hrm.HeartRateParseError` on a malformed payload;
        the beat clock is left untouched in that case.
        """
        measurement = parse_heart_rate_measurement(payload)
        if self.recorder is not None:
            self.recorder.write(RecordedPacket(at_s=arrival_s, payload=bytes(payload)))
        beats = self.clock.place(arrival_s, measurement.rr_ticks, measurement.contact)
        reason = self.clock.last_gap_reason if beats and beats[0].gap_before else None
        return Measurement(
            arrival_s=arrival_s,
            payload=bytes(payload),
            measurement=measurement,
            beats=beats,
            gap_reason=reason,
        )

    def connected(self, at_s: float, device: DeviceInfo | None = None) -> Connected:
        self.clock.connected()
        event = Connected(at_s=at_s, device=device or DeviceInfo())
        if self.recorder is not None:
            self.recorder.write(event)
        return event

    def disconnected(
        self, at_s: float, reason: str = "", intentional: bool = False
    ) -> Disconnected:
        self.clock.disconnected()
        event = Disconnected(at_s=at_s, reason=reason, intentional=intentional)
        if self.recorder is not None:
            self.recorder.write(event)
        return event
