"""What the live artifact detector answers: one verdict per beat, or a batch as arrays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from signals.artifacts.lipponen import ArtifactKind

__all__ = ["KINDS", "LiveVerdict", "VerdictBatch"]

KINDS: Final = tuple(ArtifactKind)
"""Kinds by code."""


@dataclass(frozen=True, slots=True)
class LiveVerdict:
    """The answer for one beat.

    Attributes
    ----------
    index : position of the beat in the stream (0 for the first beat pushed).
    rr_ms : its RR interval, in milliseconds.
    kind : what the interval is (see :class:`~signals.artifacts.lipponen.ArtifactKind`).
    """

    index: int
    rr_ms: float
    kind: ArtifactKind

    @property
    def flagged(self) -> bool:
        """True when the interval is not normal-to-normal."""
        return self.kind != ArtifactKind.NORMAL


@dataclass(frozen=True, slots=True, eq=False)
class VerdictBatch:
    """The verdicts of
    :meth:`~signals.artifacts.live.detector.LiveArtifactDetector.push_many`, as arrays.

    Attributes
    ----------
    first_index : stream position of the first beat answered for.
    kinds : each beat's :class:`~signals.artifacts.lipponen.ArtifactKind` code.
    rr_ms : each beat's RR interval, in milliseconds.
    """

    first_index: int
    kinds: npt.NDArray[np.int8]
    rr_ms: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return int(self.kinds.size)

    @property
    def flagged(self) -> npt.NDArray[np.bool_]:
        """True where the interval is not normal-to-normal."""
        flagged: npt.NDArray[np.bool_] = self.kinds != ArtifactKind.NORMAL
        return flagged

    def verdicts(self) -> list[LiveVerdict]:
        """One :class:`LiveVerdict` per beat, as the detector's ``push`` gives them."""
        return [
            LiveVerdict(self.first_index + i, rr, KINDS[kind])
            for i, (rr, kind) in enumerate(
                zip(self.rr_ms.tolist(), self.kinds.tolist(), strict=True)
            )
        ]
