# Worklogs — `make run` serves the API locally, `make test` runs the whole suite. Both set up what they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
CHECKOV_VENV := .venv-checkov
CHECKOV := $(CHECKOV_VENV)/bin/checkov
FUZZ_MAX_EXAMPLES ?= 60
HOST ?= 127.0.0.1
PORT ?= 3000
DYNAMODB_PORT ?= 8000
SUB ?= alice
WORKSPACES ?= acme:admin
PRIVILEGES ?=
NAME ?=
PYTEST_ARGS ?=
# One worker more than cores (the end-to-end tests wait on their runner processes); idle workers steal
# queued tests from busy ones, so the run does not end on one worker's tail.
PYTEST_WORKERS ?= 3

export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

.PHONY: help setup run reset rollup import test test-unit test-integration test-e2e test-security lint format openapi token validate checkov build bench fuzz clean

help:
	@echo "make run       serve the API on http://$(HOST):$(PORT); embedded DynamoDB on 127.0.0.1:$(DYNAMODB_PORT), data kept in .local/data"
	@echo "make reset     delete the local runner's data (.local/data); the next make run starts empty"
	@echo "make rollup    run the scheduled rollup now against the running local API's store"
	@echo "make token SUB=alice WORKSPACES='acme:admin' PRIVILEGES='worklog:lock-override' NAME='Alice'"
	@echo "make test      run the whole test suite (unit, integration, e2e, docs)"
	@echo "make test-unit | test-integration | test-e2e   one part of the suite"
	@echo "make import FILE=export.csv [WS=acme]  load a Kimai or Clockify CSV export into the running local API"
	@echo "make lint      ruff, mypy, cfn-lint and the OpenAPI drift check"
	@echo "make format    apply ruff fixes and formatting"
	@echo "make openapi   regenerate the committed OpenAPI document"
	@echo "make validate  sam validate --lint (installs aws-sam-cli in $(SAM_VENV))"
	@echo "make checkov   checkov on template.yaml, Fn::ForEach expanded (installs checkov in $(CHECKOV_VENV))"
	@echo "make build     sam build for arm64/python3.13 (cross-installs the layer's wheels; no Docker)"
	@echo "make bench     DynamoDB cost and cold-import benchmark per operation -> bench/*results.json"
	@echo "make fuzz      schemathesis against the local runner, every operation of the OpenAPI schema"
	@echo "make setup     create .venv and install the project with its dev extras"
	@echo "make clean     remove the virtual environments and caches (keeps .local)"

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
	$(PY) -m local.server --host $(HOST) --port $(PORT) --dynamodb-port $(DYNAMODB_PORT)

reset: $(STAMP)
	$(PY) -m local.persistence --reset

rollup: $(STAMP)
	$(PY) -m local.rollup

# Loads a Kimai or Clockify CSV export through POST /worklogs/batch of the running `make run` (local/import_csv.py).
WS ?= acme
IMPORT_TZ ?=
import: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make import FILE=export.csv [WS=acme] [IMPORT_TZ=Europe/Berlin]"; exit 2)
	$(PY) -m local.import_csv --file "$(FILE)" --url "http://$(HOST):$(PORT)" --workspace "$(WS)" \
		--token "$$($(PY) -m local.token --sub "$(SUB)" --workspaces "$(WORKSPACES)" --privileges "$(PRIVILEGES)")" \
		$(if $(IMPORT_TZ),--timezone "$(IMPORT_TZ)")

test: $(STAMP)
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

test-integration: $(STAMP)
	$(PY) -m pytest tests/integration $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e $(PYTEST_ARGS)

# The attack corpus (also part of `make test`); ends with a table of the attacks it tried.
test-security: $(STAMP)
	$(PY) -m pytest tests/security $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/cfn-lint template.yaml
	$(PY) -m local.openapi --check

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

openapi: $(STAMP)
	$(PY) -m local.openapi

token: $(STAMP)
	@$(PY) -m local.token --sub "$(SUB)" --workspaces "$(WORKSPACES)" --privileges "$(PRIVILEGES)" $(if $(NAME),--name "$(NAME)")

$(SAM):
	@test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	@# 1.160 is the first to expand AWS::LanguageExtensions (Fn::ForEach) locally (samconfig.toml turns it on).
	$(SAM_VENV)/bin/python -m pip install --quiet "aws-sam-cli>=1.160"

validate: $(SAM)
	$(SAM) validate --lint --template template.yaml

# checkov pins its own versions of shared libraries: it gets a venv of its own. Skipped checks and
# their reasons: .checkov.yaml and docs/operations.md.
$(CHECKOV):
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet "checkov>=3.2,<4"

# checkov does not expand Fn::ForEach (AWS::LanguageExtensions): on template.yaml it would miss the
# per-function log groups and alarms and misread the functions. It checks the template expanded as
# CloudFormation expands it (local/for_each.py; tests compare that expansion with cfn-lint's).
checkov: $(CHECKOV)
	@expanded="$$(mktemp -d)" && trap 'rm -rf "$$expanded"' EXIT && \
	$(CHECKOV_VENV)/bin/python -m local.for_each > "$$expanded/template.expanded.json" && \
	echo "checkov on template.yaml with its Fn::ForEach expanded" && \
	$(CHECKOV) --config-file .checkov.yaml -f "$$expanded/template.expanded.json"

# Layer and functions build with BuildMethod: makefile (layers/common/Makefile, functions/*/Makefile);
# the layer's pip runs in .venv, cross-installing manylinux aarch64 wheels for cp313.
build: $(STAMP) $(SAM)
	PYTHON="$(CURDIR)/$(PY)" $(SAM) build --template template.yaml

bench: $(STAMP)
	$(PY) -m bench.ops
	$(PY) -m bench.search
	$(PY) -m bench.rollup

fuzz: $(STAMP)
	$(PY) -m tests.fuzz.run --max-examples $(FUZZ_MAX_EXAMPLES)

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .ruff_cache .fuzz
