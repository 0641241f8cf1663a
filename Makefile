# Two entry points: `make demo` builds and queries the graph; `make test` lints and tests.
# Both create the virtual environment they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SOURCES ?= ../shared/seeds

.PHONY: demo test lint clean
$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/dxkg build
	$(BIN)/dxkg query cases-per-factor

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: lint
	$(BIN)/python -m pytest -q

clean:
	rm -rf build .pytest_cache
