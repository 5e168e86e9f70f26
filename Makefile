# zhangdian.approval — one command to start the portal, one to test it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
PORT ?= 8080
HOST ?= localhost
DEMO ?= 1
# admin/admin is the demo's only: with DEMO=0 the Zope root password must be given.
ifeq ($(DEMO),1)
ADMIN_PASSWORD ?= admin
endif
NO_ADMIN_PASSWORD := DEMO=0: no password for the Zope root user 'admin' was given and none is \
    made up. Run again with ADMIN_PASSWORD=<a strong password> (e.g. DEMO=0 ADMIN_PASSWORD=… make start)
INSTALL_STAMP := $(VENV)/.installed
PKI_DIR := $(CURDIR)/instance/var/pki
SOFTHSM2_CONF := $(PKI_DIR)/softhsm/softhsm2.conf
APPROVER ?= approver1
# The demo's SMTP sink on 127.0.0.1: each mail becomes a .eml file under MAIL_DIR.
MAIL_PORT ?= 8025
MAIL_DIR := instance/var/mail
DEMO_FIRST := $(if $(filter 1,$(DEMO)),mail-sink)
DEMO_THEN := $(if $(filter 1,$(DEMO)),test-pki)
# The demo's log key is on the SoftHSM2 token `bureau-log` (PIN 123456); a bureau sets
# ZHANGDIAN_LOG_TOKEN / ZHANGDIAN_LOG_PIN for its own token in the service's environment.
DEMO_LOG_KEY := $(if $(filter 1,$(DEMO)),ZHANGDIAN_LOG_PIN=$${ZHANGDIAN_LOG_PIN:-123456})
CONSTRAINTS := constraints.txt
ADDON := src/zhangdian.approval
SIGNER := src/zhangdian.signer
VERIFIER := src/zhangdian.verify
# Debian packages the portal needs at run time (CJK font for decision PDFs,
# SoftHSM2 for the demo approvers' tokens) and those only the tests need
# (xvfb and python3-tk for the signer's confirmation window).
DEBIAN_PACKAGES := fonts-wqy-zenhei softhsm2 opensc
DEBIAN_TEST_PACKAGES := poppler-utils chromium postgresql xvfb python3-tk
# PostgreSQL for RelStorage (make start-relstorage and the storage tests).
DEBIAN_RELSTORAGE_PACKAGES := postgresql
PG_PORT ?= 5433
NODES ?= 2
SCALEOUT := $(BIN)/python instance/scripts/scaleout.py
export ZODB_DSN ?= host=127.0.0.1 port=$(PG_PORT) dbname=zodb user=zope
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export zope_i18n_compile_mo_files := true

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# --compile-bytecode: where PYTHONDONTWRITEBYTECODE is set, every pytest run would otherwise
# compile Plone from source again (seconds per run); .pyc files are still read there.
$(INSTALL_STAMP): $(BIN)/python $(CONSTRAINTS) $(ADDON)/pyproject.toml $(SIGNER)/pyproject.toml $(VERIFIER)/pyproject.toml
	$(UV) pip install --python $(BIN)/python --index-url https://pypi.org/simple \
	    --compile-bytecode -c $(CONSTRAINTS) -e $(SIGNER) -e $(VERIFIER) -e "$(ADDON)[test,dev,demo]"
	touch $@

.PHONY: install
install: $(INSTALL_STAMP) ## Create .venv and install every pinned dependency

.PHONY: constraints
# zhangdian.signer and zhangdian.verify are ours, not on PyPI: resolved from their folders and left out of the pins.
constraints: $(BIN)/python ## Re-resolve constraints.txt and versions.cfg from PyPI (Plone 6.2.2)
	printf 'Plone==6.2.2\n-e ./$(SIGNER)\n-e ./$(VERIFIER)\n' > $(VENV)/top.in
	$(UV) pip compile --python-version 3.11 --all-extras --no-header --annotation-style line \
	    --index-url https://pypi.org/simple --no-emit-package zhangdian-signer --no-emit-package zhangdian-verify \
	    $(ADDON)/pyproject.toml $(VENV)/top.in -o $(CONSTRAINTS)
	$(BIN)/python instance/scripts/versions_cfg.py $(CONSTRAINTS) > versions.cfg

instance/etc/zope.conf: $(INSTALL_STAMP)
	$(if $(ADMIN_PASSWORD),,$(error $(NO_ADMIN_PASSWORD)))
	$(BIN)/mkwsgiinstance -s instance/skel -d instance -u admin:$(ADMIN_PASSWORD)

.PHONY: instance
instance: instance/etc/zope.conf ## Create the Zope instance (FileStorage + blobs under instance/var)

.PHONY: site
site: instance runtime-deps ## Create the Plone site with the add-on (and demo data when DEMO=1) unless it exists
	DEMO=$(DEMO) ADMIN_PASSWORD=$(ADMIN_PASSWORD) MAIL_PORT=$(MAIL_PORT) \
	    $(BIN)/zconsole run instance/etc/zope.conf instance/scripts/create_site.py

.PHONY: start
start: $(DEMO_FIRST) site $(DEMO_THEN) ## Start the portal on http://$(HOST):$(PORT)/Plone (DEMO=1: mail into instance/var/mail)
	@echo "Portal: http://$(HOST):$(PORT)/Plone  (admin / $(if $(filter 1,$(DEMO)),$(ADMIN_PASSWORD),the ADMIN_PASSWORD given))"
	SOFTHSM2_CONF=$(SOFTHSM2_CONF) $(DEMO_LOG_KEY) $(BIN)/runwsgi instance/etc/zope.ini http_host=$(HOST) http_port=$(PORT)

.PHONY: start-relstorage
start-relstorage: $(DEMO_FIRST) site-relstorage ## Start NODES (2) Zope instances on ports PORT, PORT+1 sharing a local PostgreSQL
	SOFTHSM2_CONF=$(SOFTHSM2_CONF) $(SCALEOUT) serve --nodes $(NODES) --port $(PORT) --host $(HOST)

# Before the site (the demo data sends mail), in the background. It watches this make
# ($$PPID of the recipe shell), so it ends with the portal, a failed site step or Ctrl-C.
# A port already taken is not an error: the sink says so and mail goes there.
.PHONY: mail-sink
mail-sink: install
	$(BIN)/python instance/scripts/mail_sink.py --port $(MAIL_PORT) --directory $(MAIL_DIR) \
	    --watch-pid $$PPID &

.PHONY: site-relstorage
site-relstorage: instance runtime-deps relstorage-deps ## PostgreSQL on 127.0.0.1:PG_PORT; the FileStorage site converted to it, or a new one
	$(SCALEOUT) postgres start --port $(PG_PORT)
	$(SCALEOUT) configure --nodes $(NODES)
	if $(SCALEOUT) is-empty && [ -s instance/var/filestorage/Data.fs ]; then \
	    $(SCALEOUT) convert; fi
	DEMO=$(DEMO) ADMIN_PASSWORD=$(ADMIN_PASSWORD) MAIL_PORT=$(MAIL_PORT) \
	    $(BIN)/zconsole run instance/etc/zope-node1.conf instance/scripts/create_site.py
	if [ "$(DEMO)" = 1 ]; then PKI_DIR=$(PKI_DIR) \
	    $(BIN)/zconsole run instance/etc/zope-node1.conf instance/scripts/test_pki.py; fi

.PHONY: stop-postgres
stop-postgres: ## Stop the local PostgreSQL of start-relstorage
	$(SCALEOUT) postgres stop

.PHONY: relstorage-deps
relstorage-deps:
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(DEBIAN_RELSTORAGE_PACKAGES)"

.PHONY: test-pki
test-pki: site ## Demo/dev only: a test CA and SoftHSM2 tokens (PIN 123456) bound to the approvers
	PKI_DIR=$(PKI_DIR) $(DEMO_LOG_KEY) $(BIN)/zconsole run instance/etc/zope.conf instance/scripts/test_pki.py

.PHONY: signer
signer: install ## Run zhangdian-signer for the demo token of APPROVER (default approver1)
	SOFTHSM2_CONF=$(SOFTHSM2_CONF) $(BIN)/zhangdian-signer --token-label $(APPROVER) \
	    --allow-origin http://$(HOST):$(PORT)

.PHONY: signer-wheel
signer-wheel: $(BIN)/python ## Build the zhangdian.signer wheel for approvers' PCs into dist/
	$(UV) build --wheel --out-dir dist $(SIGNER)

.PHONY: verifier-wheel
verifier-wheel: $(BIN)/python ## Build the zhangdian.verify wheel (zhangdian-verify, for outsiders) into dist/
	$(UV) build --wheel --out-dir dist $(VERIFIER)

.PHONY: expire
expire: instance ## Expire authorisations past their period and send reminders (safe from cron)
	$(BIN)/zconsole run instance/etc/zope.conf instance/scripts/expire_authorizations.py

.PHONY: renew-timestamps
renew-timestamps: instance ## Renew decisions' archive timestamps before the TSA certificate ages out (MARGIN_DAYS=90; safe from cron)
	MARGIN_DAYS=$(MARGIN_DAYS) $(BIN)/zconsole run instance/etc/zope.conf instance/scripts/renew_archive_timestamps.py

.PHONY: audit-verify
audit-verify: instance ## Recompute the audit log; compare with the heads file (names the first head missing)
	$(BIN)/zconsole run instance/etc/zope.conf instance/scripts/audit_verify.py

.PHONY: audit-head
audit-head: instance ## Integrate pending log entries and issue a signed tree head now (cron-safe)
	HEAD=1 $(BIN)/zconsole run instance/etc/zope.conf instance/scripts/audit_verify.py

.PHONY: console
console: instance ## Open a Zope debug console on the instance
	$(BIN)/zconsole debug instance/etc/zope.conf

.PHONY: runtime-deps
runtime-deps: ## Install the Debian packages the portal needs
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(DEBIAN_PACKAGES)"

.PHONY: system-deps
system-deps: ## Install the Debian packages the portal and the tests need
	@$(MAKE) --no-print-directory debian-packages PACKAGES="$(DEBIAN_PACKAGES) $(DEBIAN_TEST_PACKAGES)"

.PHONY: debian-packages
debian-packages:
	@missing=""; for p in $(PACKAGES); do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$missing; fi

.PHONY: test
test: install system-deps ## Install what is missing and run the whole test suite
	$(BIN)/pytest tests $(PYTEST_ARGS)

# No Chromium and no PostgreSQL: the runtime packages only (SoftHSM2 for the tokens).
# Two workers (pytest-xdist), one per core: each sets up its own Plone layers and SoftHSM
# tokens; every port the tests open is picked free, so the workers never meet.
FAST_WORKERS ?= 2
.PHONY: test-fast
test-fast: install runtime-deps ## Every test but the browser journeys and the storage clusters, on FAST_WORKERS processes
	$(BIN)/pytest tests -m "not browser and not storage" -n $(FAST_WORKERS) $(PYTEST_ARGS)

.PHONY: coverage
coverage: install system-deps ## The whole suite with line coverage of the add-on (missing lines)
	$(BIN)/pytest tests --cov=zhangdian.approval --cov-report=term-missing:skip-covered $(PYTEST_ARGS)

.PHONY: fuzz
fuzz: install ## schemathesis against the running portal (make start first) with services/openapi.yaml
	FUZZ_URL=http://$(HOST):$(PORT)/Plone $(BIN)/python tests/fuzz/run_schemathesis.py

.PHONY: lint
lint: install ## ruff (import order included) and zpretty
	$(BIN)/ruff check src tests instance/scripts benchmarks
	$(BIN)/ruff format --check src tests instance/scripts benchmarks
	find src profiles -name '*.zcml' -o -name '*.xml' | grep -v '/node_modules/' | xargs $(BIN)/zpretty --check

.PHONY: format
format: install ## Sort imports, then reformat Python, ZCML and XML
	$(BIN)/ruff check --select I --fix src tests instance/scripts benchmarks
	$(BIN)/ruff check --fix src tests instance/scripts benchmarks
	$(BIN)/ruff format src tests instance/scripts benchmarks
	find src profiles -name '*.zcml' -o -name '*.xml' | xargs $(BIN)/zpretty -i

.PHONY: i18n
i18n: install ## Rebuild the .pot and sync the zh_CN and en catalogues
	$(BIN)/python -m zhangdian.approval.locales

.PHONY: bench
bench: install ## Run the benchmarks (never part of make test)
	$(BIN)/python benchmarks/run.py

.PHONY: clean
clean: ## Remove the virtualenv (the database under instance/var is kept)
	rm -rf $(VENV) .pytest_cache .ruff_cache
