"""PMD frames to timed samples: the one path shared by live, emulated and replayed straps.

:class:`PmdDecoder` is the PMD twin of :class:`~sensors.decoder.StrapDecoder`: every source
of PMD frames calls the same methods in the same order, which is why a replayed recording
yields exactly the samples the live strap produced.

Clock mapping. A frame's timestamp is the time of its last sample on the strap's own clock,
in nanoseconds (:mod:`sensors.pmd.frames`). It reaches the host later by a delay that varies
(radio connection interval, queuing) but is never negative. The offset from the strap's
clock to the host's is taken as the minimum, over the frames of the last
:data:`OFFSET_WINDOW_S` seconds since the last (re)connection
(:meth:`PmdDecoder.reset_clock`), of

    offset = min over frames (arrival_s - sensor_time_ns * 1e-9)

so the least-delayed frame wins (the classic one-way-delay bound of NTP-style clock
estimation; Mills 1991, "Internet time synchronization: the Network Time Protocol", IEEE
Trans. Commun. 39(10)). Sample ``k`` of a frame of ``n`` samples at rate ``r`` is then at

    t_k = sensor_time_ns * 1e-9 + offset - (n - 1 - k) / r

which is ``first_sample_s + k / r`` with ``first_sample_s = t_0``. ECG and ACC share one
offset, as they share the strap's clock. The window is what follows a drift between the two
clocks (crystals differ by tens of ppm: 50 ppm is 1.4 s over an 8-h connection): with it the
error stays within the drift over one window (15 ms at 50 ppm) plus the spread of the
smallest delays, and the offset moves by about that much at a time. A frame placed before a
less-delayed one arrived sits up to that difference late.
"""

from __future__ import annotations

from collections import deque
from typing import Final

from sensors.events import AccSamples, EcgSamples
from sensors.pmd.control import PmdMeasurement, PmdSettings
from sensors.pmd.frames import EcgFrame, PmdParseError, decode_data_frame, frame_measurement
from sensors.recording import (
    RecordedPmdFrame,
    RecordedPmdStart,
    RecordedPmdStop,
    RecordingWriter,
)

__all__ = ["PmdDecoder"]

_NS_PER_S: Final = 1e9
OFFSET_WINDOW_S: Final = 300.0
"""Frames of the last 5 min (host arrival time) give the clock offset: long enough to hold
frames sent with the radio's smallest delay, short enough to follow the clocks' drift."""


class PmdDecoder:
    """Decode PMD frames into :class:`~sensors.events.EcgSamples` and
    :class:`~sensors.events.AccSamples` on the host clock.

    Parameters
    ----------
    recorder : when given (live straps), stream starts, frames and stops are appended to this
        recording as they are decoded, so the recording replays to the same samples.
    """

    def __init__(self, recorder: RecordingWriter | None = None) -> None:
        self.recorder = recorder
        self.settings: dict[int, PmdSettings] = {}
        """The settings of each running stream, by measurement type."""
        self.offset_s: float | None = None
        """Host minus sensor clock, in seconds; ``None`` until a frame since the last reset."""
        self._window: deque[tuple[float, float]] = deque()
        """(arrival_s, candidate offset) of recent frames, candidates increasing: the
        minimum over a sliding window (Lemire's monotone wedge) is the first."""

    def started(self, at_s: float, settings: PmdSettings) -> None:
        """A stream starts (or restarts) with ``settings``; frames of it are decoded from now."""
        self.settings[int(settings.measurement)] = settings
        if self.recorder is not None:
            self.recorder.write(RecordedPmdStart(at_s=at_s, settings=settings))

    def stopped(self, at_s: float, measurement: PmdMeasurement) -> None:
        """The stream of ``measurement`` stopped; later frames of it are refused."""
        self.settings.pop(int(measurement), None)
        if self.recorder is not None:
            self.recorder.write(RecordedPmdStop(at_s=at_s, measurement=measurement))

    def reset_clock(self) -> None:
        """Forget the clock offset: call on every (re)connection (the strap's clock and the
        link's delay may both have changed)."""
        self.offset_s = None
        self._window.clear()

    def frame(self, arrival_s: float, payload: bytes) -> EcgSamples | AccSamples:
        """Decode one PMD data notification that arrived at ``arrival_s`` (epoch seconds).

        Raises :class:`~sensors.pmd.frames.PmdParseError` for a malformed frame or one of a
        measurement that was not :meth:`started`; state and recording are then untouched.
        """
        payload = bytes(payload)
        measurement = frame_measurement(payload)
        settings = self.settings.get(measurement)
        if settings is None:
            raise PmdParseError(
                f"a frame of PMD measurement type {measurement} that was not started"
            )
        decoded = decode_data_frame(payload, settings)
        if self.recorder is not None:
            self.recorder.write(RecordedPmdFrame(at_s=arrival_s, payload=payload))
        sensor_s = decoded.sensor_time_ns / _NS_PER_S
        self.offset_s = self._offset(arrival_s, arrival_s - sensor_s)
        rate = float(settings.sample_rate_hz)
        if isinstance(decoded, EcgFrame):
            n = len(decoded.samples_uv)
            first = sensor_s + self.offset_s - (n - 1) / rate
            return EcgSamples(arrival_s, first, rate, decoded.samples_uv)
        n = len(decoded.samples_mg)
        first = sensor_s + self.offset_s - (n - 1) / rate
        return AccSamples(arrival_s, first, rate, decoded.samples_mg)

    def _offset(self, arrival_s: float, candidate: float) -> float:
        """The minimum candidate over the frames of the last :data:`OFFSET_WINDOW_S`."""
        window = self._window
        while window and window[-1][1] >= candidate:
            window.pop()
        window.append((arrival_s, candidate))
        while window[0][0] < arrival_s - OFFSET_WINDOW_S:
            window.popleft()
        return window[0][1]
