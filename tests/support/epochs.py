"""Epochs for the signal tests: a minute at a baseline, and the fixture days cut into minutes.

:func:`recorded_day` replays a fixture through the strap decoder and builds its epochs
incrementally, event by event, the way the companion does; :func:`scored_day` scores
them against the file's own calm baseline. Both are cached: each day is built once.
"""

from __future__ import annotations

import asyncio
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from sensors.events import Disconnected, Measurement, SourceEvent
from sensors.hrm import SensorContact
from sensors.replay import ReplaySource
from signals.artifacts.batch import screen_artifacts
from signals.epochs.builder import EpochBuilder
from signals.epochs.types import Epoch
from signals.scores.baseline import Baseline, baseline_from_file_calm
from signals.scores.stress import StressScore, StressScorer
from tests.support.paths import FIXTURES

T0: Final = 1_795_500_000.0
"""A whole minute (divisible by 60), epoch seconds: where hand-built minutes start."""
BASE: Final = Baseline("resting", 65.0, 5.0, 3.5, 0.3, 5, 1, "test")
"""A resting baseline: 65 ± 5 beats/min, ln RMSSD 3.5 ± 0.3."""
AT_BASELINE: Final = Epoch(
    start_s=T0,
    n_beats=65,
    coverage=1.0,
    artifact_fraction=0.0,
    hr_bpm=65.0,
    rmssd_ms=math.exp(3.5),
    ln_rmssd=3.5,
    rmssd_5min_ms=math.exp(3.5),
    ln_rmssd_5min=3.5,
    hr_rise_bpm_30s=2.0,
    n_diffs=64,
    quality="good",
    quality_reason="",
)
"""A good minute exactly at :data:`BASE`."""


@dataclass(frozen=True)
class RecordedDay:
    """A fixture replayed through the strap decoder, with its epochs."""

    time_s: npt.NDArray[np.float64]
    rr_ms: npt.NDArray[np.float64]
    gap_before: npt.NDArray[np.bool_]
    artifact: npt.NDArray[np.bool_]
    no_contact_s: tuple[float, ...]
    disconnected_s: tuple[float, ...]
    end_s: float
    truth: Mapping[str, Any]
    epochs: tuple[Epoch, ...]


def iso_s(text: str) -> float:
    """Seconds since the epoch of an ISO time from a fixture's truth."""
    return datetime.fromisoformat(text).timestamp()


async def _events(name: str) -> tuple[list[SourceEvent], Mapping[str, Any]]:
    source = ReplaySource(FIXTURES / name, speed=None)
    return [event async for event in source.events()], source.header.truth


@functools.cache
def recorded_day(name: str) -> RecordedDay:
    """Replay ``fixtures/name`` and build its epochs incrementally, event by event."""
    events, truth = asyncio.run(_events(name))
    beats = [b for e in events if isinstance(e, Measurement) for b in e.beats]
    rr = np.array([b.rr_ms for b in beats])
    gaps = np.array([b.gap_before for b in beats])
    flagged = screen_artifacts(rr, gaps).flagged
    builder = EpochBuilder()
    epochs: list[Epoch] = []
    no_contact: list[float] = []
    dropped: list[float] = []
    k = 0
    end_s = 0.0
    for event in events:
        if isinstance(event, Measurement):
            end_s = event.arrival_s
            if event.measurement.contact is SensorContact.NO_CONTACT:
                no_contact.append(event.arrival_s)
                epochs += builder.mark_no_signal(event.arrival_s)
            for beat in event.beats:
                epochs += builder.push(beat.time_s, beat.rr_ms, beat.gap_before, bool(flagged[k]))
                k += 1
            epochs += builder.advance_to(event.arrival_s)
        elif isinstance(event, Disconnected):
            dropped.append(event.at_s)
            epochs += builder.mark_no_signal(event.at_s, disconnected=True)
    return RecordedDay(
        time_s=np.array([b.time_s for b in beats]),
        rr_ms=rr,
        gap_before=gaps,
        artifact=flagged,
        no_contact_s=tuple(no_contact),
        disconnected_s=tuple(dropped),
        end_s=end_s,
        truth=truth,
        epochs=tuple(epochs),
    )


@functools.cache
def scored_day(name: str) -> tuple[RecordedDay, tuple[StressScore, ...]]:
    """:func:`recorded_day` and the stress score of each of its minutes (file-calm baseline)."""
    day = recorded_day(name)
    scorer = StressScorer(baseline_from_file_calm(day.epochs))
    return day, tuple(scorer.score(e) for e in day.epochs)
