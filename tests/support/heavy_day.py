"""The heavy fixture day (``fixtures/heavy-day.hsrec``): its file and its clock times."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from tests.support.paths import FIXTURES

HEAVY: Final = FIXTURES / "heavy-day.hsrec"
"""The recording of the heavy day, 2026-11-23."""


def at(hhmm: str) -> float:
    """Epoch seconds of a time on the heavy fixture's day (2026-11-23, UTC in tests).

    The recording starts at 08:25:54; its first client session at 08:36:13.
    """
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2026, 11, 23, h, m, tzinfo=UTC).timestamp()
