# tate: the two commands of the README are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: demo test test-all lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/tate fly --out out/demo
	$(VENV)/bin/tate run --out out/demo/run
	$(VENV)/bin/tate verify

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests $(wildcard bench examples)
	$(VENV)/bin/mypy src

test: lint
	$(VENV)/bin/pytest -m "not slow" -q

test-all: lint
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/flight.py
	PYTHONPATH=. $(PY) bench/tracking_vs_stonesoup.py
	$(PY) bench/imm_vs_cv.py
	$(PY) bench/wta.py
	$(PY) bench/engine.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache
