# Everything runs from the project's own virtualenv; only python3 is needed to start.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test demo migrate bench

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstalls only when pyproject.toml is newer than the last install.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $(STAMP)

run: install
	$(BIN)/python -m devstack

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# make demo MODE=backoffice EXAMPLE=kfz-flotte-25-fahrzeuge
MODE ?= self_service
EXAMPLE ?= baeckerei-betriebshaftpflicht
demo: install
	$(BIN)/python -m examples.demo --mode $(MODE) --example $(EXAMPLE)

migrate: install
	$(BIN)/python -m devstack migrate

bench: install
	$(BIN)/python -m bench
