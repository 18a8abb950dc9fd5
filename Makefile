# Two commands do all set-up on a fresh machine: `make book` and `make test`.
# Everything lands in .venv (pinned Python packages), node_modules (npm lock file) and,
# when run as root, Debian packages through apt.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# nbgrader runs `alembic` by name: the venv's bin/ must be on PATH.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export PYDEVD_DISABLE_FILE_VALIDATION := 1
# Small matrices and parallel page execution: OpenBLAS worker threads only oversubscribe the
# 2 cores (measured 17x slower widget precompute on a busy machine), so one thread each.
export OPENBLAS_NUM_THREADS := 1
export OMP_NUM_THREADS := 1
APT_PACKAGES := bubblewrap chromium chromium-driver postgresql fonts-dejavu-core
# Two pytest-xdist workers (CI has 2 cores); what runs together: xdist_scope in tests/conftest.py.
PYTEST_ARGS ?= -n 2 --dist loadscope --no-loadscope-reorder

.PHONY: help venv assets system-deps book serve test lint format clean exercises

help:
	@echo "make book   build the static site into _build/html"
	@echo "make serve  serve _build/html on http://127.0.0.1:8000"
	@echo "make test   lint, build the book, run every test"

$(VENV)/.installed: requirements.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet pip==26.3
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.installed

# Debian packages for the sandbox (bubblewrap), the browser tests (chromium) and the
# PostgreSQL gradebook test. Installed only when missing; needs root (CI runs as root).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "apt: installing$$missing"; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null || \
	    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }; \
	  else echo "missing Debian packages:$$missing (run as root or: sudo apt-get install$$missing)"; fi; \
	fi

book: venv assets
	$(PY) -m nnbook.site build
	@echo "The book is in $(CURDIR)/_build/html/index.html (make serve to look at it)"

serve:
	@test -f _build/html/index.html || $(MAKE) book
	$(PY) -m http.server --bind 127.0.0.1 --directory _build/html 8000

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: venv assets system-deps lint book
	NNBOOK_REQUIRE_ALL=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

clean:
	rm -rf _build .pytest_cache .ruff_cache
