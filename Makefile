# IAM Workbench: set-up and everyday commands. Every target sets up what it needs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup browser-deps notebooks workbench test lint bench clean

# Debian packages (graphviz), then Python packages into .venv (re-run when pyproject.toml changes).
$(STAMP): pyproject.toml scripts/system-deps.sh
	bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

# For the tests only: Debian's chromium and the playwright package (scripts/browser-deps.sh).
browser-deps: setup
	bash scripts/browser-deps.sh $(VENV)

# The notebooks' source is notebooks/*.py (jupytext percent format); this writes each .ipynb beside
# it, or carries back into the .py an .ipynb edited without jupytext (the newer file wins; jupytext --sync).
# Each .ipynb then gets the kernel's language_info, so that opening it in JupyterLab changes nothing.
notebooks: setup
	$(BIN)/jupytext --sync notebooks/[0-9]*.py
	$(BIN)/python scripts/notebook_language_info.py notebooks/[0-9]*.ipynb

# The main job: JupyterLab on the workbench notebook (the example organization, ready to use).
# LAB_ARGS adds options, e.g. `make workbench LAB_ARGS="--no-browser --port 8890"`.
LAB_ARGS ?=
workbench: setup notebooks
	$(BIN)/jupyter lab notebooks/00-workbench.ipynb $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The whole test suite, the notebooks and the real-browser tests included.
test: setup browser-deps notebooks
	$(BIN)/python -m pytest tests

# Static checks: ruff (the notebooks' cells too), mypy --strict on the package, the import-layer contract.
lint: setup
	$(BIN)/ruff check workbench tests benchmarks notebooks
	$(BIN)/mypy workbench
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python benchmarks/bench_evaluate.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
