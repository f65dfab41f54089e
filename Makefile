# Two commands set up a fresh machine:
#   make run   — install everything, migrate, load demo data, serve on http://127.0.0.1:$(PORT)
#                with a Celery worker and beat (no Redis or PostgreSQL needed)
#   make test  — install everything and run the whole test suite
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
# Debian packages: WeasyPrint's libraries, PDF text tools for tests, Chromium for the
# browser tests, and what psycopg2 needs to build.
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
	poppler-utils chromium chromium-driver libpq-dev build-essential python3-dev postgresql-client

.PHONY: help run test system-packages python-packages assets lint benchmark load-test

help:
	@echo "make run   - run the application with demo data on http://127.0.0.1:$(PORT)"
	@echo "make test  - run all the tests"

system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$(echo $$missing)" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
		else \
			echo "Please install these Debian packages (as root):$$missing"; exit 1; \
		fi; \
	fi

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -c requirements.lock -e ".[dev]"
	touch $@

python-packages: system-packages $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# GOV.UK Frontend and MoJ Frontend, compiled and copied from the npm lockfile into
# static/dist, which the app serves itself (no CDN). app.scss points MoJ's asset path at
# govuk-assets/ too, so MoJ's images are copied beside GOV.UK's: without them the compiled
# CSS refers to missing files and collectstatic (manifest storage) fails in production.
static/dist/.built: node_modules/.installed $(wildcard static/scss/*.scss) Makefile
	mkdir -p static/dist
	npx --no-install sass --quiet --load-path=. --style=compressed --no-source-map \
		static/scss/app.scss static/dist/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js static/dist/
	rm -rf static/dist/govuk-assets && cp -r node_modules/govuk-frontend/dist/govuk/assets static/dist/govuk-assets
	# MoJ Frontend's images sit beside GOV.UK's (app.scss points both there); collectstatic needs them.
	cp -r node_modules/@ministryofjustice/frontend/moj/assets/images/. static/dist/govuk-assets/images/
	cp node_modules/@ministryofjustice/frontend/moj/moj-frontend.min.js static/dist/
	touch $@

assets: system-packages static/dist/.built

run: python-packages assets
	mkdir -p var
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py demo_data
	@echo "Starting the Celery worker and beat (filesystem broker under var/; no Redis needed)"
	@trap 'kill 0' EXIT INT TERM; \
	EIP_BASE_URL=http://127.0.0.1:$(PORT) $(VENV)/bin/celery -A eip worker --loglevel=INFO --concurrency=2 >var/worker.log 2>&1 & \
	$(VENV)/bin/celery -A eip beat --loglevel=INFO --schedule=var/celerybeat-schedule >var/beat.log 2>&1 & \
	echo ""; echo "EIP is running on http://127.0.0.1:$(PORT)/ (logs of worker and beat in var/)"; echo ""; \
	EIP_BASE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT) --noreload

# The suite runs on two pytest-xdist workers, each with its own test database, Redis database,
# browser and download folder (tests/conftest.py adds up the figures they print). In one
# process: `make test PYTEST_ARGS=-n0`; PYTEST_ARGS takes any pytest options.
PYTEST_ARGS ?= -n 2 --dist worksteal
test: python-packages assets
	$(PY) -m pytest $(PYTEST_ARGS)

# The benchmark suite (PostgreSQL on 127.0.0.1:5432 or EIP_BENCH_DATABASE_URL): SIZES=1000,10000,100000
SIZES ?= 1000,10000
benchmark: python-packages assets
	$(PY) -m benchmarks.run --sizes $(SIZES)

CASES ?= 10000
load-test: python-packages assets
	$(PY) -m benchmarks.load --cases $(CASES)

lint: python-packages
	$(VENV)/bin/ruff check .
