"""The beat clock: anchoring, drift, and gaps that no successive difference may cross."""

from __future__ import annotations

import itertools

import pytest

from sensors.beats import BeatClock, GapReason
from sensors.decoder import StrapDecoder
from sensors.hrm import SensorContact, encode_heart_rate_measurement

C = SensorContact.CONTACT
T0 = 1_764_000_000.0


def test_first_packet_anchors_newest_beat_at_arrival() -> None:
    clock = BeatClock()
    beats = clock.place(T0, [1024, 512], C)
    assert [b.time_s for b in beats] == [T0 - 0.5, T0]
    assert [b.rr_ms for b in beats] == [1000.0, 500.0]
    assert beats[0].gap_before and not beats[1].gap_before
    assert clock.last_gap_reason is GapReason.START


def test_beats_accumulate_rr_not_arrival_jitter() -> None:
    clock = BeatClock()
    clock.place(T0, [1024], C)
    later = clock.place(T0 + 1.3, [1024], C)  # arrives late: the beat clock keeps RR spacing
    assert later[0].time_s == T0 + 1.0
    assert not later[0].gap_before


def test_drift_beyond_threshold_reanchors_with_a_gap() -> None:
    clock = BeatClock(max_drift_s=5.0)
    clock.place(T0, [1024], C)
    # 10 s of silence while "in contact": the clock would fall 9 s behind.
    beats = clock.place(T0 + 10.0, [1024], C)
    assert beats[0].time_s == T0 + 10.0
    assert beats[0].gap_before
    assert clock.last_gap_reason is GapReason.MISSING_BEATS


def test_clock_ahead_of_real_time_is_pulled_back_without_gap_and_stays_monotonic() -> None:
    clock = BeatClock(max_drift_s=1.0)
    clock.place(T0, [1024], C)
    beats = clock.place(T0 + 0.1, [1024, 1024, 1024], C)  # 3 s of RR in 0.1 s
    assert not beats[0].gap_before
    assert beats[0].time_s > T0


def test_disconnect_marks_a_gap_on_the_next_beat() -> None:
    decoder = StrapDecoder()
    decoder.packet(T0, encode_heart_rate_measurement(60, [1024]))
    decoder.disconnected(T0 + 1, "link lost")
    decoder.connected(T0 + 100)
    m = decoder.packet(T0 + 101, encode_heart_rate_measurement(60, [1024, 1024]))
    assert m.beats[0].gap_before and not m.beats[1].gap_before
    assert m.gap_reason is GapReason.DISCONNECTED
    assert m.beats[-1].time_s == T0 + 101


def test_contact_loss_drops_rr_and_marks_a_gap() -> None:
    decoder = StrapDecoder()
    decoder.packet(T0, encode_heart_rate_measurement(60, [1024]))
    lost = decoder.packet(
        T0 + 1, encode_heart_rate_measurement(0, [1024], contact=SensorContact.NO_CONTACT)
    )
    assert lost.beats == ()
    back = decoder.packet(T0 + 30, encode_heart_rate_measurement(60, [1024]))
    assert back.beats[0].gap_before
    assert back.gap_reason is GapReason.CONTACT_LOST


def test_unsupported_contact_is_not_contact_loss() -> None:
    decoder = StrapDecoder()
    decoder.packet(T0, encode_heart_rate_measurement(60, [1024], contact=SensorContact.UNSUPPORTED))
    m = decoder.packet(
        T0 + 1, encode_heart_rate_measurement(60, [1024], contact=SensorContact.UNSUPPORTED)
    )
    assert not m.beats[0].gap_before


def test_packets_without_rr_leave_the_clock_alone() -> None:
    clock = BeatClock()
    clock.place(T0, [1024], C)
    assert clock.place(T0 + 1, [], C) == ()
    assert clock.place(T0 + 2, [1024], C)[0].time_s == T0 + 1.0


def test_no_successive_difference_crosses_a_gap() -> None:
    """Differences taken where ``gap_before`` is False only ever join beats of one stretch."""
    decoder = StrapDecoder()
    beats = []
    t = T0
    for k in range(30):
        if k == 10:
            decoder.disconnected(t, "")
            t += 60
            decoder.connected(t)
        if k == 20:
            decoder.packet(t, encode_heart_rate_measurement(0, contact=SensorContact.NO_CONTACT))
            t += 40
        t += 1.0
        beats.extend(decoder.packet(t, encode_heart_rate_measurement(60, [1024])).beats)
    diffs_ok = [b for b in beats[1:] if not b.gap_before]
    gaps = [i for i, b in enumerate(beats) if b.gap_before]
    assert gaps == [0, 10, 20]
    for prev, cur in itertools.pairwise(beats):
        if not cur.gap_before:
            assert cur.time_s - prev.time_s == pytest.approx(cur.rr_ms / 1000.0)
    assert len(diffs_ok) == 27
