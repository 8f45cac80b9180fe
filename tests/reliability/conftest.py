"""Fixtures for the fault tests: PRIVATE Redis and PostgreSQL instances that a test may stop and
restart, and real worker / beat / gunicorn subprocesses pointed at them.

The machine's shared PostgreSQL (5432) and Redis (6379) serve other test runs at the same time:
nothing here ever stops them. Faults are injected only on instances these fixtures start on free
ports, and every subprocess is killed (its whole process group) in teardown.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(
    predicate, *, timeout: float, interval: float = 0.1, what: str = "condition", details=lambda: ""
):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}\n{details()}")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --------------------------------------------------------------------------------------------
# Subprocesses
# --------------------------------------------------------------------------------------------


class Proc:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], *, env: dict, log_dir: Path, cwd=ROOT):
        self.name = name
        self.log_path = log_dir / f"{name}-{uuid.uuid4().hex[:6]}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115  closed in stop()
        self.popen = subprocess.Popen(
            args,
            env=env,
            cwd=cwd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log(self) -> str:
        if not self._log.closed:
            self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, timeout: float = 30):
        def seen():
            if text in self.log():
                return True
            if not self.alive():
                pytest.fail(f"{self.name} exited ({self.popen.returncode}):\n{self.log()[-3000:]}")
            return False

        wait_for(
            seen,
            timeout=timeout,
            what=f"{self.name} to log {text!r}",
            details=lambda: self.log()[-3000:],
        )

    def kill(self, sig=signal.SIGKILL) -> None:
        """Send `sig` to the whole process group (a prefork worker's children too)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10) -> None:
        if self.alive():
            self.kill(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout)
        self.kill(signal.SIGKILL)  # stragglers of the group, if any
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        self._log.close()


@pytest.fixture
def procs(tmp_path):
    """Start subprocesses with procs.start(...); all of them are killed at teardown."""

    class Procs:
        started: list[Proc] = []

        def start(self, name, args, *, env) -> Proc:
            proc = Proc(name, args, env=env, log_dir=tmp_path)
            self.started.append(proc)
            return proc

    registry = Procs()
    registry.started = []
    yield registry
    for proc in reversed(registry.started):
        proc.stop()


# --------------------------------------------------------------------------------------------
# Private Redis
# --------------------------------------------------------------------------------------------


class PrivateRedis:
    """A throw-away redis-server on a free port, no persistence: stop() loses nothing we keep."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.popen = None

    def start(self) -> None:
        assert self.popen is None or self.popen.poll() is not None
        self.popen = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--databases",
                "256",
                "--dir",
                str(self.directory),
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(lambda: port_open(self.port), timeout=10, what="private redis to listen")

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.kill()  # as abrupt as a crash
            self.popen.wait(10)
        wait_for(lambda: not port_open(self.port), timeout=10, what="private redis to stop")

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


# --------------------------------------------------------------------------------------------
# Private PostgreSQL cluster
# --------------------------------------------------------------------------------------------


class PrivateCluster:
    """A PostgreSQL 15 cluster in a temporary directory, owned by the `postgres` OS user
    (initdb refuses root), listening on 127.0.0.1 on a free port, trust auth."""

    def __init__(self):
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="gov-rel-pg-"))
        if os.geteuid() == 0:
            shutil.chown(self.directory, user="postgres")
        self.data = self.directory / "data"

    def _as_postgres(self, *args, check=True, timeout=60):
        command = list(args)
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command,
            check=check,
            capture_output=True,
            timeout=timeout,
            text=True,
            cwd=self.directory,
        )

    def init(self) -> None:
        self._as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.directory / "server.log"),
            "-w",
            "-t",
            "30",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._as_postgres(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-m",
            mode,
            "-w",
            "-t",
            "30",
            "stop",
            check=False,
        )

    def restart(self) -> None:
        """What an operator's restart does: every backend is terminated, open transactions
        are rolled back, then the server accepts connections again."""
        self.stop("fast")
        self.start()

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture(scope="module")
def private_postgres():
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL 15 server binaries are not under {PG_BIN}")
    if os.geteuid() == 0:
        if not shutil.which("runuser"):
            pytest.skip("running as root without runuser: initdb cannot run as root")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and no `postgres` OS user to own a private cluster")
    cluster = PrivateCluster()
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


# --------------------------------------------------------------------------------------------
# Pointing this process and subprocesses at the private instances
# --------------------------------------------------------------------------------------------


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the connection settings of this test run (the test database)."""
    user = quote(settings_dict.get("USER") or "postgres")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password)}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings_dict['NAME']}"


def redis_db_of(url: str) -> int:
    return int(urlsplit(url).path.lstrip("/") or 0)


def with_port(url: str, port: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"127.0.0.1:{port}"))


def django_env(*, database: str, redis_port: int, media_root: Path | None = None, **extra) -> dict:
    """Environment for a Django subprocess on `database` and the private Redis: the test
    settings derive the same broker database number as this process (REDIS_URL base +
    TEST_REDIS_DB_BASE + xdist worker)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "DJANGO_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="governance.settings.test",
        CELERY_REAL_WORKER="1",
        DATABASE_URL=database,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        TEST_REDIS_DB_BASE=os.environ.get("TEST_REDIS_DB_BASE", "1"),
        PYTEST_XDIST_WORKER=os.environ.get("PYTEST_XDIST_WORKER", "gw0"),
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
        PYTHONUNBUFFERED="1",
        LOG_LEVEL="INFO",
    )
    if media_root is not None:
        env["TEST_MEDIA_ROOT"] = str(media_root)
    env.update({key: str(value) for key, value in extra.items()})
    return env


def switch_celery(app, broker_url: str, backend_url: str) -> None:
    """Point this process's publishing and result reads at other URLs, dropping pooled
    connections (what Celery itself does after a fork)."""
    app.conf.broker_url = broker_url
    app.conf.result_backend = backend_url
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)  # rebuilt for the new URL on next use


@pytest.fixture
def test_database(transactional_db):
    """The DATABASE_URL of the test database that this test (transactionally) uses."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the fault tests need PostgreSQL (set DATABASE_URL)")
    return database_url(connection.settings_dict)


@pytest.fixture
def rel_celery(private_redis, settings):
    """This process publishes to, and reads results from, the private Redis (same database
    number as the test settings), with tasks not eager."""
    from governance.celery import app

    broker = with_port(settings.CELERY_BROKER_URL, private_redis.port)
    saved = (app.conf.broker_url, app.conf.result_backend, app.conf.task_always_eager)
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    switch_celery(app, broker, broker)
    yield app
    app.conf.task_always_eager = saved[2]
    switch_celery(app, saved[0], saved[1])


# test_database before procs: the subprocesses are killed before the test database is flushed.
@pytest.fixture
def start_worker(test_database, procs, private_redis, tmp_path):
    """start_worker(concurrency=1, pool="solo") -> a real `celery worker` subprocess on the test
    database and the private Redis, ready to consume."""

    def start(*, pool: str = "solo", concurrency: int = 1, name: str = "worker", **extra_env):
        env = django_env(
            database=test_database,
            redis_port=private_redis.port,
            media_root=tmp_path / "media",
            **extra_env,
        )
        proc = procs.start(
            name,
            [
                str(VENV_BIN / "celery"),
                "-A",
                "governance",
                "worker",
                "--loglevel=INFO",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{name}-{uuid.uuid4().hex[:8]}@%h",
            ],
            env=env,
        )
        proc.wait_for_log(" ready.", timeout=60)
        return proc

    return start


@pytest.fixture
def start_beat(test_database, procs, private_redis, tmp_path):
    """start_beat() -> a real `celery beat` subprocess (django-celery-beat's database
    scheduler) on the test database and the private Redis."""

    def start(*, name: str = "beat", **extra_env):
        env = django_env(database=test_database, redis_port=private_redis.port, **extra_env)
        proc = procs.start(
            name,
            [
                str(VENV_BIN / "celery"),
                "-A",
                "governance",
                "beat",
                "--loglevel=INFO",
                "--max-interval=1",
                "-s",
                str(tmp_path / f"{name}-{uuid.uuid4().hex[:6]}"),
            ],
            env=env,
        )
        proc.wait_for_log("beat: Starting", timeout=60)
        return proc

    return start


def start_gunicorn(procs, *, env: dict, workers: int = 2, threads: int = 8) -> tuple[str, Proc]:
    """gunicorn (gthread) on a free port of 127.0.0.1 with `env`; returns (base URL, process)."""
    port = free_port()
    proc = procs.start(
        "gunicorn",
        [
            str(VENV_BIN / "gunicorn"),
            "governance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread" if threads > 1 else "sync",
            "--threads",
            str(threads),
            "--timeout",
            "60",
        ],
        env=env,
    )
    wait_for(
        lambda: port_open(port),
        timeout=60,
        what="gunicorn to listen",
        details=lambda: proc.log()[-3000:],
    )
    return f"http://127.0.0.1:{port}", proc


@pytest.fixture
def web_on_test_database(test_database, procs, private_redis, tmp_path):
    """A gunicorn server (2 processes x 8 threads, as in production) on the test database."""
    env = django_env(
        database=test_database, redis_port=private_redis.port, media_root=tmp_path / "media"
    )
    base, _proc = start_gunicorn(procs, env=env)
    return base


@pytest.fixture
def login_cookie():
    """login_cookie(user) -> {"sessionid": ...} for HTTP clients outside the test client."""
    from django.test import Client

    def cookie(user):
        client = Client()
        client.force_login(user)
        return {"sessionid": client.cookies["sessionid"].value}

    return cookie
