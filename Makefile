# The project's commands. `make help` lists them; CI runs `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8501

.DEFAULT_GOAL := help
.PHONY: help install lock hooks run demo refresh test lint unit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# requirements.lock pins every transitive dependency with its hashes (generated from
# requirements-dev.txt by `make lock`); pip refuses anything that does not match.
$(BIN)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed ## Create .venv and install the locked dependencies (hash-checked)

# uv resolves the lock; it lives in its own tool venv so it is not one of the project's packages.
UV_VERSION := 0.13.9
UV := .tools/bin/uv

$(UV):
	test -x .tools/bin/python || $(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet uv==$(UV_VERSION)

PRE_COMMIT_VERSION := 4.7.0

hooks: install ## Install the git pre-commit hooks (ruff and mypy, see .pre-commit-config.yaml)
	test -x .tools/bin/python || $(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet pre-commit==$(PRE_COMMIT_VERSION)
	.tools/bin/pre-commit install

lock: $(UV) ## Regenerate requirements.lock (with hashes) after editing requirements*.txt
	$(UV) pip compile requirements-dev.txt --generate-hashes --python-version 3.11 \
		--quiet -o requirements.lock

run: install ## Set up the demo store (if missing) and start the dashboard on http://localhost:8501
	$(PY) manage.py migrate
	$(PY) manage.py demo --if-missing
	$(BIN)/streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

demo: install ## Rebuild the demo store from scratch
	$(PY) manage.py demo

refresh: install ## Recompute the indicator values (analytics tables)
	$(PY) manage.py refresh

# What mypy checks, and how strictly, is set in pyproject.toml ([tool.mypy]).
lint: install ## ruff, and mypy on every package (strict on the pure layers)
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install lint ## Lint and run the whole test suite (every tier, doctests included)
	$(BIN)/pytest

# The inner loop (< 30 s): pure functions and the doctests of the pure layers, no store or app.
# Other tiers: $(BIN)/pytest -m store|app|browser|postgres
unit: install ## Unit tests and doctests only (fast)
	$(BIN)/pytest -q -m unit tests/unit indicators core charts exports

bench: install ## Print performance figures (national-size store); SCALE=112 YEARS=10 by default
	$(PY) manage.py bench --scale $${SCALE:-112} --years $${YEARS:-10}

clean: ## Remove the virtualenv and the demo store
	rm -rf $(VENV) .tools data/demo.sqlite*
