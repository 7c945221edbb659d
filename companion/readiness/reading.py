"""A day's morning reading from the store, kept in it, and weighed against the usual.

The rule that picks the minutes and the usual are :mod:`signals.scores.readiness`'s. Here:

- :func:`morning_minutes` turns a day's stored minutes (``epochs.json``) and sessions
  into :class:`~signals.scores.readiness.MorningMinute`\\ s (local time of day, quality,
  steady band, activity when a chest accelerometer tells, open sessions, first client);
- :func:`day_reading`: a reading taken from the screen (:func:`screen_reading`, kept by
  :func:`save_screen_reading`; ``source`` ``screen``) wins; otherwise the stored automatic
  one; otherwise the rule over the stored minutes;
- :func:`refresh_morning` stores the automatic reading of a day (at the end of a run), never
  over a screen reading;
- :func:`readiness_of`: the day's reading against the readings of the 28 days before;
- :func:`readiness_json`: ``{"date", "ln_rmssd", "hr_bpm", "usual": {"mean", "low",
  "high"}, "status", "readings"}`` (``usual``'s values null without enough days;
  ``ln_rmssd`` and ``hr_bpm`` null without a reading, status ``no_reading``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Final

from companion.store.store import Store
from companion.store.types import StoredSession
from signals.scores.baseline import Baseline
from signals.scores.readiness import (
    RANGE_DAYS,
    TREND_DAYS,
    DayReading,
    MorningMinute,
    MorningReading,
    Readiness,
    assess,
    pick_morning_reading,
)

__all__ = [
    "day_reading",
    "live_reading",
    "morning_minutes",
    "readiness_json",
    "readiness_of",
    "reading_from_doc",
    "reading_json",
    "refresh_morning",
    "save_screen_reading",
    "screen_reading",
]

_HISTORY_DAYS: Final = max(RANGE_DAYS, TREND_DAYS)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def morning_minutes(
    epochs: Sequence[Mapping[str, Any]], sessions: Sequence[StoredSession]
) -> list[MorningMinute]:
    """The morning rule's view of a day's stored minutes (by start time)."""
    first_client = min((s.start_s for s in sessions if s.kind == "client"), default=math.inf)
    out: list[MorningMinute] = []
    for doc in epochs:
        start_s = float(doc["start_s"])
        end_s = start_s + 60.0
        local = datetime.fromtimestamp(start_s)
        activity = doc.get("activity")
        state = activity.get("state") if isinstance(activity, dict) else None
        rmssd_ms = _number(doc.get("rmssd_ms"))
        out.append(
            MorningMinute(
                start_s=start_s,
                local_minute=local.hour * 60 + local.minute,
                hr_bpm=_number(doc.get("hr_bpm")),
                ln_rmssd=math.log(rmssd_ms) if rmssd_ms is not None and rmssd_ms > 0 else None,
                good=doc.get("quality") == "good",
                high_stress=doc.get("band") == "high",
                still=None if state in (None, "unknown") else state == "still",
                session_open=any(
                    s.start_s < end_s and (s.end_s is None or s.end_s > start_s) for s in sessions
                ),
                after_client=first_client < end_s,
            )
        )
    return out


def reading_json(reading: MorningReading) -> dict[str, Any]:
    """The stored form of a reading."""
    return {
        "start_s": reading.start_s,
        "ln_rmssd": round(reading.ln_rmssd, 4),
        "hr_bpm": round(reading.hr_bpm, 2),
        "n_minutes": reading.n_minutes,
        "source": reading.source,
    }


def reading_from_doc(doc: Mapping[str, Any] | None) -> MorningReading | None:
    """The reading :func:`reading_json` stored, or None when ``doc`` is not one."""
    if doc is None:
        return None
    ln_rmssd, hr_bpm, start_s = (_number(doc.get(k)) for k in ("ln_rmssd", "hr_bpm", "start_s"))
    source = doc.get("source")
    if ln_rmssd is None or hr_bpm is None or start_s is None:
        return None
    if source not in ("screen", "first-calm-minutes"):
        return None
    n_minutes = doc.get("n_minutes")
    return MorningReading(
        start_s=start_s,
        ln_rmssd=ln_rmssd,
        hr_bpm=hr_bpm,
        n_minutes=n_minutes if isinstance(n_minutes, int) else 0,
        source=source,
    )


def _computed(store: Store, day: date) -> MorningReading | None:
    epochs = store.epochs(day)
    if not epochs:
        return None
    return pick_morning_reading(morning_minutes(epochs, store.sessions(day)))


def live_reading(
    store: Store, day: date, minutes: Sequence[Mapping[str, Any]]
) -> MorningReading | None:
    """The day's reading while a run goes on: a stored one (a screen reading wins), else the
    rule's over the day's stored minutes and ``minutes`` (this run's, as
    :meth:`~companion.pipeline.results.MinuteResult.to_json` gives them: the store gets
    them in batches, every ten minutes)."""
    stored = reading_from_doc(store.morning(day))
    if stored is not None:
        return stored
    docs = {float(doc["start_s"]): doc for doc in (*store.epochs(day), *minutes)}
    ordered = [docs[start_s] for start_s in sorted(docs)]
    return pick_morning_reading(morning_minutes(ordered, store.sessions(day)))


def day_reading(store: Store, day: date) -> MorningReading | None:
    """The day's reading: a stored one (a screen reading wins), else the rule's."""
    stored = reading_from_doc(store.morning(day))
    return stored if stored is not None else _computed(store, day)


def refresh_morning(store: Store, day: date) -> MorningReading | None:
    """Store the rule's reading of ``day`` unless the helper took one on the screen."""
    stored = reading_from_doc(store.morning(day))
    if stored is not None and stored.source == "screen":
        return stored
    found = _computed(store, day)
    if found is not None:
        store.put_morning(day, reading_json(found))
    return found if found is not None else stored


def screen_reading(baseline: Baseline, start_s: float, duration_s: float) -> MorningReading:
    """A morning reading taken on the screen (``tui.screens.resting`` with the morning
    purpose): its ``ln_rmssd`` is the whole reading's ln RMSSD of the good beats and its
    ``hr_bpm`` their mean heart rate, as a resting measurement judges them."""
    return MorningReading(
        start_s=start_s,
        ln_rmssd=baseline.ln_rmssd,
        hr_bpm=baseline.hr_bpm,
        n_minutes=round(duration_s / 60.0),
        source="screen",
    )


def save_screen_reading(store: Store, day: date, reading: MorningReading) -> None:
    """Keep a reading taken on purpose from the screen: it wins over the rule's."""
    store.put_morning(day, reading_json(reading))


def readiness_of(
    store: Store, day: date, known: dict[date, MorningReading | None] | None = None
) -> Readiness:
    """``day``'s reading against the readings of the days before (see module).

    ``known`` keeps the readings found, for a caller that weighs many days (an export):
    each day's minutes are then read once.
    """
    found = known if known is not None else {}

    def reading(of: date) -> MorningReading | None:
        if of not in found:
            found[of] = day_reading(store, of)
        return found[of]

    history: list[DayReading] = []
    for back in range(_HISTORY_DAYS, 0, -1):
        earlier = day - timedelta(days=back)
        was = reading(earlier)
        if was is not None:
            history.append(DayReading(earlier, was.ln_rmssd, was.hr_bpm))
    return assess(day, reading(day), history)


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def readiness_json(readiness: Readiness) -> dict[str, Any]:
    """``holdspace readiness --json`` (see module): exactly these keys."""
    reading, usual = readiness.reading, readiness.usual
    return {
        "date": readiness.day.isoformat(),
        "ln_rmssd": _r(reading.ln_rmssd if reading else None, 4),
        "hr_bpm": _r(reading.hr_bpm if reading else None, 2),
        "usual": {
            "mean": _r(usual.ln_rmssd_mean if usual else None, 4),
            "low": _r(usual.ln_rmssd_low if usual else None, 4),
            "high": _r(usual.ln_rmssd_high if usual else None, 4),
        },
        "status": readiness.status,
        "readings": readiness.readings,
    }
