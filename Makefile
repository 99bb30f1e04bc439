# khaibao — the commands of DESIGN.md §11. `make help` lists them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: help install run start stop test test-unit test-integration test-e2e test-reliability test-clock \
        stack-up stack-down stack-status inbox token lint typecheck bench compose-check k8s-check k8s-generate clean

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip >&2
	$(PY) -m pip install -q -e '.[dev]' >&2
	@touch $(STAMP)

install: $(STAMP) ## create .venv and install the project with its dev tools

run: $(STAMP) ## start the stack and every service with demo data (foreground; Ctrl-C stops all)
	$(PY) -m deploy.local.run $(ARGS)

start: $(STAMP) ## like run, but detached; `make stop` stops it
	$(PY) -m deploy.local.run --detach

stop: $(STAMP) ## stop what a detached run left (services and the stack)
	$(PY) -m deploy.local.run --stop

stack-up: $(STAMP) ## start Kafka, FerretDB, Keycloak and the development mail server (first time: download and build)
	$(PY) -m deploy.local.stack up

stack-down: $(STAMP) ## stop the local stack (data stays in .state/)
	$(PY) -m deploy.local.stack down

stack-status: $(STAMP) ## show whether the stack's servers run and answer
	$(PY) -m deploy.local.stack status

test: $(STAMP) ## all tiers (unit, integration, e2e, reliability) against the real servers
	$(PY) -m pytest tests

test-unit: $(STAMP) ## unit tier only (no servers)
	$(PY) -m pytest tests/unit

test-integration: $(STAMP)
	$(PY) -m pytest tests/integration

test-e2e: $(STAMP)
	$(PY) -m pytest tests/e2e

# CLOCK: an ISO moment, or a UTC time of day (the last one; default 20:00, when Viet Nam's
# date is already tomorrow). tests/support/fake_clock.py says how (libfaketime).
test-clock: $(STAMP) ## the date-sensitive tests (pages, journey, demo, declaration rules) under a fake clock: CLOCK=20:00
	$(PY) -m tests.support.fake_clock "$${CLOCK:-20:00}" -- $(PY) -m pytest -m calendar tests

test-reliability: $(STAMP) ## the pipeline under faults, on a private stack (KHAIBAO_FAULT_DECLARATIONS=N)
	KHAIBAO_FAULT_DECLARATIONS=$${KHAIBAO_FAULT_DECLARATIONS:-5000} $(PY) -m pytest -s tests/reliability

bench: $(STAMP) ## benchmarks against the local stack: table on stdout and in bench/results.md
	$(PY) -m deploy.local.stack up
	$(PY) -m bench.run

inbox: $(STAMP) ## the latest e-mails and SMS sent to citizens (development: .state/mail, .state/sms): LAST=10
	@$(PY) -m deploy.local.mailsink show --last $${LAST:-10}

token: $(STAMP) ## print a demo JWT: make token ROLE=officer SCOPE=cp-1,cp-2
	@$(PY) -m deploy.keycloak.tokens "$(ROLE)" "$(SCOPE)"

lint: $(STAMP) ## ruff
	$(VENV)/bin/ruff check libs services synthetic tests deploy bench

typecheck: $(STAMP) ## mypy --strict on libs/, services/, synthetic/, tests/, bench/ and deploy/
	$(VENV)/bin/mypy

compose-check: ## validate docker-compose.yml without an engine
	docker-compose -f docker-compose.yml config -q

k8s-check: $(STAMP) ## validate deploy/k8s offline (kustomize render, Kubernetes schemas, Strimzi, catalogue)
	$(PY) -m deploy.k8s.validate

k8s-generate: $(STAMP) ## rewrite the generated manifests in deploy/k8s from plan.py and the code
	$(PY) -m deploy.k8s.generate

clean: ## remove the state folder (Kafka and FerretDB data, keys, logs) after stopping
	-$(PY) -m deploy.local.run --stop
	rm -rf .state
