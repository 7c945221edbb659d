"""The PMD control point: real requests and responses from Polar's specification, its SDK
tests and an H10 capture; arbitrary bytes; round trips."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sensors.pmd.control import (
    ACC_SETTINGS,
    ECG_SETTINGS,
    ControlResponse,
    PmdMeasurement,
    PmdSettings,
    encode_control_response,
    encode_features,
    factor_from_bits,
    measurement_from_name,
    parse_available_settings,
    parse_control_response,
    parse_features,
    settings_request,
    start_factor,
    start_request,
    status_text,
    stop_request,
)
from sensors.pmd.frames import PmdParseError

H = bytes.fromhex

# Polar_Measurement_Data_Specification.pdf, "Request Stream Settings" (H10 response), and the
# same bytes from a real H10 in phdiethelm/h10_ecg exploration/gatttool.md.
H10_ECG_SETTINGS = "f0 01 00 00 00 00 01 82 00 01 01 0e 00"
# Polar_Measurement_Data_Specification.pdf, "Request Stream Settings", H10 ACC response.
H10_ACC_SETTINGS = (
    "f0 01 02 00 00 00 04 19 00 32 00 64 00 c8 00 01 01 10 00 02 03 02 00 04 00 08 00"
)
# The same section, Polar Verity Sense ACC response (with a channel count).
VERITY_ACC_SETTINGS = "f0 01 02 00 00 00 01 34 00 01 01 10 00 02 01 08 00 04 01 03"
# polar-ble-sdk PmdSettingTest.kt testPmdSettingsWithRange (parameters only).
SDK_SETTINGS_WITH_RANGE = "00 01 34 00 01 01 10 00 02 04 f5 00 f4 01 e8 03 d0 07 04 01 03"


def test_feature_reads() -> None:
    # h10_ecg gatttool.md: the H10 serves ECG and ACC
    h10 = parse_features(H("0f 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"))
    assert h10 == {PmdMeasurement.ECG, PmdMeasurement.ACC}
    # spec "Read Features": Verity Sense, 0x6E
    verity = parse_features(H("0f 6e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"))
    assert verity == {
        PmdMeasurement.PPG,
        PmdMeasurement.ACC,
        PmdMeasurement.PPI,
        PmdMeasurement.GYRO,
        PmdMeasurement.MAGNETOMETER,
    }
    assert encode_features({PmdMeasurement.ECG, PmdMeasurement.ACC}) == H(
        "0f 05 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    )
    with pytest.raises(PmdParseError):
        parse_features(H("f0 05"))


def test_h10_settings_responses() -> None:
    ecg = parse_control_response(H(H10_ECG_SETTINGS))
    assert ecg == ControlResponse(1, 0, 0, False, H("00 01 82 00 01 01 0e 00"))
    assert parse_available_settings(ecg.parameters) == {
        "sample_rate_hz": (130,),
        "resolution_bits": (14,),
    }
    acc = parse_control_response(H(H10_ACC_SETTINGS))
    assert parse_available_settings(acc.parameters) == {
        "sample_rate_hz": (25, 50, 100, 200),
        "resolution_bits": (16,),
        "range_g": (2, 4, 8),
    }
    verity = parse_control_response(H(VERITY_ACC_SETTINGS))
    assert parse_available_settings(verity.parameters)["channels"] == (3,)
    assert parse_available_settings(H(SDK_SETTINGS_WITH_RANGE)) == {
        "sample_rate_hz": (52,),
        "resolution_bits": (16,),
        "range_g": (245, 500, 1000, 2000),
        "channels": (3,),
    }


def test_requests() -> None:
    assert settings_request(PmdMeasurement.ACC) == H("01 02")
    assert stop_request(PmdMeasurement.ECG) == H("03 00")
    # the ECG start the h10_ecg capture sent and the H10 accepted
    assert start_request(ECG_SETTINGS) == H("02 00 00 01 82 00 01 01 0e 00")
    # the spec's H10 ACC start lists range first; the same settings, in our order
    spec = H("02 02 02 01 08 00 00 01 c8 00 01 01 10 00")
    ours = start_request(PmdSettings(PmdMeasurement.ACC, 200, 16, 8))
    assert ours[:2] == spec[:2]
    assert parse_available_settings(ours[2:]) == parse_available_settings(spec[2:])
    assert start_request(ACC_SETTINGS) == H("02 02 00 01 32 00 01 01 10 00 02 01 08 00")


def test_start_responses() -> None:
    # h10_ecg capture (ECG) and the spec (H10 ACC): one reserved byte, no settings
    for hex_text in ("f0 02 00 00 00 00", "f0 02 02 00 00 01"):
        response = parse_control_response(H(hex_text))
        assert response.ok and not response.more
        assert parse_available_settings(response.parameters) == {}
    # the spec's Verity Sense start response carries a FACTOR (float32 2.44e-4)
    verity = parse_control_response(H("f0 02 02 00 00 05 01 40 da 7f 39"))
    (bits,) = parse_available_settings(verity.parameters)["factor_bits"]
    assert factor_from_bits(bits) == pytest.approx(2.44e-4)
    assert start_factor(verity.parameters) == pytest.approx(2.44e-4)
    assert start_factor(H("00")) == start_factor(H("01")) == start_factor(b"") == 1.0
    assert start_factor(H("09 01 00")) == 1.0  # unreadable: none


def test_error_responses() -> None:
    # h10_ecg capture: a start without settings is refused, invalid parameter
    refused = parse_control_response(H("f0 02 00 05 00"))
    assert (refused.op_code, refused.measurement, refused.status) == (2, 0, 5)
    assert not refused.ok and refused.parameters == b""
    # polar-ble-sdk BlePmdClientControlPointResponseTest.kt
    assert parse_control_response(H("f0 01 06 07 00")) == ControlResponse(1, 6, 7, False, b"")
    assert parse_control_response(H("f0 01 02 00 00 ff ff ff")).parameters == H("ff ff ff")
    assert "parameter" in status_text(5)
    assert "MTU" in status_text(10)
    assert "charger" in status_text(13)
    assert "unknown error code 99" in status_text(99)


@pytest.mark.parametrize("hex_text", ["", "f0 01 00", "0f 01 00 00 00"])
def test_not_a_response(hex_text: str) -> None:
    with pytest.raises(PmdParseError):
        parse_control_response(H(hex_text))


@pytest.mark.parametrize("hex_text", ["00 01 82", "09 01 00 00", "00"])
def test_bad_settings(hex_text: str) -> None:
    if len(H(hex_text)) <= 1:
        assert parse_available_settings(H(hex_text)) == {}
        return
    with pytest.raises(PmdParseError):
        parse_available_settings(H(hex_text))


@given(st.binary(max_size=64))
def test_arbitrary_bytes_give_a_response_or_parse_error(payload: bytes) -> None:
    for parse in (parse_control_response, parse_available_settings, parse_features):
        try:
            result = parse(payload)
        except PmdParseError:
            continue
        assert isinstance(result, ControlResponse | dict | frozenset)


@given(
    op_code=st.integers(0, 255),
    measurement=st.integers(0, 255),
    status=st.integers(0, 255),
    parameters=st.binary(max_size=40),
    more=st.booleans(),
)
def test_response_round_trip(
    op_code: int, measurement: int, status: int, parameters: bytes, more: bool
) -> None:
    response = parse_control_response(
        encode_control_response(op_code, measurement, status, parameters, more=more)
    )
    ok = status == 0
    assert response == ControlResponse(
        op_code, measurement, status, more and ok, parameters if ok else b""
    )


def test_settings_json_round_trip() -> None:
    for settings in (ECG_SETTINGS, ACC_SETTINGS):
        assert PmdSettings.from_json(settings.to_json()) == settings
    assert ECG_SETTINGS.to_json() == {
        "measurement": "ecg",
        "sample_rate_hz": 130,
        "resolution_bits": 14,
        "range_g": None,
    }
    assert measurement_from_name("acc") is PmdMeasurement.ACC
    for bad in (
        {"measurement": "ekg", "sample_rate_hz": 130, "resolution_bits": 14},
        {"measurement": "ecg", "sample_rate_hz": "130", "resolution_bits": 14},
        {"measurement": "ecg", "sample_rate_hz": 130, "resolution_bits": True},
        {"measurement": "ecg", "sample_rate_hz": 0, "resolution_bits": 14},
        {"measurement": 0, "sample_rate_hz": 130, "resolution_bits": 14},
    ):
        with pytest.raises(ValueError):
            PmdSettings.from_json(bad)
