#!/usr/bin/env bash
# Installs the application, migrates, loads the demo and serves it at http://127.0.0.1:8000
# on the embedded default: SQLite under var/, Celery tasks in-process, no services needed.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e .
unset DATABASE_URL REDIS_URL
export DJANGO_SETTINGS_MODULE=governance.settings.local
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo --password "${DEMO_PASSWORD:-demo-pass-2021}"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
