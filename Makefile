# Two commands matter: `make run` (serve the demo on SQLite) and `make test` (lint + the suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install run serve stack test lint fmt bench clean matrix mutate contract

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing RusToK and its locked dependencies into $(VENV) (first time: about a minute)"
	$(BIN)/python -m pip install --disable-pip-version-check --progress-bar on -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/rustok db migrate
	$(BIN)/rustok seed --demo
	$(BIN)/rustok serve

serve: install
	$(BIN)/rustok serve

lint: install
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# The distributed stack on this machine: two APIs, a relay and a dispatcher (`rustok stack`),
# against PostgreSQL, NATS and Redis on their usual local ports unless RUSTOK_* says otherwise.
# The database must exist (createdb -h 127.0.0.1 -U postgres rustok). Ctrl-C stops it all.
stack: export RUSTOK_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/rustok
stack: export RUSTOK_EVENT_TRANSPORT ?= nats
stack: export RUSTOK_NATS_URL ?= nats://127.0.0.1:4222
stack: export RUSTOK_REDIS_URL ?= redis://127.0.0.1:6379/0
stack: install
	$(BIN)/rustok db migrate
	$(BIN)/rustok seed --demo
	$(BIN)/rustok stack

test: lint
	$(BIN)/pytest -n 2 --dist loadgroup --durations=15

fmt: install
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# Mutation testing of the modules that hold guards (docs/testing.md), one module at a time, at
# the lowest priority; not part of `make test`. `make mutate MODULES=rustok.stores.limiter`
# runs only the named ones; the list and each module's tests are in rustok/testing/mutation.py.
MODULES ?=

mutate: install
	nice -n 19 $(BIN)/python -m rustok.testing.mutation run $(MODULES)

matrix: install
	$(BIN)/rustok rbac matrix --format markdown --output docs/permissions.md

# BENCH_ARGS: e.g. --quick, --stacks sqlite-memory, --profile /api/auth/me (see bench/README.md).
bench: install
	@command -v wrk >/dev/null || { echo "Installing wrk, the HTTP load generator, with apt-get"; \
		{ apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; } >/dev/null 2>&1; }; \
	command -v wrk >/dev/null || { echo "wrk is missing and could not be installed here: install it" \
		"as root (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"; exit 1; }
	$(BIN)/python bench/http.py $(BENCH_ARGS)

# newman, pinned in contract/package-lock.json; `npm ci` only when the lock changed.
contract/node_modules/.package-lock.json: contract/package-lock.json
	@command -v npm >/dev/null || { echo "Installing Node.js and npm with apt-get"; \
		{ apt-get install -y nodejs npm || { apt-get update && apt-get install -y nodejs npm; }; } \
		>/dev/null 2>&1; }; \
	command -v npm >/dev/null || { echo "npm is missing and could not be installed here: install" \
		"Node.js 18 or newer (Debian/Ubuntu: apt-get install nodejs npm)"; exit 1; }
	cd contract && npm ci --no-audit --no-fund
	@touch $@

# The Postman collection generated from the OpenAPI document, run by newman against a live
# `rustok serve` on a fresh demo database (README, "API contract").
contract: install contract/node_modules/.package-lock.json
	contract/run

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache contract/node_modules
