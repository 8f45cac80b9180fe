"""`manage.py check --deploy` clean with production settings; bandit finds nothing unjustified."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Tests and benchmarks are not deployed (ruff exempts them from its S rules the same way);
# migrations are generated.
# Not deployed: tests and benchmarks (ruff exempts both from its S rules the same way);
# generated: migrations.
NOT_SCANNED = (".venv", "tests", "benchmarks", "var", "locale", "static", "templates")
BANDIT_EXCLUDES = ",".join(f"./{p}" for p in NOT_SCANNED) + ",*/migrations/*"


def test_check_deploy_is_clean_with_production_settings():
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_SETTINGS_MODULE": "governance.settings.production",
        "ALLOWED_HOSTS": "x.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    }
    env.pop("DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by tests/conftest.py for live_server only
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_a_weak_secret_key():
    env = {
        **os.environ,
        "SECRET_KEY": "short",
        "DJANGO_SETTINGS_MODULE": "governance.settings.production",
        "ALLOWED_HOSTS": "x.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def _bandit() -> list[str]:
    local = Path(sys.executable).with_name("bandit")
    if local.exists():
        return [str(local)]
    if shutil.which("bandit"):
        return [shutil.which("bandit")]
    pytest.skip("bandit is not installed (pip install -e '.[test]')")


def test_bandit_finds_no_unjustified_issue():
    result = subprocess.run(
        [*_bandit(), "-r", ".", "-x", BANDIT_EXCLUDES, "-f", "json", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(result.stdout)
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert findings == [], "\n".join(findings)
    assert report["metrics"]["_totals"]["loc"] > 5000  # it really scanned the project
    # Every suppression says which check and why ("# nosec B105: reason"), never a bare nosec.
    bare = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {*NOT_SCANNED, "migrations"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "# nosec" in line and not any(f"# nosec B{n}" in line for n in range(100, 800)):
                bare.append(f"{path}:{number}")
    assert bare == []
