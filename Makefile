# Caravanserai: `make run` to try it, `make test` to check it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
LANGS := ar zh fr ru es uz
PORT ?= 5000
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: run test serve install migrate demo lint messages-extract messages-update messages-compile messages clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

messages-compile: $(STAMP)
	$(BIN)/pybabel compile -d translations 2>&1 | grep -v "^compiling catalog" || true

migrate: install messages-compile
	mkdir -p instance
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	@echo ""
	@echo "Caravanserai is at http://$(HOST):$(PORT)/"
	@echo "Demo logins (password: $${DEMO_PASSWORD:-caravanserai-demo}):"
	@echo "  admin1@demo.example  organiser1@demo.example  ambassador1@demo.example ... ambassador40@demo.example"
	@echo "  partner1@demo.example ... partner8@demo.example  observer1@demo.example  observer2@demo.example"
	@echo ""
	$(BIN)/python wsgi.py

serve: install messages-compile
	CARAVANSERAI_CONFIG=production $(FLASK) db upgrade
	CARAVANSERAI_CONFIG=production $(BIN)/gunicorn --worker-class gevent --workers 1 \
		--bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install messages-compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

messages-extract: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
		--no-location --sort-output -w 100 -o translations/messages.pot .

messages-update: messages-extract
	for lang in en $(LANGS); do \
		test -f translations/$$lang/LC_MESSAGES/messages.po || $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$lang; \
	done
	$(BIN)/pybabel update -i translations/messages.pot -d translations -w 100 --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m app.i18n.catalogs translations/en/LC_MESSAGES/messages.po

messages: messages-update messages-compile

clean:
	rm -rf $(VENV) instance/*.sqlite3 .pytest_cache
