# Holdspace: every target bootstraps a local virtual environment in .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo
LOCK   := requirements.lock
PIP    := $(BIN)/python -m pip --disable-pip-version-check
# The resolver behind `make lock`, in its own small environment (not in the lock it writes).
LOCK_TOOL := $(VENV)/lock-tool
UV_VERSION := 0.13.8

.PHONY: demo test bench lint fixtures browser tmux lock clean

# Exactly the versions in requirements.lock, each checked against its hashes; then Holdspace
# itself, editable, built by the hatchling the lock holds (no download at build time).
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Holdspace needs Python 3.11 or newer (set PYTHON=...)")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r $(LOCK)
	$(PIP) install --quiet --no-deps --no-build-isolation -e .
	@touch $@

## demo: the live screen on the emulated strap: a heavy workday (08:10-18:05) over a virtual
## Bluetooth link at 60x, about 10 minutes (q quits sooner); without a terminal it records
## headless for 120 s, two hours of the day (data kept in .demo/)
demo: $(STAMP)
	@mkdir -p $(DEMO)
	HOLDSPACE_DATA_DIR=$(CURDIR)/$(DEMO)/data $(BIN)/holdspace demo --speed 60 --duration 120

## test: the whole test suite (with Debian's Chromium for the HTML report's browser test and
## tmux for the real-terminal test of the demo)
test: $(STAMP) browser tmux
	$(BIN)/python -m pytest -q

# $(call debian_tool,COMMAND,PACKAGE,FOR WHAT): install Debian's PACKAGE when COMMAND is
# missing and this is root on Debian; otherwise say that those tests will be skipped
# (under CI=true they fail instead).
define debian_tool
	@command -v $(1) >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's $(2) for $(3)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null) \
	      || echo "Could not install $(2); $(3) will be skipped."; \
	  else \
	    echo "$(1) is not installed; $(3) will be skipped (as root: make $@)."; \
	  fi; }
endef

## browser: Debian's Chromium, which the HTML report test renders in
browser:
	$(call debian_tool,chromium,chromium,the HTML report browser test)

## tmux: tmux, which the real-terminal test runs the demo in
tmux:
	$(call debian_tool,tmux,tmux,the real-terminal test)

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
	TZ=UTC $(BIN)/python -m tests.support.golden_store

## lock: resolve requirements.lock again from pyproject.toml's ranges (the newest versions they
## allow, with hashes, for every platform; one version of each package for every Python from
## 3.11, so the one tested is the one installed); `make test` then installs and tests them
lock:
	@test -x $(LOCK_TOOL)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOL) && \
	  $(LOCK_TOOL)/bin/python -m pip install --quiet --disable-pip-version-check 'uv==$(UV_VERSION)'; }
	@# with the build backend (and `editables`, which it asks for to build in place)
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], "editables", sep="\n")' \
	| $(LOCK_TOOL)/bin/uv pip compile --quiet \
	  pyproject.toml - --extra test --universal --python-version 3.11 --generate-hashes \
	  --upgrade --fork-strategy fewest --custom-compile-command 'make lock' -o $(LOCK)

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
