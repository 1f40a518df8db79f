# One target per job. Every target creates the virtual environment when it is missing.
# Python caches the project's bytecode (__pycache__, ignored by git and by the package) even where
# the environment sets PYTHONDONTWRITEBYTECODE: the tests start hundreds of Python processes, and
# compiling src/ and tests/ afresh in each made make test's pytest part 249 s instead of 167 s on
# 2 cores.
unexport PYTHONDONTWRITEBYTECODE
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: venv test test-variants contract bench bench-quick reliability audit package serve invoke check hygiene lint typecheck validate generate-check templates lifecycle namespace clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## test: the whole offline test suite, with coverage: a report per file of the shipped package,
## then its gate: the package's total (all its files together, no floor per file) must reach
## COVERAGE_FLOOR percent of its lines and branches; then one total for all of src/ (reported, no
## floor). Writes the rule trace (which unknown rules each test reads) that test-variants reuses
## for the same source
COVERAGE_FLOOR := 95
# TEST_WORKERS: test processes at once (pytest-xdist; 0: in one process). One more than the
# cores: a fifth of the suite's time is spent waiting (subprocesses, servers, real-time tests),
# and on 2 cores 3 workers took 193 s of pytest where 2 took 223 s and 4 took 204 s (now 169 to
# 188 s with 3, 277 s with 4). A worker that runs out of tests takes some of another's
# (worksteal): handed out in fixed batches, one worker ran 292 s of tests while the two others ran
# 212 and 220 s. make_targets.worker_coverage leaves each worker its own coverage measurement only
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
test: venv
	PYTHONPATH=src $(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal --cov --cov-report= -p make_targets.worker_coverage -p make_targets.rule_trace --rule-trace=build/rule-trace.json
	$(PY) -m coverage report --include='src/community_sagemaker_imageversion/*' --fail-under=$(COVERAGE_FLOOR)
	@echo "coverage of all of src/ (handler, emulator, tooling, benchmarks): $$($(PY) -m coverage report --format=total)%"

## test-variants: the handler and reliability tests under each variant of the
## emulator's unknown rules, each variant running the tests that read its rule (from the rule
## trace: make test's when the source is the same, else one traced run first); fails when no test
## reads a variant's rule
test-variants: venv
	PYTHONPATH=src $(PY) -m make_targets.variants $(ARGS)

## contract: CloudFormation's contract suite (cfn test), offline against the emulated SageMaker
contract: venv
	PYTHONPATH=src $(PY) -m make_targets.contract $(ARGS)

## contract-aws: the contract suite in a real account (AWS CLI, SAM CLI, Docker), e.g.
## make contract-aws REGION=us-east-1 BASE_IMAGE=<uri>: deploys test/setup.yml, builds, serves, cfn test
.PHONY: contract-aws
contract-aws: venv
	PYTHONPATH=src $(PY) -m make_targets.contract_aws $(if $(REGION),--region $(REGION)) $(if $(BASE_IMAGE),--base-image $(BASE_IMAGE)) $(ARGS)

## bench: every benchmark, side by side; rewrites reports/performance.md and its chart
bench: venv
	PYTHONPATH=src $(PY) -m benchmarks

## bench-quick: a short run of the same benchmarks (CI), writes nothing
bench-quick: venv
	PYTHONPATH=src $(PY) -m benchmarks --quick

## reliability: every reliability and security check at full size; rewrites reports/reliability.md
reliability: venv
	PYTHONPATH=src $(PY) -m make_targets.reliability

## audit: known vulnerabilities in the pinned dependencies (pip-audit and PyPI), bandit on the handler
audit: venv
	PYTHONPATH=src $(PY) -m make_targets.audit

## package: the registration package (cfn submit --dry-run), offline; built for the Lambda by the
## project's Python whatever is first on PATH, and trimmed (src/make_targets/lambda_build.py)
package: venv
	PYTHONPATH=src $(PY) -m make_targets.submit --dry-run

## release: the files of a release of the version in __init__.py, in build/release/: the
## registration package built as make package builds it, named with the version, its SHA-256
## (sha256sum -c) and its notes (CHANGELOG.md's section of that version, and TESTED_WITH.md's table)
.PHONY: release
release: venv
	PYTHONPATH=src $(PY) -m make_targets.release

## submit-venv: only what registering needs (requirements-submit.txt: cloudformation-cli and its
## Python plugin), in .venv-submit, apart from the development environment
SUBMIT_VENV := .venv-submit
SUBMIT_STAMP := $(SUBMIT_VENV)/.installed
.PHONY: submit-venv
submit-venv: $(SUBMIT_STAMP)

$(SUBMIT_STAMP): requirements-submit.txt
	test -x $(SUBMIT_VENV)/bin/python || python3 -m venv $(SUBMIT_VENV)
	$(SUBMIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-submit.txt
	touch $(SUBMIT_STAMP)

## submit: cfn submit from .venv-submit, built as make package builds, e.g.
## make submit ARGS="--set-default --region eu-west-1"
.PHONY: submit
submit: submit-venv
	PYTHONPATH=src $(SUBMIT_VENV)/bin/python -m make_targets.submit $(ARGS)

## serve: the offline SageMaker (port 5000) and Lambda endpoint (port 3001) until Ctrl-C
serve: venv
	PYTHONPATH=src $(PY) -m make_targets.serve

## invoke: cfn invoke against `make serve`, e.g. make invoke ACTION=CREATE REQUEST=examples/requests/create.json
## (exits 1 when the handler answers FAILED; {{ImageVersionArn}} in a request: the last CREATE's ARN)
invoke: venv
	PYTHONPATH=src $(PY) -m make_targets.invoke $(ACTION) $(REQUEST)

## check: every static check CI runs (lint, types, schema, generated files)
check: hygiene lint typecheck validate generate-check templates

## hygiene: JSON and YAML parse; text files end in one newline, without trailing whitespace
## (cfn generate's own output excepted); no merge-conflict markers, no private keys
NOT_OURS := ':!docs' ':!src/community_sagemaker_imageversion/models.py'
hygiene: venv
	git ls-files -z -- '*.json' | xargs -0 $(VENV)/bin/check-json
	git ls-files -z -- '*.yaml' '*.yml' | xargs -0 $(VENV)/bin/check-yaml --unsafe
	git grep -z -Il '' -- . $(NOT_OURS) | xargs -0 $(VENV)/bin/end-of-file-fixer
	git grep -z -Il '' -- . $(NOT_OURS) | xargs -0 $(VENV)/bin/trailing-whitespace-fixer --markdown-linebreak-ext=md
	git ls-files -z | xargs -0 $(VENV)/bin/check-merge-conflict
	git ls-files -z | xargs -0 $(VENV)/bin/detect-private-key

## lint: ruff lint and format check
lint: venv
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests

## typecheck: mypy --strict on all of src/ (handler, emulator, tooling, benchmarks); the tests with
## every body checked (pyproject.toml)
typecheck: venv
	$(VENV)/bin/mypy src tests

## validate: the schema against the CloudFormation meta-schema
validate: venv
	$(VENV)/bin/cfn validate

## generate: models.py, docs/ and resource-role.yaml (cfn generate), and schema_rules.py (the
## schema's rules as the handler enforces them), from the schema; botocore_data/ (SageMaker's
## model trimmed to the operations the handler calls), from the pinned botocore
GENERATED := docs resource-role.yaml src/community_sagemaker_imageversion/models.py \
	src/community_sagemaker_imageversion/schema_rules.py src/community_sagemaker_imageversion/botocore_data
generate: venv
	$(VENV)/bin/cfn generate
	PYTHONPATH=src $(PY) -m make_targets.schema_rules
	PYTHONPATH=src $(PY) -m make_targets.sagemaker_model

## generate-check: generated files are up to date with the schema and the pinned botocore
generate-check: generate
	git diff --exit-code -- $(GENERATED)
	test -z "$$(git status --porcelain -- $(GENERATED))"

## templates: every template under examples/ (the example stacks, the registration template, the
## guide's migration and Studio templates), template.yml and the contract tests' setup stack
## (test/setup.yml), with cfn-lint, our schema and our rules (src/cfn_lint_rules/)
templates: venv
	PYTHONPATH=src $(PY) -m make_targets.template_check

## namespace: the project under another type name, e.g. make namespace NAME=Acme::SageMaker::ImageVersion
namespace: venv
	PYTHONPATH=src $(PY) -m make_targets.namespace $(NAME)

## lifecycle: create, read, update, list and delete one version against the emulator, printing each step
lifecycle: venv
	PYTHONPATH=src $(PY) -m make_targets.lifecycle

clean:
	rm -rf $(VENV) $(SUBMIT_VENV) build *.zip
