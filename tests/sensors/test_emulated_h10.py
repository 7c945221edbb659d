"""The emulated Polar H10: PMD over real ATT/GATT through Bleak on the virtual radio.

Every test runs on a fast-forwarding event loop (``looptime``), as the strap tests
do: the strap's pacing takes no real time and happens in the same order every run.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from bleak import BleakClient, BleakScanner

from sensors.ble.link import ReconnectPolicy
from sensors.ble.supervisor import StrapSupervisor
from sensors.decoder import StrapDecoder
from sensors.emulated.pmd import split_frame
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import POLAR_H10, StrapProfile, StrapScript
from sensors.emulated.strap import EmulatedStrap
from sensors.events import AccSamples, Connected, DeviceInfo, EcgSamples, Measurement, SourceEvent
from sensors.pmd.control import (
    ACC_SETTINGS,
    ECG_SETTINGS,
    STATUS_ALREADY_IN_STATE,
    ControlResponse,
    PmdMeasurement,
    PmdSettings,
    encode_features,
    parse_available_settings,
    parse_control_response,
    parse_features,
    settings_request,
    start_request,
    stop_request,
)
from sensors.pmd.frames import EcgFrame, decode_data_frame
from sensors.pmd.uuids import PMD_CONTROL_UUID, PMD_DATA_UUID
from sensors.recording import RecordedPacket, RecordedPmdFrame, RecordingHeader, RecordingWriter
from sensors.replay import ReplaySource
from sensors.simulate import simulate_recording

pytestmark = pytest.mark.looptime

DAY = date(2026, 11, 25)
TZ = timezone(timedelta(hours=1), "CET")


@cache
def _paced_script() -> StrapScript:
    """Five minutes of paced breathing from an H10 with PMD (the generator's)."""
    _, events = simulate_recording("paced-breathing", seed=3, day=DAY, tz=TZ, pmd=True)
    return StrapScript.from_events(events)


def _first(script: StrapScript, seconds: float) -> StrapScript:
    """The script's first ``seconds``: fewer notifications for the small-MTU tests."""
    end_s = script.start_s + seconds
    return StrapScript(
        tuple(p for p in script.packets if p.at_s <= end_s),
        (),
        (),
        tuple(f for f in script.pmd_frames if f.at_s <= end_s),
        script.pmd_settings,
    )


def _samples(frames: list[RecordedPmdFrame], settings: PmdSettings) -> Iterator[tuple[int, object]]:
    """Every sample of the frames of one measurement, with its sensor time in ns."""
    step_ns = 1e9 / settings.sample_rate_hz
    for frame in frames:
        if frame.payload[0] != int(settings.measurement):
            continue
        decoded = decode_data_frame(frame.payload, settings)
        values = decoded.samples_uv if isinstance(decoded, EcgFrame) else decoded.samples_mg
        n = len(values)
        for k, value in enumerate(values):
            yield decoded.sensor_time_ns - round((n - 1 - k) * step_ns), value


def _same_samples(got: list[tuple[int, object]], expected: list[tuple[int, object]]) -> None:
    """Equal values; times equal to the nanosecond's rounding of a frame cut in parts."""
    assert [v for _, v in got] == [v for _, v in expected]
    assert max(abs(a - b) for (a, _), (b, _) in zip(got, expected, strict=True)) <= 1


class _Host:
    """A Bleak client on the radio, collecting control responses and data frames."""

    def __init__(self, client: BleakClient, strap: EmulatedStrap) -> None:
        self.client = client
        self.strap = strap
        self.responses: asyncio.Queue[ControlResponse] = asyncio.Queue()
        self.frames: list[RecordedPmdFrame] = []

    async def subscribe(self) -> None:
        await self.client.start_notify(PMD_CONTROL_UUID, self._control)
        await self.client.start_notify(PMD_DATA_UUID, self._data)

    def _control(self, _char: object, value: bytearray) -> None:
        self.responses.put_nowait(parse_control_response(bytes(value)))

    def _data(self, _char: object, value: bytearray) -> None:
        self.frames.append(RecordedPmdFrame(self.strap.now_s(), bytes(value)))

    async def ask(self, request: bytes) -> ControlResponse:
        """Write a request; the answer, its ``more`` continuations joined as the SDK does."""
        await self.client.write_gatt_char(PMD_CONTROL_UUID, request, response=True)
        first = await asyncio.wait_for(self.responses.get(), 5.0)
        parameters, more = first.parameters, first.more
        while more:
            part = await asyncio.wait_for(self.responses.get(), 5.0)
            parameters, more = parameters + part.parameters, part.more
        return ControlResponse(first.op_code, first.measurement, first.status, False, parameters)


async def _connect(profile: StrapProfile, script: StrapScript) -> tuple[EmulatedStrap, BleakClient]:
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, script, profile)
    await strap.start()
    device = await BleakScanner.find_device_by_address(
        strap.address, 5.0, backend=radio.scanner_backend
    )
    assert device is not None
    client = BleakClient(device, backend=radio.client_backend)
    await client.connect()
    return strap, client


async def test_control_point_features_settings_and_statuses() -> None:
    strap, client = await _connect(POLAR_H10, _first(_paced_script(), 30.0))
    host = _Host(client, strap)
    await host.subscribe()
    features = bytes(await client.read_gatt_char(PMD_CONTROL_UUID))
    assert features == encode_features({PmdMeasurement.ECG, PmdMeasurement.ACC})
    assert parse_features(features) == {PmdMeasurement.ECG, PmdMeasurement.ACC}

    ecg = await host.ask(settings_request(PmdMeasurement.ECG))
    assert ecg.ok and parse_available_settings(ecg.parameters) == {
        "sample_rate_hz": (130,),
        "resolution_bits": (14,),
    }
    acc = await host.ask(settings_request(PmdMeasurement.ACC))
    assert parse_available_settings(acc.parameters) == {
        "sample_rate_hz": (50,),
        "resolution_bits": (16,),
        "range_g": (2, 4, 8),
    }
    assert (await host.ask(start_request(ECG_SETTINGS))).ok
    assert (await host.ask(start_request(ECG_SETTINGS))).status == STATUS_ALREADY_IN_STATE
    wrong_rate = PmdSettings(PmdMeasurement.ACC, 200, 16, 8)
    assert (await host.ask(start_request(wrong_rate))).status == 8
    wrong_range = PmdSettings(PmdMeasurement.ACC, 50, 16, 16)
    assert (await host.ask(start_request(wrong_range))).status == 9
    assert (await host.ask(start_request(ACC_SETTINGS) + bytes([4, 1, 3]))).status == 5
    assert (await host.ask(bytes([0x01, 0x01]))).status == 3  # PPG: the H10 has none
    assert (await host.ask(bytes([0x01, 0x30]))).status == 2  # no such measurement
    assert (await host.ask(bytes([0x09, 0x00]))).status == 1  # no such op code
    assert (await host.ask(bytes([0x02]))).status == 4  # too short
    assert (await host.ask(stop_request(PmdMeasurement.ECG))).ok
    assert (await host.ask(stop_request(PmdMeasurement.ECG))).status == STATUS_ALREADY_IN_STATE
    await client.disconnect()
    await strap.stop()


@pytest.mark.parametrize("mtu", [232, None], ids=["h10-mtu", "default-mtu"])
async def test_frames_stream_on_the_straps_clock_with_the_scripts_exact_samples(
    mtu: int | None,
) -> None:
    profile = StrapProfile(name=POLAR_H10.name, model=POLAR_H10.model, pmd=True, pmd_mtu=mtu)
    script = _first(_paced_script(), 40.0)
    strap, client = await _connect(profile, script)
    host = _Host(client, strap)
    await host.subscribe()
    assert (await host.ask(start_request(ECG_SETTINGS))).ok
    assert (await host.ask(start_request(ACC_SETTINGS))).ok
    started_s = strap.now_s()
    await strap.finished()
    await client.disconnect()
    await strap.stop()

    sizes = {len(f.payload) for f in host.frames}
    assert max(sizes) <= (229 if mtu else 20)
    if mtu is None:
        ecg_sizes = {len(f.payload) for f in host.frames if f.payload[0] == 0}
        assert 19 in ecg_sizes and ecg_sizes <= {13, 16, 19}  # 3 samples, 73 = 24 * 3 + 1
    # What arrived is what the strap sent, on time: each frame within 50 ms of its script time.
    assert [f.payload for f in host.frames] == [f.payload for f in strap.pmd_delivered]
    assert (
        max(abs(a.at_s - s.at_s) for a, s in zip(host.frames, strap.pmd_delivered, strict=True))
        < 0.05
    )
    # The samples and their sensor times are exactly the script's, from the start on.
    for settings in (ECG_SETTINGS, ACC_SETTINGS):
        got = list(_samples(host.frames, settings))
        late = [f for f in script.pmd_frames if f.at_s > started_s + 0.1]
        expected = list(_samples(late, settings))
        assert len(got) >= len(expected) > 0
        _same_samples(got[len(got) - len(expected) :], expected)


async def test_a_dropped_link_stops_every_stream() -> None:
    script = _first(_paced_script(), 60.0)
    strap, client = await _connect(POLAR_H10, script)
    host = _Host(client, strap)
    await host.subscribe()
    assert (await host.ask(start_request(ECG_SETTINGS))).ok
    await asyncio.sleep(10.0)
    assert len(host.frames) > 10 and strap.pmd is not None and strap.pmd.running
    await strap.drop_link(away_s=2.0)
    assert strap.pmd is not None and not strap.pmd.running
    await client.disconnect()
    await strap.stop()


def test_split_frame_keeps_samples_and_times() -> None:
    script = _paced_script()
    ecg = next(f for f in script.pmd_frames if f.payload[0] == 0)
    acc = next(f for f in script.pmd_frames if f.payload[0] == 2)
    for frame, settings in ((ecg, ECG_SETTINGS), (acc, ACC_SETTINGS)):
        parts = split_frame(frame.payload, settings, 20)
        assert all(len(p) <= 20 for p in parts) and len(parts) > 10
        whole = [RecordedPmdFrame(0.0, frame.payload)]
        pieces = [RecordedPmdFrame(0.0, p) for p in parts]
        _same_samples(list(_samples(pieces, settings)), list(_samples(whole, settings)))
        assert split_frame(frame.payload, settings, 512) == [frame.payload]


def _streamed(events: list[SourceEvent]) -> list[SourceEvent]:
    """The beats and samples of a run: what replay must give back bit for bit."""
    return [e for e in events if isinstance(e, Measurement | EcgSamples | AccSamples)]


@pytest.mark.parametrize("drop", [False, True], ids=["steady", "link-drop"])
async def test_supervisor_streams_ecg_and_acc_and_the_recording_replays_bit_identically(
    tmp_path: Path, drop: bool
) -> None:
    script = _first(_paced_script(), 90.0)
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, script, POLAR_H10)
    await strap.start()
    pending: set[asyncio.Task[None]] = set()

    def drop_once(packet: RecordedPacket) -> None:
        if drop and strap.sent == 30:
            task = asyncio.get_running_loop().create_task(strap.drop_link(away_s=3.0))
            pending.add(task)
            task.add_done_callback(pending.discard)

    strap.on_packet = drop_once
    path = tmp_path / "h10.hsrec"
    header = RecordingHeader(
        started_at=datetime.fromtimestamp(script.start_s, UTC),
        recording_id="emulated-h10",
        device=DeviceInfo(address=strap.address),
    )
    with RecordingWriter(path, header) as writer:
        supervisor = StrapSupervisor(
            strap.address,
            decoder=StrapDecoder(recorder=writer),
            scanner_backend=radio.scanner_backend,
            client_backend=radio.client_backend,
            wall=strap.now_s,
            rng=random.Random(7),
            policy=ReconnectPolicy(scan_s=5.0, silence_s=15.0),
            pmd=True,
        )

        async def stop_when_played() -> None:
            await strap.finished()
            supervisor.stop()

        stopper = asyncio.create_task(stop_when_played())
        live = [event async for event in supervisor.events()]
        await stopper
    await strap.stop()

    ecg = [e for e in live if isinstance(e, EcgSamples)]
    acc = [e for e in live if isinstance(e, AccSamples)]
    assert sum(len(e.samples_uv) for e in ecg) > 130 * 60
    assert sum(len(e.samples_mg) for e in acc) > 50 * 60
    assert (
        "ECG 130 Hz on" in supervisor.pmd_status
        and "accelerometer 50 Hz on" in supervisor.pmd_status
    )
    assert len([e for e in live if isinstance(e, Connected)]) == (2 if drop else 1)
    # The samples are the script's: every ECG value streamed is in the script, in order.
    script_ecg = [v for _, v in _samples(list(script.pmd_frames), ECG_SETTINGS)]
    streamed = [v for e in ecg for v in e.samples_uv]
    start = script_ecg.index(streamed[0])
    assert streamed[:500] == script_ecg[start : start + 500]
    # Each frame's last sample is placed before its arrival by at most the radio's latency.
    for event in ecg:
        last_s = event.first_sample_s + (len(event.samples_uv) - 1) / event.rate_hz
        assert 0.0 <= event.arrival_s - last_s < 0.25

    replayed = [event async for event in ReplaySource(path, speed=None).events()]
    assert _streamed(replayed) == _streamed(live)
