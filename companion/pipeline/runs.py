"""Headless jobs over the pipeline: replay a recording, import an RR file.

Both replace what the same source stored before, run the pipeline (with the
signal stage) into the store, refresh the summaries of the days they touched,
and return the run's outcome. The CLI and, later, the screen call these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Final

import numpy as np

from companion.pipeline.baselines import (
    baseline_json,
    client_minutes,
    file_calm_baseline,
    stored_baseline,
)
from companion.pipeline.listener import RunListener
from companion.pipeline.offload import Offload
from companion.pipeline.pipeline import Observer, Pipeline
from companion.pipeline.results import MinuteResult
from companion.pipeline.stage import SignalStage
from companion.pipeline.summary import (
    RunCollector,
    RunSummary,
    iso_local,
    stress_by_hour,
    summarise,
    summarise_run,
)
from companion.prompts.records import Prompt, PromptRecord
from companion.prompts.types import PolicyConfig
from companion.readiness.reading import refresh_morning
from companion.sessions import Session
from companion.store.store import Store
from companion.store.types import local_day
from sensors.clock import Clock, SystemClock
from sensors.source import BeatSource
from signals.epochs.types import Epoch
from signals.scores.baseline import NORMS, Baseline, calm_minutes
from signals.scores.load import SessionLoad, weekly_exposure

__all__ = [
    "RunOutcome",
    "prompt_doc",
    "prompt_json",
    "refresh_day_summaries",
    "run_source",
]

EPOCH_FLUSH_MINUTES: Final = 10
"""Scored minutes are written in batches of at least this many..."""
EPOCH_FLUSH_WALL_S: Final = 10.0
"""...and at most once per this many seconds of wall time."""


def prompt_json(record: PromptRecord, acts: Mapping[str, Any] | None = None) -> dict[str, Any]:
    p = record.prompt
    out: dict[str, Any] = {
        "t": iso_local(p.raised_s),
        "kind": p.kind,
        "reason": p.reason,
        "in_session": p.in_session,
        "delivered_at": None if p.delivered_s is None else iso_local(p.delivered_s),
        "fate": record.fate,
        "rule": record.rule,
    }
    if acts is not None and p.prompt_id in acts:
        out["before_after"] = acts[p.prompt_id]
    return out


def prompt_doc(record: PromptRecord, acts: Mapping[str, Any]) -> dict[str, Any]:
    p = record.prompt
    return {
        "prompt_id": p.prompt_id,
        "kind": p.kind,
        "rule": record.rule,
        "raised_s": p.raised_s,
        "reason": p.reason,
        "in_session": p.in_session,
        "delivered_s": p.delivered_s,
        "fate": record.fate,
        "merged_into": record.merged_into,
        "response": record.response,
        "responded_s": record.responded_s,
        "before_after": acts.get(p.prompt_id),
        "decided_s": record.decided_s,
        "hold_probability": record.hold_probability,
    }


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """A run's summary and, when analysed, its signal stage and baseline."""

    summary: RunSummary
    stage: SignalStage | None = None
    baseline: Baseline | None = None

    def to_json(self) -> dict[str, Any]:
        out = self.summary.to_json()
        if self.stage is None or self.baseline is None:
            return out
        by_start = {round(r.session.start_s, 3): r for r in self.stage.sessions}
        for entry, session in zip(out["sessions"], self.summary.sessions, strict=True):
            result = by_start.get(round(session.start_s, 3))
            if result is not None:
                entry.update(result.to_json())
        out["baseline"] = baseline_json(self.baseline)
        loads = [m.daily_load for m in self.stage.minutes]
        out["daily_load"] = round(loads[-1], 2) if loads else None
        out["daily_load_peak"] = round(max(loads), 2) if loads else None
        out["minutes_scored"] = sum(m.score.score is not None for m in self.stage.minutes)
        out["prompts"] = [prompt_json(r, self.stage.acts) for r in self.stage.prompts]
        return out


class _EpochSink:
    """Writes scored minutes to the store in batches.

    A batch goes out once it holds :data:`EPOCH_FLUSH_MINUTES` minutes and
    :data:`EPOCH_FLUSH_WALL_S` seconds have passed since the last write, and at
    the end. Live, that is every ten minutes; a fast replay writes far less
    often. Minutes are derived from the stored beats, so a crash loses nothing
    that cannot be recomputed.
    """

    def __init__(self, store: Store, source_id: str, clock: Clock | None = None) -> None:
        self.store = store
        self.source_id = source_id
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._minutes: list[MinuteResult] = []
        self._last = self.clock.monotonic()

    def __call__(self, minute: MinuteResult) -> None:
        self._minutes.append(minute)
        if (
            len(self._minutes) >= EPOCH_FLUSH_MINUTES
            and self.clock.monotonic() - self._last >= EPOCH_FLUSH_WALL_S
        ):
            self.flush()

    def flush(self) -> None:
        self._last = self.clock.monotonic()
        if self._minutes:
            self.store.append_epochs([m.to_json() for m in self._minutes], self.source_id)
            self._minutes = []


async def _collect(source: BeatSource) -> RunCollector:
    collector = RunCollector()
    await Pipeline(source_id=source.source_id, observers=[collector]).run(source)
    return collector


async def choose_baseline(store: Store | None, make_source: Callable[[], BeatSource]) -> Baseline:
    """The stored personal baseline, else the file's own calm minutes, else norms.

    Reads the source once more (without storing) to learn its days and, when
    needed, its calm minutes.
    """
    collector = await _collect(make_source())
    t, rr, gaps = collector.arrays()
    if t.size == 0:
        return stored_baseline(store, date.today()) if store is not None else NORMS
    days = {local_day(float(t[0])), local_day(float(t[-1]))}
    if store is not None:
        stored = stored_baseline(store, max(days), exclude_days=days)
        if stored.is_personal:
            return stored
    return file_calm_baseline(t, rr, gaps, collector.sessions)


async def run_source(
    source: BeatSource,
    store: Store | None,
    *,
    listeners: Sequence[RunListener] = (),
    extra: dict[str, Any] | None = None,
    baseline: Baseline | None = None,
    offload: Offload = "thread",
    clock: Clock | None = None,
    policy_config: PolicyConfig | None = None,
) -> RunOutcome:
    """Run ``source`` through the pipeline into ``store`` (replacing its earlier data).

    With a ``baseline`` the signal stage runs too: minutes, stress, load,
    prompts and session reports, all stored. ``listeners`` hear the run
    (:class:`RunListener`). ``offload`` says where the stage's
    costly steps run (:mod:`companion.pipeline.offload`; ``"process"`` for a whole file
    read as fast as possible). ``clock`` paces the batched writes of beats and
    minutes (default: the system clock). ``policy_config`` holds the prompt
    thresholds (the helper's settings).
    """
    collector = RunCollector()
    stage: SignalStage | None = None
    sink: _EpochSink | None = None
    if baseline is not None:
        sink = _EpochSink(store, source.source_id, clock) if store is not None else None
        stage = _signal_stage(baseline, listeners, sink, offload, policy_config)
    if store is not None:
        store.forget_source(source.source_id)
    stages: list[Observer] = [collector, *([stage] if stage is not None else []), *listeners]
    # A whole file read at once ("process") writes its beats behind the work on them.
    pipeline = Pipeline(
        source_id=source.source_id,
        store=store,
        observers=stages,
        clock=clock,
        write_behind=offload == "process",
    )
    try:
        await pipeline.run(source)
    finally:
        summary = _finish_run(source.source_id, store, collector, stage, sink, extra)
    return RunOutcome(summary=summary, stage=stage, baseline=baseline)


def _signal_stage(
    baseline: Baseline,
    listeners: Sequence[RunListener],
    sink: _EpochSink | None,
    offload: Offload,
    policy_config: PolicyConfig | None,
) -> SignalStage:
    """The signal stage of a run: its minutes go to ``sink``, then to the listeners."""

    def each_minute(minute: MinuteResult) -> None:
        if sink is not None:
            sink(minute)
        for listener in listeners:
            listener.on_minute(minute)

    def each_prompt(prompt: Prompt) -> None:
        for listener in listeners:
            listener.on_prompt(prompt)

    stage = SignalStage(
        baseline,
        on_minute=each_minute,
        on_prompt=each_prompt,
        offload=offload,
        policy_config=policy_config,
    )
    for listener in listeners:
        listener.on_stage(stage)
    return stage


def _finish_run(
    source_id: str,
    store: Store | None,
    collector: RunCollector,
    stage: SignalStage | None,
    sink: _EpochSink | None,
    extra: dict[str, Any] | None,
) -> RunSummary:
    """Summarise the run, wait for the stage, and store what it found; the run's summary.

    Summaries first: they need no breathing rate or session report, so they are
    computed while the worker finishes those. The run's summary goes where the stage's
    costly steps run, while the days are summarised here.
    """
    summary_job = (
        stage.run_aside(summarise_run, *collector.summary_args(extra))
        if stage is not None
        else None
    )
    if stage is not None:
        stage.settle()
    days: list[tuple[date, dict[str, Any]]] = []
    span = collector.span_s()
    if store is not None and span is not None:
        first, last = local_day(span[0]), local_day(span[1])
        days = day_summaries(store, first, last, stage, own=(source_id, collector))
    summary = summary_job.result() if summary_job is not None else collector.summary(extra)
    if stage is not None:
        stage.finish()
    if sink is not None:
        sink.flush()
    if store is not None:
        if stage is not None:
            _store_analysis(store, source_id, stage)
        _put_days(store, days, stage)
    return summary


def _store_analysis(store: Store, source_id: str, stage: SignalStage) -> None:
    store.put_prompts([prompt_doc(r, stage.acts) for r in stage.prompts], source_id)
    for result in stage.sessions:
        if result.session.session_id is not None:
            store.set_session_analysis(result.session.session_id, result.to_json())


def refresh_day_summaries(
    store: Store, first: date, last: date, stage: SignalStage | None = None
) -> None:
    """Recompute and store the summary of every stored day from ``first`` to ``last``."""
    _put_days(store, day_summaries(store, first, last, stage), stage)


def _put_days(
    store: Store, days: Sequence[tuple[date, dict[str, Any]]], stage: SignalStage | None
) -> None:
    """Store each day's summary, with its weekly part when the stage ran."""
    for day, doc in days:
        if stage is not None:
            doc["weekly"] = _weekly(store, day)
        store.put_day_summary(day, doc)
        if stage is not None:
            refresh_morning(store, day)


def day_summaries(
    store: Store,
    first: date,
    last: date,
    stage: SignalStage | None = None,
    *,
    own: tuple[str, RunCollector] | None = None,
) -> list[tuple[date, dict[str, Any]]]:
    """The summary of every stored day from ``first`` to ``last``, without its weekly part.

    With a ``stage``, a day's summary also holds its calm minutes, daily load and
    prompts delivered. ``own`` (a source and what its run collected): a day that
    source alone stored beats on is summarised from the collected beats, not
    read back from the store.
    """
    out: list[tuple[date, dict[str, Any]]] = []
    for day in store.days():
        if not first <= day <= last:
            continue
        beats = None
        if own is not None and store.sources_on(day) == {own[0]}:
            beats = own[1].day_beats(day)
        if beats is None:
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
        doc = summary.to_json()
        if stage is not None:
            minutes = [m for m in stage.minutes if local_day(m.epoch.start_s) == day]
            epochs: list[Epoch] = [m.epoch for m in minutes]
            calm = calm_minutes(epochs, day, client_minutes(epochs, sessions))
            doc["calm_minutes"] = [[round(c.hr_bpm, 3), round(c.ln_rmssd, 5)] for c in calm]
            loads = [m.daily_load for m in minutes]
            doc["daily_load"] = round(loads[-1], 2) if loads else None
            doc["daily_load_peak"] = round(float(np.max(loads)), 2) if loads else None
            doc["stress_by_hour"] = stress_by_hour(
                {"start_s": m.epoch.start_s, "stress": m.score.score} for m in minutes
            )
            doc["prompts_delivered"] = sum(
                1
                for r in stage.prompts
                if r.prompt.delivered_s is not None and local_day(r.prompt.delivered_s) == day
            )
        out.append((day, doc))
    return out


def _weekly(store: Store, day: date) -> dict[str, Any]:
    """Heavy-session exposure over the seven days up to the end of ``day``."""
    loads = []
    for stored in store.sessions():
        analysis = store.session_analysis(stored.session_id) or {}
        fields = analysis.get("session_load")
        if isinstance(fields, dict):
            loads.append(SessionLoad(**fields))
    end_s = datetime.combine(day + timedelta(days=1), time(0, 0)).timestamp()
    return dataclasses.asdict(weekly_exposure(loads, end_s))
