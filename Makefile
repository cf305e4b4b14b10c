# One command each to run, test and lint. The virtual environment is made on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app expense_tracker
HOST ?= 127.0.0.1
PORT ?= 5000

PYTHON ?= python3
# uv, pinned by requirements/uv.txt, lives in a venv of its own: `uv sync` keeps $(VENV)
# exactly as uv.lock says, so it would remove itself from there.
TOOLS ?= .tools
UV := $(TOOLS)/bin/uv
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON_DOWNLOADS := never

# Every Python package comes from uv.lock, each file checked against its hash. `uv sync --locked`
# also fails when pyproject.toml has changed since the lock was made (run `make lock`). Where uv
# cannot be had, pip installs the same versions from requirements/*.txt with --require-hashes.
define install
	@echo "Installing $(1) from the lock file into $(VENV)"
	@if $(MAKE) -s $(UV) >/dev/null 2>&1; then \
	  $(UV) sync -q --locked --python "$(PYTHON)" $(if $(filter dev,$(1)),--extra dev,); \
	else \
	  echo "uv is not available; installing with pip --require-hashes"; \
	  test -x $(PY) || $(PYTHON) -m venv $(VENV); \
	  $(PY) -m pip install -q --disable-pip-version-check --require-hashes -r requirements/$(1).txt \
	  && $(PY) -m pip install -q --disable-pip-version-check --no-deps -e .; \
	fi
endef

.PHONY: run test test-dates test-reliability lint format screenshots clean lock

run: $(VENV)/.installed-run
	$(FLASK) db upgrade
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

# pytest-xdist: one worker per core, each taking tests as it frees up. First every test but the
# browser, fuzz and volume ones, with coverage, which must not fall below fail_under
# (pyproject.toml); then those, untraced: they drive a live server from another process or
# write many rows, so tracing costs them a third more time, and every line they reach a
# request test reaches too.
WORKERS ?= auto
PYTEST = $(PY) -m pytest -n $(WORKERS) --dist worksteal
UNTRACED = browser or fuzz or volume

test: $(VENV)/.installed-dev
	$(PYTEST) -m "not ($(UNTRACED)) and not reliability" --cov --cov-report=term-missing:skip-covered
	$(PYTEST) -m "$(UNTRACED)"

# The suite on days that catch calendar mistakes: the 1st (a new year), the 15th, the 31st
# after a 28-day month, and 29 February. `make test-dates DATES=2027-06-30` tries others.
DATES ?= 2027-01-01 2027-03-15 2027-03-31 2024-02-29
test-dates: $(VENV)/.installed-dev
	@for day in $(DATES); do \
	  echo "== the test suite on $$day"; \
	  TEST_TODAY=$$day $(PYTEST) -q -p no:cacheprovider \
	    || exit 1; \
	done

lint: $(VENV)/.installed-dev
	@if [ -x $(UV) ]; then \
	  $(EXPORT) | cmp -s - requirements/app.txt && $(EXPORT) --extra dev | cmp -s - requirements/dev.txt \
	  || { echo "requirements/*.txt differ from uv.lock: run make lock"; exit 1; }; fi
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r src

# Load and crash tests against gunicorn on SQLite and PostgreSQL (about a minute).
test-reliability: $(VENV)/.installed-dev
	$(PYTEST) -m reliability tests/reliability

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refresh the README's screenshots from a browser run.
# The dashboard with a year of expenses, recurring ones and budgets: desktop light, phone dark.
screenshots: $(VENV)/.installed-dev
	$(PY) -m pytest -q tests/browser/test_budgets.py -k "show_on_the_dashboard and sqlite"
	cp build/screenshots/dashboard-budgets-desktop-light.png docs/screenshots/dashboard-desktop.png
	cp build/screenshots/dashboard-budgets-phone-dark.png docs/screenshots/dashboard-phone.png

clean:
	rm -rf $(VENV) $(TOOLS) build .pytest_cache .ruff_cache .coverage

$(UV): requirements/uv.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements/uv.txt
	@touch $@

$(VENV)/.installed-run: pyproject.toml uv.lock
	$(call install,app)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock
	$(call install,dev)
	@touch $@ $(VENV)/.installed-run

# Upgrade every Python package to its newest allowed version: the lock, the pip fallback's
# requirements, then the whole suite. Review and commit the changed files like any change.
# (uv itself is pinned in requirements/uv.txt; raise it there by hand.)
EXPORT = $(UV) export -q --locked --no-emit-project --no-header --format requirements-txt
lock: $(UV)
	$(UV) lock --upgrade
	$(EXPORT) -o requirements/app.txt
	$(EXPORT) --extra dev -o requirements/dev.txt
	$(MAKE) test

# The benchmark (bench/README.md): the app under gunicorn against a hello world at each size,
# then the query plans on SQLite and PostgreSQL, all into docs/benchmarks.md. Takes minutes;
# `make bench SIZES="1k 10k"` measures fewer sizes. Without PostgreSQL the last step fails, ignored.
SIZES ?= 1k 10k 100k 1M
.PHONY: bench bench-smoke
bench: $(VENV)/.installed-run
	$(PY) -m bench.run --sizes $(SIZES) --output docs/benchmarks.md
	$(PY) -m bench.explain sqlite --size 1M --output docs/benchmarks.md
	-$(PY) -m bench.explain postgresql --size 100k --output docs/benchmarks.md

# Seconds: proves the benchmark still runs end to end (tests/test_bench.py does the same).
bench-smoke: $(VENV)/.installed-run
	$(PY) -m bench.run --smoke --output build/benchmarks-smoke.md
