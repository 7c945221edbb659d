"""The strap path over real ATT/GATT: Bleak's public API against the emulated strap.

Every test runs on an event loop whose clock fast-forwards while the loop is
idle (``looptime``): backoff waits, scan windows and the strap's own pacing
take no real time, and happen in the same order every run.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable

import pytest
from bleak import BleakClient, BleakScanner

from sensors.beats import Beat
from sensors.ble import uuids
from sensors.ble.errors import StrapError
from sensors.ble.link import LinkState, ReconnectPolicy
from sensors.ble.scan import scan_straps
from sensors.ble.supervisor import StrapSupervisor
from sensors.decoder import StrapDecoder
from sensors.emulated.radio import VirtualRadio
from sensors.emulated.script import ContactLoss, Reboot, Silence, StrapProfile, StrapScript
from sensors.emulated.strap import EmulatedStrap
from sensors.events import BatteryLevel, Connected, Disconnected, Measurement, SourceEvent
from sensors.recording import RecordedPacket
from tests.support.paths import FIXTURES

pytestmark = pytest.mark.looptime

REST = FIXTURES / "rest-5min.hsrec"
HEAVY = FIXTURES / "heavy-day.hsrec"
DOCUMENTED = {state.value for state in LinkState}


def _script(path=REST, packets: int | None = None) -> StrapScript:
    script = StrapScript.from_recording(path)
    if packets is not None:
        script = StrapScript(script.packets[:packets], (), ())
    return StrapScript(script.packets, (), ())  # faults of the recording left out


async def _strap(
    script: StrapScript, profile: StrapProfile | None = None
) -> tuple[VirtualRadio, EmulatedStrap]:
    radio = VirtualRadio()
    strap = EmulatedStrap(radio, script, profile)
    await strap.start()
    return radio, strap


def _supervisor(
    radio: VirtualRadio, strap: EmulatedStrap | None, address: str, **kw: object
) -> StrapSupervisor:
    policy = kw.pop("policy", ReconnectPolicy(scan_s=5.0, silence_s=15.0))
    return StrapSupervisor(
        address,
        scanner_backend=radio.scanner_backend,
        client_backend=radio.client_backend,
        wall=strap.now_s if strap is not None else (lambda: 0.0),
        rng=random.Random(7),
        policy=policy,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


async def _collect(
    supervisor: StrapSupervisor, until: Callable[[list[SourceEvent]], bool] | None = None
) -> list[SourceEvent]:
    events: list[SourceEvent] = []
    async for event in supervisor.events():
        events.append(event)
        if until is not None and until(events):
            supervisor.stop()
    return events


async def _stop_when(condition: Awaitable[None], supervisor: StrapSupervisor) -> None:
    await condition
    supervisor.stop()


def _beats(events: list[SourceEvent]) -> list[Beat]:
    return [b for e in events if isinstance(e, Measurement) for b in e.beats]


def _replayed(packets: list[RecordedPacket], events: list[SourceEvent]) -> list[Beat]:
    """What a fresh decoder makes of the events seen (packets checked against ``packets``)."""
    assert [e.payload for e in events if isinstance(e, Measurement)] == [p.payload for p in packets]
    decoder = StrapDecoder()
    out: list[Beat] = []
    for event in events:
        match event:
            case Measurement(arrival_s=t, payload=p):
                out.extend(decoder.packet(t, p).beats)
            case Connected(at_s=t, device=d):
                decoder.connected(t, d)
            case Disconnected(at_s=t, reason=r, intentional=i):
                decoder.disconnected(t, r, i)
            case _:
                pass
    return out


async def test_scan_finds_the_strap_with_and_without_the_service_filter() -> None:
    radio = VirtualRadio()
    hr = EmulatedStrap(radio, _script(packets=5))
    quiet = EmulatedStrap(
        radio,
        _script(packets=5),
        StrapProfile(name="Watch EMU", address="F0:C0:FF:EE:00:02", advertises_hr=False),
    )
    await hr.start()
    await quiet.start()
    filtered = await scan_straps(1.0, backend=radio.scanner_backend)
    everything = await scan_straps(1.0, all_devices=True, backend=radio.scanner_backend)
    assert [(s.name, s.address, s.advertises_hr) for s in filtered] == [
        ("Polar H10 EMU", "F0:C0:FF:EE:00:01", True)
    ]
    assert {s.address for s in everything} == {"F0:C0:FF:EE:00:01", "F0:C0:FF:EE:00:02"}
    assert all(isinstance(s.rssi_dbm, int) for s in everything)
    await hr.stop()
    await quiet.stop()


async def test_bleak_client_reads_battery_device_information_and_body_location() -> None:
    radio, strap = await _strap(_script(packets=30))
    device = await BleakScanner.find_device_by_address(
        strap.address, 5.0, backend=radio.scanner_backend
    )
    assert device is not None
    async with BleakClient(device, backend=radio.client_backend) as client:
        assert client.is_connected
        assert (await client.read_gatt_char(uuids.BATTERY_LEVEL))[
            0
        ] == strap.profile.battery_start_pct
        assert bytes(await client.read_gatt_char(uuids.MODEL_NUMBER)) == b"H10 (emulated)"
        assert (await client.read_gatt_char(uuids.BODY_SENSOR_LOCATION))[0] == 1
    await strap.stop()


async def test_notifications_decode_to_the_recordings_exact_beats() -> None:
    radio, strap = await _strap(_script())
    supervisor = _supervisor(radio, strap, strap.address)
    stopper = asyncio.create_task(_stop_when(strap.finished(), supervisor))
    events = await _collect(supervisor)
    await stopper
    await strap.stop()
    beats = _beats(events)
    assert len(strap.delivered) > 250 and strap.lost < 10
    # The same packets at their recorded times through a fresh decoder: equal beats.
    expected = StrapDecoder()
    recorded = [b for p in strap.delivered for b in expected.packet(p.at_s, p.payload).beats]
    assert [b.rr_ms for b in beats] == [b.rr_ms for b in recorded]
    assert [b.gap_before for b in beats[1:]] == [b.gap_before for b in recorded[1:]]
    assert max(abs(a.time_s - b.time_s) for a, b in zip(beats, recorded, strict=True)) < 1e-3
    infos = [e.device for e in events if isinstance(e, Connected)]
    assert infos and infos[0].model == "H10 (emulated)" and infos[0].body_location == "chest"
    assert any(isinstance(e, BatteryLevel) for e in events)
    assert isinstance(events[-1], Disconnected) and events[-1].intentional


async def test_a_hundred_link_drops_reconnect_mark_every_gap_and_never_duplicate_a_beat() -> None:
    radio, strap = await _strap(_script(HEAVY, packets=3000))
    supervisor = _supervisor(radio, strap, strap.address)
    drops = 0
    pending: set[asyncio.Task[None]] = set()

    def drop_every_25(packet: RecordedPacket) -> None:
        nonlocal drops
        if strap.sent % 25 == 0 and drops < 100:
            drops += 1
            task = asyncio.get_running_loop().create_task(strap.drop_link(away_s=3.0))
            pending.add(task)
            task.add_done_callback(pending.discard)

    strap.on_packet = drop_every_25
    events = await _collect(
        supervisor, until=lambda ev: drops >= 100 and _streams(supervisor) > 100
    )
    await strap.stop()
    assert drops == 100
    states = supervisor.states_seen()
    assert set(states) <= DOCUMENTED
    assert states.count("reconnecting") >= 100
    assert _streams(supervisor) == 101
    links = [e for e in events if isinstance(e, Connected | Disconnected)]
    assert len([e for e in links if isinstance(e, Disconnected) and not e.intentional]) == 100
    received = [e.payload for e in events if isinstance(e, Measurement)]
    sent = [p.payload for p in strap.delivered]
    # No packet invented, duplicated or reordered: what arrived is what the strap sent.
    assert received == sent[: len(received)] and len(received) >= len(sent) - 1
    beats = _beats(events)
    expected = [b.rr_ms for b in _replayed(strap.delivered[: len(received)], events)]
    assert [b.rr_ms for b in beats] == expected
    # ...and a subsequence of the recording's intervals, in order.
    recording = iter(
        b.rr_ms
        for p in _script(HEAVY, packets=3000).packets
        for b in StrapDecoder().packet(p.at_s, p.payload).beats
    )
    assert all(any(rr == r for r in recording) for rr in (b.rr_ms for b in beats))
    # Every reconnection marks a gap before the first beat after it.
    after_connect = False
    firsts: list[bool] = []
    for event in events:
        if isinstance(event, Connected):
            after_connect = True
        elif isinstance(event, Measurement) and event.beats and after_connect:
            firsts.append(event.beats[0].gap_before)
            after_connect = False
    assert len(firsts) >= 100 and all(firsts[1:])


def _streams(supervisor: StrapSupervisor) -> int:
    return supervisor.states_seen().count("streaming")


async def test_a_silent_strap_trips_the_watchdog_and_is_reconnected() -> None:
    script = _script()
    radio, strap = await _strap(script.with_faults(Silence(script.start_s + 30.0)))
    supervisor = _supervisor(radio, strap, strap.address)
    await _collect(supervisor, until=lambda _: supervisor.states_seen().count("reconnecting") >= 2)
    await strap.stop()
    silent = [s for s in supervisor.history if s.state is LinkState.RECONNECTING]
    assert silent[0].detail == "no data from the strap for 15 s"
    assert supervisor.states_seen()[:3] == ["scanning", "connecting", "streaming"]


async def test_contact_loss_is_a_state_and_the_polar_drop_a_reconnection() -> None:
    script = _script()
    radio, strap = await _strap(script.with_faults(ContactLoss(script.start_s + 30.0, 60.0)))
    supervisor = _supervisor(radio, strap, strap.address)
    events = await _collect(
        supervisor, until=lambda _: supervisor.states_seen().count("streaming") >= 2
    )
    await strap.stop()
    states = supervisor.states_seen()
    lost = states.index("contact-lost")
    assert states[lost + 1] == "reconnecting"  # the strap dropped the link 25 s later
    assert "moisten the electrodes" in supervisor.history[lost].detail
    assert set(states) <= DOCUMENTED
    no_rr = [e for e in events if isinstance(e, Measurement) and not e.beats]
    assert no_rr, "no-contact packets carry no RR"


async def test_an_absent_strap_is_given_up_with_a_plain_sentence() -> None:
    radio = VirtualRadio()
    supervisor = _supervisor(
        radio, None, "F0:C0:FF:EE:00:09", policy=ReconnectPolicy(scan_s=2.0, max_attempts=3)
    )
    with pytest.raises(StrapError) as caught:
        await _collect(supervisor)
    assert supervisor.status.state is LinkState.GAVE_UP
    assert supervisor.states_seen().count("reconnecting") == 2
    message = str(caught.value)
    assert "F0:C0:FF:EE:00:09" in message and "wet the strap" in message
    assert message.endswith(".") and "\n" not in message


@pytest.mark.parametrize("pair", [False, True])
async def test_a_strap_that_requires_bonding(pair: bool) -> None:
    radio, strap = await _strap(_script(packets=60), StrapProfile(requires_bonding=True))
    supervisor = _supervisor(radio, strap, strap.address, pair=pair)
    if not pair:
        with pytest.raises(StrapError) as caught:
            await _collect(supervisor)
        assert supervisor.status.state is LinkState.GAVE_UP
        assert "--pair" in str(caught.value)
    else:
        events = await _collect(supervisor, until=lambda ev: len(_beats(ev)) >= 20)
        assert len(_beats(events)) >= 20
    await strap.stop()


async def test_strap_quirks_uint16_energy_and_garmins_bogus_interval_decode() -> None:
    profile = StrapProfile(uint16_hr=True, energy_every=10, garmin_extra_rr=True)
    radio, strap = await _strap(_script(packets=80), profile)
    supervisor = _supervisor(radio, strap, strap.address)
    events = await _collect(supervisor, until=lambda ev: len(_beats(ev)) >= 60)
    await strap.stop()
    packets = [e.measurement for e in events if isinstance(e, Measurement)]
    assert packets and all(m.heart_rate_uint16 for m in packets)
    assert any(m.energy_expended_kj is not None for m in packets)
    assert sum(1 for m in packets if m.rr_ticks and m.rr_ticks[-1] == 53) >= len(packets) - 2
    assert any(abs(b.rr_ms - 53 * 1000 / 1024) < 1e-9 for b in _beats(events))


async def test_a_strap_reboot_is_a_drop_and_a_reconnection() -> None:
    script = _script()
    radio, strap = await _strap(script.with_faults(Reboot(script.start_s + 40.0, 5.0)))
    supervisor = _supervisor(radio, strap, strap.address)
    events = await _collect(
        supervisor, until=lambda _: supervisor.states_seen().count("streaming") >= 2
    )
    await strap.stop()
    drops = [e for e in events if isinstance(e, Disconnected)]
    assert drops and not drops[0].intentional
    assert supervisor.states_seen()[3:7] == ["reconnecting", "scanning", "connecting", "streaming"]
