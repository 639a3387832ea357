# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi
export PIPELINE_ENV ?= development
# Debian packages WeasyPrint, the CJK fonts, the PDF tools of the tests and the browser of the e2e tests need.
# On a fresh machine unattended upgrades often hold the apt lock for minutes: setup says so and waits (DPkg::Lock::Timeout
# also covers the moment between our check and apt's own lock) instead of failing at once.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk fonts-wqy-microhei poppler-utils chromium
DEMO_FIRMS ?= 300

.PHONY: run test lint bench setup system-packages translations migrate serve clean pdf-fonts

setup: system-packages $(VENV)/.installed translations pdf-fonts

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  waited=0; while pgrep -x 'apt|apt-get|dpkg|unattended-upgr' >/dev/null 2>&1 && [ $$waited -lt 600 ]; do \
	    [ $$waited = 0 ] && echo "Another package manager (often unattended upgrades on a fresh machine) holds the apt lock: waiting for it (up to 10 minutes)…"; \
	    sleep 5; waited=$$((waited + 5)); \
	  done; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

translations: $(VENV)/.installed
	@$(VENV)/bin/pybabel compile --statistics -d pipeline/translations

# The CJK supplement font of the PDFs, cut from the installed Noto Sans CJK SC (pipeline/pdf_fonts.py).
pdf-fonts: $(VENV)/.installed
	@$(FLASK) pdf build-fonts

migrate: setup
	$(FLASK) db upgrade

run: migrate
	$(FLASK) seed-if-empty --firms $(DEMO_FIRMS)
	@$(FLASK) demo-logins
	@echo "Serving http://127.0.0.1:5000 (Ctrl-C stops the web app and the scheduler)"
	@trap 'kill 0' INT TERM EXIT; \
	if $(FLASK) --help 2>/dev/null | grep -q '^  scheduler'; then $(FLASK) scheduler run & fi; \
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check pipeline tests bench config.py wsgi.py

bench: setup
	$(PY) bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
