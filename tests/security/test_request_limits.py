"""Requests of any size were read whole before being refused (issue 10, item 10): a body declared
larger than REQUEST_MAX_BYTES is now refused with 413 before anything reads it."""

import socket
from urllib.parse import urlsplit

import pytest

from deliberation.factories import CouncilFactory, resident_of
from deliberation.models import Proposal

pytestmark = pytest.mark.django_db


def test_the_limit_defaults_to_a_bit_above_the_largest_upload(settings):
    largest_upload = settings.UPLOAD_MAX_FILES * settings.UPLOAD_MAX_BYTES
    assert largest_upload < settings.REQUEST_MAX_BYTES <= largest_upload + 5 * 1024 * 1024


def test_an_api_write_declaring_300_mb_is_refused_with_413_in_json(client, settings):
    council = CouncilFactory()
    client.force_login(resident_of(council.estate))
    response = client.post(
        "/api/v1/proposals/",
        {"title": "x", "description": "y", "category": "other"},
        CONTENT_LENGTH=str(300 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert "detail" in response.json()
    assert not Proposal.objects.exists()


def test_a_portal_post_declaring_more_than_the_limit_is_refused_with_413(client, settings):
    settings.REQUEST_MAX_BYTES = 1000
    response = client.post("/accounts/login/", {"username": "a" * 2000, "password": "b"})
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")


def test_a_body_within_the_limit_is_served(client, settings):
    settings.REQUEST_MAX_BYTES = 100_000
    council = CouncilFactory()
    client.force_login(resident_of(council.estate))
    response = client.post(
        "/api/v1/proposals/",
        {"title": "楼道灯不亮", "description": "2栋楼道灯坏了。", "category": "other"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content[:500]


def test_a_malformed_content_length_is_a_400_not_a_500(client):
    response = client.post("/api/v1/proposals/", {}, CONTENT_LENGTH="abc")
    assert response.status_code == 400


@pytest.mark.django_db(transaction=True)
def test_the_server_answers_413_without_waiting_for_the_declared_body(live_server):
    """Over a real socket: headers declaring 300 MB and no body. Reading the body first would
    hang until the timeout; refusing by Content-Length answers at once."""
    parts = urlsplit(live_server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\n"
            b"Host: localhost\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 314572800\r\n\r\n"
            b"username=a&password="
        )
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


@pytest.mark.django_db(transaction=True)
def test_the_production_proxy_refuses_an_oversized_body_before_the_application(
    live_server, tmp_path
):
    """deploy/nginx.conf, as docker-compose runs it, in front of this test's server: a body
    declared over client_max_body_size is answered 413 by nginx, a normal request passes."""
    import shutil
    import subprocess
    import time
    from pathlib import Path

    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if nginx is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx-light)")
    app = urlsplit(live_server.url)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    conf = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text()
    assert "client_max_body_size 101m;" in conf
    conf = conf.replace("server web:8000;", f"server 127.0.0.1:{app.port};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    (tmp_path / "logs").mkdir()
    (tmp_path / "nginx.conf").write_text(conf)
    proc = subprocess.Popen(
        [
            nginx,
            "-p",
            str(tmp_path),
            "-c",
            str(tmp_path / "nginx.conf"),
            "-g",
            f"daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/logs/error.log;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)

        def exchange(request: bytes) -> bytes:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
                sock.sendall(request)
                return sock.recv(4096)

        refused = exchange(
            b"POST /api/v1/proposals/ HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 314572800\r\n\r\n{"
        )
        assert refused.startswith(b"HTTP/1.1 413"), refused[:200]
        served = exchange(b"GET /healthz/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        assert served.startswith(b"HTTP/1.1 200"), served[:300]
    finally:
        proc.terminate()
        proc.wait(10)
