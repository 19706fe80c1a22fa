# tate: the two commands of the README are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
STAMP := $(VENV)/.installed
CESIUM := node_modules/cesium/Build/Cesium/Cesium.js
DEMO_RUNS ?= 200
# the tests run on two processes (pytest-xdist), a test file per process at a time
TEST_WORKERS ?= 2
# numpy's AVX-512 maths off in the tests: the numpy reference routes then compute the
# same bits as the compiled kernels on every CPU (tests/conftest.py sets it too)
TEST_ENV := NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"

.PHONY: install demo test test-all lint bench clean viewer-deps
.DEFAULT_GOAL := install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# `make`: the Python environment and the viewer's npm packages
install: $(STAMP) $(CESIUM)

# the viewer's Cesium build (npm, pinned in package.json / package-lock.json)
$(CESIUM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(CESIUM)

# the browser tests drive Debian's chromium (browsers cannot be downloaded by playwright)
viewer-deps: $(CESIUM)
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; }

demo: $(STAMP) $(CESIUM)
	$(VENV)/bin/tate fly --out out/demo
	$(VENV)/bin/tate run --out out/demo/run
	$(VENV)/bin/tate mc --runs $(DEMO_RUNS) --out out/demo/mc
	$(VENV)/bin/tate report out/demo/mc --out out/demo/report.html
	$(VENV)/bin/tate export czml out/demo/run --out out/demo/replay.czml
	$(VENV)/bin/tate verify
	@echo "report: out/demo/report.html; CZML: out/demo/replay.czml"
	@echo "3-D replay: $(VENV)/bin/tate view out/demo/run --open"

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests $(wildcard bench examples)
	$(VENV)/bin/mypy src

test: lint viewer-deps
	$(TEST_ENV) $(VENV)/bin/pytest -m "not slow" -q -n $(TEST_WORKERS) --dist loadfile

test-all: lint viewer-deps
	$(TEST_ENV) $(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) bench/flight.py
	$(PY) bench/flight_jit.py
	PYTHONPATH=. $(PY) bench/tracking_vs_stonesoup.py
	$(PY) bench/imm_vs_cv.py
	$(PY) bench/wta.py
	$(PY) bench/engine.py
	$(PY) bench/studies.py
	$(PY) bench/learned.py

clean:
	rm -rf $(VENV) out node_modules .pytest_cache .mypy_cache .ruff_cache
