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

.PHONY: demo test lint migrations-check test-sqlite test-postgresql bench messages clean-demo serve eval eval-groups eval-replies

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

## demo: install, migrate the SQLite database in var/, build the demo city once, serve on 127.0.0.1:8000
demo: var/.migrated
	$(MANAGE) demo_city --scale $(SCALE)
	DEBUG=$${DEBUG:-0} $(MANAGE) runserver $(HOST):$(PORT)  # the pages a user sees, not debug pages (DEBUG=1 for those)

## clean-demo: throw the demo database away (make demo builds a fresh one)
clean-demo:
	rm -f var/gongzhi.sqlite3 var/gongzhi.sqlite3-wal var/gongzhi.sqlite3-shm var/.migrated

## test: lint, migration check, every test on SQLite (browser included), then again on PostgreSQL
test: lint migrations-check test-sqlite test-postgresql

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check src tests bench

migrations-check: $(VENV)/.installed
	DJANGO_SETTINGS_MODULE=gongzhi.settings.test $(MANAGE) makemigrations --check --dry-run

$(AXE):
	@if command -v npm >/dev/null; then npm install --prefix var/node --no-audit --no-fund --silent axe-core@4; \
	else echo "npm not found: the accessibility checks will be skipped (fail on CI)"; fi

test-sqlite: $(VENV)/.installed $(AXE)
	$(VENV)/bin/pytest

test-postgresql: $(VENV)/.installed
	$(VENV)/bin/pytest --postgresql -m "not browser"

## bench: the benchmarks of ../shared/BENCH.md; `make bench ONLY=registry.scope` runs those whose names start so
bench: $(VENV)/.installed
	@$(PY) -m bench $(if $(ONLY),--only $(ONLY),)

## eval: how well the classifier labels DATA=<csv> (the shared data's columns), or 5-fold cross-validation
eval: $(VENV)/.installed
	$(MANAGE) triage_eval $(if $(DATA),--data $(abspath $(DATA)),)

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
