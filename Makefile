# The project's commands. `make help` lists them; CI runs `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PORT ?= 8501

.DEFAULT_GOAL := help
.PHONY: help install run demo refresh test lint unit bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed ## Create .venv and install pinned dependencies

run: install ## Set up the demo store (if missing) and start the dashboard on http://localhost:8501
	$(PY) manage.py migrate
	$(PY) manage.py demo --if-missing
	$(BIN)/streamlit run serve.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

demo: install ## Rebuild the demo store from scratch
	$(PY) manage.py demo

refresh: install ## Recompute the indicator values (analytics tables)
	$(PY) manage.py refresh

# mypy covers the pure layers (config, indicators, charts, exports, pipeline); the store and UI
# layers are not yet typed cleanly against SQLModel's column attributes.
TYPED := core indicators charts exports pipeline

lint: install ## ruff, and mypy on the typed layers
	$(BIN)/ruff check .
	$(BIN)/mypy --ignore-missing-imports --follow-imports=silent $(TYPED)

test: install lint ## Lint and run the whole test suite (every tier, doctests included)
	$(BIN)/pytest

# The inner loop (< 30 s): pure functions and the doctests of the pure layers, no store or app.
# Other tiers: $(BIN)/pytest -m store|app|browser|postgres
unit: install ## Unit tests and doctests only (fast)
	$(BIN)/pytest -q -m unit tests/unit indicators core charts exports

bench: install ## Print performance figures (national-size store); SCALE=112 YEARS=10 by default
	$(PY) manage.py bench --scale $${SCALE:-112} --years $${YEARS:-10}

clean: ## Remove the virtualenv and the demo store
	rm -rf $(VENV) data/demo.sqlite*
