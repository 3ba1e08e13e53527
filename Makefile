# Two commands set everything up: `make demo` and `make test`.
# Only python3 and make are assumed; uv is bootstrapped into .venv when missing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(shell command -v uv 2>/dev/null || echo $(BIN)/uv)
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install demo test lint format serve clean-data messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

$(VENV)/.installed: pyproject.toml uv.lock | $(BIN)/python $(if $(filter $(BIN)/uv,$(UV)),$(BIN)/uv)
	$(UV) sync --frozen --quiet --python $(BIN)/python
	@touch $@

install: $(VENV)/.installed

demo: install
	PORT=$(PORT) $(BIN)/masthead demo --serve

serve: install
	$(BIN)/masthead serve --bind 127.0.0.1:$(PORT) --with-worker

# One pytest-xdist worker per core (settings.py keeps their data apart);
# `make test PYTEST_WORKERS=0` runs everything in one process.
PYTEST_WORKERS ?= auto

test: install
	set -a && source .env.test && set +a && \
		$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	set -a && source .env.test && set +a && $(BIN)/masthead manage makemigrations --check --dry-run
	# What a production install sets: mail that is sent, a cache shared by the web workers,
	# and media served by nginx or S3 (checks.py W004-W006). Nothing here is connected to.
	MASTHEAD_ENV=production MASTHEAD_SECRET_KEY=$$(head -c 48 /dev/urandom | base64) \
		MASTHEAD_ALLOWED_HOSTS=example.org MASTHEAD_BASE_URL=https://example.org MASTHEAD_DATA_DIR=var/lint \
		EMAIL_URL=smtp+tls://newsroom@mail.example.org:587 REDIS_URL=redis://127.0.0.1:6379/0 \
		MASTHEAD_SERVE_MEDIA=false \
		$(BIN)/masthead manage check --deploy --fail-level WARNING

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	cd src/masthead && ../../$(BIN)/masthead manage makemessages -l es --ignore '*/migrations/*' && ../../$(BIN)/masthead manage compilemessages

clean-data:
	rm -rf var

# Page benchmark (not run by CI, issue 10): Masthead's uncached pages beside a bare Wagtail
# page built in the same run, at 1,000 and 100,000 synthetic articles, loaded with wrk on
# 127.0.0.1; about 45 minutes on an idle machine. `make bench-quick` (3,000 articles, short
# runs) takes about six minutes. See bench/README.md.
.PHONY: bench bench-quick
bench: install
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

bench-quick: install
	$(BIN)/python bench/pages.py --quick $(BENCH_ARGS)

# Browser tests (tests/e2e): Playwright driving Debian's chromium (`apt-get install chromium`),
# with axe-core from npm. `make test` runs them too; these run only them.
.PHONY: e2e screenshots

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

e2e: install node_modules/.package-lock.json
	set -a && source .env.test && set +a && $(BIN)/pytest tests/e2e -m e2e $(PYTEST_ARGS)

# Refreshes docs/screenshots/article-{desktop,mobile}.png from the demo's flagship interview.
screenshots: install node_modules/.package-lock.json
	set -a && source .env.test && set +a && MASTHEAD_WRITE_SCREENSHOTS=1 \
		$(BIN)/pytest tests/e2e -m e2e -k screenshot $(PYTEST_ARGS)
