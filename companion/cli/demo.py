"""What ``holdspace demo`` records: the emulated strap playing a generated heavy workday.

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


def demo_options(speed: float, duration_s: float | None) -> RecordOptions:
    """What ``holdspace demo`` records: the emulated strap playing a generated heavy workday."""

    _header, events = simulate_recording(
        DEMO_SCENARIO, seed=DEMO_SEED, day=date.today(), tz=_local_tz()
    )
    return RecordOptions(
        socket_path=None,
        duration_s=duration_s,
        emulation=Emulation(events, speed=speed, play_helper=True),
    )


def _local_tz() -> Any:
    return datetime.now().astimezone().tzinfo
