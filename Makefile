# One command each to run, test and lint. The virtual environment is made on first use.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app expense_tracker
HOST ?= 127.0.0.1
PORT ?= 5000

# Install with uv when it can be had (much faster), else with pip.
define install
	@echo "Installing $(1) into $(VENV)"
	@( $(PY) -m pip install -q --disable-pip-version-check uv >/dev/null 2>&1 \
	   && $(VENV)/bin/uv pip install -q --python $(PY) $(1) ) \
	 || $(PY) -m pip install -q --disable-pip-version-check $(1)
endef

.PHONY: run test test-reliability lint format screenshots clean

run: $(VENV)/.installed-run
	$(FLASK) db upgrade
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

test: $(VENV)/.installed-dev
	$(PY) -m pytest --cov --cov-report=term-missing:skip-covered

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r src

# Load and crash tests against gunicorn on SQLite and PostgreSQL (about a minute).
test-reliability: $(VENV)/.installed-dev
	$(PY) -m pytest -m reliability tests/reliability

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
	rm -rf $(VENV) build .pytest_cache .ruff_cache .coverage

$(PY):
	python3 -m venv $(VENV)

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(call install,-e .)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(call install,-e .[dev])
	@touch $@ $(VENV)/.installed-run

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
