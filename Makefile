# diplo: one command to rebuild every output.  `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.diplo-installed
RAW ?= data/raw
PARAMS ?= notebooks/params/sample.yml
RUN ?= sample
EXTRAS := notebook,test,dask

export PYTHONHASHSEED := 0
# Keep matplotlib/jupyter config inside the project so runs never depend on a user's dotfiles.
export MPLCONFIGDIR := $(CURDIR)/$(VENV)/mplconfig
export JUPYTER_PLATFORM_DIRS := 1

.DEFAULT_GOAL := help
.PHONY: help install report test lab bench notebooks process clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the package metadata changes (the package itself is installed editable).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[$(EXTRAS)]"
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name diplo --display-name "Python (diplo)" >/dev/null
	@mkdir -p $(VENV)/mplconfig
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install diplo with its notebook, test and dask extras

process: install ## Ingest, clean and score data/raw/ into data/processed/
	$(BIN)/diplo run $(RAW) --out data/processed

# The corpus is processed once into data/processed/ (shared with `make process`; rebuilt only when raw files,
# options or diplo change) and every notebook reads it.  Extra parameters: make report P='-p outlets "[Press TV]"'
report: install ## Run the notebook suite on data/raw/ and write reports/$(RUN)/ (PARAMS=file, RUN=name, P=overrides)
	$(BIN)/diplo report --params $(PARAMS) -p processed_dir data/processed $(P) --out reports/$(RUN)

test: install ## Run the whole test suite, notebooks included
	$(BIN)/python -m pytest

notebooks: install ## Re-execute the committed notebooks in place on the sample corpus (refreshes their outputs)
	$(BIN)/python -m diplo.report.batch --refresh-committed notebooks

lab: install ## Open JupyterLab with the diplo kernel
	$(BIN)/jupyter lab --notebook-dir=notebooks

bench: install ## Benchmark scoring throughput and memory against the peer baselines
	$(BIN)/python benchmarks/bench_scoring.py

clean: ## Remove reports and processed outputs (never data/raw/)
	rm -rf reports data/processed/*
	@touch data/processed/.gitkeep
