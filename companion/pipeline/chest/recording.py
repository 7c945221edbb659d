"""A whole file's chest samples, for ``holdspace analyze``: ECG and accelerometer as arrays.

The live stage keeps the last minutes of a strap's PMD samples
(:class:`~companion.pipeline.chest.minutes.ChestStage`); a file analysed at once keeps them all:
:class:`PmdCollector` follows the pipeline and hands a :class:`ChestRecording`, whose
windows :mod:`companion.cli.analyze` reads epoch by epoch by the live stage's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from companion.pipeline.chest.minutes import longest_run
from companion.pipeline.listener import RunListener
from sensors.events import AccSamples, EcgSamples, SourceEvent

__all__ = ["ChestRecording", "PmdCollector"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ChestRecording:
    """A whole file's ECG and accelerometer samples as arrays (``holdspace analyze``).

    Attributes
    ----------
    acc_t_s, acc_xyz_mg : accelerometer sample times (epoch s) and x, y, z in mg, one row
        per sample, in time order (empty without an accelerometer).
    ecg_t_s, ecg_uv, ecg_rate_hz : ECG sample times (epoch s), samples in µV and the rate
        (empty, 0 without ECG).
    """

    acc_t_s: FloatArray
    acc_xyz_mg: FloatArray
    ecg_t_s: FloatArray
    ecg_uv: FloatArray
    ecg_rate_hz: float

    def acc_window(self, start_s: float, end_s: float) -> tuple[FloatArray, FloatArray]:
        """Accelerometer samples in ``[start_s, end_s)``: times and rows."""
        lo, hi = np.searchsorted(self.acc_t_s, (start_s, end_s))
        return self.acc_t_s[lo:hi], self.acc_xyz_mg[lo:hi]

    def ecg_run(self, start_s: float, end_s: float) -> tuple[float, float, FloatArray]:
        """:func:`longest_run` of the ECG in ``[start_s, end_s)``."""
        lo, hi = np.searchsorted(self.ecg_t_s, (start_s, end_s))
        return longest_run(self.ecg_t_s[lo:hi], self.ecg_uv[lo:hi], self.ecg_rate_hz)


class PmdCollector(RunListener):
    """Collects a run's ECG and accelerometer samples for :class:`ChestRecording`."""

    def __init__(self) -> None:
        # Each frame's samples as a small int32 array: a day of Python ints would take
        # several hundred MB (ECG 130/s and acceleration 3 x 50/s for hours).
        self._acc: list[tuple[float, float, npt.NDArray[np.int32]]] = []
        self._ecg: list[tuple[float, float, npt.NDArray[np.int32]]] = []

    def on_event(self, event: SourceEvent) -> None:
        if isinstance(event, AccSamples) and event.samples_mg:
            samples = np.asarray(event.samples_mg, dtype=np.int32)
            self._acc.append((event.first_sample_s, event.rate_hz, samples))
        elif isinstance(event, EcgSamples) and event.samples_uv:
            samples = np.asarray(event.samples_uv, dtype=np.int32)
            self._ecg.append((event.first_sample_s, event.rate_hz, samples))

    def recording(self) -> ChestRecording | None:
        """The samples collected, in time order; None when the run had none."""
        if not self._acc and not self._ecg:
            return None
        acc_t, acc = _columns(self._acc, 3)
        ecg_t, ecg = _columns(self._ecg, 0)
        rate = self._ecg[-1][1] if self._ecg else 0.0
        return ChestRecording(acc_t, acc, ecg_t, ecg, rate)


def _columns(
    chunks: Sequence[tuple[float, float, npt.NDArray[np.int32]]], width: int
) -> tuple[FloatArray, FloatArray]:
    """Times and samples of ``chunks`` (sample k of a chunk at ``first + k / rate``), sorted
    by time; ``width`` columns (0: one value a sample)."""
    if not chunks:
        return np.zeros(0), np.zeros((0, width)) if width else np.zeros(0)
    t = np.concatenate(
        [first + np.arange(len(xs), dtype=np.float64) / rate for first, rate, xs in chunks]
    )
    x = np.concatenate([np.asarray(xs, dtype=np.float64) for _, _, xs in chunks])
    order = np.argsort(t, kind="stable")
    return t[order], x[order]
