# Front Door: `make run` serves the app with demo data; `make test` runs the whole suite.
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
STAMP  := $(VENV)/.installed-stamp

.PHONY: venv translations db demo run test lint bench

# Create .venv if needed; reinstall only when pyproject.toml changed since the last install.
venv: $(STAMP)

$(STAMP): pyproject.toml
	@python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

# Compile translations/*/LC_MESSAGES/messages.po into the messages.mo files the app reads (only
# those older than their .po: a .mo is never rewritten while tests that read it run).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
translations: venv $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(STAMP)
	$(PY) -m babel.messages.frontend compile --statistics -l $* -i $< -o $@

# Create or migrate the database (SQLite at instance/frontdoor.sqlite3 unless DATABASE_URL is set).
db: venv
	$(FLASK) db upgrade

# Load the demo CoC, access points, kiosk and staff accounts (once; prints the credentials).
demo: venv
	$(FLASK) demo load

# Serve on 127.0.0.1:$PORT (5000). The demo accounts are printed LAST, once the server answers,
# so they are not lost among the start-up lines. Lost them? `flask --app app users set-password EMAIL`.
run: venv translations db
	@accounts="$$($(FLASK) demo load)" || exit 1; \
	port="$${PORT:-5000}"; \
	$(VENV)/bin/gunicorn "app:create_app()" -b "127.0.0.1:$$port" -w 2 --access-logfile - & server=$$!; \
	trap 'kill $$server 2>/dev/null; wait $$server' INT TERM; \
	$(PY) -c 'exec("import sys, time, urllib.request\nfor _ in range(240):\n    try:\n        urllib.request.urlopen(sys.argv[1], timeout=2)\n        break\n    except OSError:\n        time.sleep(0.25)")' "http://127.0.0.1:$$port/healthz"; \
	printf '\n%s\nFront Door is running at http://127.0.0.1:%s/ (Ctrl-C stops it).\n\n' "$$accounts" "$$port"; \
	wait $$server

# The suite runs on TEST_WORKERS processes (pytest-xdist; "auto" is one per core, 1 runs it in
# this process). Tests that start servers of their own share one worker (xdist_group "processes").
TEST_WORKERS ?= auto
test: venv translations
	$(PY) -m pytest -q -rs -n $(TEST_WORKERS) --dist loadgroup

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Run every benchmark script in bench/; each prints its figures (-P: bench/ is not put first on the
# import path, so bench/reports.py never hides the reports package).
bench: venv
	@set -e; for script in bench/*.py; do \
		[ -e "$$script" ] || { echo "no benchmarks in bench/"; break; }; \
		echo "== $$script"; $(PY) -P "$$script"; \
	done
