"""PmdDecoder: sensor clock to host clock, recording lines, and replay through the same path."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from sensors.decoder import StrapDecoder
from sensors.events import AccSamples, Connected, DeviceInfo, EcgSamples, Measurement
from sensors.hrm import encode_heart_rate_measurement
from sensors.pmd.control import ACC_SETTINGS, ECG_SETTINGS, PmdMeasurement
from sensors.pmd.frames import PmdParseError, encode_acc_frame, encode_ecg_frame
from sensors.pmd.stream import PmdDecoder
from sensors.recording import (
    RecordedPacket,
    RecordedPmdFrame,
    RecordedPmdStart,
    RecordedPmdStop,
    RecordingError,
    RecordingHeader,
    RecordingReader,
    RecordingWriter,
    write_recording,
)
from sensors.replay import ReplaySource

T0 = 1_764_059_400.0
SENSOR0_NS = 599_622_173_760_485_265  # an H10 timestamp (ns since 2000-01-01)
HEADER = RecordingHeader(started_at=datetime(2025, 11, 25, 8, 30, tzinfo=UTC), recording_id="p")
ECG_N = 73
ACC_N = 36


def test_offset_is_the_least_delayed_frame_and_samples_end_at_the_timestamp() -> None:
    decoder = PmdDecoder()
    decoder.started(T0, ECG_SETTINGS)
    step_ns = round(ECG_N / 130 * 1e9)
    delays_s = [0.080, 0.030, 0.120, 0.045]
    events = []
    for k, delay in enumerate(delays_s):
        sensor_ns = SENSOR0_NS + k * step_ns
        arrival = T0 + k * step_ns / 1e9 + delay
        events.append(decoder.frame(arrival, encode_ecg_frame(sensor_ns, list(range(ECG_N)))))
    assert all(isinstance(e, EcgSamples) for e in events)
    # offset = min(arrival - sensor time): the 30 ms frame wins from then on
    assert decoder.offset_s == pytest.approx(T0 - SENSOR0_NS / 1e9 + 0.030, abs=1e-6)
    first = events[0]
    assert isinstance(first, EcgSamples)
    last_sample_s = first.first_sample_s + (ECG_N - 1) / first.rate_hz
    assert last_sample_s == pytest.approx(first.arrival_s, abs=1e-6)  # its own delay, 80 ms
    later = events[3]
    assert isinstance(later, EcgSamples)
    expected_last = T0 + 3 * step_ns / 1e9 + 0.030
    assert later.first_sample_s + (ECG_N - 1) / 130 == pytest.approx(expected_last, abs=1e-6)
    assert later.rate_hz == 130.0 and later.samples_uv == tuple(range(ECG_N))


def test_a_drifting_strap_clock_is_followed_over_a_long_connection() -> None:
    """A strap crystal 50 ppm slow: 1.4 s over 8 h if the first offset were kept."""
    decoder = PmdDecoder()
    decoder.started(T0, ECG_SETTINGS)
    step_s = ECG_N / 130
    rng = np.random.default_rng(19)
    worst_s = 0.0
    for k in range(int(8 * 3600 / step_s)):
        true_s = T0 + k * step_s  # when the frame's last sample happened, host clock
        sensor_ns = SENSOR0_NS + round(k * step_s * (1 - 50e-6) * 1e9)
        delay_s = 0.010 + float(rng.exponential(0.030))  # never under 10 ms
        event = decoder.frame(true_s + delay_s, encode_ecg_frame(sensor_ns, [0] * ECG_N))
        assert isinstance(event, EcgSamples)
        last_s = event.first_sample_s + (ECG_N - 1) / event.rate_hz
        worst_s = max(worst_s, abs(last_s - (true_s + 0.010)))
    assert worst_s < 0.030


def test_reset_clock_forgets_the_offset() -> None:
    decoder = PmdDecoder()
    decoder.started(T0, ECG_SETTINGS)
    decoder.frame(T0, encode_ecg_frame(SENSOR0_NS, [1]))
    decoder.reset_clock()
    assert decoder.offset_s is None
    event = decoder.frame(T0 + 10.0, encode_ecg_frame(SENSOR0_NS, [1]))
    assert isinstance(event, EcgSamples)
    assert event.first_sample_s == pytest.approx(T0 + 10.0)


def test_bad_frames_leave_state_and_recording_untouched(tmp_path: Path) -> None:
    path = tmp_path / "bad.hsrec"
    with RecordingWriter(path, HEADER) as recorder:
        decoder = PmdDecoder(recorder)
        with pytest.raises(PmdParseError, match="not started"):
            decoder.frame(T0, encode_ecg_frame(SENSOR0_NS, [1, 2, 3]))
        decoder.started(T0, ECG_SETTINGS)
        decoder.frame(T0 + 1, encode_ecg_frame(SENSOR0_NS, [1, 2, 3]))
        offset = decoder.offset_s
        with pytest.raises(PmdParseError):
            decoder.frame(T0 - 5, encode_ecg_frame(SENSOR0_NS, [1])[:-1])
        assert decoder.offset_s == offset
        decoder.stopped(T0 + 2, PmdMeasurement.ECG)
        with pytest.raises(PmdParseError, match="not started"):
            decoder.frame(T0 + 3, encode_ecg_frame(SENSOR0_NS, [1]))
    kinds = [type(line).__name__ for _, line in RecordingReader(path)]
    assert kinds == ["RecordedPmdStart", "RecordedPmdFrame", "RecordedPmdStop"]


def test_recording_lines_are_the_documented_json(tmp_path: Path) -> None:
    path = tmp_path / "lines.hsrec"
    frame = encode_ecg_frame(SENSOR0_NS, [117, 115])
    write_recording(
        path,
        HEADER,
        [
            RecordedPmdStart(T0, ECG_SETTINGS),
            RecordedPmdFrame(T0 + 0.5, frame),
            RecordedPmdStop(T0 + 1.0, PmdMeasurement.ECG),
        ],
    )
    lines = [json.loads(x) for x in path.read_text().splitlines()[1:]]
    assert lines == [
        {
            "t": T0,
            "ev": "pmd_start",
            "measurement": "ecg",
            "sample_rate_hz": 130,
            "resolution_bits": 14,
            "range_g": None,
        },
        {"t": T0 + 0.5, "ev": "pmd", "hex": frame.hex()},
        {"t": T0 + 1.0, "ev": "pmd_stop", "measurement": "ecg"},
    ]
    assert [line for _, line in RecordingReader(path)] == [
        RecordedPmdStart(T0, ECG_SETTINGS),
        RecordedPmdFrame(T0 + 0.5, frame),
        RecordedPmdStop(T0 + 1.0, PmdMeasurement.ECG),
    ]


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ({"t": T0, "ev": "pmd", "hex": "zz"}, "hexadecimal"),
        (
            {
                "t": T0,
                "ev": "pmd_start",
                "measurement": "ekg",
                "sample_rate_hz": 130,
                "resolution_bits": 14,
            },
            "unknown PMD measurement",
        ),
        (
            {**ECG_SETTINGS.to_json(), "t": T0, "ev": "pmd_start", "sample_rate_hz": -1},
            "sample rate -1 Hz",
        ),
        ({"t": T0, "ev": "pmd_stop", "measurement": 2}, "'measurement' must be a string"),
    ],
)
def test_bad_pmd_lines_name_file_and_line(
    tmp_path: Path, line: dict[str, object], why: str
) -> None:
    path = tmp_path / "badline.hsrec"
    path.write_text(json.dumps(HEADER.to_json()) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(RecordingError, match=why) as caught:
        list(RecordingReader(path))
    assert caught.value.line == 2


def _live_session(strap: StrapDecoder, pmd: PmdDecoder) -> list[EcgSamples | AccSamples]:
    """What the supervisor does with a Polar strap: connect, HR packets, ECG then ACC frames
    with jittered delays, a reconnection with restarted streams, a stop."""
    out: list[EcgSamples | AccSamples] = []
    sensor_ns = SENSOR0_NS
    t = T0
    for session in range(2):
        strap.connected(t, DeviceInfo(name="Polar H10 1A2B3C4D"))
        pmd.reset_clock()
        pmd.started(t + 0.2, ECG_SETTINGS)
        pmd.started(t + 0.4, ACC_SETTINGS)
        for k in range(40):
            sensor_ns += round(0.5 * 1e9)
            t += 0.5
            delay = 0.02 + ((k * 37 + session) % 13) / 1000.0
            ecg = [((k * 7 + i) % 50) * 20 - 400 for i in range(ECG_N)]
            out.append(pmd.frame(t + delay, encode_ecg_frame(sensor_ns, ecg)))
            acc = [(-187 + i % 5, -28 - (k + i) % 3, 949 + i % 4) for i in range(ACC_N)]
            compressed = k % 2 == 1
            frame = encode_acc_frame(sensor_ns, acc, ACC_SETTINGS, compressed=compressed)
            out.append(pmd.frame(t + delay + 0.003, frame))
            if k % 2 == 0:
                strap.packet(t + delay, encode_heart_rate_measurement(70, [870]))
        strap.disconnected(t + 1, "link lost")
        t += 30.0
        sensor_ns += round(30.0 * 1e9) + 12_345  # the strap's clock ran on meanwhile
    pmd.stopped(t, PmdMeasurement.ECG)
    return out


async def test_replay_yields_bit_identical_samples_to_the_live_path(tmp_path: Path) -> None:
    path = tmp_path / "live.hsrec"
    with RecordingWriter(path, HEADER) as recorder:
        live = _live_session(StrapDecoder(recorder=recorder), PmdDecoder(recorder))
    source = ReplaySource(path, speed=None)
    events = [e async for e in source.events()]
    replayed = [e for e in events if isinstance(e, EcgSamples | AccSamples)]
    assert len(live) == 160
    assert replayed == live  # dataclass equality: every float identical
    assert sum(isinstance(e, Connected) for e in events) == 2
    assert sum(isinstance(e, Measurement) for e in events) == 40
    assert not any(isinstance(e, RecordedPmdStart | RecordedPmdStop) for e in events)


async def test_replay_of_a_bad_pmd_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.hsrec"
    write_recording(
        path,
        HEADER,
        [
            RecordedPacket(T0, encode_heart_rate_measurement(70, [870])),
            RecordedPmdStart(T0, ECG_SETTINGS),
            RecordedPmdFrame(T0 + 0.5, encode_ecg_frame(SENSOR0_NS, [1, 2])),
            RecordedPmdFrame(T0 + 1.0, encode_ecg_frame(SENSOR0_NS, [1, 2])[:-1]),
        ],
    )
    source = ReplaySource(path, speed=None)
    seen = []
    with pytest.raises(RecordingError, match=r"bad\.hsrec:5: .*multiple of 3"):
        async for event in source.events():
            seen.append(event)
    assert [type(e).__name__ for e in seen] == ["Measurement", "EcgSamples"]


async def test_a_recording_without_pmd_replays_as_before(tmp_path: Path) -> None:
    path = tmp_path / "plain.hsrec"
    write_recording(
        path,
        HEADER,
        [RecordedPacket(T0 + k, encode_heart_rate_measurement(70, [870])) for k in range(5)],
    )
    events = [e async for e in ReplaySource(path, speed=None).events()]
    assert [type(e).__name__ for e in events] == ["Measurement"] * 5
