"""Reaching a colleague: kind message templates, an opt-in line about the day, and sending.

The helper chooses a colleague and edits a message from a few templates. They may
add one line about today's load, composed from the day's stress *bands* only
(:func:`day_load_line`): never numbers, never session labels, never raw data. A team
check-in (:func:`team_status_line`) is that line for a team channel.

:func:`send_to` tries the colleague's channels in order until one takes the message,
records every attempt in the contact log, and makes a sent message the last contact.
"We talked in person" is recorded by :func:`talked_in_person`. Both block on the
network or the disk: the screen runs them in a worker.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Final

from companion.connect.channels import CHANNEL_TIMEOUT_S, send_message
from companion.connect.colleagues import Colleague, ContactRecord, ContactWay, record_contact
from signals.scores.bands import band_of, steady_bands

__all__ = [
    "MESSAGE_TITLE",
    "TEMPLATES",
    "TEST_MESSAGE",
    "day_load_line",
    "failure_line",
    "failure_reason",
    "send_to",
    "talked_in_person",
    "team_status_line",
    "with_load_line",
]

MESSAGE_TITLE: Final = "Checking in"
TEMPLATES: Final[tuple[tuple[str, str], ...]] = (
    ("How are you?", "How are you holding up?"),
    ("Debrief", "Could use a debrief after a heavy morning — 10 minutes today?"),
    ("Team", "Checking in with the team: how is everyone holding up today?"),
)
"""(short name, message) pairs the helper starts from and edits."""
TEST_MESSAGE: Final = (
    "This is a test message from Holdspace, to check that this channel works. No need to reply."
)

_PARTS: Final = (("morning", 0, 12), ("afternoon", 12, 17), ("evening", 17, 24))
_WORDS: Final = {"rest": "calm", "low": "steady", "medium": "busy", "high": "heavy"}
_ORDER: Final = ("rest", "low", "medium", "high")
_RECENT_S: Final = 30 * 60.0
_MIN_MINUTES: Final = 10
"""Scored minutes a part of the day needs before it is described."""


_SPELL_MINUTES: Final = _MIN_MINUTES // 2
"""High-band minutes that make a part of the day one "with heavy spells", whatever its median."""


def _parts(minutes: Sequence[tuple[float, int | None]], tz: tzinfo | None) -> list[tuple[str, str]]:
    """(part of day, band of its median stress) for the parts with enough scored minutes;
    a part whose median is lower but with :data:`_SPELL_MINUTES` high minutes or more
    is ``"spells"`` (it is not called steady).

    High minutes are those whose steady band (:func:`signals.scores.bands.steady_bands`,
    as the screen showed them) is high. The band of a median is a summary of a span, not
    a minute-to-minute change, so it takes the plain band: hysteresis would make it
    depend on the order of the minutes, which a median ignores."""
    scores: dict[str, list[int]] = {}
    highs: dict[str, int] = {}
    ordered = sorted(minutes, key=lambda m: m[0])
    for (t_s, score), steady in zip(ordered, steady_bands(ordered), strict=True):
        if score is None:
            continue
        hour = datetime.fromtimestamp(t_s, tz).hour
        part = next(name for name, lo, hi in _PARTS if lo <= hour < hi)
        scores.setdefault(part, []).append(score)
        highs[part] = highs.get(part, 0) + (steady == "high")
    found: list[tuple[str, str]] = []
    for name, _, _ in _PARTS:
        scored = scores.get(name, [])
        if len(scored) < _MIN_MINUTES:
            continue
        band = band_of(math.ceil(statistics.median(scored)))
        high = highs.get(name, 0)
        found.append((name, "spells" if band != "high" and high >= _SPELL_MINUTES else band))
    return found


def day_load_line(
    minutes: Sequence[tuple[float, int | None]],
    now_s: float,
    tz: tzinfo | None = None,
    *,
    marked_heavy: bool = False,
) -> str | None:
    """One line about today from stress bands: "Heavy morning, steadier now."

    ``minutes`` are (minute start in epoch seconds, stress score or None) of today
    so far. Each part of the day (morning, afternoon, evening) with ten scored
    minutes or more is named by the band of its median score, or "with heavy
    spells" when it had some high minutes all the same; then the last half hour,
    when it differs from the heaviest part ("steadier now", "still heavy now").
    ``marked_heavy``: the helper marked a session of today heavy; a line that says
    nothing heavy says so too, in the helper's words, never contradicting them.
    None when too little was scored to say anything and nothing was marked.
    """
    parts = _parts(minutes, tz)
    if not parts:
        return "A session felt heavy today." if marked_heavy else None
    words = [
        f"{name} with heavy spells" if band == "spells" else f"{_WORDS[band]} {name}"
        for name, band in parts
    ]
    text = ", ".join(words)
    heaviest = max(("high" if b == "spells" else b for _, b in parts), key=_ORDER.index)
    recent = [s for t, s in minutes if s is not None and now_s - _RECENT_S <= t <= now_s]
    if len(recent) >= _MIN_MINUTES // 2:
        now_band = band_of(math.ceil(statistics.median(recent)))
        if _ORDER.index(now_band) < _ORDER.index(heaviest):
            text += ", steadier now"
        elif now_band == "high":
            text += ", still heavy now"
    if marked_heavy and heaviest != "high":
        text += " by the strap, but a session felt heavy"
    return text[0].upper() + text[1:] + "."


def team_status_line(
    minutes: Sequence[tuple[float, int | None]],
    now_s: float,
    tz: tzinfo | None = None,
    *,
    marked_heavy: bool = False,
) -> str:
    """A one-line status for a team check-in, from the day's bands only.

    "Heavy morning, steadier now; could use a chat." The offer of a chat is added
    when any part of the day was heavy; with too little data, a plain check-in.
    """
    line = day_load_line(minutes, now_s, tz, marked_heavy=marked_heavy)
    if line is None:
        return "Checking in: no strong signals from my day so far."
    if "heavy" in line.lower():
        return line[:-1] + "; could use a chat."
    return line


def with_load_line(message: str, load_line: str | None) -> str:
    """The message with the day's line added on its own line (when the helper opted in)."""
    text = message.rstrip()
    return f"{text}\n\n{load_line}" if load_line else text


def failure_reason(detail: str) -> str:
    """The why of a failed send, without the advice: "Could not reach 127.0.0.1:25 (connection
    refused)" from "Could not reach 127.0.0.1:25 (connection refused): check the address and
    port." (see :mod:`companion.connect.channels` for the sentences)."""
    reason = detail.partition(": ")[0].strip().rstrip(".")
    return reason or "it was not sent"


def failure_line(record: ContactRecord, now_s: float, tz: tzinfo | None = None) -> str:
    """One line for a failed attempt: "last try 10:42 failed: Could not reach …".

    The local time alone on the day of ``now_s`` (epoch seconds), with the date before.
    """
    when = datetime.fromtimestamp(record.t_s, tz)
    today = datetime.fromtimestamp(now_s, tz).date()
    at = when.strftime("%H:%M") if when.date() == today else when.strftime("%Y-%m-%d %H:%M")
    what = "test message" if record.way == "test" else "try"
    return f"last {what} {at} failed: {failure_reason(record.detail)}"


def send_to(
    data_dir: Path,
    colleague: Colleague,
    message: str,
    *,
    now_s: float,
    prompt_id: str | None = None,
    test: bool = False,
    timeout_s: float | None = None,
) -> list[ContactRecord]:
    """Send ``message`` to ``colleague``, trying each channel until one takes it.

    Every attempt is logged (:func:`~companion.connect.colleagues.record_contact`); a sent
    message becomes the last contact, unless ``test`` (a channel's test message).
    Returns the records, the last one telling how it ended. Blocks: run in a worker.
    """
    if not message.strip():
        raise ValueError("the message is empty")
    way: ContactWay = "test" if test else "message"
    records: list[ContactRecord] = []
    for url in colleague.channels:
        result = send_message(
            url,
            to_name=colleague.name,
            title=MESSAGE_TITLE if not test else "Holdspace test",
            body=message,
            timeout_s=CHANNEL_TIMEOUT_S if timeout_s is None else timeout_s,
        )
        record = ContactRecord(
            t_s=now_s,
            name=colleague.name,
            way=way,
            ok=result.ok,
            detail=result.message,
            channel_kind=result.kind,
            prompt_id=prompt_id,
        )
        record_contact(data_dir, record)
        records.append(record)
        if result.ok:
            break
    return records


def talked_in_person(
    data_dir: Path, colleague: Colleague, *, now_s: float, prompt_id: str | None = None
) -> ContactRecord:
    """Record "we talked in person": it counts as a contact like a message sent."""
    record = ContactRecord(
        t_s=now_s,
        name=colleague.name,
        way="in_person",
        ok=True,
        detail=f"Talked with {colleague.name} in person.",
        prompt_id=prompt_id,
    )
    record_contact(data_dir, record)
    return record
