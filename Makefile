# Holdspace: every target bootstraps a local virtual environment in .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo

.PHONY: demo test bench lint fixtures clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Holdspace needs Python 3.11 or newer (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

## demo: the live screen on the emulated strap: a heavy workday over a virtual Bluetooth link,
## two hours of it in two minutes (data kept in .demo/; headless without a terminal)
demo: $(STAMP)
	@mkdir -p $(DEMO)
	HOLDSPACE_DATA_DIR=$(CURDIR)/$(DEMO)/data $(BIN)/holdspace demo --speed 60 --duration 120

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q

## bench: speed and size benchmarks, printed (never asserted)
bench: $(STAMP)
	$(BIN)/python -m bench

## lint: ruff, mypy and import-linter
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## fixtures: regenerate the committed recordings in fixtures/
fixtures: $(STAMP)
	TZ=UTC $(BIN)/holdspace simulate heavy --out fixtures/heavy-day.hsrec --seed 1 --date 2026-11-23
	TZ=UTC $(BIN)/holdspace simulate calm --out fixtures/calm-day.hsrec --seed 2 --date 2026-11-24
	TZ=UTC $(BIN)/holdspace simulate rest --out fixtures/rest-5min.hsrec --seed 3 --date 2026-11-25
	TZ=UTC $(BIN)/holdspace simulate paced-breathing --out fixtures/paced-breathing.hsrec --seed 4 --date 2026-11-25

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
