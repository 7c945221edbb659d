"""``holdspace report DATE --html OUT``: a stored day as one self-contained HTML page.

The page is something a helper could bring to supervision: the day's heart
rate, stress and load with the sessions as bands, each session's load, the
recovery after each session, a table of sessions, and the prompts with what
happened to them. It is built from the same review as the screen
(:func:`companion.review.day.load_day`), so both always agree.

Self-contained means: the styles are inline, the charts are inline SVG drawn
here (:mod:`companion.review.charts`), there is no script, and a
Content-Security-Policy forbids every external load, so opening the file never
touches the network. Labels are the helper's codes, but a report may leave the
room: unless asked to keep them, sessions are called ``client-1``, ``client-2``,
..., colleagues "a colleague", and check-in notes are left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Final

from companion import __version__
from companion.errors import HoldspaceError
from companion.review.charts import (
    SessionGap,
    load_chart,
    recovery_chart,
    recovery_words,
    session_gaps,
    timeline_chart,
)
from companion.review.day import DayReview, connection_line, load_day
from companion.review.rows import (
    CheckInRow,
    PromptRow,
    SessionRow,
    check_in_row,
    clock,
    neutral_labels,
)
from companion.review.svg import esc
from companion.store.jsonfile import write_atomic
from companion.store.store import Store

__all__ = ["CSP", "build_day_report", "write_day_report"]

CSP: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
"""Nothing may load from anywhere: only the inline styles and inline SVG of the page itself."""

KIND_ORDER: Final = ("client", "supervision", "peer", "team", "admin", "break", "other")


def _css() -> str:
    return files("companion.review").joinpath("report.css").read_text(encoding="utf-8")


def _fmt(value: float | None, pattern: str = "{:.0f}", missing: str = "–") -> str:
    return missing if value is None else pattern.format(value)


def _signed(value: float | None, unit: str) -> str:
    """A change with its sign, ``+7 bpm``, ``−21 %``, ``±0 %`` (rounded to whole units)."""
    if value is None:
        return "–"
    whole = round(value)
    sign = "±" if whole == 0 else ("+" if whole > 0 else "−")
    return f"{sign}{abs(whole)}{unit}"


@dataclass(frozen=True, slots=True)
class _Wording:
    """What the page may name: session labels and check-in text, as chosen."""

    labels: Mapping[int, str]
    check_ins: Mapping[int, str]
    keep_labels: bool


def _check_in_text(row: CheckInRow, keep: bool) -> str:
    if keep:
        return row.text
    answers = {k: v for k, v in row.answers.items() if k != "note"}
    doc = {"at_s": row.at_s, "session_id": row.session_id, "answers": answers}
    return check_in_row(doc).text


def _wording(review: DayReview, keep_labels: bool) -> _Wording:
    labels = (
        {s.session_id: s.label for s in review.sessions}
        if keep_labels
        else neutral_labels(review.sessions)
    )
    check_ins: dict[int, str] = {}
    for row in review.check_ins:
        if row.session_id is not None:
            check_ins[row.session_id] = _check_in_text(row, keep_labels)
    return _Wording(labels, check_ins, keep_labels)


def _subtitle(review: DayReview) -> str:
    n = len(review.sessions)
    parts = [f"{n} session{'s' if n != 1 else ''}", f"{review.minutes_recorded} min recorded"]
    if review.daily_load_end is not None:
        load = f"day's load {review.daily_load_end:.0f} at the end"
        if review.daily_load_peak is not None:
            load += f", {review.daily_load_peak:.0f} at its highest (0-100)"
        parts.append(load)
    return " · ".join(parts)


def _observations(review: DayReview, words: _Wording, gaps: Sequence[SessionGap]) -> list[str]:
    """What moved, in plain sentences, each against the baseline named on the page."""
    out: list[str] = []
    measured = [s for s in review.sessions if s.load is not None]
    if measured:
        top = max(measured, key=lambda s: s.load or 0.0)
        name = words.labels[top.session_id]
        text = (
            f"The highest session load was {top.load:.0f} of 100, in {name} "
            f"({top.kind}, from {clock(top.start_s)})"
        )
        moved = []
        if top.stress_mean is not None:
            moved.append(f"stress averaged {top.stress_mean:.0f}")
        if top.hr_change_bpm is not None:
            moved.append(f"heart rate {_signed(top.hr_change_bpm, ' bpm')} against your baseline")
        if top.rmssd_change_pct is not None:
            moved.append(f"RMSSD {_signed(top.rmssd_change_pct, ' %')}")
        out.append(text + (": " + ", ".join(moved) if moved else "") + ".")
    high = [s for s in review.sessions if (s.minutes_high or 0) > 0]
    if high:
        total = sum(s.minutes_high or 0 for s in high)
        out.append(
            f"Stress was in the high band (76-100) for {total} minutes, in "
            f"{len(high)} session{'s' if len(high) != 1 else ''}."
        )
    measured_gaps = [g for g in gaps if g.row.load is not None]
    if measured_gaps:
        late = [
            g
            for g in measured_gaps
            if g.row.recovery_min is None and g.before == "the next session"
        ]
        if late:
            out.append(
                f"After {len(late)} of {len(measured_gaps)} sessions you were not back near "
                "baseline before the next one began."
            )
        else:
            out.append("After every session you were back near baseline before the next one.")
    if any(s.heaviness.heavy for s in review.sessions if s.end_s is not None):
        out.append(
            f"Heavy sessions: {review.heavy_text} — heavy means you marked it heavy, or its "
            "mean or sustained stress was in the high band; trends count them the same way."
        )
    shown = [p for p in review.prompts if p.delivered_s is not None]
    if review.prompts:
        out.append(
            f"{len(shown)} prompt{'s were' if len(shown) != 1 else ' was'} shown "
            f"({len(review.prompts)} raised; the rest were held, folded together or capped)."
        )
    learned = [p for p in review.prompts if p.fate == "held"]
    if learned:
        out.append(
            f"{len(learned)} held back by chance to learn what helps (learning on): noted, "
            "not shown, and compared with the shown ones in the trends."
        )
    return out


def _legend(review: DayReview) -> str:
    kinds = [k for k in KIND_ORDER if any(s.kind == k for s in review.sessions)]
    items = [f'<li><span class="swatch-box kind-{esc(k)}"></span>{esc(k)}</li>' for k in kinds] + [
        '<li><span class="key-line key-hr"></span>heart rate (bpm)</li>',
        '<li><span class="key-line key-baseline"></span>your baseline heart rate</li>',
        '<li><span class="key-line key-stress"></span>stress (0-100)</li>',
        '<li><span class="key-line key-load"></span>day\'s load (0-100)</li>',
        '<li><span class="key-prompt"></span>a prompt shown</li>',
    ]
    return '<ul class="legend">' + "".join(items) + "</ul>"


_SESSION_HEAD: Final = (
    ("Time", "time"), ("Session", ""), ("Length", "num"), ("Heart rate (vs baseline)", "num"),
    ("RMSSD vs baseline", "num"), ("Stress avg / peak", "num"), ("High min", "num"),
    ("Load", "num"), ("Recovery", ""), ("Your view", ""),
)  # fmt: skip


def _session_cells(row: SessionRow, words: _Wording, recovery: str) -> list[tuple[str, str]]:
    end = clock(row.end_s) if row.end_s is not None else "open"
    length = "open" if row.duration_s is None else f"{row.duration_s / 60:.0f} min"
    stress = "–" if row.stress_mean is None else f"{row.stress_mean:.0f} / {_fmt(row.stress_peak)}"
    view = []
    if row.marked_heavy:
        view.append("marked heavy")
    elif row.marked_heavy is False:
        view.append("not heavy")
    check_in = words.check_ins.get(row.session_id, "")
    if check_in and check_in not in view:
        view = [check_in]
    if row.heaviness.high_stress:  # heavy by the strap's measure too (companion.review.heavy)
        view.append("high stress")
    label = words.labels[row.session_id]
    name = label if label.startswith(f"{row.kind}-") else f"{label} ({row.kind})"
    heart = _fmt(row.mean_hr_bpm, "{:.0f} bpm")
    if row.hr_change_bpm is not None:
        heart += f" ({_signed(row.hr_change_bpm, '')})"
    return [
        (f"{clock(row.start_s)}–{end}", "time"),
        (name, ""),
        (length, "num"),
        (heart, "num"),
        (_signed(row.rmssd_change_pct, " %"), "num"),
        (stress, "num"),
        (_fmt(None if row.minutes_high is None else float(row.minutes_high)), "num"),
        (_fmt(row.load), "num"),
        (recovery, ""),
        (" · ".join(view), ""),
    ]


def _sessions_table(review: DayReview, words: _Wording, gaps: Sequence[SessionGap]) -> str:
    recovery = {g.row.session_id: recovery_words(g, short=True) for g in gaps}
    head = "".join(f'<th class="{c}" scope="col">{esc(t)}</th>' for t, c in _SESSION_HEAD)
    rows = []
    for row in review.sessions:
        cells = _session_cells(row, words, recovery.get(row.session_id, "–"))
        rows.append("<tr>" + "".join(f'<td class="{c}">{esc(v)}</td>' for v, c in cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table class="sessions"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _prompt_item(p: PromptRow) -> str:
    parts = [f'<span class="when">{esc(p.when_text)}</span> {esc(p.kind)}: {esc(p.reason)}']
    tail = [p.fate_text, p.response_text if p.response_text else "", p.before_after_text]
    details = "; ".join(t for t in tail if t)
    if details:
        parts.append(f'<br><span class="muted">{esc(details)}</span>')
    return "<li>" + "".join(parts) + "</li>"


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _label_notice(keep_labels: bool) -> str:
    if keep_labels:
        return (
            "Session labels are your own codes, as you typed them, and check-in notes are "
            "included. Keep this file as private as your notes."
        )
    return (
        "Session labels are replaced with neutral names (client-1, client-2, ...), colleagues "
        "are not named and check-in notes are left out. Add --keep-labels to show your own codes."
    )


def build_day_report(store: Store, day: date, *, keep_labels: bool = False) -> str:
    """The HTML page for one stored day (see the module docstring).

    Raises
    ------
    HoldspaceError
        When nothing is stored for ``day``.
    """
    review = load_day(store, day)
    if review.empty:
        known = store.days()
        hint = f" Days with data: {known[0]} to {known[-1]}." if known else ""
        raise HoldspaceError(f"nothing is stored for {day}; there is no day to report.{hint}")
    words = _wording(review, keep_labels)
    connection = connection_line(store, day, review.sessions, names=keep_labels)
    title = f"Day report · {day:%A} {day.day} {day:%B %Y}"
    gaps = session_gaps(review)
    body = _intro(review, title, keep_labels)
    body += _morning_parts(review.morning)
    body += _what_moved(_observations(review, words, gaps))
    body += _through_the_day(review, words)
    body += _session_parts(review, words, gaps)
    body += _prompt_parts(review)
    body += _connection_parts(connection)
    body += _loose_check_ins(review, keep_labels)
    body.append(
        f"<footer>Made by Holdspace {esc(__version__)} from the data on this computer. "
        "This page loads nothing from the internet; it opens offline and prints.</footer>"
    )
    return _page(title, body)


def _intro(review: DayReview, title: str, keep_labels: bool) -> list[str]:
    """The title, the day's subtitle and the notice on what the page is (and is not)."""
    return [
        f"<h1>{esc(title)}</h1>",
        f'<p class="subtitle">{esc(_subtitle(review))}</p>',
        '<div class="notice">',
        "<p>How your body responded through the day, as your chest strap measured it. "
        "This is not a diagnosis: it shows what moved, each number against a baseline.</p>",
        f"<p>{esc(review.baseline.text)}</p>",
        f"<p>{esc(_label_notice(keep_labels))}</p>",
        "</div>",
    ]


def _morning_parts(morning: Sequence[str]) -> list[str]:
    """The morning reading against the usual (``companion.readiness``), when there is one."""
    if not morning:
        return []
    return ["<h2>Morning reading</h2>", "".join(f"<p>{esc(line)}</p>" for line in morning)]


def _what_moved(observations: Sequence[str]) -> list[str]:
    if not observations:
        return []
    return [
        "<h2>What moved</h2>",
        '<ul class="observations">' + "".join(f"<li>{esc(o)}</li>" for o in observations) + "</ul>",
    ]


def _through_the_day(review: DayReview, words: _Wording) -> list[str]:
    return [
        "<h2>Through the day</h2>",
        _legend(review),
        _figure(
            timeline_chart(review, words.labels),
            "Each minute's heart rate, stress and the day's load; a gap is a minute "
            "without a reliable signal.",
        ),
    ]


def _session_parts(review: DayReview, words: _Wording, gaps: Sequence[SessionGap]) -> list[str]:
    """The sessions' table, their load and (with a gap after a session) the recovery."""
    if not review.sessions:
        return []
    parts = ["<h2>Sessions</h2>", _sessions_table(review, words, gaps)]
    parts += [
        "<h2>Load of each session</h2>",
        _figure(
            load_chart(review.sessions, words.labels),
            "Load counts how long and how far stress stayed above the resting range, "
            "from 0 to 100; fifty minutes at a stress of 95 give about 79.",
        ),
    ]
    if gaps:
        parts += [
            "<h2>Recovery</h2>",
            _figure(
                recovery_chart(gaps, words.labels),
                "Recovery is the time from a session's end until three minutes in a row "
                "were near baseline (stress 25 or less, or heart rate close to your usual).",
            ),
        ]
    return parts


def _prompt_parts(review: DayReview) -> list[str]:
    if not review.prompts:
        return ["<h2>Prompts</h2>", "<p>No prompts were raised this day.</p>"]
    items = "".join(_prompt_item(p) for p in review.prompts)
    return ["<h2>Prompts</h2>", '<ul class="prompts">' + items + "</ul>"]


def _connection_parts(connection: str) -> list[str]:
    return ["<h2>Connection</h2>", f"<p>{esc(connection)}</p>"] if connection else []


def _loose_check_ins(review: DayReview, keep_labels: bool) -> list[str]:
    """Check-ins given outside any session, one line each."""
    loose = [c for c in review.check_ins if c.session_id is None]
    if not loose:
        return []
    return [
        "<h2>Check-ins outside sessions</h2><ul>",
        *(f"<li>{esc(clock(c.at_s))} {esc(_check_in_text(c, keep_labels))}</li>" for c in loose),
        "</ul>",
    ]


def _page(title: str, body: Sequence[str]) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{esc(title)}</title><style>{_css()}</style></head>"
        "<body><main>" + "\n".join(body) + "</main></body></html>\n"
    )


def write_day_report(
    store: Store, day: date, out: Path, *, keep_labels: bool = False, force: bool = False
) -> Path:
    """Write the report of ``day`` to ``out`` (mode 0600), atomically and never
    through a link planted in its folder (:func:`companion.store.jsonfile.write_atomic`).

    Raises
    ------
    HoldspaceError
        When the day has no data, ``out`` exists (without ``force``) or is a
        folder, or its folder does not exist.
    """
    out = out.expanduser()
    if out.is_dir():
        raise HoldspaceError(f"{out} is a folder; give a file name such as {out / f'{day}.html'}.")
    if not out.parent.is_dir():
        raise HoldspaceError(f"the folder {out.parent} does not exist; create it first.")
    if out.exists() and not force:
        raise HoldspaceError(f"{out} already exists; add --force to replace it.")
    page = build_day_report(store, day, keep_labels=keep_labels)
    try:
        write_atomic(out, page.encode("utf-8"), replace=force)
    except FileExistsError:
        raise HoldspaceError(f"{out} already exists; add --force to replace it.") from None
    except OSError as exc:
        raise HoldspaceError(
            f"could not write the report to {out}: {exc.strerror or exc}."
        ) from None
    return out
