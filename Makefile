# seldon-s2i — build, test, bench.  `make help` lists the targets.
#
# Two commands set everything up on a fresh Debian machine (root):
#   make build     engine + base images + builder images seldon-python39/311/313 (+ seldon-python3)
#   make test      unit, integration (real engine) and compatibility tests
# Every dependency comes from a hash-pinned lock in environment/; only `make lock` resolves.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    := .venv
VPY     := $(VENV)/bin/python
PYTEST  := $(VPY) -m pytest
# Narrow the matrix: `make build LANGUAGES=python VERSIONS="3.11"`. The matrix itself (languages,
# versions, Debian suites, image names) lives in builders/matrix.
LANGUAGES ?=
VERSIONS ?=
# BASE=debian (default): bases bootstrapped from Debian packages, no image registry needed.
# BASE=slim: python:3.X-slim from the configured registry.
BASE ?= debian

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# Every shell script in the repo (by extension or shebang), for shellcheck.
SHELL_SCRIPTS = $(shell { git ls-files -co --exclude-standard '*.sh'; git ls-files -co --exclude-standard | xargs grep -IlE '^\#!(/usr/bin/env |/bin/)(ba)?sh$$'; } | sort -u)

.PHONY: bootstrap
bootstrap: ## uv, hash-pinned (environment/bootstrap.txt), into $(PYTHON)
	$(PYTHON) -m pip install -q --disable-pip-version-check --require-hashes -r environment/bootstrap.txt

# Re-installed when a lock or pyproject.toml changes (the stamp file records the last install):
# exactly environment/dev.txt, then the project itself (editable, no dependency resolution).
$(VENV)/.installed: environment/bootstrap.txt environment/dev.txt pyproject.toml
	$(MAKE) --no-print-directory bootstrap
	$(PYTHON) -m uv venv -q --allow-existing -p $(PYTHON) $(VENV)
	$(PYTHON) -m uv pip sync -q --compile-bytecode --python $(VPY) --require-hashes environment/dev.txt
	$(PYTHON) -m uv pip install -q --compile-bytecode --python $(VPY) --no-deps --no-build-isolation -e .
	touch $@

.PHONY: venv
venv: $(VENV)/.installed ## the development virtualenv (.venv)

.PHONY: engine
engine: ## install and start a Docker engine if none answers (Debian, root)
	scripts/engine.sh

.PHONY: bases
bases: engine ## base images from Debian packages, one per builder (BASE=debian)
	LANGUAGES="$(LANGUAGES)" VERSIONS="$(VERSIONS)" BASE="$(BASE)" builders/base/build.sh

.PHONY: build
build: venv engine ## builder images, one per row of builders/matrix (Python, NodeJS, Java, R; LANGUAGES="java r" for some)
	LANGUAGES="$(LANGUAGES)" VERSIONS="$(VERSIONS)" BASE="$(BASE)" PYTHON=$(VPY) builders/build.sh

.PHONY: lock
lock: venv ## re-resolve every hash-pinned lock in environment/ (table: environment/locks.py)
	PYTHON=$(VPY) environment/lock.sh

.PHONY: check
check: venv nodejs-dev ## lint: ruff, mypy (src/), shellcheck (every shell script); eslint + prettier (JavaScript)
	@status=0; \
	echo "---> ruff"; $(VENV)/bin/ruff check . || status=1; \
	echo "---> mypy"; $(VENV)/bin/mypy || status=1; \
	echo "---> shellcheck"; $(VENV)/bin/shellcheck -x -P SCRIPTDIR $(SHELL_SCRIPTS) || status=1; \
	echo "---> eslint, prettier"; $(NODEJS_BIN)/eslint --config wrappers/nodejs/eslint.config.js $(JS_SOURCES) || status=1; \
	$(NODEJS_BIN)/prettier --config wrappers/nodejs/.prettierrc.json --check --log-level warn $(JS_SOURCES) '!test/apps/nodejs/*-should-fail/**' || status=1; \
	echo "---> lintr (R)"; $(MAKE) --no-print-directory lint-r || status=1; \
	exit $$status

# The NodeJS wrapper's dev tools (eslint, prettier), exactly as wrappers/nodejs/package-lock.json locks them.
NODEJS_BIN := wrappers/nodejs/node_modules/.bin
JS_SOURCES := wrappers/nodejs/bin wrappers/nodejs/lib wrappers/nodejs/test wrappers/nodejs/eslint.config.js \
              test/conformance/models/nodejs test/apps/nodejs
wrappers/nodejs/node_modules/.installed: wrappers/nodejs/package.json wrappers/nodejs/package-lock.json
	cd wrappers/nodejs && ../../builders/nodejs/host-npm.sh ci --ignore-scripts --loglevel=error
	touch $@

.PHONY: nodejs-dev
nodejs-dev: wrappers/nodejs/node_modules/.installed ## the NodeJS wrapper's node_modules with its dev tools (npm ci)

.PHONY: lint-r
lint-r: engine ## lintr (.lintr) on the R wrapper, R models and apps, in a Debian image with r-cran-lintr
	wrappers/r/lint.sh

# One pytest run over every folder, so CI sees one summary line.
.PHONY: test
test: build reference-venv mlserver-venv ## everything: unit, integration (real engine), compatibility, conformance of every wrapper
	$(PYTEST) -q test
	@echo "---> conformance of the NodeJS and Java wrappers inside their builders (R's runs in test_r_builder.py)"
	$(PYTEST) -q test/conformance --wrapper nodejs-image
	$(PYTEST) -q test/conformance --wrapper java-image

.PHONY: test-unit
test-unit: venv ## pure-logic tests, no engine
	$(PYTEST) -q test/unit

.PHONY: test-integration
test-integration: build ## builds and runs apps on the real engine
	$(PYTEST) -q test/integration

.PHONY: reference-venv
reference-venv: bootstrap ## the reference seldon-core 1.17.1 in its own virtualenv (.venv-ref)
	PYTHON=$(PYTHON) test/compat/setup-reference.sh

.PHONY: mlserver-venv
mlserver-venv: bootstrap ## MLServer 1.7.1, the V2 protocol's anchor, in its own virtualenv (.venv-mlserver)
	PYTHON=$(PYTHON) test/compat/setup-mlserver.sh

.PHONY: test-compat
test-compat: venv reference-venv mlserver-venv ## differential tests against seldon-core 1.17.1
	$(PYTEST) -q test/compat

.PHONY: test-conformance
test-conformance: venv ## the protocol conformance suite against our Python wrapper (no reference needed)
	$(PYTEST) -q test/conformance

.PHONY: test-conformance-nodejs
test-conformance-nodejs: build ## the conformance suite against the NodeJS wrapper inside seldon-nodejs (~35 s)
	$(PYTEST) -q test/conformance --wrapper nodejs-image

.PHONY: bench-serve-nodejs
bench-serve-nodejs: venv reference-venv ## NodeJS wrapper serving speed beside seldon-core 1.17.1 and our Python wrapper (after make build)
	bench/ensure-wrk.sh
	$(VPY) bench/serve_nodejs.py
.PHONY: test-conformance-r
test-conformance-r: venv ## the conformance suite's REST part against the R wrapper in seldon-r (make build LANGUAGES=r)
	$(PYTEST) -q test/conformance --wrapper r-image

.PHONY: protos
protos: bootstrap ## regenerate the runtime's *_pb2.py (gencode compatible with protobuf >= 6.31)
	scripts/gen-protos.sh

.PHONY: test-conformance-java
test-conformance-java: venv ## the conformance suite against the Java wrapper in its builder (make build LANGUAGES=java first)
	$(PYTEST) -q test/conformance --wrapper java-image

.PHONY: bench-build
bench-build: build ## cold/incremental build times and image sizes
	$(VPY) bench/build.py

.PHONY: bench-serve
bench-serve: venv reference-venv mlserver-venv ## serving speed side by side with seldon-core 1.17.1 (v1) and MLServer 1.7.1 (V2)
	bench/ensure-wrk.sh
	$(VPY) bench/serve.py
	$(VPY) bench/serve_v2.py
	$(VPY) bench/serve_r.py

.PHONY: bench-serve-java
bench-serve-java: venv reference-venv ## the Java wrapper's app image side by side with seldon-core 1.17.1 (needs seldon-java)
	bench/ensure-wrk.sh
	$(VPY) bench/serve_java.py
