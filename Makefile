# Two entry points that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint install clean

$(BIN)/androcast: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/androcast

install: $(BIN)/androcast

run: install
	$(BIN)/androcast demo

test: install
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(BIN)/pytest -q -n 2 --durations=30

clean:
	rm -rf $(VENV) build *.egg-info
