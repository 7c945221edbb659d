"""A body that answers prompts: a beat source whose coming beats change when a prompt is shown.

For testing learning (issue 20) in a closed loop: the helper's app decides, minute by
minute, to show or hold a prompt; this wrapper of any :class:`~sensors.source.BeatSource`
hears the shown ones (:meth:`RespondingSource.prompt_shown`, called by whoever follows the
run) and from then on bends the beats it passes on by a known effect, so a test can check
that comparing shown with held prompts recovers what it was told. A held prompt changes
nothing, and with a zero effect every event passes through unchanged (the same objects).

The effect of one shown prompt of its kind, ``dt`` seconds after it was shown, is a
weight ``w(dt)``: 0 before, rising linearly to 1 over ``ramp_s`` (a sudden step would
read as an artefact), 1 until ``hold_s``, then fading linearly to 0 over ``fade_s``.
Weights of overlapping prompts add. Each beat's RR interval becomes::

    m    <- m + a * (rr - m)                  running level of RR, a = 0.1 (about 10 beats)
    hr   =  60000 / m + w * hr_change_bpm     the level, moved by the effect, in beats/min
    rr'  =  60000 / hr + (1 + w * (rmssd_ratio - 1)) * (rr - m)

so heart rate moves by ``w * hr_change_bpm`` and the beat-to-beat swings (and with them
RMSSD) scale by ``1 + w * (rmssd_ratio - 1)``. Beat times are kept: the minutes stay where
they were, and heart rate and HRV, which are read from the RR intervals, move. The level
restarts after a gap. Pure arithmetic, no randomness: the same input and the same shown
prompts give the same beats.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Final

from sensors.beats import Beat
from sensors.events import Measurement, SourceEvent
from sensors.source import BeatSource

__all__ = ["PromptEffect", "RespondingSource"]

LEVEL_GAIN: Final = 0.1
"""Gain ``a`` of the running RR level (an exponential mean over about ten beats)."""


@dataclass(frozen=True, slots=True)
class PromptEffect:
    """What a shown prompt of ``kind`` does to the body (see the module docstring).

    Attributes
    ----------
    kind : the prompt kind it follows (``"pause"``, ``"breathe"``).
    hr_change_bpm : heart-rate change at full effect, in beats/min (-6: falls by 6).
    rmssd_ratio : RMSSD at full effect over RMSSD without (1.2: rises 20 %).
    ramp_s, hold_s, fade_s : rise to full effect, full effect until, fade after, seconds.
    """

    kind: str
    hr_change_bpm: float = 0.0
    rmssd_ratio: float = 1.0
    ramp_s: float = 60.0
    hold_s: float = 600.0
    fade_s: float = 300.0

    @property
    def none(self) -> bool:
        """Whether the effect changes nothing."""
        return self.hr_change_bpm == 0.0 and self.rmssd_ratio == 1.0

    def weight(self, dt_s: float) -> float:
        """``w(dt)``: 0 before, a ramp to 1, 1 until ``hold_s``, a fade to 0."""
        if dt_s <= 0.0:
            return 0.0
        if dt_s < self.ramp_s:
            return dt_s / self.ramp_s
        if dt_s <= self.hold_s:
            return 1.0
        return max(0.0, 1.0 - (dt_s - self.hold_s) / self.fade_s)

    def mean_weight(self, start_s: float, end_s: float, step_s: float = 1.0) -> float:
        """Mean of ``w`` over ``[start_s, end_s)`` after the prompt (midpoint rule)."""
        n = max(1, round((end_s - start_s) / step_s))
        width = (end_s - start_s) / n
        return sum(self.weight(start_s + (i + 0.5) * width) for i in range(n)) / n


class RespondingSource:
    """Wraps ``inner``; after :meth:`prompt_shown`, the coming beats carry the effect.

    Parameters
    ----------
    inner : the source to wrap (a replayed generated day, say).
    effects : one :class:`PromptEffect` per prompt kind that has one.
    """

    def __init__(self, inner: BeatSource, effects: Sequence[PromptEffect]) -> None:
        self.inner = inner
        self.source_id = inner.source_id
        self.description = f"{inner.description}, answering prompts"
        self._effects = {e.kind: e for e in effects if not e.none}
        self._shown: list[tuple[PromptEffect, float]] = []
        self._level_ms: float | None = None

    @property
    def progress(self) -> float | None:
        return self.inner.progress

    @property
    def shown(self) -> tuple[tuple[str, float], ...]:
        """The shown prompts that carry an effect: (kind, shown at, epoch seconds)."""
        return tuple((e.kind, t) for e, t in self._shown)

    def prompt_shown(self, kind: str, at_s: float) -> None:
        """A prompt of ``kind`` was shown at ``at_s``: the body answers from then on."""
        effect = self._effects.get(kind)
        if effect is not None:
            self._shown.append((effect, at_s))

    async def events(self) -> AsyncIterator[SourceEvent]:
        async for event in self.inner.events():
            if isinstance(event, Measurement) and event.beats:
                beats = tuple(self._bend(b) for b in event.beats)
                if beats != event.beats:
                    event = dataclasses.replace(event, beats=beats)
            yield event

    def _bend(self, beat: Beat) -> Beat:
        level = self._level_ms
        level = beat.rr_ms if level is None or beat.gap_before else level
        level += LEVEL_GAIN * (beat.rr_ms - level)
        self._level_ms = level
        hr_change, swing = 0.0, 0.0
        weights = [(e, e.weight(beat.time_s - t)) for e, t in self._shown]
        for effect, w in weights:
            hr_change += w * effect.hr_change_bpm
            swing += w * (effect.rmssd_ratio - 1.0)
        if hr_change == 0.0 and swing == 0.0:
            return beat
        hr_bpm = 60000.0 / level + hr_change
        rr_ms = 60000.0 / hr_bpm + (1.0 + swing) * (beat.rr_ms - level)
        return Beat(beat.time_s, rr_ms, beat.gap_before)
