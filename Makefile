# Paper Trends: `make run` starts the dashboard, `make test` runs every test, `make bench` measures.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
SIZES  ?= 10000 100000 1000000
# Some machines set PYTHONDONTWRITEBYTECODE: every process (each test worker, each CLI or
# dashboard subprocess) then compiles every module again, and pytest re-rewrites hypothesis.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-browser test-fast check-real lint bench browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamps record which extra is installed; they are redone when pyproject.toml changes.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-run

# The dashboard on this machine only (127.0.0.1). On a fresh machine it builds the default
# store (papertrends serve --help) from the shipped page; a collection you have grown is kept.
run: $(VENV)/.installed-run
	$(BIN)/papertrends serve --port $(PORT)

# Debian's Chromium for the browser tests (never `playwright install`: it downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# Every test, the real-browser ones included (they need Debian's chromium: `make browser`).
test: $(VENV)/.installed-test browser lint
	$(BIN)/pytest -q

# Only the real-browser tests, or everything else: quicker loops while developing.
test-browser: $(VENV)/.installed-test browser
	$(BIN)/pytest -q -m browser

test-fast: $(VENV)/.installed-test lint
	$(BIN)/pytest -q -m "not browser"

# The product on real Daily Papers data (../shared/real, or PAPERTRENDS_REAL_DATA); skipped
# when the folder is absent. `make test` runs it too.
check-real: $(VENV)/.installed-test
	$(BIN)/pytest -q -m real

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py $(SIZES)

# Tools and caches only: the collection lives in your data folder, not here.
clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache .hypothesis
