# Two commands for a new user: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
FLASK := $(VENV)/bin/flask --app oralhistory
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test init lint translations

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

# After changing the interface's words: collect them into messages.pot, merge them into each
# language's messages.po (then translate the new entries there). The .mo files are compiled
# from the .po files when the app starts; `make translations` compiles them too.
PYBABEL := $(VENV)/bin/pybabel
CATALOGUES := oralhistory/translations
translations: $(VENV)/.installed
	$(PYBABEL) -q extract -F babel.cfg --no-wrap --no-location --sort-output -k _l -o $(CATALOGUES)/messages.pot .
	$(PYBABEL) -q update --no-wrap --no-fuzzy-matching --ignore-obsolete -i $(CATALOGUES)/messages.pot -d $(CATALOGUES)
	$(PYBABEL) compile --statistics -d $(CATALOGUES)
