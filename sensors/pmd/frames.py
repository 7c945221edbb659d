"""Decode and encode PMD data frames (notifications of the PMD data characteristic).

Layout (Polar, *Polar Measurement Data Specification for 3rd Party*, "Start Stream" and
"Frame types"; polarofficial/polar-ble-sdk ``PmdDataFrame.kt``)::

    byte 0      measurement type (0 ECG, 2 ACC; the SDK masks it with 0x3F, the top bits
                carry the recording type of offline data)
    bytes 1-8   timestamp, uint64 little-endian, nanoseconds on the sensor's clock, of the
                LAST sample of the frame (``PmdTimeStampUtils.kt`` gives the last sample this
                time and spaces the others 1/rate before it; on the H10 the epoch is
                2000-01-01, per the SDK README, which does not matter here)
    byte 9      frame type: bit 7 set = delta-compressed, bits 0-6 = the type
    bytes 10-   samples

Frame types decoded here:

- ECG type 0 (the H10's): signed 24-bit little-endian samples, µV (spec table "Frame types
  ECG"; ``EcgData.kt`` ``dataFromRawType0``; bleakheart ``_decode_ecg_data``). The H10 sends
  73 samples a frame at 130 Hz. Types 1-3 (other devices, tagged samples) and compressed ECG
  are refused.
- ACC raw types 0, 1, 2: x, y, z as signed 8-, 16- or 24-bit little-endian integers, mg (spec
  table "Frame types ACC"; ``AccData.kt`` ``dataFromRawType0/1/2``). The H10 sends type 1, 36
  samples a frame at 50 Hz (bleakheart ``_decode_acc_data``; the spec's H10 example frame).
- ACC delta-compressed (frame type 0x80 in the spec's table, 0x80 and 0x81 in the SDK's
  ``AccData.kt``; spec "Delta frame sample example"; ``BlePMDClient.parseDeltaFramesAll``):
  a reference sample of three channels, each
  ``ceil(resolution_bits / 8)`` bytes, signed little-endian and sign-extended from bit
  ``resolution_bits - 1``; then blocks of ``[delta width in bits (1 byte), sample count
  (1 byte)]`` followed by ``ceil(width * count * 3 / 8)`` bytes of deltas, packed LSB first
  (bit ``i`` of the block is bit ``i % 8`` of byte ``i // 8``), channel by channel within a
  sample, each delta a signed ``width``-bit two's-complement integer. Sample ``k`` is sample
  ``k - 1`` plus its delta; the reference is sample 0. Samples are taken as mg, which is
  right when the strap's start response carries no FACTOR setting (the H10's does not;
  the Verity Sense reports one and its compressed samples must be scaled).

Deviations from the SDK, all on frames no Polar strap is known to send: a block of delta
width 0 or over 32 bits is refused (the SDK silently drops its samples), as are frames with
no samples (the SDK raises too), bytes left over in a raw frame, and a truncated block.

:class:`PmdParseError` is the only exception :func:`decode_data_frame` raises (property-tested
with hypothesis); the encoders raise :class:`ValueError` for samples that do not fit.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from sensors.pmd.control import PmdSettings

__all__ = [
    "HEADER_BYTES",
    "AccFrame",
    "EcgFrame",
    "PmdParseError",
    "decode_data_frame",
    "encode_acc_frame",
    "encode_ecg_frame",
    "frame_measurement",
]

HEADER_BYTES: Final = 10
"""Measurement type (1), timestamp (8) and frame type (1) precede the samples."""
_ECG_TYPE: Final = 0
"""Measurement type byte of ECG frames (``PmdMeasurement.ECG`` in :mod:`sensors.pmd.control`,
which imports this module and so cannot be imported here)."""
_ACC_TYPE: Final = 2
"""Measurement type byte of ACC frames (``PmdMeasurement.ACC``)."""
_MEASUREMENT_MASK: Final = 0x3F
"""Bits of byte 0 holding the measurement type (``PmdMeasurementType.fromId``)."""
_COMPRESSED: Final = 0x80
"""Frame type bit 7: delta-compressed frame."""
_ACC_COMPRESSED_TYPES: Final = frozenset({0x80, 0x81})
"""Compressed ACC frame types read (the spec's 0x80, the SDK's 0x80 and 0x81)."""
_ECG_SAMPLE_BYTES: Final = 3
_ACC_RAW_BYTES: Final = {0: 1, 1: 2, 2: 3}
"""Bytes per channel of the raw ACC frame types."""
_ACC_CHANNELS: Final = 3
_DELTA_WIDTH_MAX: Final = 32
"""Widest delta accepted, in bits (the SDK unpacks into a 32-bit Int)."""
_BLOCK_SAMPLES_MAX: Final = 255
"""A block's sample count is one byte."""
_TIMESTAMP_MAX: Final = (1 << 64) - 1


class PmdParseError(ValueError):
    """A payload is not a PMD frame or response this code understands.

    The only exception the PMD decoders raise; its message names the field and byte offset.
    """


@dataclass(frozen=True, slots=True)
class EcgFrame:
    """One ECG data frame.

    Attributes
    ----------
    sensor_time_ns : the frame's timestamp: time of the LAST sample, nanoseconds on the
        sensor's clock.
    samples_uv : the samples, oldest first, in microvolts.
    """

    sensor_time_ns: int
    samples_uv: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class AccFrame:
    """One accelerometer data frame.

    Attributes
    ----------
    sensor_time_ns : time of the LAST sample, nanoseconds on the sensor's clock.
    samples_mg : (x, y, z) per sample, oldest first, in milli-g (1 g = 9.80665 m/s²).
    """

    sensor_time_ns: int
    samples_mg: tuple[tuple[int, int, int], ...]


def _signed(value: int, bits: int) -> int:
    """Two's-complement ``bits``-bit reading of the low ``bits`` bits of ``value``."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def _raw_values(content: bytes, width: int, per_sample: int, what: str) -> list[int]:
    step = width * per_sample
    if not content:
        raise PmdParseError(f"{what} frame carries no samples (offset {HEADER_BYTES})")
    if len(content) % step:
        raise PmdParseError(
            f"{what} frame has {len(content)} sample bytes, not a multiple of {step} "
            f"(offset {HEADER_BYTES})"
        )
    raw = np.frombuffer(content, dtype=np.uint8).reshape(-1, width)
    # Little-endian two's complement of ``width`` bytes: widen with the sign byte's fill.
    fill = np.where(raw[:, -1:] >= 0x80, 0xFF, 0x00).astype(np.uint8)
    wide = np.concatenate([raw, np.repeat(fill, 8 - width, axis=1)], axis=1)
    values: list[int] = wide.view("<i8").ravel().tolist()
    return values


def _unpack_deltas(block: bytes, width: int, count: int) -> list[int]:
    """``count * 3`` signed ``width``-bit deltas packed LSB first into ``block``."""
    bits = int.from_bytes(block, "little")
    mask = (1 << width) - 1
    return [_signed((bits >> (i * width)) & mask, width) for i in range(count * _ACC_CHANNELS)]


def _delta_samples(content: bytes, resolution_bits: int) -> list[tuple[int, int, int]]:
    """Samples of a delta-compressed ACC frame body (after the 10-byte header)."""
    ref_bytes = (resolution_bits + 7) // 8
    offset = ref_bytes * _ACC_CHANNELS
    if len(content) < offset:
        raise PmdParseError(
            f"compressed ACC frame ends inside its reference sample "
            f"({len(content)} of {offset} bytes, offset {HEADER_BYTES})"
        )
    ref = [
        _signed(int.from_bytes(content[i : i + ref_bytes], "little"), resolution_bits)
        for i in range(0, offset, ref_bytes)
    ]
    samples = [(ref[0], ref[1], ref[2])]
    x, y, z = ref
    while offset < len(content):
        if offset + 2 > len(content):
            raise PmdParseError(
                f"compressed ACC frame ends inside a block header (offset {offset + HEADER_BYTES})"
            )
        width, count = content[offset], content[offset + 1]
        if not 1 <= width <= _DELTA_WIDTH_MAX:
            raise PmdParseError(
                f"compressed ACC block has a delta width of {width} bits "
                f"(offset {offset + HEADER_BYTES}; 1..{_DELTA_WIDTH_MAX} expected)"
            )
        offset += 2
        length = (width * count * _ACC_CHANNELS + 7) // 8
        if offset + length > len(content):
            raise PmdParseError(
                f"compressed ACC block of {count} samples needs {length} bytes, "
                f"{len(content) - offset} remain (offset {offset + HEADER_BYTES})"
            )
        deltas = _unpack_deltas(content[offset : offset + length], width, count)
        for i in range(0, len(deltas), _ACC_CHANNELS):
            x, y, z = x + deltas[i], y + deltas[i + 1], z + deltas[i + 2]
            samples.append((x, y, z))
        offset += length
    return samples


def _decode_ecg(frame_type: int, content: bytes) -> tuple[int, ...]:
    if frame_type != 0:
        raise PmdParseError(
            f"ECG frame type 0x{frame_type:02x} is not supported (offset 9; the H10 sends type 0)"
        )
    return tuple(_raw_values(content, _ECG_SAMPLE_BYTES, 1, "ECG"))


def _decode_acc(
    frame_type: int, content: bytes, resolution_bits: int
) -> tuple[tuple[int, int, int], ...]:
    if frame_type in _ACC_COMPRESSED_TYPES:
        return tuple(_delta_samples(content, resolution_bits))
    width = _ACC_RAW_BYTES.get(frame_type)
    if width is None:
        raise PmdParseError(f"ACC frame type 0x{frame_type:02x} is not supported (offset 9)")
    values = _raw_values(content, width, _ACC_CHANNELS, "ACC")
    return tuple(
        (values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), _ACC_CHANNELS)
    )


def frame_measurement(payload: bytes) -> int:
    """The measurement type a data frame belongs to (byte 0, masked as the SDK does)."""
    if not payload:
        raise PmdParseError("an empty PMD data frame")
    return payload[0] & _MEASUREMENT_MASK


def decode_data_frame(payload: bytes, settings: PmdSettings) -> EcgFrame | AccFrame:
    """Decode one PMD data notification of the stream started with ``settings``.

    Parameters
    ----------
    payload : the raw notification bytes.
    settings : the settings the stream was started with; its measurement must match the
        frame's byte 0, and its ``resolution_bits`` sizes a compressed frame's reference sample.

    Raises
    ------
    PmdParseError
        For anything that is not a complete ECG (type 0) or ACC (raw 0/1/2, compressed)
        frame of ``settings.measurement``.
    """
    payload = bytes(payload)
    if len(payload) < HEADER_BYTES:
        raise PmdParseError(
            f"a PMD data frame has a {HEADER_BYTES}-byte header; got {len(payload)} bytes"
        )
    measurement = frame_measurement(payload)
    if measurement != int(settings.measurement):
        raise PmdParseError(
            f"frame of measurement type {measurement} (offset 0) on a stream of "
            f"type {int(settings.measurement)}"
        )
    sensor_time_ns = int.from_bytes(payload[1:9], "little")
    frame_type = payload[9]
    content = payload[HEADER_BYTES:]
    if measurement == _ECG_TYPE:
        return EcgFrame(sensor_time_ns, _decode_ecg(frame_type, content))
    if measurement == _ACC_TYPE:
        return AccFrame(sensor_time_ns, _decode_acc(frame_type, content, settings.resolution_bits))
    raise PmdParseError(f"measurement type {measurement} (offset 0) is not decoded here")


def _header(measurement: int, sensor_time_ns: int, frame_type: int) -> bytes:
    if not 0 <= sensor_time_ns <= _TIMESTAMP_MAX:
        raise ValueError(f"sensor_time_ns {sensor_time_ns} does not fit an unsigned 64-bit field")
    return bytes([measurement]) + sensor_time_ns.to_bytes(8, "little") + bytes([frame_type])


def _packed(values: npt.ArrayLike, width: int) -> bytes:
    """Each value as ``width`` bytes of little-endian two's complement, in order.

    Values outside the signed ``8 * width`` bits raise :class:`ValueError` (floats are cut
    toward zero, as ``int()`` does).
    """
    a = np.asarray(values)
    try:
        a = (np.trunc(a) if a.dtype.kind == "f" else a).astype(np.int64)
    except (OverflowError, TypeError):
        raise ValueError(f"a sample does not fit {width * 8} signed bits") from None
    a = a.ravel()
    low, high = -(1 << (8 * width - 1)), (1 << (8 * width - 1)) - 1
    outside = (a < low) | (a > high)
    if outside.any():
        raise ValueError(f"sample {int(a[outside][0])} does not fit {width * 8} signed bits")
    return a.astype("<i8").view(np.uint8).reshape(-1, 8)[:, :width].tobytes()


def _signed_bytes(value: int, width: int) -> bytes:
    try:
        return value.to_bytes(width, "little", signed=True)
    except OverflowError:
        raise ValueError(f"sample {value} does not fit {width * 8} signed bits") from None


def encode_ecg_frame(
    sensor_time_ns: int, samples_uv: Sequence[int] | npt.NDArray[np.integer]
) -> bytes:
    """An ECG type 0 frame; ``sensor_time_ns`` is the time of the last sample.

    The exact inverse of :func:`decode_data_frame` for ECG. Raises :class:`ValueError` for
    no samples, a sample outside signed 24 bits or a timestamp outside unsigned 64 bits.
    """
    if len(samples_uv) == 0:
        raise ValueError("an ECG frame needs at least one sample")
    body = _packed(samples_uv, _ECG_SAMPLE_BYTES)
    return _header(_ECG_TYPE, sensor_time_ns, 0) + body


def _bits_needed(delta: int) -> int:
    """Fewest bits of two's complement that hold ``delta`` (at least 1)."""
    return max(1, (delta if delta >= 0 else ~delta).bit_length() + 1)


def _pack_block(deltas: Sequence[int], width: int) -> bytes:
    mask = (1 << width) - 1
    bits = 0
    for i, delta in enumerate(deltas):
        bits |= (delta & mask) << (i * width)
    return bits.to_bytes((width * len(deltas) + 7) // 8, "little")


def _compressed_body(samples: Sequence[tuple[int, int, int]], resolution_bits: int) -> bytes:
    ref_bytes = (resolution_bits + 7) // 8
    low, high = -(1 << (resolution_bits - 1)), (1 << (resolution_bits - 1)) - 1
    if not all(low <= v <= high for v in samples[0]):
        raise ValueError(
            f"reference sample {samples[0]} does not fit {resolution_bits} signed bits"
        )
    body = b"".join(_signed_bytes(v, ref_bytes) for v in samples[0])
    deltas = [(b[0] - a[0], b[1] - a[1], b[2] - a[2]) for a, b in itertools.pairwise(samples)]
    for start in range(0, len(deltas), _BLOCK_SAMPLES_MAX):
        block = [d for sample in deltas[start : start + _BLOCK_SAMPLES_MAX] for d in sample]
        width = max(_bits_needed(d) for d in block)
        if width > _DELTA_WIDTH_MAX:
            raise ValueError(f"a delta needs {width} bits; at most {_DELTA_WIDTH_MAX} fit")
        body += bytes([width, len(block) // _ACC_CHANNELS]) + _pack_block(block, width)
    return body


def encode_acc_frame(
    sensor_time_ns: int,
    samples_mg: Sequence[tuple[int, int, int]] | npt.NDArray[np.integer],
    settings: PmdSettings,
    *,
    compressed: bool = False,
) -> bytes:
    """An ACC frame; ``sensor_time_ns`` is the time of the last sample.

    Raw frames take the narrowest type that holds ``settings.resolution_bits`` (type 0 up to
    8 bits, 1 up to 16 — the H10's —, 2 up to 24). Compressed frames are type 0x81 (16-bit
    reference samples at the H10's 16-bit resolution), with one block per 255 samples, each
    as narrow as its largest delta allows. The exact inverse of :func:`decode_data_frame`
    with the same ``settings``. Raises :class:`ValueError` when a sample does not fit.
    """
    if len(samples_mg) == 0:
        raise ValueError("an ACC frame needs at least one sample")
    resolution = settings.resolution_bits
    if compressed:
        return _header(_ACC_TYPE, sensor_time_ns, _COMPRESSED | 1) + _compressed_body(
            [(int(x), int(y), int(z)) for x, y, z in samples_mg], resolution
        )
    frame_type = next((t for t, w in _ACC_RAW_BYTES.items() if resolution <= 8 * w), None)
    if frame_type is None:
        raise ValueError(f"no raw ACC frame type holds {resolution}-bit samples")
    width = _ACC_RAW_BYTES[frame_type]
    body = _packed(samples_mg, width)
    return _header(_ACC_TYPE, sensor_time_ns, frame_type) + body
