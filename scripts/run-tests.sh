#!/usr/bin/env bash
# Installs the test dependencies and runs the whole suite against PostgreSQL and Redis
# (DATABASE_URL / REDIS_URL; defaults: the local services on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
# The browser tests drive Debian's Chromium; a CJK font makes their screenshots legible; bulletin
# PDFs are laid out by WeasyPrint with Pango and read back with pdftotext.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/truetype/wqy ] \
  || ! command -v pdftotext >/dev/null || ! ldconfig -p | grep -q libpangoft2-1.0; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-wqy-microhei \
    poppler-utils libpango-1.0-0 libpangoft2-1.0-0 >/dev/null
fi
# Keep compiled bytecode: the suite starts dozens of Python processes (workers, gunicorn,
# Celery, manage.py), each importing the project anew.
unset PYTHONDONTWRITEBYTECODE
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/governance}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
# A module's tests run on one worker, so a module-scoped fixture (the security tests' attack
# world, the data-migration walk) is built once. (xdist's loadgroup does not group under
# pytest 9.2, which no longer reads the node id xdist rewrites.)
exec .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --dist loadscope "$@"
