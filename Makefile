# Tastemaker: every target does its own set-up on a fresh machine, skipping what is done.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(shell command -v $(PYTHON))
DIST := src/tastemaker/static/dist
# Templates and Python are inputs too: Tailwind scans the templates for classes and the
# icon sprite holds only the lucide icons named in templates and Python.
FRONTEND_SOURCES := $(shell find frontend/src src/tastemaker -path '*/static/dist' -prune -o \
  \( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.svg' -o -name '*.py' \) -print 2>/dev/null) \
  frontend/build.mjs frontend/icons.txt frontend/package-lock.json

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(DIST)/manifest.json: frontend/node_modules/.installed $(FRONTEND_SOURCES)
	cd frontend && npm run --silent build

.PHONY: install
install: $(VENV)/.synced $(DIST)/manifest.json ## Python deps, npm deps and built assets

# Debian packages, each installed only when its program is missing.
define apt-install
	@if [ ! -x $(1) ]; then \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	fi
endef

.PHONY: system-deps
system-deps: ## Debian packages the tests need (Chromium for Playwright), only when missing
	$(call apt-install,/usr/bin/chromium,chromium)

.PHONY: demo
demo: install ## Run the app with SQLite, the simulators and a sample library
	$(BIN)/tastemaker demo --port $(PORT)

.PHONY: serve
serve: install ## Run the app against the services configured in .env
	$(BIN)/tastemaker db upgrade
	$(BIN)/tastemaker serve --port $(PORT)

.PHONY: dev
dev: install ## Auto-reloading demo plus Tailwind watch
	(cd frontend && npm run --silent watch) & \
	trap 'kill %1' EXIT; \
	$(BIN)/tastemaker demo --port $(PORT) --reload

# Test files are spread over this many processes (each with its own databases and
# servers); much of the suite waits on loopback servers, so two fill two cores.
TEST_WORKERS ?= 2

.PHONY: test
test: install system-deps ## Run the whole test suite (SQLite and PostgreSQL, browser)
	$(BIN)/pytest -m "not slow" -n $(TEST_WORKERS) --dist loadfile --durations=15 $(PYTEST_ARGS)

.PHONY: test-slow
test-slow: install system-deps ## Run the slow tests (hard kills, the long fuzzing run)
	$(BIN)/pytest -m slow $(PYTEST_ARGS)

.PHONY: bench
bench: install ## Measure against the direct path and the goals; writes bench/results.json
	$(call apt-install,/usr/bin/wrk,wrk)
	$(BIN)/python -m bench

.PHONY: lint
lint: install ## ruff, ruff format --check, mypy --strict
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src tests bench

.PHONY: format
format: install ## Apply ruff fixes and formatting
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

.PHONY: clean
clean: ## Remove the virtualenvs, node_modules and built assets
	rm -rf $(VENV) $(TOOLS) frontend/node_modules $(DIST)
