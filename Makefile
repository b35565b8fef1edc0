# One way to do each thing: the README and .ci/run call these targets.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# localhost by default; `make run ADDRESS=0.0.0.0` serves the team's network.  (A specific
# address also keeps Streamlit from asking an outside service for this machine's public IP.)
ADDRESS ?= localhost
# The local PostgreSQL server these machines run; tests use it when it answers.
TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: install install-dev system-deps run demo test test-fast lint format bench clean

$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

# Debian's Chromium (Playwright drives it; no browser download) and CJK fonts so Chinese renders.
system-deps:
	@if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi 'Noto Sans CJK'; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	else echo "browser tests need: sudo apt-get install chromium fonts-noto-cjk" >&2; fi

# Start the app on the SQLite default (data/orgmap.db), loading the demo data into an empty database.
run: install
	$(PY) -m orgmap db upgrade
	$(PY) -m orgmap demo --if-empty
	@echo "orgmap: open http://$(ADDRESS):$(PORT)"
	$(VENV)/bin/streamlit run app.py --server.headless true --server.port $(PORT) \
		--server.address $(ADDRESS) --browser.gatherUsageStats false

# Every test: unit, store (SQLite, and PostgreSQL when it answers), CLI, AppTest, browser.
test: install-dev system-deps
	@url="$${ORGMAP_TEST_DATABASE_URL-}"; \
	if [ -z "$$url" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then \
		url="$(TEST_PG_URL)"; fi; \
	ORGMAP_TEST_DATABASE_URL="$$url" $(PY) -m pytest

# Everything but the browser test, for a quick loop.
test-fast: install-dev
	$(PY) -m pytest -m "not browser" -x -q

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-artifacts
