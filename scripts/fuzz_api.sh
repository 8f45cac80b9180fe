#!/bin/sh
# The long schema-fuzzing run of the API (issue 10, item 6): every operation of /api/schema/,
# reads and writes, as each role, FUZZ_EXAMPLES cases per operation (default 500; CI runs 5).
# No 5xx, every error body a JSON object. Needs DATABASE_URL (PostgreSQL) like the test suite.
#   scripts/fuzz_api.sh            # about an hour on 2 cores
#   FUZZ_EXAMPLES=50 scripts/fuzz_api.sh
set -eu
cd "$(dirname "$0")/.."
export FUZZ_EXAMPLES="${FUZZ_EXAMPLES:-500}"
exec "${PYTHON:-.venv/bin/python}" -m pytest -n 0 -q -p no:cacheprovider \
    tests/security/test_schema_fuzzing_writes.py tests/security/test_schema_fuzzing.py "$@"
