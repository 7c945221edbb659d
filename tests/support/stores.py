"""Stores built for a test: small days added to a store, a private session added to a copy."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final

from companion.store.store import Store
from sensors.beats import Beat

EARLY: Final = date(2026, 11, 20)
"""A small day three days before the heavy fixture's day."""
MIDDLE: Final = date(2026, 11, 21)
"""A small day two days before the heavy fixture's day."""


def noon_s(day: date) -> float:
    """Epoch seconds of noon UTC on ``day``."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()


def add_small_day(store: Store, day: date, label: str) -> None:
    """Beats, minutes, a session, a check-in, an act, a prompt, a summary, a plan for ``day``."""
    t0 = noon_s(day)
    source = f"test:{day.isoformat()}"
    beats = [Beat(t0 + i * 0.8123, 812.3 + i * 0.017, gap_before=i == 0) for i in range(900)]
    store.append_beats(beats, source)
    store.append_epochs([{"start_s": t0, "stress": 41}, {"start_s": t0 + 60, "stress": 42}], source)
    session = store.begin_session("client", label, t0, source)
    store.finish_session(session, t0 + 600)
    store.set_session_analysis(session, {"load": 3.3})
    store.add_check_in(t0 + 700, {"where": "chest"}, session, source)
    store.add_act(t0 + 710, "pause", {"ok": True}, None, source)
    store.put_prompts([{"prompt_id": f"p-{day}", "raised_s": t0 + 300, "kind": "pause"}], source)
    store.put_day_summary(day, {"beats": len(beats)})
    store.put_planned(
        [{"start_s": t0, "end_s": t0 + 600, "kind": "client", "label": label}],
        day,
        day,
        source="cal.ics",
    )


def copy_with_private_session(store_dir: Path, dest: Path, label: str, note: str) -> float:
    """Copy a store to ``dest`` and add, after its last session, a finished client session
    labelled ``label`` with a check-in note ``note`` (text that must never leak when labels
    are redacted). Returns the end of the last original session, epoch seconds."""
    shutil.copytree(store_dir, dest)
    with Store(dest) as store:
        last = store.sessions(store.days()[0])[-1]
        end_s = float(last.end_s or last.start_s)
        sid = store.begin_session("client", label, end_s + 60.0, "manual")
        store.finish_session(sid, end_s + 600.0)
        store.add_check_in(end_s + 700.0, {"heavy": True, "note": note}, sid, "manual")
    return end_s
