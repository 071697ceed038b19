# mtzsim — two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-slow test-all bench validate clean chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/mtzsim demo --force

# Debian's Chromium for the browser test of the web page (tests/test_web_page.py drives it with
# Playwright); installed with apt when /usr/bin/chromium is missing (sudo when not root).
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

# one pytest worker per core (pytest-xdist; at most 8, each holds its own session fixtures in memory),
# each with one numba thread: the cores run tests, not
# threads inside small stencils; a test file runs whole, in order, on one worker (--dist loadfile).
# The schemathesis fuzz runs in the main process: inside an xdist worker its parametrized test runs
# only the API's first operation (GET /api/health) and passes; test_web_schema.py checks what it saw.
# `make test` is the default run, every case not marked slow (under 10 minutes on 2 cores);
# `make test-slow` the slow verification cases (the full physics table's orderings, the calibrations
# reproduced, grid convergence, random interrupts); `make test-all` both. CI (.ci/run) runs both.
SERIAL_TESTS := tests/test_web_schema.py
PYTEST := NUMBA_NUM_THREADS=1 $(BIN)/python -m pytest -q -n auto --maxprocesses 8 --dist loadfile
test: $(STAMP) chromium
	$(PYTEST) -m "not slow" --ignore=$(SERIAL_TESTS)
	$(BIN)/python -m pytest -q -m "not slow" $(SERIAL_TESTS)

test-slow: $(STAMP)
	$(PYTEST) -m slow --ignore=$(SERIAL_TESTS)

test-all: test test-slow

validate: $(STAMP)
	$(BIN)/mtzsim validate

bench: $(STAMP)
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/run.py all

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache
