# One target per job. Every target creates the virtual environment when it is missing.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test check lint typecheck generate-check validate lifecycle clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## test: the whole offline test suite
test: venv
	$(PY) -m pytest -q

## check: every static check CI runs (lint, types, schema, generated files)
check: lint typecheck validate generate-check

## lint: ruff lint and format check
lint: venv
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

## typecheck: mypy --strict on the shipped package
typecheck: venv
	$(VENV)/bin/mypy src/community_sagemaker_imageversion

## validate: the schema against the CloudFormation meta-schema
validate: venv
	$(VENV)/bin/cfn validate

## generate-check: generated files are up to date with the schema
generate-check: venv
	$(VENV)/bin/cfn generate
	git diff --exit-code -- src/community_sagemaker_imageversion/models.py docs resource-role.yaml

## lifecycle: create, read, update, list and delete one version against the emulator, printing each step
lifecycle: venv
	PYTHONPATH=src $(PY) -m local_runner.lifecycle

clean:
	rm -rf $(VENV) build *.zip
