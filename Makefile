# The two commands: `make run` (the whole studio) and `make test` (every test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
# Compiled translations are built here, never committed: each .po gives its .mo.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/*.po))

.PHONY: run test install browser axe node gettext messages lint format bench screenshots audit clean

run: $(INSTALLED) messages
	DJANGO_DEBUG=$${DJANGO_DEBUG:-false} DJANGO_HTTPS=$${DJANGO_HTTPS:-false} $(BIN)/python manage.py runstudio

test: $(INSTALLED) browser messages axe
	bash .ci/pytest.sh

install: $(INSTALLED) messages

messages: $(CATALOGS)

locale/%.mo: locale/%.po | gettext $(INSTALLED)
	$(BIN)/python manage.py compilemessages --ignore '.venv' --ignore 'var' >/dev/null

# compilemessages and makemessages (the catalog test) call GNU gettext's msgfmt and xgettext.
gettext:
	@command -v msgfmt >/dev/null 2>&1 && command -v xgettext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q gettext; \
	  else echo "GNU gettext is missing: install the 'gettext' package (translations need it)"; exit 1; fi; }

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

# Browser tests drive the system Chromium's headless shell, as Playwright itself does for headless
# runs (it cannot download its own browsers here).
browser:
	@command -v chromium-headless-shell >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium-headless-shell; \
	  else echo "Chromium is missing: install the 'chromium-headless-shell' package (browser tests need it)"; exit 1; fi; }

# The accessibility tests inject axe-core (the npm package, at the version pinned in
# tests/browser/axe-core.version) into pages; npm fetches it once into var/ (git-ignored).
AXE_VERSION := $(shell cat tests/browser/axe-core.version)
AXE_DIR := var/node/axe-core-$(AXE_VERSION)
axe: $(AXE_DIR)/node_modules/axe-core/axe.min.js

$(AXE_DIR)/node_modules/axe-core/axe.min.js: tests/browser/axe-core.version | node
	mkdir -p $(AXE_DIR)
	npm install --prefix $(AXE_DIR) --no-save --no-audit --no-fund --loglevel=error axe-core@$(AXE_VERSION)
	test -f $@ && touch $@

node:
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs npm; \
	  else echo "npm is missing: install the 'npm' package (the accessibility tests fetch axe-core with it)"; exit 1; fi; }

# Full-page PNGs of every page a person meets, at desk and phone widths, into var/screenshots/
# (for reviewers, not a test), in the light and the dark colour scheme, in English and Chinese;
# SCHEME=light (or dark) and LANGS=en (or zh-hans) for fewer.
screenshots: $(INSTALLED) browser messages
	for lang in $${LANGS:-en zh-hans}; do for scheme in $${SCHEME:-light dark}; do \
	  $(BIN)/python bench/screenshots.py --color-scheme $$scheme --language $$lang || exit 1; done; done

lint: $(INSTALLED)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

bench: $(INSTALLED)
	$(BIN)/python bench/run_all.py

# The dependency audit (.ci/audit.py): not part of `make test`, which must not fail because the
# network is down or an advisory appeared. pip-audit lives in a venv of its own, so its own
# dependencies never change the studio's.
AUDIT_TOOL := pip-audit==2.10.1
AUDIT_VENV := .venv-audit
AUDIT_INSTALLED := $(AUDIT_VENV)/.installed-$(subst ==,-,$(AUDIT_TOOL))

audit: $(INSTALLED) $(AUDIT_INSTALLED)
	$(BIN)/python .ci/audit.py

$(AUDIT_INSTALLED):
	test -x $(AUDIT_VENV)/bin/python || $(PYTHON) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet --disable-pip-version-check '$(AUDIT_TOOL)'
	rm -f $(AUDIT_VENV)/.installed-* && touch $@

clean:
	rm -rf var/test .pytest_cache
	rm -f $(CATALOGS)
