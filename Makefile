# 互联互通电子化政府采购系统 — developer commands.
#
#   make run    start Redis, the GPS site and both trading sites, and per site
#               a sync worker and a sync cron (see scripts/devstack.py)
#   make test   run the test suite on SQLite, then on PostgreSQL when
#               TEST_DATABASE_URL is set (e.g. postgresql+psycopg://u:p@host/postgres)
#   make test-dates  the date-sensitive tests again, as if today were TODAY
#               (default: 24 December of this year): pytest --today
#
# Other targets: venv, translations, migrate-check, clean.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Four workers on two cores: the end-to-end tests spend most of their time
# waiting on servers and polls; each test stack takes free ports of its own.
# The slowest tests are listed after each round: what to look at when CI slows.
PYTEST_ARGS ?= -n 4 --dist worksteal --durations=15
TODAY ?= $(shell date +%Y)-12-24
# Tests that depend on "today" (deadlines, notices, lot settings, 质疑, the
# calendar, thresholds from a date, plan numbers with the year filed,
# signed-message timestamps, the demo's stage dates, anything that reads the
# clock); those not in this tree are skipped when the target runs.
DATE_TESTS := tests/test_deadlines.py tests/test_rules_contracts.py tests/test_contracts.py tests/test_contract_notice.py tests/test_workdays.py tests/test_holidays.py \
	tests/test_notice_wizard.py tests/test_notice_api.py tests/test_notice_sync.py \
	tests/test_lot_settings.py tests/test_organisations.py tests/test_ocds.py \
	tests/test_received_plans.py tests/test_sync_signing.py tests/test_sync_inbox.py \
	tests/test_demo.py \
	tests/test_sync_delivery.py tests/test_scope.py tests/test_plan_filing.py \
	tests/e2e/test_notice_publish.py tests/e2e/test_notice_browser.py \
	tests/test_winner_change_result.py tests/test_notice_forms.py tests/test_notice_drafts.py \
	tests/test_time_change_gps_times.py tests/test_bid_ceiling.py tests/test_project_info.py \
	tests/e2e/test_holidays_browser.py tests/test_expert_requests.py tests/test_committee.py \
	tests/test_rules_expert_draw.py tests/test_expert_draw.py tests/test_expert_draw_sealing.py \
	tests/test_rules_flags.py tests/test_supervision_refresh.py \
	tests/test_lot_status.py tests/test_project_guide.py
# Not here: tests/e2e/test_expert_draw_{flow,browser}.py time their 评审时间
# from now (minutes ahead) and pass on any day; the flow alone takes ~10 min.
DATE_PYTEST_ARGS ?= -n 4 --dist worksteal
FLASK := $(BIN)/flask --app run

.PHONY: help venv translations run test test-dates migrate-check clean bench load-venv

help:
	@echo "make run            start the whole development stack (Ctrl-C stops it)"
	@echo "make test           run the tests (SQLite; also PostgreSQL if TEST_DATABASE_URL is set)"
	@echo "make test-dates     the date-sensitive tests again with pytest --today \$$(date +%Y)-12-24 (TODAY=...)"
	@echo "make migrate-check  migrations apply, match the models and downgrade cleanly"
	@echo "make venv           create .venv and install requirements-dev.txt"
	@echo "make translations   compile translations/*/LC_MESSAGES/*.po"
	@echo "make clean          remove .venv, caches and compiled translations (keeps instance/)"

venv: $(STAMP)

# Re-install only when a requirements file is newer than the stamp.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	@touch $@

translations: venv
	@if compgen -G 'translations/*/LC_MESSAGES/*.po' >/dev/null; then \
		$(BIN)/pybabel compile -d translations; \
	else \
		echo "translations: no .po files, nothing to compile"; \
	fi

run: venv translations
	$(BIN)/python scripts/devstack.py

# Both runs always happen; the target fails if either failed.
test: venv translations
	@status=0; \
	echo "== tests on SQLite =="; \
	$(BIN)/python -m pytest -q $(PYTEST_ARGS) || status=1; \
	if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
		echo "== tests on PostgreSQL =="; \
		TEST_DB=postgres $(BIN)/python -m pytest -q $(PYTEST_ARGS) || status=1; \
	else \
		echo "(TEST_DATABASE_URL not set: PostgreSQL run skipped)"; \
	fi; \
	exit $$status

# SQLite only: the day, not the database, is what changes.
test-dates: venv translations
	@files=""; \
	for f in $(DATE_TESTS); do \
		if [ -e "$$f" ]; then files="$$files $$f"; else echo "(not in this tree: $$f)"; fi; \
	done; \
	echo "== date-sensitive tests on SQLite, --today $(TODAY) =="; \
	env -u TEST_DB $(BIN)/python -m pytest -q $(DATE_PYTEST_ARGS) --today $(TODAY) $$files

# On a throw-away SQLite database: one head, upgrade to it, no model change
# left without a migration, then down to base and up again.
migrate-check: venv
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export INSTANCE_ROOT="$$tmp" SITE=gps; \
	unset DATABASE_URL DATABASE_URL_GPS; \
	heads=$$($(FLASK) db heads | grep -c '(head)' || true); \
	if [ "$$heads" != 1 ]; then \
		echo "migrate-check: expected 1 migration head, found $$heads (run: flask db merge heads)"; \
		exit 1; \
	fi; \
	$(FLASK) db upgrade; \
	$(FLASK) db check; \
	$(FLASK) db downgrade base; \
	$(FLASK) db upgrade; \
	echo "migrate-check: ok"

clean:
	rm -rf $(VENV) .pytest_cache .coverage
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
	find translations -name '*.mo' -delete

# Sync benchmark (about 3 minutes); writes its results into docs/benchmarks.md.
# Locust for bench/load/ (run.py), pinned, in a virtualenv of its own.
load-venv: .venv-load/.installed
.venv-load/.installed: bench/load/requirements.txt
	python3 -m venv .venv-load
	.venv-load/bin/pip install -q -r bench/load/requirements.txt
	touch $@

bench: venv
	$(BIN)/python bench/sync_bench.py --messages 2000 --rate 50
