"""Replay drives the live path: same decoder, same beat clock, same beats, any speed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from sensors.beats import Beat
from sensors.clock import ManualClock
from sensors.decoder import StrapDecoder
from sensors.events import Connected, DeviceInfo, Measurement, SessionStarted
from sensors.hrm import SensorContact, encode_heart_rate_measurement
from sensors.recording import (
    RecordedPacket,
    RecordingError,
    RecordingHeader,
    RecordingWriter,
    write_recording,
)
from sensors.replay import ReplaySource

T0 = 1_764_059_400.0
HEADER = RecordingHeader(started_at=datetime(2025, 11, 25, 8, 30, tzinfo=UTC), recording_id="r")


def _live_session(decoder: StrapDecoder) -> list[Beat]:
    """What a live strap does: connect, packets with jittered arrivals, a drop, contact loss."""
    beats: list[Beat] = []
    decoder.connected(T0, DeviceInfo(name="Strap"))
    t = T0
    rr_cycle = [790, 812, 845, 870, 851, 820, 798, 781]
    for k in range(200):
        t += 1.0 + ((k * 37) % 11) / 1000.0
        if k == 80:
            decoder.disconnected(t, "link lost")
            t += 95.5
            decoder.connected(t)
            continue
        contact = SensorContact.NO_CONTACT if 140 <= k < 150 else SensorContact.CONTACT
        rr = [] if contact is SensorContact.NO_CONTACT else rr_cycle[k % 3 : k % 3 + 1 + k % 2]
        payload = encode_heart_rate_measurement(72 if rr else 0, rr, contact=contact)
        beats.extend(decoder.packet(t, payload).beats)
    return beats


async def _replayed_beats(source: ReplaySource) -> list[Beat]:
    return [b async for e in source.events() if isinstance(e, Measurement) for b in e.beats]


async def test_replay_yields_bit_identical_beats_to_the_live_path(tmp_path: Path) -> None:
    path = tmp_path / "live.hsrec"
    with RecordingWriter(path, HEADER) as recorder:
        live = _live_session(StrapDecoder(recorder=recorder))
    replayed = await _replayed_beats(ReplaySource(path, speed=None))
    assert len(live) > 150
    assert replayed == live  # dataclass equality: every float identical
    assert sum(b.gap_before for b in live) == 3  # start, disconnect, contact loss


async def test_speed_changes_pacing_not_beats(tmp_path: Path) -> None:
    path = tmp_path / "live.hsrec"
    with RecordingWriter(path, HEADER) as recorder:
        _live_session(StrapDecoder(recorder=recorder))
    span = 200 * 1.005 + 95.5
    results = {}
    for speed in (1.0, 10.0, None):
        clock = ManualClock(start=1000.0)
        results[speed] = await _replayed_beats(ReplaySource(path, speed=speed, clock=clock))
        waited = clock.now - 1000.0
        if speed is None:
            assert clock.sleeps == []
        else:
            assert waited == pytest.approx(span / speed, rel=0.01)
    assert results[1.0] == results[10.0] == results[None]


async def test_non_packet_events_pass_through(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"
    write_recording(
        path,
        HEADER,
        [
            Connected(T0, DeviceInfo(name="Strap")),
            SessionStarted(T0 + 1, "client", "C-01"),
            RecordedPacket(T0 + 2, encode_heart_rate_measurement(60, [1024])),
        ],
    )
    events = [e async for e in ReplaySource(path, speed=None).events()]
    assert isinstance(events[0], Connected)
    assert events[1] == SessionStarted(T0 + 1, "client", "C-01")
    assert isinstance(events[2], Measurement) and events[2].beats[0].time_s == T0 + 2


async def test_a_malformed_payload_names_the_line_after_yielding_what_came_before(
    tmp_path: Path,
) -> None:
    path = tmp_path / "a.hsrec"
    write_recording(
        path,
        HEADER,
        [
            RecordedPacket(T0, encode_heart_rate_measurement(60, [1024])),
            RecordedPacket(T0 + 1, bytes.fromhex("01")),
        ],
    )
    seen = []
    with pytest.raises(RecordingError, match=r"a\.hsrec:3: .*uint16 heart rate"):
        async for event in ReplaySource(path, speed=None).events():
            seen.append(event)
    assert len(seen) == 1


def test_speed_must_be_positive(tmp_path: Path) -> None:
    path = tmp_path / "a.hsrec"
    write_recording(path, HEADER, [])
    with pytest.raises(ValueError, match="positive"):
        ReplaySource(path, speed=0)
