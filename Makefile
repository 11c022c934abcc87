# Everything a fresh machine needs, from Python 3.11 and pip alone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SEED   := seeds/000_0fbac94c356f0e3a.txt

.PHONY: setup setup-translate browser demo test check bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Light install: lint and clean only (no torch).
setup: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

# Translation stack. torch is pinned to the CPU build first so nothing pulls a CUDA build.
setup-translate: setup
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[translate,dev]"

# Headless Chromium and a Chinese font for the review-page tests (Debian packages; CI runs as
# root on Debian, elsewhere sudo is used).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@if ! command -v chromium >/dev/null || ! fc-list :lang=zh 2>/dev/null | grep -q .; then \
	  $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium fonts-wqy-microhei; fi

# The main job on the sample seed: lint, clean, translate to English Markdown in out/.
demo: setup-translate
	mkdir -p out
	$(BIN)/toolkit models fetch
	-$(BIN)/toolkit lint --statistics $(SEED)
	$(BIN)/toolkit clean --unsafe --explain $(SEED) -o out/000.clean.txt 2> out/000.clean.explain.txt
	$(BIN)/toolkit translate --unsafe $(SEED) -o out/000.en.md
	@echo "wrote out/000.clean.txt, out/000.clean.explain.txt, out/000.en.md"

# The tests, with the real (small) translation model and a real browser.
test: setup-translate browser
	$(BIN)/toolkit models fetch --size 0.5b -q
	TOOLKIT_REQUIRE_MODEL=1 TOOLKIT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: setup
	$(BIN)/python -m pytest -m "not model"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup-translate
	$(BIN)/python bench/bench_clean.py
	$(BIN)/python bench/bench_translate.py
