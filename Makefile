# Two commands on a fresh machine: `make demo` and `make test` (`make studio` for the web studio). Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# make studio PROJECT=../抚宁普法 for a series made with pufa init
PROJECT ?= .

.PHONY: demo test bench studio clean

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
	$(BIN)/pytest -q -n auto

studio: $(BIN)/pufa
	$(BIN)/pufa --project $(PROJECT) studio

bench: $(BIN)/pufa
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf output/episodes output/catalog.json output/catalog.csv
