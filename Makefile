# Quick start: `make demo` (set-up included) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FUZZ_SECONDS ?= 120

.PHONY: demo test lint master samples docs pictures fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# the modules byte-compiled, as installing a wheel does (an editable install is not, and a machine
# with PYTHONDONTWRITEBYTECODE set would compile them again on every command: ~0.1 s)
$(STAMP): pyproject.toml setup.py workbook_engine/xlsx/_fastsheet.c workbook_engine/xlsx/_xmlscan.c | $(BIN)/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	$(BIN)/python -m compileall -q workbook_engine
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/workbook-engine demo

test: $(STAMP)
	$(BIN)/python -m pytest -W error

lint: $(STAMP)
	$(BIN)/ruff check workbook_engine tests scripts fuzz bench cli.py
	$(BIN)/mypy

samples: $(STAMP)
	$(BIN)/python scripts/make_samples.py

master: $(STAMP)
	$(BIN)/python scripts/make_master.py templates/master.xlsx

docs: $(STAMP)
	$(BIN)/python scripts/make_problems_doc.py

fuzz: $(STAMP)
	$(BIN)/python fuzz/fuzz_returns.py --seconds $(FUZZ_SECONDS)

bench: $(STAMP)
	$(BIN)/python bench/benchmark.py

pictures: $(STAMP)
	$(BIN)/python scripts/render_pictures.py

clean:
	rm -rf out summary.xlsx summary.json .pytest_cache .mypy_cache
