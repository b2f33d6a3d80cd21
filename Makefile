# IAM Workbench: set-up and everyday commands. Every target sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup workbench test lint bench clean

# Debian packages (graphviz), then Python packages into .venv (re-run when pyproject.toml changes).
$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# The main job: the workbench on the bundled demo scenarios.
workbench: setup
	$(BIN)/iamwb simulate datasets/examples --check

# The whole test suite.
test: setup
	$(BIN)/python -m pytest tests

# Static checks: ruff, mypy --strict on the package, the import-layer contract.
lint: setup
	$(BIN)/ruff check workbench tests benchmarks
	$(BIN)/mypy workbench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
