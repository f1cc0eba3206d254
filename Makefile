# Two commands on a fresh machine: `make demo` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/pufa: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/pufa
	$(BIN)/pufa build

test: $(BIN)/pufa
	$(BIN)/ruff check pipeline tests
	$(BIN)/mypy
	$(BIN)/pytest -q

bench: $(BIN)/pufa
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf output/episodes output/catalog.json output/catalog.csv
