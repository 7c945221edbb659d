"""Names the command line offers before anything heavy is loaded.

The modules that implement them (:mod:`sensors.rrfiles.formats`,
:mod:`sensors.simulate`) import numpy; ``holdspace --help`` and the screens
should not have to.
"""

from __future__ import annotations

from typing import Final

__all__ = ["IMPORT_FORMATS", "SCENARIOS"]

IMPORT_FORMATS: Final[tuple[str, ...]] = ("rr-ms", "rr-s", "kubios", "polar", "holdspace-csv")
"""Formats ``holdspace import`` and ``analyze`` read (:mod:`sensors.rrfiles.formats`)."""

SCENARIOS: Final[tuple[str, ...]] = ("calm", "heavy", "rest", "paced-breathing", "walking-day")
"""Days ``holdspace simulate`` generates (:mod:`sensors.simulate`)."""
