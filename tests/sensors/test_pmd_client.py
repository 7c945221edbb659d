"""PmdClient against a small fake of a connected H10 (the control point's real answers),
on a fast-forwarding loop; choose_settings and AccDropGuard as pure units; the supervisor's
``pmd`` option against the emulated strap without PMD (the H10 with PMD end to end is
tests/sensors/test_emulated_h10.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from typing import cast

import pytest
from bleak import BleakClient
from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.exc import BleakGATTProtocolError, BleakGATTProtocolErrorCode

from sensors.ble.link import ReconnectPolicy
from sensors.ble.pmd.client import PmdClient, PmdError
from sensors.ble.pmd.streams import AccDropGuard, PmdStreams, choose_settings
from sensors.ble.supervisor import StrapSupervisor
from sensors.clock import ManualClock
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import StrapScript
from sensors.emulated.strap import EmulatedStrap
from sensors.events import AccSamples, EcgSamples, Measurement, SourceEvent
from sensors.pmd.control import (
    ACC_SETTINGS,
    ECG_SETTINGS,
    PmdMeasurement,
    PmdSettings,
    encode_control_response,
)
from sensors.pmd.frames import encode_ecg_frame
from sensors.pmd.stream import PmdDecoder
from sensors.pmd.uuids import PMD_CONTROL_UUID, PMD_DATA_UUID, PMD_SERVICE_UUID
from tests.support.paths import FIXTURES

pytestmark = pytest.mark.looptime

H = bytes.fromhex
NO_CHAR = cast(BleakGATTCharacteristic, None)
T0 = 1_764_059_400.0

# Real H10 answers: Polar_Measurement_Data_Specification.pdf ("Read Features", "Request Stream
# Settings", "Start Stream") and phdiethelm/h10_ecg exploration/gatttool.md.
FEATURES = "0f 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
H10_ANSWERS = {
    "01 00": ["f0 01 00 00 00 00 01 82 00 01 01 0e 00"],
    "01 02": ["f0 01 02 00 00 00 04 19 00 32 00 64 00 c8 00 01 01 10 00 02 03 02 00 04 00 08 00"],
    "02 00 00 01 82 00 01 01 0e 00": ["f0 02 00 00 00 00"],
    "02 02 00 01 32 00 01 01 10 00 02 01 08 00": ["f0 02 02 00 00 01"],
    "03 02": ["f0 03 02 06 00"],
}

Notify = Callable[[BleakGATTCharacteristic, bytearray], None]


class FakeStrap:
    """A connected strap's GATT client: answers control point writes by indications sent
    after the write returns, as a real link does."""

    def __init__(self, answers: dict[str, list[str]], features: str = FEATURES) -> None:
        self.answers = {bytes.fromhex(k): [bytes.fromhex(a) for a in v] for k, v in answers.items()}
        self.features = bytes.fromhex(features)
        self.written: list[bytes] = []
        self.subscribed: dict[str, Notify] = {}
        self.write_error: Exception | None = None

    async def read_gatt_char(self, char_specifier: str) -> bytearray:
        assert char_specifier == PMD_CONTROL_UUID
        return bytearray(self.features)

    async def write_gatt_char(
        self, char_specifier: str, data: bytes, response: bool | None = None
    ) -> None:
        assert char_specifier == PMD_CONTROL_UUID and response is True
        if self.write_error is not None:
            raise self.write_error
        self.written.append(bytes(data))
        loop = asyncio.get_running_loop()
        for answer in self.answers.get(bytes(data), []):
            loop.call_soon(self.indicate, answer)

    def indicate(self, payload: bytes) -> None:
        self.subscribed[PMD_CONTROL_UUID](NO_CHAR, bytearray(payload))

    async def start_notify(self, char_specifier: str, callback: Notify) -> None:
        self.subscribed[char_specifier] = callback

    async def stop_notify(self, char_specifier: str) -> None:
        self.subscribed.pop(char_specifier, None)


async def test_h10_session() -> None:
    strap = FakeStrap(H10_ANSWERS)
    client = PmdClient(strap)
    assert await client.features() == {PmdMeasurement.ECG, PmdMeasurement.ACC}
    assert await client.available_settings(PmdMeasurement.ECG) == {
        "sample_rate_hz": (130,),
        "resolution_bits": (14,),
    }
    acc = await client.available_settings(PmdMeasurement.ACC)
    assert choose_settings(ACC_SETTINGS, acc) == ACC_SETTINGS
    frames: list[bytes] = []
    await client.subscribe(frames.append)
    assert (await client.start(ECG_SETTINGS)).ok
    assert (await client.start(ACC_SETTINGS)).ok
    strap.subscribed[PMD_DATA_UUID](NO_CHAR, bytearray(b"\x00" * 13))
    assert frames == [b"\x00" * 13]
    await client.stop(PmdMeasurement.ACC)  # status 6, nothing running: counts as stopped
    assert strap.written == [H(k) for k in H10_ANSWERS]
    await client.close()
    assert strap.subscribed == {}


async def test_a_refusal_is_one_plain_sentence() -> None:
    # h10_ecg gatttool.md: a start without settings is answered f0 02 00 05 00
    strap = FakeStrap({"02 00 00 01 82 00 01 01 0e 00": ["f0 02 00 05 00"]})
    with pytest.raises(
        PmdError, match=r"ECG start was refused: the strap refused a parameter"
    ) as caught:
        await PmdClient(strap).start(ECG_SETTINGS)
    assert caught.value.state == "gatt-error"
    assert "\n" not in caught.value.message


async def test_mtu_too_small_says_so() -> None:
    strap = FakeStrap({"01 00": ["f0 01 00 0a 00"]})
    with pytest.raises(PmdError, match="MTU"):
        await PmdClient(strap).available_settings(PmdMeasurement.ECG)


async def test_no_answer_times_out_in_the_sdk_time() -> None:
    strap = FakeStrap({})
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(PmdError, match="did not answer the ECG start within 30 s") as caught:
        await PmdClient(strap).start(ECG_SETTINGS)
    assert caught.value.state == "timeout"
    assert loop.time() - started == pytest.approx(30.0, abs=0.5)


async def test_continued_answers_and_stray_indications() -> None:
    first = encode_control_response(1, 2, 0, H("00 04 19 00 32 00"), more=True)
    rest = encode_control_response(1, 2, 0, H("64 00 c8 00 01 01 10 00"))
    strap = FakeStrap({"01 02": ["f0 02 00 00 00 00", "ff", first.hex(), rest.hex()]})
    settings = await PmdClient(strap).available_settings(PmdMeasurement.ACC)
    assert settings == {"sample_rate_hz": (25, 50, 100, 200), "resolution_bits": (16,)}


async def test_the_strap_stopping_a_stream_is_reported() -> None:
    stopped: list[tuple[int, ...]] = []
    strap = FakeStrap({"02 00 00 01 82 00 01 01 0e 00": ["f0 02 00 00 00 00"]})
    client = PmdClient(strap, on_stopped=stopped.append)
    await client.start(ECG_SETTINGS)
    strap.indicate(H("01 00 02"))
    assert stopped == [(0, 2)]


async def test_pairing_needed_on_the_control_point() -> None:
    strap = FakeStrap(H10_ANSWERS)
    strap.write_error = BleakGATTProtocolError(
        BleakGATTProtocolErrorCode.INSUFFICIENT_AUTHENTICATION
    )
    with pytest.raises(PmdError, match="paired") as caught:
        await PmdClient(strap).start(ECG_SETTINGS)
    assert caught.value.state == "pairing-required"


async def test_features_of_a_strap_without_pmd_data() -> None:
    with pytest.raises(PmdError, match="features"):
        await PmdClient(FakeStrap({}, features="00")).features()


def test_choose_settings() -> None:
    h10_acc = {"sample_rate_hz": (25, 50, 100, 200), "resolution_bits": (16,), "range_g": (2, 4, 8)}
    assert choose_settings(ACC_SETTINGS, h10_acc) == ACC_SETTINGS
    verity = {"sample_rate_hz": (52,), "resolution_bits": (16,), "range_g": (8,), "channels": (3,)}
    assert choose_settings(ACC_SETTINGS, verity) == PmdSettings(PmdMeasurement.ACC, 52, 16, 8)
    no_range = {"sample_rate_hz": (100, 200), "resolution_bits": (12, 16)}
    assert choose_settings(ACC_SETTINGS, no_range) == PmdSettings(PmdMeasurement.ACC, 100, 16)
    assert choose_settings(ECG_SETTINGS, {}) == ECG_SETTINGS
    assert (
        choose_settings(ECG_SETTINGS, {"sample_rate_hz": (130,), "resolution_bits": (14,)})
        == ECG_SETTINGS
    )


def test_acc_drop_guard() -> None:
    guard = AccDropGuard(window_s=60.0, limit=2)
    assert not guard.link_dropped(10.0)  # ACC never started
    guard.acc_started(100.0)
    assert not guard.link_dropped(500.0)  # long after: not ACC's fault
    guard.acc_started(600.0)
    assert guard.link_dropped(630.0)
    assert guard.drops == 1
    guard.acc_started(700.0)
    assert guard.link_dropped(720.0)
    assert not guard.allowed
    assert "ECG only" in guard.note()


async def _run_supervisor(pmd: bool) -> tuple[list[SourceEvent], StrapSupervisor]:
    """The supervisor against the emulated strap without PMD, until 20 packets arrived."""
    script = StrapScript.from_recording(FIXTURES / "rest-5min.hsrec")
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, StrapScript(script.packets[:40], (), ()))
    await strap.start()
    supervisor = StrapSupervisor(
        strap.address,
        scanner_backend=radio.scanner_backend,
        client_backend=radio.client_backend,
        wall=strap.now_s,
        rng=random.Random(7),
        policy=ReconnectPolicy(scan_s=5.0, silence_s=15.0),
        pmd=pmd,
    )
    events: list[SourceEvent] = []
    async for event in supervisor.events():
        events.append(event)
        if sum(isinstance(e, Measurement) for e in events) == 20:
            supervisor.stop()
    await strap.stop()
    return events, supervisor


async def test_pmd_on_changes_nothing_for_a_strap_without_pmd() -> None:
    plain, off = await _run_supervisor(pmd=False)
    with_pmd, on = await _run_supervisor(pmd=True)
    assert [type(e) for e in with_pmd] == [type(e) for e in plain]
    payloads = [[e.payload for e in run if isinstance(e, Measurement)] for run in (plain, with_pmd)]
    assert payloads[0] == payloads[1] and len(payloads[0]) == 20
    assert not any(isinstance(e, EcgSamples | AccSamples) for e in with_pmd)
    assert off.pmd_status == "" and "pmd" not in off.describe()
    assert on.pmd_status == ""
    assert [(s.state, s.detail) for s in on.history] == [(s.state, s.detail) for s in off.history]


class _Services:
    def __init__(self, pmd: bool) -> None:
        self.pmd = pmd

    def get_service(self, uuid: str) -> object | None:
        return object() if self.pmd and uuid == PMD_SERVICE_UUID else None


class FakeH10(FakeStrap):
    """The fake with a GATT table, as PmdStreams looks at it."""

    def __init__(self, answers: dict[str, list[str]], pmd: bool = True) -> None:
        super().__init__(answers)
        self.services = _Services(pmd)


def _streams(clock: ManualClock) -> tuple[PmdStreams, list[SourceEvent], list[str]]:
    events: list[SourceEvent] = []
    notes: list[str] = []
    streams = PmdStreams(
        PmdDecoder(), emit=events.append, wall=lambda: T0, clock=clock, on_note=notes.append
    )
    return streams, events, notes


async def _connect(streams: PmdStreams, strap: FakeH10) -> asyncio.Task[None] | None:
    task = streams.connected(cast(BleakClient, strap), lambda: True)
    if task is not None:
        await asyncio.wait([task])
    return task


async def test_streams_start_ecg_then_acc_and_decode_frames() -> None:
    clock = ManualClock(100.0)
    streams, events, notes = _streams(clock)
    strap = FakeH10(H10_ANSWERS)
    task = await _connect(streams, strap)
    assert notes == ["ECG 130 Hz on; accelerometer 50 Hz on"]
    ecg_get, acc_get, ecg_start, acc_start = list(H10_ANSWERS)[:4]
    assert strap.written == [H(ecg_get), H(ecg_start), H(acc_get), H(acc_start)]  # ECG first
    strap.subscribed[PMD_DATA_UUID](NO_CHAR, bytearray(encode_ecg_frame(10**18, [1, 2, 3])))
    strap.subscribed[PMD_DATA_UUID](NO_CHAR, bytearray(b"\x02\x00"))  # bad: counted, skipped
    assert [type(e) for e in events] == [EcgSamples]
    assert (streams.frames, streams.bad_frames) == (1, 1)
    await streams.ended(task, intentional=False)  # a drop right after ACC started
    assert streams.decoder.settings == {} and streams.acc_guard.drops == 1


async def test_two_early_drops_leave_ecg_only() -> None:
    clock = ManualClock(100.0)
    streams, _, notes = _streams(clock)
    for _ in range(2):
        await streams.ended(await _connect(streams, FakeH10(H10_ANSWERS)), intentional=False)
    assert "ECG only" in streams.status
    strap = FakeH10(H10_ANSWERS)
    await _connect(streams, strap)
    assert notes[-1].startswith("ECG 130 Hz on; accelerometer off")
    assert all(w[:2] != H("02 02") for w in strap.written)


async def test_a_start_asking_for_a_factor_is_stopped_again() -> None:
    # the spec's Verity Sense answer to an ACC start: FACTOR 2.44e-4
    answers = dict(H10_ANSWERS)
    answers["02 02 00 01 32 00 01 01 10 00 02 01 08 00"] = ["f0 02 02 00 00 05 01 40 da 7f 39"]
    answers["03 02"] = ["f0 03 02 00 00"]
    streams, _, notes = _streams(ManualClock())
    strap = FakeH10(answers)
    await _connect(streams, strap)
    assert notes == [
        "ECG 130 Hz on; "
        "accelerometer off (the strap scales its samples by 0.000244, not applied here)"
    ]
    assert strap.written[-1] == H("03 02")
    assert set(streams.decoder.settings) == {0}


async def test_the_strap_stopping_ecg_is_recorded_and_said() -> None:
    streams, _, notes = _streams(ManualClock())
    strap = FakeH10(H10_ANSWERS)
    await _connect(streams, strap)
    strap.indicate(H("01 00"))
    assert notes[-1] == "the strap stopped ECG by itself"
    assert set(streams.decoder.settings) == {2}


async def test_a_strap_without_pmd_gets_no_task_and_no_note() -> None:
    streams, events, notes = _streams(ManualClock())
    assert await _connect(streams, FakeH10({}, pmd=False)) is None
    assert notes == [] and not events and streams.status == ""
