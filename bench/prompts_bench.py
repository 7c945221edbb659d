"""Issue 17 part 2: prompts on time on any generated day, and rare on calm ones.

Twenty heavy and twenty calm days are generated (:data:`HEAVY_SEEDS`, :data:`CALM_SEEDS`,
on :data:`DAY` in the local zone as ``holdspace simulate`` does; none is a seed of the
committed fixtures or the tests) and each is
replayed through the headless path ``holdspace replay --no-store --fast`` uses:
:func:`~companion.pipeline.runs.choose_baseline` (the file's own calm minutes), then
:func:`~companion.pipeline.runs.run_source` with the signal stage and the prompt policy, as
fast as the file reads, with a manual clock (no wall time paces anything). Per day:

- *delay*: the first prompt raised at or after the header's ``truth.high_load.start``,
  minus that start, in minutes (what ``replay --json`` reports as a prompt's ``t``; the
  high-load episode begins with a client session, so that prompt waits for its end);
- *in session*: prompts delivered strictly inside a client session (start < delivered < end);
- *delivered*: prompts delivered over the day (the calm-day count).

Targets, per day and not as a median: heavy, delay <= :data:`MAX_DELAY_MIN` and none
delivered in a session; calm, at most :data:`MAX_CALM_PROMPTS` delivered and none in a session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from time import perf_counter
from typing import Final

from companion.pipeline.runs import RunOutcome, choose_baseline, run_source
from companion.prompts.types import PolicyConfig
from sensors.clock import ManualClock
from sensors.recording import write_recording
from sensors.replay import ReplaySource
from sensors.simulate import simulate_recording

__all__ = [
    "CALM_SEEDS",
    "DAY",
    "HEAVY_SEEDS",
    "MAX_CALM_PROMPTS",
    "MAX_DELAY_MIN",
    "DayPrompts",
    "bench_prompts",
    "day_prompts",
    "replay_day",
]

HEAVY_SEEDS: Final = tuple(range(101, 121))
"""Heavy days: seeds 101-120 (the fixtures use 1-4, the tests small seeds)."""
CALM_SEEDS: Final = tuple(range(201, 221))
"""Calm days: seeds 201-220."""
DAY: Final = date(2026, 12, 1)
"""The generated days' date (the generator's output depends on seed and date)."""
MAX_DELAY_MIN: Final = 5.0
"""Issue 17: the first prompt of a heavy day within 5 minutes of the high-load start."""
MAX_CALM_PROMPTS: Final = 1
"""Issue 17: a calm day brings at most one prompt."""


@dataclass(frozen=True, slots=True)
class DayPrompts:
    """What the prompt policy did on one generated day.

    Attributes
    ----------
    seed : the generator seed.
    scenario : ``"heavy"`` or ``"calm"``.
    high_load_start_s : the truth's ``high_load.start``, epoch seconds (None on calm days).
    first_raised_s : the first prompt raised at or after ``high_load_start_s`` (on calm
        days, the first prompt raised), epoch seconds; None when there is none.
    first_delivered_s : when that prompt, or the one it was merged into, was delivered.
    first_rule : the rule that raised it.
    raised : prompts raised over the day.
    delivered : prompts delivered over the day.
    in_session : prompts delivered strictly inside a client session.
    """

    seed: int
    scenario: str
    high_load_start_s: float | None
    first_raised_s: float | None
    first_delivered_s: float | None
    first_rule: str | None
    raised: int
    delivered: int
    in_session: int

    @property
    def delay_min(self) -> float | None:
        """Minutes from the high-load start to the first prompt raised (heavy days)."""
        if self.high_load_start_s is None or self.first_raised_s is None:
            return None
        return (self.first_raised_s - self.high_load_start_s) / 60.0

    @property
    def passed(self) -> bool:
        """Whether the day meets the issue's targets."""
        if self.in_session:
            return False
        if self.scenario == "calm":
            return self.delivered <= MAX_CALM_PROMPTS
        delay = self.delay_min
        return delay is not None and delay <= MAX_DELAY_MIN


def replay_day(
    scenario: str, seed: int, work: Path, *, policy_config: PolicyConfig | None = None
) -> tuple[dict[str, object], RunOutcome]:
    """Generate one day into ``work`` and replay it headless; return its truth and outcome."""
    tz = datetime.combine(DAY, time(12, 0)).astimezone().tzinfo  # as `holdspace simulate`
    assert tz is not None
    header, events = simulate_recording(scenario, seed=seed, day=DAY, tz=tz)
    path = work / f"{scenario}-{seed}.hsrec"
    write_recording(path, header, events)

    async def go() -> RunOutcome:
        baseline = await choose_baseline(None, lambda: ReplaySource(path, speed=None))
        return await run_source(
            ReplaySource(path, speed=None),
            None,
            baseline=baseline,
            clock=ManualClock(),
            policy_config=policy_config,
        )

    outcome = asyncio.run(go())
    path.unlink()
    return dict(header.truth), outcome


def day_prompts(
    scenario: str, seed: int, work: Path, *, policy_config: PolicyConfig | None = None
) -> DayPrompts:
    """Replay one generated day (see the module docstring) and measure its prompts."""
    truth, outcome = replay_day(scenario, seed, work, policy_config=policy_config)
    assert outcome.stage is not None
    records = outcome.stage.prompts
    high = truth.get("high_load")
    start_s = datetime.fromisoformat(high["start"]).timestamp() if isinstance(high, dict) else None
    delivered = {
        r.prompt.prompt_id: r.prompt.delivered_s
        for r in records
        if r.prompt.delivered_s is not None
    }
    clients = [
        (s.start_s, s.end_s)
        for s in outcome.summary.sessions
        if s.kind == "client" and s.end_s is not None
    ]
    in_session = sum(1 for t in delivered.values() if any(a < t < b for a, b in clients))
    later = [r for r in records if start_s is None or r.prompt.raised_s >= start_s]
    first = min(later, key=lambda r: r.prompt.raised_s, default=None)
    first_delivered: float | None = None
    if first is not None:
        host = first.merged_into if first.fate == "merged" else first.prompt.prompt_id
        first_delivered = delivered.get(host or "")
    return DayPrompts(
        seed=seed,
        scenario=scenario,
        high_load_start_s=start_s,
        first_raised_s=None if first is None else first.prompt.raised_s,
        first_delivered_s=first_delivered,
        first_rule=None if first is None else first.rule,
        raised=len(records),
        delivered=len(delivered),
        in_session=in_session,
    )


def _hm(t_s: float | None) -> str:
    return "-" if t_s is None else datetime.fromtimestamp(t_s).strftime("%H:%M:%S")


def _row(day: DayPrompts) -> str:
    delay = day.delay_min
    return (
        f"  {day.seed:4d} {day.scenario:5s} {_hm(day.high_load_start_s):>8s} "
        f"{_hm(day.first_raised_s):>8s} {'-' if delay is None else f'{delay:5.2f}':>6s} "
        f"{_hm(day.first_delivered_s):>8s} {day.first_rule or '-':14s} "
        f"{day.in_session:3d} {day.delivered:4d} {day.raised:4d}  "
        f"{'PASS' if day.passed else 'FAIL'}"
    )


def bench_prompts(
    work: Path,
    heavy_seeds: Iterable[int] = HEAVY_SEEDS,
    calm_seeds: Iterable[int] = CALM_SEEDS,
) -> list[DayPrompts]:
    """Print one row per generated day and a summary; return the rows."""
    print(f"Prompts on generated days ({DAY.isoformat()}, local times), headless replay, --fast")
    print(
        f"  {'seed':>4s} {'kind':5s} {'hl.start':>8s} {'1st rais':>8s} {'delay':>6s} "
        f"{'1st deli':>8s} {'rule':14s} {'ins':>3s} {'deli':>4s} {'rais':>4s}  verdict"
    )
    print("  (delay: minutes from hl.start to the first prompt raised; ins: delivered in a")
    print("   client session; deli/rais: prompts delivered/raised over the day)")
    rows: list[DayPrompts] = []
    t0 = perf_counter()
    for scenario, seeds in (("heavy", heavy_seeds), ("calm", calm_seeds)):
        for seed in seeds:
            row = day_prompts(scenario, seed, work)
            rows.append(row)
            print(_row(row), flush=True)
    elapsed_s = perf_counter() - t0
    heavy = [r for r in rows if r.scenario == "heavy"]
    calm = [r for r in rows if r.scenario == "calm"]
    delays = [(r.delay_min, r.seed) for r in heavy if r.delay_min is not None]
    if delays:
        worst, seed = max(delays)
        print(
            f"  heavy: max delay {worst:.2f} min (seed {seed}), "
            f"{sum(d <= MAX_DELAY_MIN for d, _ in delays)}/{len(heavy)} within "
            f"{MAX_DELAY_MIN:.0f} min, {len(heavy) - len(delays)} without a prompt"
        )
    if calm:
        most = max(calm, key=lambda r: r.delivered)
        print(
            f"  calm: most prompts {most.delivered} (seed {most.seed}), "
            f"{sum(r.delivered <= MAX_CALM_PROMPTS for r in calm)}/{len(calm)} "
            f"with <= {MAX_CALM_PROMPTS}"
        )
    print(
        f"  in client sessions: {sum(r.in_session for r in rows)}; "
        f"{sum(r.passed for r in rows)}/{len(rows)} days pass; {elapsed_s:.1f} s"
    )
    return rows
