"""A store holding randomised prompts with known changes after them (issue 20).

Twelve pauses, hourly from 08:00 on :data:`DAY`, shown and held in turn, each followed by
ten minutes whose stress and heart rate moved by a known amount from the minute before;
then a pause shown after a held one and a contact (neither randomised: they must not count).
Shown pauses: stress -22/-20/-18 (mean -20), heart rate -9/-8/-7 (-8); held: -7/-5/-3 (-5)
and -3/-2/-1 (-2). So shown minus held is -15 points and -6 bpm, 6 and 6 times.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

from companion.store.store import Store

DAY: Final = date(2026, 10, 5)
SHOWN_STRESS: Final = (-22.0, -20.0, -18.0)
HELD_STRESS: Final = (-7.0, -5.0, -3.0)
SHOWN_HR: Final = (-9.0, -8.0, -7.0)
HELD_HR: Final = (-3.0, -2.0, -1.0)


def _prompt(at_s: float, fate: str, kind: str, p: float | None) -> dict[str, Any]:
    return {
        "prompt_id": f"{kind}-{at_s:.0f}",
        "kind": kind,
        "rule": "sustained_high" if kind == "pause" else "daily_load",
        "raised_s": at_s,
        "reason": "",
        "in_session": False,
        "delivered_s": at_s if fate == "delivered" else None,
        "fate": fate,
        "merged_into": None,
        "response": None,
        "responded_s": None,
        "before_after": None,
        "decided_s": at_s,
        "hold_probability": p,
    }


def _minutes(at_s: float, stress: float, hr: float) -> list[dict[str, Any]]:
    before = {"start_s": at_s - 60.0, "stress": 70, "hr_bpm": 90.0}
    after = [
        {"start_s": at_s + 60.0 * j, "stress": 70 + stress, "hr_bpm": 90.0 + hr} for j in range(10)
    ]
    return [before, *after]


def build_learning_store(folder: Path) -> None:
    """Write the store described in the module docstring into ``folder``."""
    t0 = datetime(DAY.year, DAY.month, DAY.day, 8, 0).timestamp()
    prompts, minutes = [], []
    for i in range(12):
        at_s = t0 + 3600.0 * i
        shown = i % 2 == 0
        stress = (SHOWN_STRESS if shown else HELD_STRESS)[i % 3]
        hr = (SHOWN_HR if shown else HELD_HR)[i % 3]
        prompts.append(_prompt(at_s, "delivered" if shown else "held", "pause", 0.2))
        minutes += _minutes(at_s, stress, hr)
    extra = t0 + 3600.0 * 12 + 1800.0
    prompts.append(_prompt(extra, "delivered", "pause", None))
    prompts.append(_prompt(extra + 1200.0, "delivered", "contact", None))
    minutes += _minutes(extra, -60.0, -30.0)
    with Store(folder) as store:
        store.put_prompts(prompts, "recording:test")
        store.append_epochs(minutes, "recording:test")
