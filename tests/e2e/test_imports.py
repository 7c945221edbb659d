"""Dependency direction at run time: headless commands never load Textual; NeuroKit2 only on use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.paths import FIXTURES, ROOT

PROBE = """
import json, sys
from companion.cli.main import main
status = []
for argv in json.loads(sys.argv[1]):
    try:
        status.append(main(argv))
    except SystemExit as exc:
        status.append(exc.code)
print(json.dumps({"status": status, "textual": "textual" in sys.modules,
                  "neurokit2": "neurokit2" in sys.modules}))
"""


def _probe(argvs: list[list[str]], data_dir: Path) -> dict[str, object]:
    env = {**os.environ, "HOLDSPACE_DATA_DIR": str(data_dir)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argvs)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_headless_commands_never_load_textual_or_neurokit2(tmp_path: Path) -> None:
    rec = tmp_path / "rest.hsrec"
    rr = tmp_path / "rr.txt"
    rr.write_text("800\n810\n790\n", encoding="utf-8")
    result = _probe(
        [
            ["--version"],
            ["simulate", "rest", "--out", str(rec), "--seed", "1", "--date", "2026-11-25"],
            ["replay", str(rec), "--headless", "--fast", "--json"],
            ["replay", str(FIXTURES / "rest-5min.hsrec"), "--headless", "--fast"],
            ["import", str(rr), "--format", "rr-ms", "--date", "2026-11-20"],
            ["sessions", "all", "--json"],
        ],
        tmp_path / "data",
    )
    assert result["status"] == [0, 0, 0, 0, 0, 0]
    assert result["textual"] is False
    assert result["neurokit2"] is False


def test_no_module_of_ours_imports_neurokit2_at_import_time() -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        "for pkg in ('companion', 'sensors', 'signals', 'tui'):\n"
        "    mod = importlib.import_module(pkg)\n"
        "    for info in pkgutil.walk_packages(mod.__path__, pkg + '.'):\n"
        "        if info.name != 'companion.__main__':\n"
        "            importlib.import_module(info.name)\n"
        "print('neurokit2' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
