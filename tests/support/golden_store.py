"""Write the committed store of the current schema version, ``fixtures/stores/v<N>/``.

Run ``python -m tests.support.golden_store`` (``make fixtures`` does) after raising
:data:`companion.store.store.SCHEMA_VERSION`: it writes the store of the new version and
never touches the stores of earlier versions, which the tests open with the
current code to prove every earlier version still opens (``tests/companion/test_migrations.py``).

The store holds the first 90 minutes of ``fixtures/heavy-day.hsrec`` replayed by
Holdspace (beats in day files, minutes, a finished client session with its
analysis, an open one, a disconnection), plus a check-in with a note, an act, a
planned session, a prompt and a setting, so every table has a document.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from companion.cli.main import main as holdspace
from companion.store.store import LOCK_FILE, SCHEMA_VERSION, Store
from tests.support.paths import FIXTURES

STORES = FIXTURES / "stores"
SOURCE = FIXTURES / "heavy-day.hsrec"
MINUTES = 90
NOTE = "heavy one, talk to Sam"


def _first_minutes(source: Path, out: Path, minutes: float) -> None:
    """Copy the header and the events of the first ``minutes`` of a recording."""
    with source.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        dst.write(src.readline())
        first: float | None = None
        for line in src:
            t = float(json.loads(line)["t"])
            first = t if first is None else first
            if t - first > minutes * 60.0:
                break
            dst.write(line)


def build(out_dir: Path) -> None:
    """Write the store (see the module docstring) into the new folder ``out_dir``."""
    with tempfile.TemporaryDirectory() as tmp:
        recording = Path(tmp) / "golden.hsrec"
        _first_minutes(SOURCE, recording, MINUTES)
        status = holdspace(
            ["--data-dir", str(out_dir), "replay", str(recording), "--headless", "--fast"]
        )
        if status != 0:
            raise SystemExit(f"replaying {recording} failed with status {status}")
    with Store(out_dir) as store:
        day = store.days()[0]
        first = store.sessions(day)[0]
        end_s = float(first.end_s or first.start_s)
        store.add_check_in(end_s + 30.0, {"heavy": True, "note": NOTE}, first.session_id, "manual")
        store.add_act(end_s + 60.0, "pause", {"minutes": 2}, None, "manual")
        plan: dict[str, Any] = {
            "uid": "golden-1",
            "start_s": end_s + 7200.0,
            "end_s": end_s + 10800.0,
        }
        plan |= {"kind": "supervision", "label": "supervision-1200", "all_day": False}
        store.put_planned([plan], day, day, source="golden.ics")
        store.put_setting("daily_prompt_cap", 3)
        prompt: dict[str, Any] = {
            "prompt_id": f"contact-{end_s:.0f}",
            "kind": "contact",
            "rule": "marked_heavy",
        }
        prompt |= {
            "raised_s": end_s,
            "reason": "You marked that session as heavy.",
            "in_session": False,
        }
        prompt |= {"delivered_s": end_s, "fate": "delivered", "merged_into": None}
        prompt |= {"response": "accepted", "responded_s": end_s + 20.0, "before_after": None}
        store.put_prompts([prompt], "manual")
    (out_dir / LOCK_FILE).unlink(missing_ok=True)


def run() -> int:
    out_dir = STORES / f"v{SCHEMA_VERSION}"
    if out_dir.exists():
        print(f"{out_dir} exists; the stores of earlier versions are never rewritten.")
        return 0
    os.environ["TZ"] = "UTC"
    time.tzset()
    build(out_dir)
    print(f"Wrote the schema version {SCHEMA_VERSION} store in {out_dir}.")
    return 0


if __name__ == "__main__":
    sys.exit(run())
