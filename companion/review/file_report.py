"""Plain-text renderings of summaries and sessions for the terminal."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from companion.review.heavy import heaviness
from companion.review.rows import prompt_when
from companion.store.types import StoredSession

if TYPE_CHECKING:
    from companion.pipeline.results import MinuteResult
    from companion.pipeline.runs import RunOutcome
    from companion.pipeline.summary import GapSpan

__all__ = ["GAPS_LISTED", "format_run_summary", "format_sessions"]

GAPS_LISTED: Final = 8
"""A summary lists every gap without beats up to this many, else this many longest."""


def _hm(time_s: float) -> str:
    return datetime.fromtimestamp(time_s).strftime("%H:%M")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def _span(seconds: float) -> str:
    """A gap's length: seconds under a minute, else as :func:`_duration`."""
    return f"{seconds:.0f} s" if seconds < 59.5 else _duration(seconds)


def _gap_lines(gaps: Sequence[GapSpan]) -> list[str]:
    """The gaps without beats: all of them, or the :data:`GAPS_LISTED` longest, said so."""
    lost = sum(g.duration_s for g in gaps)
    longest = sorted(gaps, key=lambda g: g.duration_s, reverse=True)[:GAPS_LISTED]
    which = "" if len(longest) == len(gaps) else f"; the {len(longest)} longest"
    lines = [f"  Gaps without beats: {len(gaps)}, {_duration(lost)} in all{which}:"]
    for gap in sorted(longest, key=lambda g: g.start_s):
        lines.append(
            f"    {_hm(gap.start_s)}-{_hm(gap.end_s)}  {gap.reason.replace('_', ' ')}"
            f" ({_span(gap.duration_s)})"
        )
    return lines


def format_run_summary(outcome: RunOutcome, title: str) -> str:
    """A readable day summary: span, beats, signal quality, gaps, sessions and prompts."""
    summary = outcome.summary
    stage = outcome.stage
    by_start = {round(r.session.start_s, 3): r for r in stage.sessions} if stage else {}
    lines = [title]
    if summary.start_s is None or summary.end_s is None:
        lines.append("  No beats.")
        return "\n".join(lines)
    day = datetime.fromtimestamp(summary.start_s).strftime("%A %d %B %Y")
    lines.append(
        f"  {day}, {_hm(summary.start_s)}-{_hm(summary.end_s)} "
        f"({_duration(summary.end_s - summary.start_s)})"
    )
    hr = f", mean heart rate {summary.mean_hr_bpm:.0f} bpm" if summary.mean_hr_bpm else ""
    lines.append(f"  {summary.beats:,} beats{hr}")
    counts = ", ".join(
        f"{n} {kind.replace('_', ' ')}" for kind, n in summary.artifacts.items() if n
    )
    lines.append(
        f"  Signal quality: {summary.artifacts_fraction:.2%} of beats flagged as artifacts"
        + (f" ({counts})" if counts else "")
    )
    if summary.battery_percent is not None:
        lines.append(f"  Strap battery at the end: {summary.battery_percent}%")
    if summary.gaps:
        lines += _gap_lines(summary.gaps)
    else:
        lines.append("  No gaps.")
    if summary.sessions:
        lines.append(f"  Sessions: {len(summary.sessions)}")
        for s in summary.sessions:
            end = "..." if s.end_s is None else _hm(s.end_s)
            dur = "" if s.duration_s is None else f"  {_duration(s.duration_s):>7}"
            load = ""
            result = by_start.get(round(s.start_s, 3))
            measured = None
            if result is not None:
                measured = {"session_load": dataclasses.asdict(result.load)}
            heavy = _heavy_mark(s.heavy, measured, s.kind)
            if result is not None and result.load.mean_stress is not None:
                load = (
                    f"  stress {result.load.mean_stress:3.0f} avg, "
                    f"{result.load.peak_stress or 0:3d} peak, "
                    f"{result.load.minutes_high:2d} min high"
                )
            lines.append(f"    {_hm(s.start_s)}-{end}  {s.kind:<11} {s.label:<6}{dur}{load}{heavy}")
    else:
        lines.append("  No sessions tagged.")
    if stage is not None and outcome.baseline is not None:
        base = outcome.baseline
        lines.append(
            f"  Baseline: {base.source} (heart rate {base.hr_bpm:.0f} bpm, "
            f"RMSSD {base.rmssd_ms:.0f} ms){' - ' + base.note if base.note else ''}"
        )
        if stage.minutes:
            lines.append(
                f"  Day's load at the end: {stage.minutes[-1].daily_load:.0f} of 100 "
                f"(peak {max(m.daily_load for m in stage.minutes):.0f})"
            )
        lines += _movement_lines(stage.minutes)
        delivered = [r for r in stage.prompts if r.prompt.delivered_s is not None]
        lines.append(f"  Prompts delivered: {len(delivered)} (raised {len(stage.prompts)})")
        for record in delivered:
            p = record.prompt
            assert p.delivered_s is not None
            waited = " (held to the session's end)" if p.in_session else ""
            when = prompt_when(p.raised_s, p.delivered_s)
            lines.append(f"    {when}  {p.kind:<8} {p.reason}{waited}")
    lines.append("  Nothing here is a diagnosis: numbers compare you with your own baseline.")
    return "\n".join(lines)


def _movement_lines(minutes: Sequence[MinuteResult]) -> list[str]:
    """What a chest strap's accelerometer saw (nothing without one): "Movement (chest strap):
    12 min walking, 3 min moving: heart rate up with movement, not counted as stress; prompts
    waited until you were still"."""
    states = [
        m.chest.activity.state
        for m in minutes
        if m.chest is not None and m.chest.activity is not None
    ]
    if not states:
        return []
    walking, moving = states.count("walking"), states.count("moving")
    if not walking and not moving:
        return ["  Movement (chest strap): still all along"]
    return [
        f"  Movement (chest strap): {walking} min walking, {moving} min moving: heart rate up "
        "with movement, not counted as stress; prompts waited until you were still"
    ]


def _breathing_line(r: Mapping[str, Any], v: Callable[[Any, str], str]) -> str:
    """The breathing line of :func:`format_analysis`; with a chest strap, each source's."""
    line = f"  Breathing: {v(r['rate_per_min'], ' breaths/min')}"
    sources = r.get("sources")
    if sources is None:
        return line
    words = {"rsa": "heart rhythm", "ecg": "ECG", "chest": "chest"}
    each = ", ".join(
        f"{words[name]} {v(None if src is None else src['rate_per_min'], '')}"
        for name, src in sources.items()
    )
    used = f"; most minutes used the {words[r['used']]}" if r.get("used") else ""
    return f"{line} ({each}{used})"


def _heavy_mark(marked: bool | None, analysis: Mapping[str, Any] | None, kind: str) -> str:
    """The mark after a heavy session: "  heavy (you marked it)" and the like, or ""."""
    found = heaviness(marked, analysis, kind=kind)
    return f"  {found.text}" if found.heavy else ""


def format_sessions(
    sessions: Sequence[StoredSession],
    title: str,
    analyses: Mapping[int, Mapping[str, Any] | None] | None = None,
    *,
    with_dates: bool = False,
) -> str:
    """The sessions, one a line; heavy ones say why (``analyses`` by session id).

    ``with_dates`` starts each line with the local day (sessions of several days)."""
    if not sessions:
        return f"{title}\n  No sessions."
    lines = [title]
    for s in sessions:
        end = "..." if s.end_s is None else _hm(s.end_s)
        dur = "" if s.end_s is None else f"  {_duration(s.end_s - s.start_s)}"
        heavy = _heavy_mark(s.heavy, (analyses or {}).get(s.session_id), s.kind)
        day = f"{datetime.fromtimestamp(s.start_s).date().isoformat()} " if with_dates else ""
        lines.append(f"  {day}{_hm(s.start_s)}-{end}  {s.kind:<11} {s.label:<10}{dur}{heavy}")
    return "\n".join(lines)


def format_analysis(report: dict[str, Any], name: str) -> str:
    """The HRV report as text: what each number is, never what it means medically."""
    t, f, n, s = report["time"], report["frequency"], report["nonlinear"], report["stress"]
    a, r, b = report["artifacts"], report["respiration"], report["baseline"]

    def v(x: Any, unit: str = "", digits: int = 1) -> str:
        return "-" if x is None else f"{x:.{digits}f}{unit}"

    lines = [
        f"HRV report of {name}: {report['n_beats']:,} beats over {_duration(report['duration_s'])}",
        f"  Artifacts: {a['fraction']:.1%} ({a['ectopic']} ectopic, {a['missed']} missed, "
        f"{a['extra']} extra, {a['long_short']} long/short)",
        f"  Heart rate: mean {v(t['mean_hr_bpm'], ' bpm')}, "
        f"min {v(t['min_hr_bpm'], ' bpm')}, max {v(t['max_hr_bpm'], ' bpm')}",
        f"  Time domain: mean RR {v(t['mean_rr_ms'], ' ms')}, SDNN {v(t['sdnn_ms'], ' ms')}, "
        f"RMSSD {v(t['rmssd_ms'], ' ms')}, pNN50 {v(t['pnn50_pct'], ' %')}",
        f"  Frequency: LF {v(f['lf_ms2'], ' ms²', 0)}, HF {v(f['hf_ms2'], ' ms²', 0)}, "
        f"LF/HF {v(f['lf_hf'], '', 2)}",
        f"  Nonlinear: SD1 {v(n['sd1_ms'], ' ms')}, SD2 {v(n['sd2_ms'], ' ms')}, "
        f"DFA a1 {v(n['dfa_alpha1'], '', 2)}, SampEn {v(n['sampen'], '', 2)}",
        f"  Stress index {v(s['baevsky_si'])}, PNS {v(s['pns_index'], '', 2)}, "
        f"SNS {v(s['sns_index'], '', 2)}",
        _breathing_line(r, v),
        f"  Baseline: {b['source']} (heart rate {v(b['hr_bpm'], ' bpm', 0)})",
    ]
    if "epochs" in report:
        lines.append(f"  Epochs: {len(report['epochs'])} (use --json for the table)")
    lines.append("  Nothing here is a diagnosis: numbers describe this recording.")
    return "\n".join(lines)
