"""A per-minute stress score, 0-100, that can always say which marker moved and by how much.

The formula (open, two markers, one curve)
------------------------------------------
For a good-quality minute and a :class:`~signals.scores.baseline.Baseline`:

- ``hr_delta_bpm = hr_bpm - baseline.hr_bpm`` (60-s heart rate);
- ``ln_rmssd_delta = ln_used - baseline.ln_rmssd``, where ``ln_used`` is the lower of
  the 60-s ln RMSSD and its blend with the 5-min one, ``(1 - VAGAL_BLEND_5MIN) * ln_60s
  + VAGAL_BLEND_5MIN * ln_5min`` (the 60-s value alone when the 5-min one is missing):
  *quick to fall, slow to recover*. The blend halves the minute-to-minute noise of
  ultra-short RMSSD on the way back to baseline, but a trailing 5-min window still
  holds up to four calm minutes when load begins; on generated heavy days that held
  the score below the high band for two to three minutes after heart rate had
  risen 16-20 bpm (``bench/prompts_bench.py``). Taking the 60-s value whenever it is
  lower lets a withdrawal count at once, while a recovery must show in the blend;
  one low noisy minute is kept from flipping a band by the hysteresis of
  :mod:`signals.scores.bands`;
- z-like deviations in units of the baseline spread, clipped to ``[Z_MIN, Z_MAX]``:
  ``z_hr = hr_delta_bpm / hr_spread_bpm`` (heart rate above baseline) and
  ``z_vagal = -ln_rmssd_delta / ln_rmssd_spread`` (vagal withdrawal: ln RMSSD below);
- components ``hr_component = W_HR * z_hr`` and ``vagal_component = W_VAGAL * z_vagal``,
  summed to ``x``;
- ``score = round(100 / (1 + exp(-(x - X_MID) / X_SCALE)))``.

With the constants below, a minute at baseline scores 5 ("rest"), one spread up
on both markers 19, two spreads 50, three 81 and four 95.

Bands (as consumer devices show them): 0-25 ``"rest"``, 26-50 ``"low"``,
51-75 ``"medium"``, 76-100 ``"high"``. :func:`stress_score` gives a minute's plain
band; :class:`StressScorer` gives the *steady* band of the stream, which changes only
with a margin over two scored minutes (:mod:`signals.scores.bands`), so a 72 -> 73 bpm
step cannot flip it.

No score (``score`` None, ``unscored_reason`` in plain words) when the minute's
quality is not good (contact lost, low coverage, artifacts above 10 %; see
:mod:`signals.epochs.batch`), or when movement is the likelier cause: the 10-s heart
rate rose more than :data:`MOVEMENT_RISE_BPM` within 30 s (psychological load
raises heart rate over minutes, standing up or climbing stairs within seconds).
:class:`StressScorer` then also withholds the next :data:`SETTLE_MINUTES` minutes
while heart rate settles. The score describes the body's activation, never a
diagnosis.

References
----------
Kim HG et al. Stress and heart rate variability: a meta-analysis and review of the
literature. Psychiatry Investig 2018;15:235-245 (stress lowers HF HRV and RMSSD).
Thayer JF et al. A meta-analysis of heart rate variability and neuroimaging studies:
implications for heart rate variability as a marker of stress and health. Neurosci
Biobehav Rev 2012;36:747-756. Laborde S, Mosley E, Thayer JF. Heart rate variability
and cardiac vagal tone in psychophysiological research. Front Psychol 2017;8:213.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

from signals.epochs.types import Epoch
from signals.scores.bands import BANDS, Band, SteadyLevel, band_of
from signals.scores.baseline import Baseline

__all__ = [
    "MOVEMENT_RISE_BPM",
    "SETTLE_MINUTES",
    "StressScore",
    "StressScorer",
    "stress_score",
]

W_HR: Final = 0.5
"""Weight of the heart-rate deviation."""
W_VAGAL: Final = 0.5
"""Weight of the vagal (ln RMSSD) deviation."""
VAGAL_BLEND_5MIN: Final = 0.5
"""Weight of the 5-min ln RMSSD in the blend (the rest is the 60-s value); the vagal
marker is the lower of the 60-s value and that blend."""
Z_MIN: Final = -3.0
"""Deviations are clipped below, so very high HRV cannot hide a raised heart rate."""
Z_MAX: Final = 6.0
"""Deviations are clipped above, so one wild value cannot dominate."""
X_MID: Final = 2.0
"""Combined deviation (in spreads) that scores 50."""
X_SCALE: Final = 0.7
"""Steepness of the logistic curve, in spreads."""
MOVEMENT_RISE_BPM: Final = 20.0
"""A rise of the 10-s heart rate above this within 30 s means likely movement."""
SETTLE_MINUTES: Final = 2
"""Minutes left unscored after likely movement, while heart rate settles."""


@dataclass(frozen=True, slots=True)
class StressScore:
    """The stress score of one minute and what moved it.

    Attributes
    ----------
    start_s : start of the minute, in seconds since the Unix epoch.
    score : 0-100, or None when the minute is not scored.
    band : ``"rest"``, ``"low"``, ``"medium"``, ``"high"``; None when not scored. The
        plain band of the score from :func:`stress_score`, the steady band of the
        stream from :class:`StressScorer` (:mod:`signals.scores.bands`).
    hr_delta_bpm : heart rate minus baseline, in beats per minute.
    ln_rmssd_delta : ln RMSSD (blend) minus baseline; negative = vagal withdrawal.
    hr_component : contribution of heart rate to the combined deviation (spreads).
    vagal_component : contribution of vagal withdrawal (spreads).
    unscored_reason : why there is no score, in plain words ("" when scored).
    """

    start_s: float
    score: int | None
    band: Band | None
    hr_delta_bpm: float | None
    ln_rmssd_delta: float | None
    hr_component: float | None
    vagal_component: float | None
    unscored_reason: str = ""

    def explain(self) -> str:
        """One plain sentence: the score and which marker moved by how much.

        The marker that moved the score more comes first, e.g. "Stress 88 (high):
        heart rate 18 bpm above your baseline, HRV (ln RMSSD) 0.6 below it."
        """
        if self.score is None:
            return f"No stress score this minute: {self.unscored_reason}."
        phrases: list[tuple[float, str]] = []
        # A change that rounds to zero as shown is "at" the reference, never above or below.
        if self.hr_delta_bpm is not None:
            shown = round(abs(self.hr_delta_bpm))
            side = "above" if self.hr_delta_bpm >= 0 else "below"
            text = f"heart rate {shown} bpm {side} {{ref}}" if shown else "heart rate at {ref}"
            phrases.append((self.hr_component or 0.0, text))
        if self.ln_rmssd_delta is not None:
            shown_ln = round(abs(self.ln_rmssd_delta), 1)
            side = "below" if self.ln_rmssd_delta <= 0 else "above"
            text = (
                f"HRV (ln RMSSD) {shown_ln:.1f} {side} {{ref}}"
                if shown_ln
                else "HRV (ln RMSSD) at {ref}"
            )
            phrases.append((self.vagal_component or 0.0, text))
        phrases.sort(key=lambda p: -p[0])
        refs = ("your baseline", "it")
        body = ", ".join(
            text.format(ref=ref) for (_, text), ref in zip(phrases, refs, strict=False)
        )
        return f"Stress {self.score} ({self.band}): {body}."


def _unscored(start_s: float, reason: str) -> StressScore:
    return StressScore(start_s, None, None, None, None, None, None, reason)


def _clip(z: float) -> float:
    return min(Z_MAX, max(Z_MIN, z))


def stress_score(epoch: Epoch, baseline: Baseline) -> StressScore:
    """Score one minute against ``baseline`` (the formula is in :mod:`signals.scores.stress`).

    Movement and settling are judged here for this minute alone; use
    :class:`StressScorer` for the live stream, which also withholds the minutes after.
    """
    if not epoch.is_good:
        return _unscored(epoch.start_s, epoch.quality_reason or "the signal is poor")
    rise = epoch.hr_rise_bpm_30s
    if rise is not None and rise > MOVEMENT_RISE_BPM:
        return _unscored(
            epoch.start_s,
            f"heart rate rose {rise:.0f} bpm within 30 s, more likely movement than stress",
        )
    if epoch.hr_bpm is None or epoch.ln_rmssd is None:
        return _unscored(epoch.start_s, "too few clean beats this minute")
    ln_used = epoch.ln_rmssd
    if epoch.ln_rmssd_5min is not None:
        blend = (1.0 - VAGAL_BLEND_5MIN) * epoch.ln_rmssd + VAGAL_BLEND_5MIN * epoch.ln_rmssd_5min
        ln_used = min(ln_used, blend)
    hr_delta = epoch.hr_bpm - baseline.hr_bpm
    ln_delta = ln_used - baseline.ln_rmssd
    hr_component = W_HR * _clip(hr_delta / baseline.hr_spread_bpm)
    vagal_component = W_VAGAL * _clip(-ln_delta / baseline.ln_rmssd_spread)
    x = hr_component + vagal_component
    score = round(100.0 / (1.0 + math.exp(-(x - X_MID) / X_SCALE)))
    return StressScore(
        start_s=epoch.start_s,
        score=score,
        band=band_of(score),
        hr_delta_bpm=hr_delta,
        ln_rmssd_delta=ln_delta,
        hr_component=hr_component,
        vagal_component=vagal_component,
    )


class StressScorer:
    """Scores the live stream of epochs, withholding minutes after likely movement.

    Each score's ``band`` is the steady band of the stream so far
    (:class:`~signals.scores.bands.SteadyLevel`), the same one
    :func:`~signals.scores.bands.steady_bands` gives over the stored minutes.

    Parameters
    ----------
    baseline : what the scores are measured against; may be replaced at any
        time through :attr:`baseline` (e.g. when the rolling baseline updates).
    """

    def __init__(self, baseline: Baseline) -> None:
        self.baseline = baseline
        self._settle_left = 0
        self._steady = SteadyLevel()

    def score(self, epoch: Epoch) -> StressScore:
        """Score the next minute (minutes must come in order); its band is the steady one."""
        result = self._withheld(stress_score(epoch, self.baseline), epoch)
        level = self._steady.update(result.start_s, result.score)
        if level is None:
            return result
        steady: Band = BANDS[level]
        return result if steady == result.band else replace(result, band=steady)

    def _withheld(self, result: StressScore, epoch: Epoch) -> StressScore:
        """``result``, unscored while heart rate settles after likely movement."""
        rise = epoch.hr_rise_bpm_30s
        if rise is not None and rise > MOVEMENT_RISE_BPM:
            self._settle_left = SETTLE_MINUTES
            return result
        if self._settle_left > 0:
            self._settle_left -= 1
            if result.score is not None:
                return _unscored(epoch.start_s, "heart rate is settling after likely movement")
        return result
