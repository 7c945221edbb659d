"""Headless jobs over the pipeline: replay a recording, import an RR file.

Both replace what the same source stored before, run the pipeline into the
store, refresh the summaries of the days they touched, and return the run's
summary. The CLI and, later, the screen call these.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from companion.pipeline import Observer, Pipeline
from companion.sessions import Session
from companion.store import Store, local_day
from companion.summary import RunCollector, RunSummary, summarise
from sensors.source import BeatSource

__all__ = ["refresh_day_summaries", "run_source"]


async def run_source(
    source: BeatSource,
    store: Store | None,
    *,
    observers: Sequence[Observer] = (),
    extra: dict[str, Any] | None = None,
) -> RunSummary:
    """Run ``source`` through the pipeline into ``store`` (replacing its earlier data)."""
    collector = RunCollector()
    if store is not None:
        store.forget_source(source.source_id)
    pipeline = Pipeline(source_id=source.source_id, store=store, observers=[collector, *observers])
    try:
        await pipeline.run(source)
    finally:
        summary = collector.summary(extra)
        if store is not None and summary.start_s is not None and summary.end_s is not None:
            refresh_day_summaries(store, local_day(summary.start_s), local_day(summary.end_s))
    return summary


def refresh_day_summaries(store: Store, first: date, last: date) -> None:
    """Recompute and store the summary of every stored day from ``first`` to ``last``."""
    for day in store.days():
        if first <= day <= last:
            beats = store.beats(day)
            sessions = [
                Session(
                    kind=s.kind,
                    label=s.label,
                    start_s=s.start_s,
                    end_s=s.end_s,
                    heavy=s.heavy,
                    session_id=s.session_id,
                )
                for s in store.sessions(day)
            ]
            summary = summarise(
                beats.time_s, beats.rr_ms, beats.gap_before, beats.gap_reasons, sessions
            )
            store.put_day_summary(day, summary.to_json())
