# The two commands: `make run` (the whole product on SQLite with the demo) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(abspath $(VENV))/bin:$(PATH)
export FLASK_APP := wsgi:create_app

.PHONY: run test lint test-full test-live test-cluster test-smoke bench schema venv clean translations vendor-jssip

venv: $(VENV)/.installed

$(VENV)/.installed: setup.cfg pyproject.toml
	scripts/ensure-debian-packages.sh base
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip 'swig<4' setuptools wheel
	@echo "python-ESL 1.4.18 builds only with SWIG 3, taken from the venv's bin (first on PATH)"
	$(PY) -m pip install -q --no-build-isolation python-ESL==1.4.18
	$(PY) -m pip install -q -e '.[test,lint]'
	touch $@

run: venv
	scripts/ensure-debian-packages.sh run
	scripts/run.sh

test: venv
	scripts/ensure-debian-packages.sh test live cluster
	scripts/ensure-freeswitch.sh
	$(MAKE) --no-print-directory lint test-full test-live test-cluster test-smoke

# ruff on the whole tree (ruff.toml), mypy on the core (setup.cfg); a finding fails `make test`.
lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Every unit and integration test on a throwaway PostgreSQL cluster.
test-full:
	scripts/with-postgres.sh $(PY) -m pytest --ignore=tests/live --ignore=tests/cluster $(PYTEST_ARGS)

# Every call path through a live FreeSWITCH with SIPp phones and carrier (tests/live), in its own process.
# Real SIP timing on a shared 2-core machine: a failed live test runs once more (pytest-rerunfailures) and
# the summary lists every rerun ("R"), so a flaky path stays visible.
LIVE_RERUNS ?= 1
test-live: venv
	scripts/ensure-debian-packages.sh live
	scripts/ensure-freeswitch.sh
	scripts/with-postgres.sh $(PY) -m pytest tests/live --reruns $(LIVE_RERUNS) --reruns-delay 3 $(PYTEST_ARGS)

# Kamailio (Debian's) as the registrar and proxy in front of two FreeSWITCH nodes, with SIPp phones
# (tests/cluster): README, "Scaling out". Skipped with one line without Kamailio (the call tests without
# FreeSWITCH), unless CENTREX_REQUIRE_KAMAILIO=1.
test-cluster: venv
	scripts/ensure-debian-packages.sh cluster
	scripts/ensure-freeswitch.sh
	scripts/with-postgres.sh $(PY) -m pytest tests/cluster $(PYTEST_ARGS)

# The smoke subset on the embedded default (SQLite), as `make run` uses it.
test-smoke:
	CENTREX_TEST_DATABASE_URL= $(PY) -m pytest --ignore=tests/live --ignore=tests/cluster -m smoke -q $(PYTEST_ARGS)

bench: venv
	scripts/ensure-debian-packages.sh base bench
	scripts/with-postgres.sh $(PY) bench/run.py $(BENCH_ARGS)

schema: venv
	$(VENV)/bin/flask dump-schema -o schema.sql

# Console texts: extract from webui/, merge into the French catalogue, compile (the .mo is committed).
translations: venv
	$(VENV)/bin/pybabel extract -F webui/babel.cfg -k N_ --no-location --sort-output -o webui/translations/messages.pot .
	$(VENV)/bin/pybabel update -i webui/translations/messages.pot -d webui/translations -l fr -N --ignore-obsolete -w 120
	$(VENV)/bin/pybabel compile -d webui/translations --statistics

# The web phone's SIP library (webui/static/vendor/jssip.min.js, committed): rebuilt from the npm tarballs
# pinned with their integrity hashes in scripts/vendor-jssip/package-lock.json (needs node, npm, network).
vendor-jssip:
	scripts/vendor-jssip.sh

clean:
	rm -rf $(VENV) instance .pytest_cache .hypothesis
