# keyproj: `make report` builds the dataset and renders every report; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.keyproj-installed

.DEFAULT_GOAL := help
.PHONY: help setup data report render test bench lab clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-8s %s\n", $$1, $$2}'

# A .venv records the checkout it was built for; a copied project's .venv still runs the original's
# code (its editable install and scripts point there), so setup rebuilds a .venv built elsewhere.
HERE := $(realpath $(CURDIR))
OWNER_FILE := $(VENV)/.keyproj-checkout
VENV_OWNER := $(shell cat $(OWNER_FILE) 2>/dev/null || sed -n "s|^MAPPING.*'keyproj': '\(.*\)/keyproj'.*|\1|p" $(VENV)/lib/python*/site-packages/__editable___keyproj_*_finder.py 2>/dev/null | head -n 1)
ifneq ($(VENV_OWNER),)
ifneq ($(VENV_OWNER),$(HERE))
FOREIGN_VENV := foreign-venv
endif
endif

.PHONY: foreign-venv
foreign-venv:
	@echo "$(VENV) was built for $(VENV_OWNER), not for $(HERE): rebuilding it"
	rm -rf $(VENV)

$(STAMP): pyproject.toml $(FOREIGN_VENV)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "keyproj needs Python >= 3.11: set PYTHON=python3.11 (or newer)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name keyproj --display-name "keyproj (Python 3)" >/dev/null
	@echo '$(HERE)' > $(OWNER_FILE)
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install keyproj with its dependencies (quick when nothing changed; rebuilt when copied from another checkout)

data: setup ## Build data/processed/facts.csv and panel.csv from data/raw, data/reference and data/corrections.csv
	$(BIN)/keyproj build

render: setup ## Render every report of notebooks/reports.yaml into outputs/
	$(BIN)/keyproj render

report: data render ## The main job: build the dataset, then render every report to outputs/html/

test: setup ## Run the test suite
	$(BIN)/python -m pytest -q

bench: setup ## Run the benchmarks (extraction throughput, render speed) and print their figures
	$(BIN)/python bench/bench_extract.py
	$(BIN)/python bench/bench_render.py

lab: setup ## Open JupyterLab on notebooks/ with the project's kernel (saving strips outputs: .jupyter/)
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" $(BIN)/jupyter lab notebooks/

clean: ## Remove generated files (data/processed, outputs), keeping the folders
	find data/processed outputs -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
