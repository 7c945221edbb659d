"""The Heart Rate Measurement decoder, against BLE_NOTES' real vectors and arbitrary bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors.hrm import (
    HeartRateMeasurement,
    HeartRateParseError,
    SensorContact,
    encode_heart_rate_measurement,
    parse_heart_rate_measurement,
    ticks_to_ms,
)

VECTORS = [
    # payload, hr, contact, rr ticks  (BLE_NOTES "Real payloads")
    ("10 43 72 03 8a 03", 67, SensorContact.UNSUPPORTED, (882, 906)),
    ("10 44 92 03", 68, SensorContact.UNSUPPORTED, (914,)),
    ("00 40", 64, SensorContact.UNSUPPORTED, ()),
    ("16 4d 16 03", 77, SensorContact.CONTACT, (790,)),
    ("16 42 18 04 70 01", 66, SensorContact.CONTACT, (1048, 368)),
    ("10 38 2d 04 35 00", 56, SensorContact.UNSUPPORTED, (1069, 53)),
]


@pytest.mark.parametrize(("hex_payload", "hr", "contact", "rr"), VECTORS)
def test_real_vectors(
    hex_payload: str, hr: int, contact: SensorContact, rr: tuple[int, ...]
) -> None:
    m = parse_heart_rate_measurement(bytes.fromhex(hex_payload))
    assert m.heart_rate_bpm == hr
    assert m.contact is contact
    assert m.rr_ticks == rr
    assert m.energy_expended_kj is None
    assert not m.heart_rate_uint16


def test_rr_ticks_are_not_milliseconds() -> None:
    m = parse_heart_rate_measurement(bytes.fromhex("16 4d 16 03"))
    assert m.rr_ms == (790 * 1000.0 / 1024.0,)
    assert ticks_to_ms(1024) == 1000.0


def test_garmin_bogus_second_rr_is_kept_for_artifact_handling() -> None:
    m = parse_heart_rate_measurement(bytes.fromhex("10 38 2d 04 35 00"))
    assert m.rr_ms[1] == pytest.approx(51.7578125)


def test_uint16_heart_rate_and_energy() -> None:
    # flags: uint16 HR, contact detected, energy present, RR present
    payload = bytes([0x1F]) + (300).to_bytes(2, "little") + (1234).to_bytes(2, "little")
    payload += (800).to_bytes(2, "little")
    m = parse_heart_rate_measurement(payload)
    assert (m.heart_rate_bpm, m.heart_rate_uint16, m.energy_expended_kj) == (300, True, 1234)
    assert m.rr_ticks == (800,)
    assert m.contact is SensorContact.CONTACT


def test_contact_supported_but_absent_and_zero_heart_rate() -> None:
    m = parse_heart_rate_measurement(bytes([0x04, 0x00]))
    assert m.contact is SensorContact.NO_CONTACT
    assert not m.has_heart_rate


def test_reserved_bits_are_ignored() -> None:
    plain = parse_heart_rate_measurement(bytes.fromhex("16 4d 16 03"))
    reserved = parse_heart_rate_measurement(bytes.fromhex("f6 4d 16 03"))
    assert plain == reserved


def test_odd_trailing_byte_is_ignored() -> None:
    m = parse_heart_rate_measurement(bytes.fromhex("10 43 72 03 8a 03 07"))
    assert m.rr_ticks == (882, 906)


def test_rr_flag_without_room_gives_no_rr() -> None:
    assert parse_heart_rate_measurement(bytes.fromhex("10 43")).rr_ticks == ()


def test_equal_successive_rr_are_not_deduplicated() -> None:
    m = parse_heart_rate_measurement(bytes.fromhex("10 40 00 04 00 04 00 04"))
    assert m.rr_ticks == (1024, 1024, 1024)


@pytest.mark.parametrize(
    ("hex_payload", "message"),
    [
        ("", "empty"),
        ("00", "uint8 heart rate"),
        ("01 40", "uint16 heart rate"),
        ("08 40 01", "energy expended"),
        ("19 40 00 01", "energy expended"),
    ],
)
def test_truncated_payloads_raise_the_documented_error(hex_payload: str, message: str) -> None:
    with pytest.raises(HeartRateParseError, match=message):
        parse_heart_rate_measurement(bytes.fromhex(hex_payload))


@settings(max_examples=10_000, deadline=None)
@given(st.binary(max_size=40))
def test_arbitrary_bytes_raise_only_the_documented_error(payload: bytes) -> None:
    try:
        m = parse_heart_rate_measurement(payload)
    except HeartRateParseError:
        return
    assert isinstance(m, HeartRateMeasurement)
    assert 0 <= m.heart_rate_bpm <= 0xFFFF
    assert all(0 <= t <= 0xFFFF for t in m.rr_ticks)
    header = 1 + (2 if payload[0] & 1 else 1) + (2 if payload[0] & 8 else 0)
    assert len(m.rr_ticks) == (max(0, len(payload) - header) // 2 if payload[0] & 0x10 else 0)


@settings(max_examples=2_000, deadline=None)
@given(
    hr=st.integers(0, 0xFFFF),
    rr=st.lists(st.integers(1, 0xFFFF), max_size=7),
    contact=st.sampled_from(list(SensorContact)),
    energy=st.one_of(st.none(), st.integers(0, 0xFFFF)),
)
def test_encode_then_parse_round_trips(
    hr: int, rr: list[int], contact: SensorContact, energy: int | None
) -> None:
    payload = encode_heart_rate_measurement(hr, rr, contact=contact, energy_expended_kj=energy)
    m = parse_heart_rate_measurement(payload)
    assert (m.heart_rate_bpm, m.rr_ticks, m.contact, m.energy_expended_kj) == (
        hr,
        tuple(rr),
        contact,
        energy,
    )
