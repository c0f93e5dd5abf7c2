# Two commands for a new user: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
FLASK := $(VENV)/bin/flask --app oralhistory
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test init lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e '.[test,serve,postgres]'
	touch $@

init: $(VENV)/.installed
	$(FLASK) init

run: init
	$(FLASK) run --host $(HOST) --port $(PORT)

test:
	bash .ci/run

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check oralhistory tests benchmarks
	$(VENV)/bin/ruff format --check oralhistory tests benchmarks
