# Everything a fresh machine needs, from Python 3.11 and pip alone.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
SEED   := seeds/000_0fbac94c356f0e3a.txt

# llama.cpp (llama-cpp-python) is compiled from source. The default build is portable: AVX2,
# FMA and F16C, no -march=native, so it runs on every x86-64 CPU with AVX2, AMD or Intel, and
# not the AMX/AVX-512 kernels that some virtual machines advertise but cannot run.
# `make setup-translate LLAMA_BUILD=native` opts into a build for this machine's CPU only.
LLAMA_VERSION := 0.3.36
LLAMA_BUILD   ?= portable
LLAMA_CMAKE_portable := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
LLAMA_CMAKE_native   := -DGGML_NATIVE=ON
LLAMA_STAMP := $(VENV)/.llama-cpp-$(LLAMA_VERSION)-$(LLAMA_BUILD)

.PHONY: setup setup-translate setup-server setup-corpus browser demo test check bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Light install: lint and clean only (no torch). An editable install gets no bytecode where
# PYTHONDONTWRITEBYTECODE is set, so every `toolkit lint` would compile its sources again:
# compile them once here, as pip does for a regular install.
setup: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/python -m compileall -q toolkit

# llama-cpp-python built here with the flags above, never a wheel from pip's cache (that cache
# is keyed by the source archive, not by CMAKE_ARGS, so it would hand back any earlier build).
# The stamp names version and build kind: switching LLAMA_BUILD rebuilds.
$(LLAMA_STAMP): $(BIN)/python
	@if [ "$$(uname -m)" = x86_64 ] && [ "$(LLAMA_BUILD)" = portable ] && ! grep -qw avx2 /proc/cpuinfo; then \
	  echo "error: this CPU has no AVX2; toolkit's translation runtime (llama.cpp) needs it" >&2; exit 1; fi
	rm -f $(VENV)/.llama-cpp-*
	CMAKE_ARGS="$(LLAMA_CMAKE_$(LLAMA_BUILD))" $(BIN)/pip install --quiet --force-reinstall --no-deps \
	  --no-cache-dir --no-binary llama-cpp-python "llama-cpp-python==$(LLAMA_VERSION)"
	touch $@

# Translation stack. torch is pinned to the CPU build first so nothing pulls a CUDA build.
setup-translate: setup $(LLAMA_STAMP)
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[translate,dev]"

# llama-cpp-python's OpenAI-compatible server (its `server` extra), for the --engine openai tests.
setup-server: setup-translate
	$(BIN)/pip install --quiet -e ".[translate,server,dev]"

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
	# lint and translate exit 1 when they report findings (the seed has them), 2 on an error
	$(BIN)/toolkit lint --statistics $(SEED) || [ $$? -eq 1 ]
	$(BIN)/toolkit clean --unsafe --explain $(SEED) -o out/000.clean.txt 2> out/000.clean.explain.txt
	$(BIN)/toolkit translate --unsafe $(SEED) -o out/000.en.md || [ $$? -eq 1 ]
	@echo "wrote out/000.clean.txt, out/000.clean.explain.txt, out/000.en.md"

# Corpus mode: Parquet (pyarrow) and the Ray engine, which the tests run for real.
setup-corpus: setup
	$(BIN)/pip install --quiet -e ".[corpus,ray,dev]"

# The tests, with the real (small) translation model, a local Ray instance, a real server on
# loopback and a real browser.
test: setup-server setup-corpus browser
	$(BIN)/toolkit models fetch --size 0.5b -q
	TOOLKIT_REQUIRE_MODEL=1 TOOLKIT_REQUIRE_BROWSER=1 $(BIN)/python -m pytest
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: setup-corpus
	$(BIN)/python -m pytest -m "not model"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: setup-translate setup-corpus
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python bench/bench_clean.py
	$(BIN)/python bench/bench_corpus.py
	$(BIN)/python bench/bench_translate.py
