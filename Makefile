# Caravanserai: `make run` to try it, `make test` to check it.
# Production: `make release` (install runtime packages, compile catalogs, migrate), then
# `make serve` or the systemd units in deploy/ (docs/deployment.md).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
STAMP := $(VENV)/.installed
CONSTRAINTS := constraints.txt
FLASK := $(BIN)/flask --app wsgi
LANGS := ar zh fr ru es uz
PORT ?= 5000
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: run test serve install release migrate demo lint messages-extract messages-update messages-compile messages clean

# What running needs, and no more (the test tools are the `test` extra).
$(RUNTIME): pyproject.toml $(CONSTRAINTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e .
	touch $(RUNTIME)

# The test and development tools on top.
$(STAMP): $(RUNTIME)
	$(BIN)/python -m pip install --quiet -c $(CONSTRAINTS) -e '.[test]'
	touch $(STAMP)

install: $(RUNTIME)

# No install prerequisite of its own: every target that compiles installs first.
messages-compile:
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

# The release step, once per deployment (safe to run twice at once: a database lock serialises it).
release: install messages-compile
	CARAVANSERAI_CONFIG=production $(FLASK) db upgrade

# Serve from the installed environment: never installs, compiles or migrates, writes nothing here.
serve:
	@test -x $(BIN)/gunicorn || { echo "$(BIN)/gunicorn is missing: run 'make release' first" >&2; exit 1; }
	CARAVANSERAI_CONFIG=production PYTHONDONTWRITEBYTECODE=1 exec $(BIN)/gunicorn \
		--worker-class gevent --workers 1 --bind $(HOST):$(PORT) --graceful-timeout 10 \
		--config deploy/gunicorn.conf.py --access-logfile - wsgi:app

test: $(STAMP) messages-compile
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

messages-extract: $(STAMP)
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
