"""Load benchmark (issue 7, item 6): gunicorn on 127.0.0.1 with PostgreSQL and the demo data.

Measures, with wrk, requests per second and p50 / p95 / p99 latency at 1, 8 and 32 connections of:
  - a bare Django JSON view on the same server (/bench/bare/, the upper bound),
  - the ratings API list (/api/v1/ratings/?year=2021),
  - the public ratings page (/rating/public/?year=2021),
  - report filing through the API (POST /api/v1/reports/ with nine lines, over 100 drafts);
then 200 concurrent report submissions with evidence (create, upload a PNG, submit; 200 client
threads at once) and checks 200 submitted reports, 200 evidence rows, 200 files, no 5xx.

Only 127.0.0.1 is ever a target; every run is bounded (--duration seconds per wrk run).

    apt-get install -y wrk redis-server
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gov_bench_load .venv/bin/python benchmarks/bench_load.py
    (options: --duration 10 --connections 1,8,32 --submissions 200 --workers 3 --json FILE)

It creates the database if missing, migrates it, runs `load_demo` (idempotent), starts its own
redis-server on a free port (cache and broker) and gunicorn as docker-compose does (3 sync
workers), with benchmarks/settings.py (production settings plus the bare view, API throttle
lifted). Targets (issue 16): ratings API >= 70 % and the public ratings page >= 50 % of the bare
view's requests per second at 8 connections, the page's p99 < 50 ms.
"""

import argparse
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
VENV_BIN = Path(PYTHON).parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/gov_bench_load"
SUBMISSION_UNITS = 50  # x 4 quarters = 200 reports
FILING_UNITS = 25  # x 4 quarters = 100 drafts the wrk filing run cycles over
BENCH_YEAR = 2023

LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) fivexx = 0 end
function response(status, headers, body)
  if status >= 500 then fivexx = fivexx + 1 end
end
function done(summary, latency, requests)
  local f = 0
  for _, t in ipairs(threads) do f = f + t:get("fivexx") end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx_3xx": %d, "5xx": %d, "connect_errors": %d, "read_errors": %d, ' ..
    '"write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, summary.errors.status, f, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


# --------------------------------------------------------------------------------------------
# Inside Django (run as `bench_load.py --prepare` / `--verify` in a subprocess)
# --------------------------------------------------------------------------------------------


def prepare(run_id: str) -> dict:
    """Benchmark-only units of the demo manager's company in BENCH_YEAR, and an API token."""
    import datetime

    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from communities.models import Community, Estate, User
    from property_rating.models import AssessmentUnit, Scheme
    from property_rating.schemes import scheme_create_default

    manager = User.objects.get(username="manager")
    community = Community.objects.get(name="海南洲社区")
    town = community.town
    with transaction.atomic():
        if not Scheme.objects.filter(town=town, year=BENCH_YEAR).exists():
            scheme_create_default(town=town, year=BENCH_YEAR)
        units = []
        for i in range(SUBMISSION_UNITS + FILING_UNITS):
            estate = Estate.objects.create(
                community=community,
                name=f"压测小区{run_id}-{i:02d}",
                status=Estate.Status.DELIVERED,
                delivery_date=datetime.date(2015, 1, 1),
            )
            units.append(
                AssessmentUnit.objects.create(
                    town=town,
                    estate=estate,
                    company=manager.company,
                    year=BENCH_YEAR,
                    source=AssessmentUnit.Source.IMPORT,
                ).pk
            )
    token, _ = Token.objects.get_or_create(user=manager)
    return {
        "token": token.key,
        "submission_units": units[:SUBMISSION_UNITS],
        "filing_units": units[SUBMISSION_UNITS:],
    }


def verify(unit_ids: list[int]) -> dict:
    """What the 200 submissions left: reports by status, evidence rows, files on disk."""
    from django.db.models import Count

    from property_rating.models import Evidence, QuarterlyReport

    reports = QuarterlyReport.objects.filter(unit_id__in=unit_ids)
    evidence = Evidence.objects.filter(item__report__unit_id__in=unit_ids)
    files = [e.file.path for e in evidence]
    return {
        "reports": dict(reports.values_list("status").annotate(n=Count("pk")).order_by()),
        "submissions": reports.filter(submissions__isnull=False).distinct().count(),
        "evidence_rows": evidence.count(),
        "files_on_disk": sum(os.path.exists(p) for p in files),
        "distinct_files": len(set(files)),
    }


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------


class Servers:
    """A private redis-server and gunicorn; stopped on exit whatever happens."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.procs: list[subprocess.Popen] = []

    def start(self, args, *, env=None, log: str) -> subprocess.Popen:
        handle = open(self.workdir / log, "wb")  # noqa: SIM115  closed with the process
        proc = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, 9)


def django_call(env, flag: str, payload: str = "") -> dict:
    out = subprocess.run(
        [PYTHON, __file__, flag, payload],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def wrk(
    url: str,
    connections: int,
    duration: int,
    workdir: Path,
    *,
    method="GET",
    body=None,
    headers=None,
    bodies=None,
) -> dict:
    """One bounded wrk run; `bodies` (a list) cycles request bodies over the connections."""
    script = LUA
    if method != "GET" or headers:
        script += f"wrk.method = {json.dumps(method)}\n"
        for key, value in (headers or {}).items():
            script += f"wrk.headers[{json.dumps(key)}] = {json.dumps(value)}\n"
        if body is not None:
            script += f"wrk.body = {json.dumps(body)}\n"
    if bodies:
        # Lua long brackets: the JSON goes in verbatim (Lua knows no \u escapes).
        script += "local bodies = {" + ",".join(f"[==[{b}]==]" for b in bodies) + "}\n"
        script += (
            "local n = 0\nfunction request()\n  n = n + 1\n"
            "  return wrk.format(nil, nil, nil, bodies[(n % #bodies) + 1])\nend\n"
        )
    lua = workdir / f"wrk-{uuid.uuid4().hex[:6]}.lua"
    lua.write_text(script)
    threads = min(2, connections)
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            url,
        ],
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
    figures = json.loads(line[8:])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


def concurrent_submissions(base: str, token: str, units: list[int], n: int) -> dict:
    """n report submissions with evidence at once (a barrier releases n client threads)."""
    import requests

    targets = [(u, q) for u in units for q in (1, 2, 3, 4)][:n]
    headers = {"Authorization": f"Token {token}"}
    image = png_bytes()
    barrier = threading.Barrier(len(targets))
    items = [{"code": f"T{i}", "description": "按时完成", "count": 3} for i in range(1, 10)]

    def submit(target):
        unit, quarter = target
        statuses = []
        barrier.wait()
        started = time.perf_counter()
        with requests.Session() as http:
            r = http.post(
                f"{base}/api/v1/reports/",
                json={"unit": unit, "quarter": quarter, "items": items},
                headers=headers,
                timeout=120,
            )
            statuses.append(r.status_code)
            if r.status_code in (200, 201):
                report = r.json()["id"]
                r = http.post(
                    f"{base}/api/v1/reports/{report}/evidence/",
                    data={"item": "T1"},
                    files={"files": (f"photo-{unit}-{quarter}.png", image, "image/png")},
                    headers=headers,
                    timeout=120,
                )
                statuses.append(r.status_code)
                r = http.post(
                    f"{base}/api/v1/reports/{report}/submit/", headers=headers, timeout=120
                )
                statuses.append(r.status_code)
        return statuses, time.perf_counter() - started

    started = time.perf_counter()
    with ThreadPoolExecutor(len(targets)) as pool:
        results = list(pool.map(submit, targets))
    wall = time.perf_counter() - started
    codes = Counter(code for statuses, _ in results for code in statuses)
    seconds = sorted(s for _, s in results)
    return {
        "submissions": len(targets),
        "status_codes": dict(codes),
        "5xx": sum(n for code, n in codes.items() if code >= 500),
        "wall_s": wall,
        "p50_s": seconds[len(seconds) // 2],
        "max_s": seconds[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    database = os.environ.get("DATABASE_URL", DEFAULT_DB)
    if not database.startswith("postgres"):
        raise SystemExit("the load benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    ensure_database(database)

    workdir = Path(tempfile.mkdtemp(prefix="gov-bench-load-"))
    servers = Servers(workdir)
    try:
        redis_port = free_port()
        servers.start(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            log="redis.log",
        )
        wait_port(redis_port)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
            "DATABASE_URL": database,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "MEDIA_ROOT": str(workdir / "media"),
            "DB_CONN_MAX_AGE": "60",
            "PYTHONPATH": str(ROOT),
        }
        print("migrating and loading the demo town ...", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=900,
        )
        subprocess.run(
            [PYTHON, "manage.py", "load_demo"],
            env=env,
            cwd=ROOT,
            check=True,
            timeout=900,
            stdout=subprocess.DEVNULL,
        )
        prepared = django_call(env, "--prepare", uuid.uuid4().hex[:6])

        port = free_port()
        servers.start(
            [
                str(VENV_BIN / "gunicorn"),
                "governance.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(args.workers),
            ],
            env=env,
            log="gunicorn.log",
        )
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        import requests

        auth = {"Authorization": f"Token {prepared['token']}", "Content-Type": "application/json"}
        filing = [
            json.dumps(
                {
                    "unit": u,
                    "quarter": q,
                    "items": [
                        {"code": f"T{i}", "description": "协助执法进小区，巡查3次", "count": 3}
                        for i in range(1, 10)
                    ],
                }
            )
            for u in prepared["filing_units"]
            for q in (1, 2, 3, 4)
        ]
        ratings = f"{base}/api/v1/ratings/?year=2021"
        etag = requests.get(ratings, timeout=30).headers.get("ETag", "")
        endpoints = {
            "bare view": {"url": f"{base}/bench/bare/"},
            "ratings API": {"url": ratings},
            # What a polling client sends: the ETag it has, answered 304 (spec: "cost little").
            "ratings API, 304": {"url": ratings, "headers": {"If-None-Match": etag}},
            "public ratings page": {"url": f"{base}/rating/public/?year=2021"},
            "report filing (POST)": {
                "url": f"{base}/api/v1/reports/",
                "method": "POST",
                "headers": auth,
                "bodies": filing,
            },
        }
        for name, spec in endpoints.items():  # warm up, and fail early on a broken endpoint
            if spec.get("method") == "POST":
                r = requests.post(spec["url"], data=filing[0], headers=auth, timeout=30)
            else:
                r = requests.get(spec["url"], headers=spec.get("headers"), timeout=30)
            if r.status_code >= 400:
                raise SystemExit(f"{name}: {r.status_code} {r.text[:300]}")
        conns = [int(c) for c in args.connections.split(",")]
        figures = {}
        for name, spec in endpoints.items():
            for c in conns:
                print(f"wrk {name} at {c} connections ...", flush=True)
                figures[f"{name}@{c}"] = wrk(
                    spec["url"],
                    c,
                    args.duration,
                    workdir,
                    method=spec.get("method", "GET"),
                    headers=spec.get("headers"),
                    bodies=spec.get("bodies"),
                )
        print(f"{args.submissions} concurrent report submissions with evidence ...", flush=True)
        burst = concurrent_submissions(
            base, prepared["token"], prepared["submission_units"], args.submissions
        )
        burst["stored"] = django_call(env, "--verify", json.dumps(prepared["submission_units"]))
    finally:
        servers.stop()

    print()
    print(
        f"gunicorn {args.workers} sync workers, PostgreSQL, demo data; {os.cpu_count()} CPUs; "
        f"{args.duration} s per run"
    )
    print(
        f"{'endpoint':<24}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'non-2xx':>9}{'5xx':>6}"
    )
    for key, f in figures.items():
        name, c = key.rsplit("@", 1)
        print(
            f"{name:<24}{c:>6}{f['rps']:>9.0f}{f['p50_us'] / 1000:>9.1f}"
            f"{f['p95_us'] / 1000:>9.1f}{f['p99_us'] / 1000:>9.1f}{f['non_2xx_3xx']:>9}"
            f"{f['5xx']:>6}"
        )
    print()
    for c in conns:
        bare = figures[f"bare view@{c}"]["rps"]
        for name in [n for n in endpoints if n != "bare view"]:
            print(
                f"{name} / bare view at {c} connections: {figures[f'{name}@{c}']['rps'] / bare:.0%}"
            )
    if 8 in conns:
        # Issue 16's targets: the API >= 70 % and the public page >= 50 % of the bare view at
        # 8 connections, the page's p99 under 50 ms.
        for name, share, p99_ms in (("ratings API", 0.7, 50), ("public ratings page", 0.5, 50)):
            f = figures[f"{name}@8"]
            ratio = f["rps"] / figures["bare view@8"]["rps"]
            print(
                f"target {name} >= {share:.0%} of bare at 8 connections: {ratio:.0%} "
                f"({'met' if ratio >= share else 'NOT met'}); p99 {f['p99_us'] / 1000:.1f} ms "
                f"({'met' if f['p99_us'] < p99_ms * 1000 else 'NOT met'} < {p99_ms} ms)"
            )
    stored = burst["stored"]
    print()
    print(
        f"{burst['submissions']} concurrent submissions: status codes {burst['status_codes']}, "
        f"5xx {burst['5xx']}, wall {burst['wall_s']:.1f} s, p50 {burst['p50_s']:.1f} s, "
        f"max {burst['max_s']:.1f} s"
    )
    print(
        f"stored: reports {stored['reports']}, with a submission {stored['submissions']}, "
        f"evidence rows {stored['evidence_rows']}, files on disk {stored['files_on_disk']} "
        f"({stored['distinct_files']} distinct)"
    )
    ok = (
        stored["submissions"]
        == burst["submissions"]
        == stored["evidence_rows"]
        == stored["files_on_disk"]
        == stored["distinct_files"]
        and burst["5xx"] == 0
    )
    print(f"200 rows, 200 files, no 5xx: {'yes' if ok else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"wrk": figures, "submissions": burst}, indent=2))
    shutil.rmtree(workdir, ignore_errors=True)


def _inside_django(flag: str, payload: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    if flag == "--prepare":
        print(json.dumps(prepare(payload)))
    else:
        print(json.dumps(verify(json.loads(payload))))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("--prepare", "--verify"):
        _inside_django(sys.argv[1], sys.argv[2])
    else:
        main()
