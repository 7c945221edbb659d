"""The ``holdspace effects`` command: what followed shown prompts against held ones.

Only meaningful with learning on (the ``learning`` setting): then about one prompt in
``hold_probability`` that may be held is held back and only noted, and this command
compares, per act, the change in stress and heart rate over the 10 minutes after shown
and after held prompts (:mod:`companion.review.trends.effects`). The JSON is
``{"days", "first", "end", "acts": [...], "heart_rate": [...]}``, each list holding per
act (pause, breathe) exactly ``{"act", "shown", "held", "change_shown", "change_held",
"difference", "interval"}``: stress in score points under ``acts``, heart rate in beats
per minute under ``heart_rate``; ``interval`` is ``[lo, hi]`` (95 %, Welch) or null when
either side has fewer than 5 prompts.
"""

from __future__ import annotations

import argparse
from datetime import date, timedelta
from typing import Any

from companion.cli.args import add_demo_switch, main_data_dir, print_json
from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.review.trends.effects import Effects, act_effects, effects
from companion.settings import load_settings
from companion.store.store import Store

__all__ = ["add_effects_parsers"]

DEFAULT_DAYS = 30
"""Days compared by default: held prompts are few, a month gathers some."""


def add_effects_parsers(sub: Any) -> None:
    """Add the ``effects`` command to the ``holdspace`` sub-parsers."""
    p = sub.add_parser(
        "effects",
        help="with learning on: what followed shown prompts against held ones, per act",
        description=(
            "Per act (pause, breathe), the change in stress and heart rate over the 10 "
            "minutes after prompts you were shown against prompts held back by chance "
            "(learning on), with counts, the difference and its 95 % interval."
        ),
    )
    p.add_argument(
        "--days", type=_days, default=DEFAULT_DAYS, metavar="N", help="days to look back (30)"
    )
    p.add_argument(
        "--end", type=_date, default=None, metavar="DATE", help="the last day (default today)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    add_demo_switch(p)
    p.set_defaults(func=cmd_effects)


def _days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 3660:
        raise argparse.ArgumentTypeError(
            f"--days must be a whole number from 1 to 3660, not {text!r}"
        )
    return n


def _say(text: str) -> None:
    print(text)  # noqa: T201  (the command line is where printing belongs)


def cmd_effects(args: argparse.Namespace) -> int:
    end: date = args.end if args.end is not None else date.today()
    directory = _data_dir(args)
    if directory.exists():
        with Store(directory, read_only=True) as store:
            found = effects(store, end, args.days)
    else:
        first = end - timedelta(days=args.days - 1)  # no data folder yet: nothing to compare
        found = Effects(
            end, args.days, first, act_effects((), "stress"), act_effects((), "hr_bpm"), 0
        )
    if args.json:
        print_json(found.to_json())
        return 0
    if not load_settings(main_data_dir(args)).learning:
        _say(
            "Learning is off: no prompt is held. Turn it on in the settings (`,` on the "
            'screen, or "learning": true in settings.json) to learn.'
        )
    for line in found.lines():
        _say(line)
    return 0
