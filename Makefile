# Two entry points that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install browser clean mutation

$(BIN)/androcast: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/androcast

install: $(BIN)/androcast

# The browser tests drive Debian's Chromium (browser downloads are impossible here):
# install it when missing and we may (root with apt); otherwise those tests skip locally
# and fail under CI (CI=true, set by .ci/run).
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

run: install
	$(BIN)/androcast demo

test: install browser
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 --dist loadfile --durations=30

# Mutation testing of the science core (labs, interpret, prognosis, twin, model): long, so
# not part of `make test`. One file at a time with the tests that reach it (bench/mutation.py);
# results in docs/mutation.md. TARGETS narrows it, e.g. make mutation TARGETS='labs/semen.py interpret'.
TARGETS ?=
mutation: install
	nice -n 15 $(BIN)/python bench/mutation.py $(TARGETS)

clean:
	rm -rf $(VENV) build *.egg-info mutants
