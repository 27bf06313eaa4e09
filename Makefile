# newsroom: `make run` to try it, `make test` to check it. See README.md.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
SYSTEM_PACKAGES := chromium chromium-driver fonts-liberation redis-server

# Production-like settings for `check --deploy`; the key is random per run.
DEPLOY_ENV = DJANGO_DEBUG=false \
	DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=news.example.com \
	SITE_URL=https://news.example.com \
	DJANGO_SECURE_SSL_REDIRECT=true \
	DJANGO_SECURE_HSTS_SECONDS=31536000 \
	DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS=true \
	DJANGO_SECURE_HSTS_PRELOAD=true \
	DJANGO_SESSION_COOKIE_SECURE=true \
	DJANGO_CSRF_COOKIE_SECURE=true \
	DJANGO_SECURE_PROXY_SSL_HEADER=true

.PHONY: install run test lint format check bench lighthouse sysdeps clean

install: $(STAMP) $(NODE_STAMP) .env

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,postgres,redis,dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# A local secret key, generated once into the ignored .env file.
.env:
	@echo "DJANGO_SECRET_KEY=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Generated a local DJANGO_SECRET_KEY into .env (ignored by git)."

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@$(PY) manage.py ensure_admin
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C stops)."
	DJANGO_SERVE_MEDIA=true $(VENV)/bin/gunicorn -c gunicorn.conf.py newsroom.wsgi

# System packages the browser tests and Redis tests need. As root they are
# installed; otherwise we stop with the command to run, never skip tests.
sysdeps:
	@missing=""; for pkg in $(SYSTEM_PACKAGES); do \
		dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing system packages:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "make test needs system packages that are missing. Run:"; \
			echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
			exit 1; \
		fi; \
	fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(PY) manage.py makemigrations --check --dry-run
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# Static files are collected by the tests' session fixture, only when stale.
test: install sysdeps lint check
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Load and scale benchmarks (bench/README.md); BENCH_ARGS="--sizes 1000 --duration 3" for a quick run.
bench: install
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

# Lighthouse, mobile and desktop, on the demo site under gunicorn: writes
# docs/quality/lighthouse.md. Its own node_modules, so CI never installs it.
LIGHTHOUSE_STAMP := tools/lighthouse/node_modules/.installed

$(LIGHTHOUSE_STAMP): tools/lighthouse/package.json tools/lighthouse/package-lock.json
	npm ci --prefix tools/lighthouse --no-audit --no-fund --loglevel=error
	touch $@

lighthouse: install sysdeps $(LIGHTHOUSE_STAMP)
	$(PY) tools/lighthouse/run.py  # LIGHTHOUSE_RUNS=3 runs per page, median scores

clean:
	rm -rf $(VENV) node_modules tools/lighthouse/node_modules staticfiles .pytest_cache .ruff_cache
