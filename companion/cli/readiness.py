"""The ``holdspace readiness`` command: a day's morning reading against your usual.

The reading, the usual and the words come from :mod:`companion.readiness`. Without a
reading that day the text is one sentence saying so (and the trend), the JSON has
``ln_rmssd``/``hr_bpm`` null and status ``no_reading``, and the exit status is 0: a
morning without a reading is an ordinary morning, not an error.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from companion.cli.args import add_demo_switch, print_json
from companion.cli.args import data_dir as _data_dir
from companion.cli.args import date_arg as _date
from companion.readiness.reading import readiness_json, readiness_of
from companion.readiness.words import readiness_words
from companion.store.store import Store
from signals.scores.readiness import assess

__all__ = ["add_readiness_parsers"]


def add_readiness_parsers(sub: Any) -> None:
    """Add the ``readiness`` command to the ``holdspace`` sub-parsers."""
    p = sub.add_parser(
        "readiness",
        help="a day's morning reading against your usual range, and the two weeks' trend",
        description=(
            "The morning reading of DATE (default today): ln RMSSD and resting heart rate "
            "from a reading you took on the screen, else your first three calm minutes "
            "between 05:00 and 11:00 before the first client session, against your rolling "
            "7-day mean and the range of the last 28 days. Needs 4 earlier readings."
        ),
    )
    p.add_argument("date", nargs="?", type=_date, default=None, metavar="DATE")
    p.add_argument("--json", action="store_true", help="print JSON")
    add_demo_switch(p)
    p.set_defaults(func=cmd_readiness)


def _say(text: str) -> None:
    print(text)  # noqa: T201  (the command line is where printing belongs)


def cmd_readiness(args: argparse.Namespace) -> int:
    day: date = args.date if args.date is not None else date.today()
    directory = _data_dir(args)
    if directory.exists():
        with Store(directory, read_only=True) as store:
            readiness = readiness_of(store, day)
    else:
        readiness = assess(day, None, ())
    if args.json:
        print_json(readiness_json(readiness))
    else:
        for line in readiness_words(readiness):
            _say(line)
    return 0
