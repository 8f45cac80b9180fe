"""A decompression bomb (a few hundred bytes of PNG declaring 20000x20000 pixels) is refused
with a 400 or a form error wherever images are uploaded, and nothing is kept (issue 10)."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from deliberation.models import Attachment, Proposal
from property_rating.models import Evidence
from tests.security.test_uploads import _files_under, _post_evidence, _proposal_data

pytestmark = pytest.mark.django_db


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width=20000, height=20000) -> bytes:
    """A well-formed PNG header declaring width x height RGB pixels, with almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )


BOMB = bomb_png()


def test_the_bomb_is_tiny_and_declares_400_million_pixels():
    assert len(BOMB) < 300


def _bomb(name="bomb.png"):
    return SimpleUploadedFile(name, BOMB, content_type="image/png")


def test_report_evidence_bomb_answers_400_and_keeps_nothing(client, report_setup, settings):
    report, line, manager = report_setup
    client.force_login(manager)
    response = _post_evidence(client, report, line.task_item.code, [_bomb()])
    assert response.status_code == 400, response.content
    assert "pixels" in str(response.json()) or "像素" in str(response.json())
    assert Evidence.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == set()


def test_manager_portal_bomb_is_a_form_error(client, report_setup, settings):
    report, line, manager = report_setup
    client.force_login(manager)
    code = line.task_item.code
    response = client.post(
        reverse("property_rating:manager-report", args=[report.pk]),
        {f"{code}-description": "巡查", f"{code}-count": "", f"{code}-files": _bomb()},
    )
    assert response.status_code == 400
    assert "bomb.png" in response.content.decode()
    assert Evidence.objects.count() == 0
    assert _files_under(settings.MEDIA_ROOT) == set()


def test_proposal_photo_bomb_answers_400_through_the_api(client, resident_setup, settings):
    client.force_login(resident_setup)
    response = client.post("/api/v1/proposals/", _proposal_data([_bomb()]), format="multipart")
    assert response.status_code == 400, response.content
    assert Proposal.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_proposal_photo_bomb_is_a_form_error_in_the_portal(client, resident_setup, settings):
    client.force_login(resident_setup)
    response = client.post("/deliberation/proposals/new/", _proposal_data([_bomb()]))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Proposal.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_an_image_just_over_the_configured_limit_is_refused_and_one_under_it_accepted(settings):
    # Past Pillow's warning threshold but under its error threshold: the warning is caught too.
    from django.core.exceptions import ValidationError

    from governance.uploads import validate_upload

    settings.UPLOAD_MAX_IMAGE_PIXELS = 1_000_000
    over = SimpleUploadedFile("over.png", bomb_png(1500, 1000), content_type="image/png")
    with pytest.raises(ValidationError, match="pixels"):
        validate_upload(over)
    under = SimpleUploadedFile("under.png", bomb_png(1000, 1000), content_type="image/png")
    assert validate_upload(under) == ".png"
