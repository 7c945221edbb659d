#!/usr/bin/env bash
# The heavy day's user-visible outputs, written to one folder, so that a restructuring can
# show they are byte-identical before and after (issue 18):
#   tools/same_outputs.sh OUT_DIR   # then: diff -r BEFORE_DIR AFTER_DIR
# replay --json, analyze --json (with epochs), both export formats and the HTML day report
# of fixtures/heavy-day.hsrec, in a fresh data folder, in UTC.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "$1")"
mkdir -p "$out"
data="$(mktemp -d)"
trap 'rm -rf "$data"' EXIT
export TZ=UTC HOLDSPACE_DATA_DIR="$data/store"
hs=".venv/bin/holdspace"
day=fixtures/heavy-day.hsrec
"$hs" replay "$day" --headless --fast --json > "$out/replay.json"
"$hs" analyze "$day" --epochs 60 --json > "$out/analyze.json"
"$hs" analyze "$day" > "$out/analyze.txt"
"$hs" export --out "$out/export-csv" --format csv
"$hs" export --out "$out/export-json" --format json --redact-labels
"$hs" report 2026-11-23 --html "$out/report.html"
ls -R "$out" | head -40
