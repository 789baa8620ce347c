# Worklogs — `make run` serves the API locally, `make test` runs the whole suite. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
HOST ?= 127.0.0.1
PORT ?= 3000
SUB ?= alice
WORKSPACES ?= acme:admin
PRIVILEGES ?=
NAME ?=
PYTEST_ARGS ?=

export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup run rollup test bench test-unit test-integration test-e2e lint format openapi token validate clean

help:
	@echo "make run       serve the API on http://$(HOST):$(PORT) (embedded DynamoDB, no Docker)"
	@echo "make test      run the whole test suite"
	@echo "make rollup    run the scheduled rollup now against the running local API's store"
	@echo "make lint      ruff, cfn-lint and the OpenAPI drift check"
	@echo "make token SUB=alice WORKSPACES='acme:admin' PRIVILEGES='worklog:lock-override'"
	@echo "make bench     DynamoDB cost per search pattern (bench/search.py)"
	@echo "make openapi   regenerate the committed OpenAPI document"
	@echo "make validate  sam validate --lint (installs aws-sam-cli in $(SAM_VENV))"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@# The code ships as a Lambda layer, not a wheel: put the layer and the repo root on the venv's path.
	@echo "$(CURDIR)/layers/common/python" > "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/worklogs-dev.pth"
	@echo "$(CURDIR)" >> "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/worklogs-dev.pth"
	@touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m local.server --host $(HOST) --port $(PORT)

rollup: $(STAMP)
	$(PY) -m local.rollup

test: $(STAMP)
	$(PY) -m pytest -n auto $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

test-integration: $(STAMP)
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/cfn-lint template.yaml
	$(PY) -m local.openapi --check

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	$(PY) bench/search.py
	$(PY) bench/rollup.py

openapi: $(STAMP)
	$(PY) -m local.openapi

token: $(STAMP)
	@$(PY) -m local.token --sub "$(SUB)" --workspaces "$(WORKSPACES)" --privileges "$(PRIVILEGES)" $(if $(NAME),--name "$(NAME)")

$(SAM): 
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet aws-sam-cli

validate: $(SAM)
	$(SAM) validate --lint --template template.yaml

clean:
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .pytest_cache .ruff_cache
