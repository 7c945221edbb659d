"""What ``holdspace demo`` records: an emulated Polar H10 playing a generated heavy workday.

The strap streams heart rate and, over Polar's PMD service, its ECG (130 Hz) and chest
accelerometer (50 Hz), all from the generator (``holdspace simulate heavy --pmd``).
Both the demo command (:mod:`companion.cli.strap`) and the screen's demo key
(:mod:`companion.cli.screen`) start it from here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final

from companion.live.recorder import Emulation, RecordOptions
from sensors.simulate import simulate_recording

if TYPE_CHECKING:
    from companion.live.recorder import RecordOptions

__all__ = ["DEMO_SPEED", "demo_options"]

DEMO_SCENARIO: Final = "heavy"
DEMO_SEED: Final = 7
DEMO_SPEED: Final = 60.0
DEMO_PMD: Final = True
"""The demo's strap is an H10 streaming ECG and ACC (its day takes ~3 s to generate, in a
thread once the strap starts: the screen draws meanwhile)."""


def demo_options(speed: float, duration_s: float | None) -> RecordOptions:
    """What ``holdspace demo`` records: the emulated H10 playing a generated heavy workday."""
    emulation = Emulation(generate=_demo_day, speed=speed, play_helper=True, pmd=DEMO_PMD)
    return RecordOptions(socket_path=None, duration_s=duration_s, emulation=emulation, pmd=DEMO_PMD)


def _demo_day() -> list[Any]:
    """Today's generated heavy workday, every line of it."""
    _header, events = simulate_recording(
        DEMO_SCENARIO, seed=DEMO_SEED, day=date.today(), tz=_local_tz(), pmd=DEMO_PMD
    )
    return events


def _local_tz() -> Any:
    return datetime.now().astimezone().tzinfo
