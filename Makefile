# Two commands: `make run` and `make test`. Both create .venv and install everything first.
# `make check` is the contributors' fast tier (ruff, mypy, the in-process tests).
# .venv's Python: PYTHON=..., or the first of these found that is 3.11 or newer.
PYTHON ?= $(firstword $(foreach p,python3.11 python3.12 python3.13 python3,\
  $(shell command -v $(p) >/dev/null 2>&1 && $(p) -c 'import sys; print("$(p)" if sys.version_info >= (3, 11) else "")' 2>/dev/null)))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=
BENCH_ARGS ?=

NPM_STAMP := node_modules/.installed

.PHONY: run test check lint browser wrk redis container bench frontend clean

$(STAMP): pyproject.toml
	@[ -n "$(PYTHON)" ] || { echo "make: no Python 3.11 or newer found; install one or pass PYTHON=/path/to/python3.x" >&2; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Front-end tooling pinned in package.json / package-lock.json: spectral, openapi-typescript,
# openapi-fetch, ajv, typescript 5 (7.x breaks openapi-typescript), tsx and vite. `npm ci` only
# when the lock file changed since the last install.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

run: $(STAMP)
	$(BIN)/accelevents-mock --host 127.0.0.1 --port 8080 --seed 42

# examples/frontend on http://127.0.0.1:5173 (Vite dev server), calling `make run`'s mock;
# VITE_MOCK_URL=http://127.0.0.1:PORT/rest points it at another one.
frontend: $(NPM_STAMP)
	npm run frontend

# Programs the tests and the bench run, from Debian's packages; installed once, as root or
# through sudo: $(call apt_install,COMMAND,PACKAGE)
define apt_install
	@command -v $(1) >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2); }
endef

browser:  # the control panel's browser tests (Playwright's own download cannot run here)
	$(call apt_install,chromium,chromium)

redis:  # the shared-store tests and `accelevents-mock --store`
	$(call apt_install,redis-server,redis-server)

container:  # the container image's tests (tests/test_container.py): build, run, compose
	$(call apt_install,podman,podman)
	$(call apt_install,runc,runc)
	$(call apt_install,debootstrap,debootstrap)
	$(call apt_install,podman-compose,podman-compose)

wrk:  # the benchmark's load generator
	$(call apt_install,wrk,wrk)

# Issue 7: our mock (1 worker, with and without its response cache, and 2 workers on Redis),
# Prism 5 (npm-installed into bench/.prism on first run) and a bare Starlette ceiling under the
# same wrk load. Prints the table; see README, Performance.
bench: $(STAMP) wrk redis
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The matrix (noxfile.py): ruff, mypy and every test in .venv, then the core tests on 3.12 and 3.13.
test: $(STAMP) $(NPM_STAMP) browser redis wrk container
	$(BIN)/nox --no-color -- $(PYTEST_ARGS)

# The fast tier, for a contributor between edits: ruff, mypy and the tests that run the mock in
# process (about 600), stopping at the first failure. Left to `make test`: the mock as a
# separate process (security, networking's socket, hostile input over HTTP, the CLI's pasted
# examples, the banner, cold start, packaging, recording), browsers, Redis, the npm tooling
# (the spec's lint, the generated clients), the docs' examples and site, the contract suite,
# the long fuzz run and the quick bench.
CHECK_TESTS := tests/test_auth.py tests/test_control.py tests/test_cors.py \
  tests/test_documented_errors.py tests/test_drift.py tests/test_encoded_views.py \
  tests/test_fast_path.py tests/test_harness_checks.py tests/test_harness_options.py \
  tests/test_http.py tests/test_import_graph.py tests/test_list_cache.py \
  tests/test_proxy_upstream.py tests/test_response_cache.py tests/test_server.py \
  tests/test_spec.py tests/test_state_ops.py tests/test_stateful.py tests/test_verdicts.py \
  tests/test_world.py

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -x -q -k "not spectral" $(CHECK_TESTS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) reports build *.egg-info .mypy_cache node_modules generated
