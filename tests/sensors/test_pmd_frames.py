"""PMD data frames: real frames from Polar's SDK, its specification and an H10 capture,
arbitrary bytes, and encode/decode round trips."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensors.pmd.control import ACC_SETTINGS, ECG_SETTINGS, PmdMeasurement, PmdSettings
from sensors.pmd.frames import (
    AccFrame,
    EcgFrame,
    PmdParseError,
    decode_data_frame,
    encode_acc_frame,
    encode_ecg_frame,
    frame_measurement,
)

# Real H10 ECG notifications captured with gatttool (phdiethelm/h10_ecg,
# exploration/gatttool.md, "ECG Data stream"): the first two and the sixth, 73 samples each.
H10_ECG_1 = (
    "00 91 f7 70 aa 30 49 52 08 00 7a 00 00 67 00 00 83 00 00 ac 00 00 ac 00 00 a1 00 00 a5 00 00"
    " a1 00 00 a8 00 00 ac 00 00 9a 00 00 91 00 00 75 00 00 32 00 00 df 00 00 94 03 00 39 07 00"
    " b9 08 00 07 06 00 52 01 00 fa fe ff 64 ff ff ab ff ff 5f ff ff 7d ff ff a2 ff ff 8d ff ff"
    " 76 ff ff 64 ff ff 79 ff ff 9d ff ff a2 ff ff b0 ff ff c7 ff ff d5 ff ff ec ff ff f0 ff ff"
    " e7 ff ff ec ff ff ec ff ff ee ff ff fe ff ff fa ff ff f7 ff ff 00 00 00 f7 ff ff f7 ff ff"
    " 06 00 00 f7 ff ff d7 ff ff be ff ff ab ff ff a7 ff ff b7 ff ff c0 ff ff bb ff ff c9 ff ff"
    " dc ff ff dc ff ff ec ff ff fc ff ff f0 ff ff e7 ff ff e5 ff ff de ff ff d7 ff ff d9 ff ff"
    " d7 ff ff d0 ff ff d7 ff ff e5 ff ff ec ff ff ec ff ff"
)
H10_ECG_2 = (
    "00 7c 3b de cb 30 49 52 08 00 ee ff ff f5 ff ff f5 ff ff f5 ff ff 00 00 00 02 00 00 e3 ff ff"
    " a0 ff ff 7b ff ff 9b ff ff b9 ff ff be ff ff c7 ff ff ce ff ff c5 ff ff c9 ff ff d5 ff ff"
    " c2 ff ff b0 ff ff a9 ff ff 8d ff ff 80 ff ff 9b ff ff b0 ff ff b0 ff ff b7 ff ff cc ff ff"
    " dc ff ff dc ff ff e0 ff ff e9 ff ff e7 ff ff f3 ff ff 02 00 00 0b 00 00 0d 00 00 02 00 00"
    " fe ff ff 1b 00 00 30 00 00 29 00 00 24 00 00 1b 00 00 10 00 00 1d 00 00 32 00 00 30 00 00"
    " 20 00 00 0d 00 00 00 00 00 0d 00 00 24 00 00 34 00 00 37 00 00 24 00 00 1b 00 00 32 00 00"
    " 47 00 00 4c 00 00 4c 00 00 3e 00 00 20 00 00 f3 ff ff 09 00 00 39 01 00 0e 04 00 2d 07 00"
    " 40 07 00 2a 03 00 51 ff ff 13 ff ff b2 ff ff 3a ff ff"
)
H10_ECG_6 = (
    "00 aa 9a 93 51 31 49 52 08 00 75 00 00 73 00 00 63 00 00 5e 00 00 77 00 00 8c 00 00 8c 00 00"
    " 85 00 00 7c 00 00 83 00 00 98 00 00 9c 00 00 8e 00 00 57 00 00 fc ff ff f5 ff ff 30 00 00"
    " 37 00 00 27 00 00 04 00 00 d0 ff ff 7a 00 00 0a 03 00 9f 06 00 52 08 00 eb 05 00 4b 01 00"
    " c7 fe ff 26 ff ff 92 ff ff 3f ff ff 4f ff ff 90 ff ff 90 ff ff 94 ff ff b2 ff ff d5 ff ff"
    " e5 ff ff e3 ff ff f5 ff ff 09 00 00 0d 00 00 19 00 00 19 00 00 04 00 00 fc ff ff 0b 00 00"
    " 2b 00 00 30 00 00 1d 00 00 12 00 00 24 00 00 42 00 00 45 00 00 22 00 00 0b 00 00 f7 ff ff"
    " b7 ff ff 9d ff ff c7 ff ff d0 ff ff c5 ff ff e3 ff ff 00 00 00 0b 00 00 24 00 00 42 00 00"
    " 45 00 00 32 00 00 2b 00 00 32 00 00 34 00 00 27 00 00"
)

# polar-ble-sdk, Android EcgDataTest.kt, "process raw ecg data type 0".
SDK_ECG_TYPE0 = "00 00 94 35 77 00 00 00 00 00 02 80 ff 02 80 00"

# Polar_Measurement_Data_Specification.pdf, "Start Stream": the first two samples of the H10's
# example ACC frame. The spec's prose reads 45 FF as -184; 0xFF45 is -187.
SPEC_H10_ACC = "02 ea 54 a2 42 8b 45 52 08 01 45 ff e4 ff b5 03 45 ff e4 ff b8 03"

# polar-ble-sdk, Android AccDataTest.kt, "process acc raw data frame type 1" (36 samples).
SDK_ACC_TYPE1 = "02 00 94 35 77 00 00 00 00 01" + (
    " f7 ff ff ff e7 03 f8 ff fe ff e5 03 f9 ff ff ff e5 03 fa ff ff ff e6 03 fa ff fe ff e6 03"
    " f9 ff ff ff e5 03 f8 ff ff ff e6 03 f8 ff fe ff e6 03 fa ff ff ff e5 03 fa ff ff ff e7 03"
    " fa ff ff ff e5 03 f8 ff ff ff e6 03 f7 ff ff ff e6 03 f8 ff fe ff e6 03 f9 ff fe ff e7 03"
    " f9 ff 00 00 e6 03 f9 ff ff ff e6 03 f7 ff fe ff e5 03 f9 ff ff ff e5 03 f9 ff ff ff e5 03"
    " fa ff 00 00 e6 03 f9 ff fe ff e6 03 f8 ff ff ff e6 03 f8 ff ff ff e5 03 f9 ff ff ff e6 03"
    " f9 ff ff ff e5 03 fa ff ff ff e6 03 f9 ff ff ff e5 03 f9 ff ff ff e5 03 f8 ff fe ff e6 03"
    " f9 ff ff ff e6 03 f9 ff ff ff e6 03 f9 ff 00 00 e5 03 f9 ff fe ff e6 03 f8 ff fe ff e6 03"
    " f7 ff fe ff e6 03"
)

# polar-ble-sdk, Android AccDataTest.kt, "process acc compressed data type 1" (frame type 0x81).
SDK_ACC_DELTA_TYPE1 = "02 65 00 00 00 00 00 00 00 81 f1 ff 14 00 f0 03 06 01 7b 0f 08"

# polar-ble-sdk, Android AccDataTest.kt, "process acc compressed data type 0" (frame type 0x80,
# one 10-bit block of 56 samples). The SDK scales these by a FACTOR from the start response;
# the raw counts are what the delta decoding itself yields.
SDK_ACC_DELTA_TYPE0 = "02 00 94 35 77 00 00 00 00 80" + (
    " 71 07 f0 6a 9e 8d 0a 38 be 5c be ba 2f 96 b3 ee 4b e5 ad fb 42 b9 eb be 4c fe ba 2f 92 bf"
    " ee 4b e4 b1 fb 12 b9 ec bd 3c 3e bb 2f 8f d3 de 4b e3 b5 f7 d2 b8 ed bd 30 7e 7b 2f 8b e3"
    " ce 8b e2 ba f7 a2 b8 ee bc 20 be 7b 2f 88 f3 ce cb e1 bd ef 52 f8 ef bc 18 fe 3b 2f 84 03"
    " bf cb e0 c2 ef 32 b8 f0 bb 04 4e bc 2e 81 13 af 0b e0 c6 ef f2 f7 f1 b9 fc 7d bc 2e 7d 27"
    " 9f 4b df ca eb c2 f7 f2 b8 ec cd 7c 2e 7b 37 8f 4b de ce e3 92 f7 f3 b8 e0 0d fd 2d 77 4b"
    " 7f cb dd d2 df 62 37 f5 b7 d4 4d bd 2d 74 5b 6f cb dc d7 d7 32 37 f6 b5 c8 8d 7d 2d 71 6b"
    " 4f 4b dc dc d3 f2 36 f7 b4 bc dd fd 2c 6f 7b 3f 4b db e0 cf d2 36 f8 b2 b0 2d be 2c 6c 8f"
    " 1f cb da e3 c7 a2 76 f9"
)

# Polar_Measurement_Data_Specification.pdf, "Delta frame sample example from Polar Verity
# Sense": reference D0 FF 65 01 E4 0F, 8-bit deltas FC 07 FF and 0C 13 F2. The spec's block
# holds 29 samples and shows two; the count byte is 02 here so the frame ends with them.
SPEC_DELTA = "02 00 00 00 00 00 00 00 00 80 d0 ff 65 01 e4 0f 08 02 fc 07 ff 0c 13 f2"

SETTINGS_ALL = st.builds(
    PmdSettings,
    st.sampled_from([PmdMeasurement.ECG, PmdMeasurement.ACC]),
    st.integers(1, 500),
    st.integers(1, 32),
    st.none() | st.integers(1, 16),
)


def _frame(hex_text: str, settings: PmdSettings) -> EcgFrame | AccFrame:
    return decode_data_frame(bytes.fromhex(hex_text), settings)


def test_h10_ecg_capture() -> None:
    frame = _frame(H10_ECG_6, ECG_SETTINGS)
    assert isinstance(frame, EcgFrame)
    assert frame.sensor_time_ns == 0x08524931_51939AAA
    assert len(frame.samples_uv) == 73
    # gatttool.md's own reading: sample 0 = 117, sample 1 = 115, sample 14 = -4
    assert frame.samples_uv[:2] == (117, 115)
    assert frame.samples_uv[14] == -4


def test_h10_ecg_frames_are_73_samples_at_130_hz_apart() -> None:
    first = _frame(H10_ECG_1, ECG_SETTINGS)
    second = _frame(H10_ECG_2, ECG_SETTINGS)
    assert isinstance(first, EcgFrame) and isinstance(second, EcgFrame)
    assert len(first.samples_uv) == len(second.samples_uv) == 73
    gap_s = (second.sensor_time_ns - first.sensor_time_ns) / 1e9
    assert gap_s == pytest.approx(73 / 130, rel=0.005)
    # an R wave of about 2 mV in the first frame, as an ECG in µV should show
    assert 1500 < max(first.samples_uv) < 3000


def test_sdk_ecg_type0() -> None:
    assert _frame(SDK_ECG_TYPE0, ECG_SETTINGS) == EcgFrame(2_000_000_000, (-32766, 32770))


def test_spec_h10_acc_frame() -> None:
    assert _frame(SPEC_H10_ACC, ACC_SETTINGS) == AccFrame(
        599618164814402794, ((-187, -28, 949), (-187, -28, 952))
    )


def test_sdk_acc_raw_type1() -> None:
    frame = _frame(SDK_ACC_TYPE1, ACC_SETTINGS)
    assert isinstance(frame, AccFrame)
    assert frame.sensor_time_ns == 2_000_000_000
    assert len(frame.samples_mg) == 36
    assert frame.samples_mg[:2] == ((-9, -1, 999), (-8, -2, 997))


def test_sdk_acc_delta_type1() -> None:
    assert _frame(SDK_ACC_DELTA_TYPE1, ACC_SETTINGS) == AccFrame(
        101, ((-15, 20, 1008), (-20, 17, 1008))
    )


def test_sdk_acc_delta_type0_block_of_56() -> None:
    frame = _frame(SDK_ACC_DELTA_TYPE0, ACC_SETTINGS)
    assert isinstance(frame, AccFrame)
    assert len(frame.samples_mg) == 1 + 56
    assert frame.samples_mg[0] == (1905, 27376, -29282)
    assert frame.samples_mg[1] == (1905 + 190, 27376 - 105, -29282 - 85)


def test_spec_delta_example() -> None:
    assert _frame(SPEC_DELTA, ACC_SETTINGS) == AccFrame(
        0, ((-48, 357, 4068), (-52, 364, 4067), (-40, 383, 4053))
    )


@pytest.mark.parametrize(
    ("hex_text", "settings", "why"),
    [
        ("00 00 00", ECG_SETTINGS, "10-byte header"),
        (SPEC_H10_ACC, ECG_SETTINGS, "measurement type 2"),
        ("00" + " 00" * 9, ECG_SETTINGS, "no samples"),
        (SDK_ECG_TYPE0 + " 01", ECG_SETTINGS, "not a multiple of 3"),
        ("00" + " 00" * 8 + " 01 01 02 03", ECG_SETTINGS, "ECG frame type 0x01"),
        ("02" + " 00" * 8 + " 03 01 02 03", ACC_SETTINGS, "ACC frame type 0x03"),
        ("02" + " 00" * 8 + " 82 01 02 03 04 05 06", ACC_SETTINGS, "ACC frame type 0x82"),
        (SPEC_H10_ACC + " 00", ACC_SETTINGS, "not a multiple of 6"),
        ("02" + " 00" * 8 + " 81 01 02 03", ACC_SETTINGS, "reference sample"),
        (SDK_ACC_DELTA_TYPE1 + " 06", ACC_SETTINGS, "block header"),
        (SDK_ACC_DELTA_TYPE1[:-3], ACC_SETTINGS, "needs 3 bytes"),
        ("02" + " 00" * 8 + " 81 00 00 00 00 00 00 00 01", ACC_SETTINGS, "width of 0"),
        ("01" + " 00" * 9 + " 00 00 00", PmdSettings(PmdMeasurement.PPG, 135, 22), "not decoded"),
    ],
)
def test_malformed_frames_name_the_problem(hex_text: str, settings: PmdSettings, why: str) -> None:
    with pytest.raises(PmdParseError, match=why):
        decode_data_frame(bytes.fromhex(hex_text), settings)


def test_frame_measurement() -> None:
    assert frame_measurement(bytes.fromhex(SPEC_H10_ACC)) == 2
    with pytest.raises(PmdParseError):
        frame_measurement(b"")


@settings(max_examples=400)
@given(payload=st.binary(max_size=120), pmd_settings=SETTINGS_ALL)
def test_arbitrary_bytes_give_a_frame_or_parse_error(
    payload: bytes, pmd_settings: PmdSettings
) -> None:
    try:
        frame = decode_data_frame(payload, pmd_settings)
    except PmdParseError:
        return
    assert isinstance(frame, EcgFrame | AccFrame)


@settings(max_examples=400)
@given(
    measurement=st.sampled_from([0, 2]),
    frame_type=st.sampled_from([0, 1, 2, 3, 0x80, 0x81, 0x82]),
    body=st.binary(max_size=200),
    pmd_settings=SETTINGS_ALL,
)
def test_arbitrary_bodies_behind_a_valid_header(
    measurement: int, frame_type: int, body: bytes, pmd_settings: PmdSettings
) -> None:
    payload = bytes([measurement]) + bytes(8) + bytes([frame_type]) + body
    try:
        frame = decode_data_frame(payload, pmd_settings)
    except PmdParseError:
        return
    assert isinstance(frame, EcgFrame | AccFrame)


INT24 = st.integers(-(1 << 23), (1 << 23) - 1)
TIMESTAMPS = st.integers(0, (1 << 64) - 1)


@given(sensor_time_ns=TIMESTAMPS, samples=st.lists(INT24, min_size=1, max_size=80))
def test_ecg_round_trip(sensor_time_ns: int, samples: list[int]) -> None:
    payload = encode_ecg_frame(sensor_time_ns, samples)
    assert decode_data_frame(payload, ECG_SETTINGS) == EcgFrame(sensor_time_ns, tuple(samples))


def _xyz(bits: int) -> st.SearchStrategy[tuple[int, int, int]]:
    value = st.integers(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
    return st.tuples(value, value, value)


@given(
    data=st.data(),
    sensor_time_ns=TIMESTAMPS,
    resolution=st.sampled_from([8, 12, 16, 24]),
)
def test_acc_raw_round_trip(data: st.DataObject, sensor_time_ns: int, resolution: int) -> None:
    pmd_settings = PmdSettings(PmdMeasurement.ACC, 50, resolution, 8)
    samples = data.draw(st.lists(_xyz(resolution), min_size=1, max_size=60))
    payload = encode_acc_frame(sensor_time_ns, samples, pmd_settings)
    assert decode_data_frame(payload, pmd_settings) == AccFrame(sensor_time_ns, tuple(samples))


@settings(max_examples=300)
@given(
    data=st.data(),
    sensor_time_ns=TIMESTAMPS,
    resolution=st.sampled_from([8, 14, 16, 24]),
)
def test_acc_compressed_round_trip(
    data: st.DataObject, sensor_time_ns: int, resolution: int
) -> None:
    pmd_settings = PmdSettings(PmdMeasurement.ACC, 50, resolution, 8)
    samples = data.draw(st.lists(_xyz(resolution), min_size=1, max_size=600))
    payload = encode_acc_frame(sensor_time_ns, samples, pmd_settings, compressed=True)
    assert payload[9] == 0x81
    assert decode_data_frame(payload, pmd_settings) == AccFrame(sensor_time_ns, tuple(samples))


def test_compressed_is_smaller_for_a_still_chest() -> None:
    samples = [(-187 + i % 3, -28 - i % 2, 949 + i % 4) for i in range(36)]
    raw = encode_acc_frame(0, samples, ACC_SETTINGS)
    packed = encode_acc_frame(0, samples, ACC_SETTINGS, compressed=True)
    assert len(packed) < len(raw) / 3


def test_encoders_refuse_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match="24 signed bits"):
        encode_ecg_frame(0, [1 << 23])
    with pytest.raises(ValueError, match="at least one"):
        encode_ecg_frame(0, [])
    with pytest.raises(ValueError, match="64-bit"):
        encode_ecg_frame(-1, [0])
    with pytest.raises(ValueError, match="16 signed bits"):
        encode_acc_frame(0, [(1 << 15, 0, 0)], ACC_SETTINGS)
    with pytest.raises(ValueError, match="16 signed bits"):
        encode_acc_frame(0, [(1 << 15, 0, 0)], ACC_SETTINGS, compressed=True)
