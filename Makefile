# Kinga — every developer and CI entry point. `make demo` and `make test` do all set-up.
PYTHON ?= python3.11
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo serve test lint typecheck checkmigrations pytest bench system-packages messages totp clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --quiet
	@touch $@

install: $(VENV)/.installed
	@$(PY) -m core.i18n_build

demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) seed --demo
	$(MANAGE) collectstatic --no-input --verbosity 0
	@$(MANAGE) demo_banner --url http://$(HOST):$(PORT)
	$(MANAGE) runserver $(HOST):$(PORT)

# The current one-time code for a demo user, e.g. `make totp USER=demo-manager`.
totp: install
	@$(MANAGE) demo_totp $(USER)

system-packages:
	@bash scripts/system-packages.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy .

checkmigrations: install
	$(MANAGE) makemigrations --check --dry-run

pytest: install
	$(VENV)/bin/pytest

test: system-packages install lint typecheck checkmigrations pytest

# `make bench` runs every suite; `make bench BENCH="imports --rows 10000"` runs one.
bench: install
	$(PY) -m bench $(BENCH)

messages: install
	$(MANAGE) makemessages --locale fr --locale sw --no-obsolete --ignore '.venv/*' --ignore '.tools/*'
	@$(PY) -m core.i18n_build

clean:
	rm -rf $(VENV) $(TOOLS) staticfiles
