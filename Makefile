# Gongzhi (共治). `make demo` runs the system with a demo city; `make test` runs every check.
# Everything lives in .venv/ and var/ inside the checkout; nothing is installed system-wide by make.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
AXE := var/node/node_modules/axe-core/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 15000
ONLY ?=

.PHONY: demo test lint migrations-check test-sqlite test-postgresql test-dates bench messages clean-demo serve eval eval-catalogue eval-groups eval-replies

# (quiet, and to stderr: `make bench` keeps stdout for its JSON lines)
$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "installing into $(VENV) …" >&2
	@$(PY) -m pip install --quiet --upgrade pip >&2
	@$(PY) -m pip install --quiet -e '.[dev]' >&2
	@touch $@

var/.migrated: $(VENV)/.installed $(shell find src/gongzhi -path '*/migrations/*.py' 2>/dev/null)
	mkdir -p var
	$(MANAGE) migrate --noinput
	touch $@

## demo: install, migrate the SQLite database in var/, build the demo city once, serve on 127.0.0.1:8000 with
## the clock beside it (deadlines, escalations, the SMS outbox, triage: what Celery beat and workers do in a city)
demo: var/.migrated
	$(MANAGE) demo_city --scale $(SCALE)
	@$(MANAGE) clock & clock=$$!; trap 'kill $$clock 2>/dev/null' EXIT INT TERM; \
	DEBUG=$${DEBUG:-0} $(MANAGE) runserver $(HOST):$(PORT)  # the pages a user sees, not debug pages (DEBUG=1 for those)

## clean-demo: throw the demo database away (make demo builds a fresh one)
clean-demo:
	rm -f var/gongzhi.sqlite3 var/gongzhi.sqlite3-wal var/gongzhi.sqlite3-shm var/.migrated

## test: lint, migration check, every test on SQLite (browser included), again on PostgreSQL, then at other dates
test: lint migrations-check test-sqlite test-postgresql test-dates

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench
	cd src && ../$(VENV)/bin/lint-imports --config ../pyproject.toml

migrations-check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=gongzhi.settings.test $(MANAGE) makemigrations --check --dry-run

$(AXE):
	@if command -v npm >/dev/null; then npm install --prefix var/node --no-audit --no-fund --silent axe-core@4; \
	else echo "npm not found: the accessibility checks will be skipped (fail on CI)"; fi

test-sqlite: $(VENV)/.installed $(AXE)
	$(VENV)/bin/pytest

test-postgresql: $(VENV)/.installed
	$(VENV)/bin/pytest --postgresql -m "not browser"

# A test that reads the real date passes the day it is written and fails a week later. The suite runs again
# with the machine's clock (libfaketime: Python, SQLite and the browser tests' server alike) moved more than a
# year ahead, once across the Beijing new year (the browser tests too) and once across the end of a February,
# so such a test fails today. The moments move with the real date, so the guard keeps looking ahead.
YEAR_NOW := $(shell date -u +%Y)
NEW_YEAR_EVE := $(shell echo $$(( $(YEAR_NOW) + 1 ))-12-31 15:59:30)
FEBRUARY_END := $(shell date -u -d "$$(( $(YEAR_NOW) + 2 ))-03-01 -1 day" +%F) 15:59:30
FAKETIME = FAKETIME_DONT_RESET=1 faketime

test-dates: $(VENV)/.installed $(AXE)
	@if ! command -v faketime >/dev/null; then \
	  if [ "$$CI" = true ]; then echo "faketime is missing (apt-get install faketime)" >&2; exit 1; fi; \
	  echo "faketime not found: the date checks are skipped (apt-get install faketime; they fail on CI)"; exit 0; fi; \
	echo "== the suite at $(NEW_YEAR_EVE) UTC (Beijing's new year a few seconds later)"; \
	BROWSER_ARTIFACTS=var/artifacts/browser-dates $(FAKETIME) "$(NEW_YEAR_EVE)" $(VENV)/bin/pytest -q -p no:cacheprovider && \
	echo "== the suite at $(FEBRUARY_END) UTC (March in Beijing a few seconds later)" && \
	$(FAKETIME) "$(FEBRUARY_END)" $(VENV)/bin/pytest -q -p no:cacheprovider -m "not browser"

## bench: the benchmarks of ../shared/BENCH.md; `make bench ONLY=registry.scope` runs those whose names start so
bench: $(VENV)/.installed
	@$(PY) -m bench $(if $(ONLY),--only $(ONLY),)

## eval: how well the classifier labels DATA=<csv> (the shared data's columns), or 5-fold cross-validation
eval: $(VENV)/.installed
	$(MANAGE) triage_eval $(if $(DATA),--data $(abspath $(DATA)),)

## eval-catalogue: first-level top-1/top-3 of the suggestions on everyday messages: DATA=<csv> (columns text,accept),
## else the held-apart eval/catalogue/everyday.csv; trained as a new community's model (the catalogue, shared data)
eval-catalogue: var/.migrated
	$(MANAGE) triage_eval_catalogue $(if $(DATA),--data $(abspath $(DATA)),)

## eval-groups: precision/recall of duplicate suggestions and hotspot grouping on the hand-labelled eval/hotspots/
eval-groups: $(VENV)/.installed
	$(MANAGE) triage_eval_groups

## eval-replies: agreement of the reply check with the hand-labelled replies in eval/replies/
eval-replies: $(VENV)/.installed
	$(MANAGE) triage_eval_replies

## messages: refresh the English catalogue after changing user-facing strings, then translate the new entries
messages: $(VENV)/.installed
	$(MANAGE) makemessages -l en --no-location --no-obsolete -i '.venv/*' -i 'var/*' -i 'tests/*' -i 'bench/*'
	$(MANAGE) compilemessages -l en -i .venv
