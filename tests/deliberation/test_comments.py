"""Issue 15 part 4: residents comment on proposals they can see, report a neighbour's comment;
staff in scope hide it with a recorded, audited reason; the proposer hears of comments and
supports; photos show as re-encoded thumbnails without their EXIF."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from communities.factories import CommunityStaffFactory
from deliberation.factories import CouncilFactory, ProposalFactory, resident_of
from deliberation.models import Attachment, Comment, CommentReport, Proposal
from governance.models import AuditEvent
from governance.notifications.models import Notification
from governance.thumbnails import make_thumbnail

S = Proposal.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(council, resident):
    return ProposalFactory(
        council=council, proposer=resident, household=resident.verified_household
    )


def _comment(client, proposal, body="同意，电梯确实经常停。"):
    return client.post(reverse("deliberation:comment-add", args=[proposal.pk]), {"body": body})


def test_a_neighbour_comments_and_the_proposer_is_told(
    client, proposal, neighbours, django_capture_on_commit_callbacks
):
    client.force_login(neighbours[0])
    with django_capture_on_commit_callbacks(execute=True):
        assert _comment(client, proposal).status_code == 302
    comment = Comment.objects.get()
    assert comment.author == neighbours[0] and comment.proposal == proposal
    note = Notification.objects.get(key=f"comment:{comment.pk}")
    assert note.user == proposal.proposer and note.kind == "deliberation.commented"
    page = client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).content.decode()
    assert "同意，电梯确实经常停。" in page


def test_the_proposer_is_told_when_a_household_supports(
    client, proposal, neighbours, django_capture_on_commit_callbacks
):
    client.force_login(neighbours[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("deliberation:proposal-support", args=[proposal.pk]))
    note = Notification.objects.get(kind="deliberation.supported")
    assert note.user == proposal.proposer and proposal.title in note.text


def test_the_proposer_commenting_on_their_own_proposal_is_not_told(
    client, proposal, resident, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    with django_capture_on_commit_callbacks(execute=True):
        _comment(client, proposal)
    assert not Notification.objects.filter(kind="deliberation.commented").exists()


def test_residents_of_another_estate_cannot_comment_or_see_comments(client, proposal, neighbours):
    Comment.objects.create(proposal=proposal, author=neighbours[0], body="内部讨论")
    outsider = resident_of(CouncilFactory().estate)
    client.force_login(outsider)
    assert _comment(client, proposal).status_code == 404
    comment = Comment.objects.get()
    assert client.post(reverse("deliberation:comment-report", args=[comment.pk])).status_code == 404
    assert Comment.objects.count() == 1 and not CommentReport.objects.exists()


def test_neighbours_cannot_comment_on_a_draft(client, council, resident, neighbours):
    draft = ProposalFactory(council=council, proposer=resident, state=S.DRAFT)
    client.force_login(neighbours[0])
    assert _comment(client, draft).status_code == 404
    assert not Comment.objects.exists()


def test_an_empty_comment_is_a_message_not_a_comment(client, proposal, neighbours):
    client.force_login(neighbours[0])
    response = _comment(client, proposal, body="   ")
    assert response.status_code == 302 and not Comment.objects.exists()


def test_report_then_staff_hide_with_a_reason_shown_to_residents(
    client, council, proposal, neighbours, staff
):
    comment = Comment.objects.create(
        proposal=proposal, author=neighbours[0], body="某某是骗子 138xxxx"
    )
    client.force_login(neighbours[1])
    client.post(reverse("deliberation:comment-report", args=[comment.pk]), {"reason": "人身攻击"})
    client.post(reverse("deliberation:comment-report", args=[comment.pk]))  # once per resident
    assert CommentReport.objects.filter(comment=comment).count() == 1

    client.force_login(staff)
    page = client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).content.decode()
    assert 'data-testid="comment-reports"' in page
    # A reason is required.
    client.post(reverse("deliberation:comment-hide", args=[comment.pk]), {"reason": " "})
    comment.refresh_from_db()
    assert comment.hidden_at is None
    client.post(reverse("deliberation:comment-hide", args=[comment.pk]), {"reason": "含人身攻击"})
    comment.refresh_from_db()
    assert comment.hidden_by == staff and comment.hidden_reason == "含人身攻击"
    assert comment.body == "某某是骗子 138xxxx"  # kept for the record
    assert AuditEvent.objects.filter(
        details__event="comment_hidden", object_id=str(comment.pk), actor=staff
    ).exists()

    client.force_login(neighbours[1])
    page = client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).content.decode()
    assert "已被工作人员隐藏：含人身攻击" in page and "某某是骗子" not in page


def test_residents_and_other_communities_staff_cannot_hide(client, proposal, neighbours):
    comment = Comment.objects.create(proposal=proposal, author=neighbours[0], body="正常评论")
    for user in (neighbours[1], CommunityStaffFactory()):
        client.force_login(user)
        response = client.post(
            reverse("deliberation:comment-hide", args=[comment.pk]), {"reason": "不喜欢"}
        )
        assert response.status_code in (403, 404)
    comment.refresh_from_db()
    assert comment.hidden_at is None


def test_the_proposal_page_runs_a_constant_number_of_queries(client, proposal, neighbours):
    client.force_login(neighbours[0])
    url = reverse("deliberation:proposal-detail", args=[proposal.pk])
    Comment.objects.create(proposal=proposal, author=neighbours[0], body="一")
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in neighbours:
        Comment.objects.create(proposal=proposal, author=n, body="多")
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large.captured_queries) == len(small.captured_queries)


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 900), "blue")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (23.0, 10.0, 5.0)}  # GPSInfo: latitude
    buf = io.BytesIO()
    image.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def test_thumbnail_is_re_encoded_small_and_without_exif():
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the original carries EXIF
    thumb = Image.open(io.BytesIO(make_thumbnail(io.BytesIO(original))))
    assert thumb.format == "JPEG" and max(thumb.size) <= 320
    assert not thumb.getexif() and "exif" not in thumb.info


def test_proposal_page_shows_thumbnails_served_only_to_insiders(client, council, resident):
    from django.core.files.base import ContentFile

    proposal = ProposalFactory(council=council, proposer=resident)
    attachment = Attachment.objects.create(
        proposal=proposal,
        file=ContentFile(_jpeg_with_gps(), name="photo.jpg"),
        original_name="photo.jpg",
        uploaded_by=resident,
    )
    client.force_login(resident)
    page = client.get(reverse("deliberation:proposal-detail", args=[proposal.pk])).content.decode()
    thumb_url = reverse("deliberation:attachment-thumb", args=[attachment.pk])
    assert f'src="{thumb_url}"' in page
    response = client.get(thumb_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert not Image.open(io.BytesIO(response.content)).getexif()
    client.force_login(resident_of(CouncilFactory().estate))
    assert client.get(thumb_url).status_code == 404
