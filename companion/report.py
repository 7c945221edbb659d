"""Plain-text renderings of summaries and sessions for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from companion.store import StoredSession
from companion.summary import RunSummary

__all__ = ["format_run_summary", "format_sessions"]


def _hm(time_s: float) -> str:
    return datetime.fromtimestamp(time_s).strftime("%H:%M")


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60.0)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_run_summary(summary: RunSummary, title: str) -> str:
    """A readable day summary: span, beats, signal quality, gaps and sessions."""
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
        lost = sum(g.duration_s for g in summary.gaps)
        lines.append(f"  Gaps without beats: {len(summary.gaps)}, {_duration(lost)} in all")
        for gap in summary.gaps:
            if gap.duration_s >= 60.0 or gap.reason == "disconnected":
                lines.append(
                    f"    {_hm(gap.start_s)}-{_hm(gap.end_s)}  {gap.reason.replace('_', ' ')}"
                    f" ({_duration(gap.duration_s)})"
                )
    else:
        lines.append("  No gaps.")
    if summary.sessions:
        lines.append(f"  Sessions: {len(summary.sessions)}")
        for s in summary.sessions:
            end = "..." if s.end_s is None else _hm(s.end_s)
            dur = "" if s.duration_s is None else f"  {_duration(s.duration_s)}"
            heavy = "  (marked heavy)" if s.heavy else ""
            lines.append(f"    {_hm(s.start_s)}-{end}  {s.kind:<11} {s.label:<10}{dur}{heavy}")
    else:
        lines.append("  No sessions tagged.")
    return "\n".join(lines)


def format_sessions(sessions: Sequence[StoredSession], title: str) -> str:
    if not sessions:
        return f"{title}\n  No sessions."
    lines = [title]
    for s in sessions:
        end = "..." if s.end_s is None else _hm(s.end_s)
        dur = "" if s.end_s is None else f"  {_duration(s.end_s - s.start_s)}"
        heavy = "  (marked heavy)" if s.heavy else ""
        lines.append(f"  {_hm(s.start_s)}-{end}  {s.kind:<11} {s.label:<10}{dur}{heavy}")
    return "\n".join(lines)
