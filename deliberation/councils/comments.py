"""Comments on proposals and their moderation (issue 15, as Decidim and CONSUL have): residents of
the estate comment on proposals they can see and report a neighbour's comment; staff of the
estate's community or town hide a comment with a reason, recorded with who and when and in the
audit trail. A hidden comment keeps its text for the record; pages show the reason instead."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.security import audit
from governance.tasks import enqueue_on_commit

from .. import notifications, rules
from ..models import Comment, CommentReport, Proposal

MAX_LENGTH = 2000


def comment_add(*, proposal: Proposal, author, body: str) -> Comment:
    if not rules.allowed(author, "comment_proposal", proposal):
        raise PermissionDenied(_("Only residents of the estate can comment on its proposals."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write something before sending.")})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {"body": _("A comment is at most %(n)d characters.") % {"n": MAX_LENGTH}}
        )
    with transaction.atomic():
        comment = Comment.objects.create(proposal=proposal, author=author, body=body)
        enqueue_on_commit(notifications.notify_commented_task, comment.pk)
    return comment


def comment_report(*, comment: Comment, by, reason: str = "") -> CommentReport:
    """Once per resident and comment; a repeat returns the first report."""
    if not rules.allowed(by, "report_comment", comment):
        raise PermissionDenied(_("You cannot report this comment."))
    try:
        with transaction.atomic():
            return CommentReport.objects.create(
                comment=comment, reporter=by, reason=(reason or "").strip()[:200]
            )
    except IntegrityError:
        return CommentReport.objects.get(comment=comment, reporter=by)


def comment_hide(*, comment: Comment, by, reason: str) -> Comment:
    if not rules.allowed(by, "hide_comment", comment):
        raise PermissionDenied(_("Only staff of the estate's community or town can hide comments."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for hiding the comment.")})
    with transaction.atomic():
        locked = Comment.objects.select_for_update().get(pk=comment.pk)
        if locked.hidden_at is not None:
            raise ValidationError(_("The comment is already hidden."))
        locked.hidden_at = timezone.now()
        locked.hidden_by = by
        locked.hidden_reason = reason[:200]
        locked.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
        audit.record(
            audit.Action.OTHER,
            actor=by,
            obj=locked,
            summary="comment hidden by staff",
            details={
                "event": "comment_hidden",
                "proposal_id": locked.proposal_id,
                "reports": locked.reports.count(),
            },
        )
    return locked


def comments_of(proposal: Proposal) -> QuerySet:
    """The proposal's comments with their report counts, oldest first (two queries)."""
    return (
        Comment.objects.filter(proposal=proposal)
        .select_related("author", "hidden_by")
        .annotate(n_reports=Count("reports"))
        .order_by("created_at", "pk")
    )


def author_label(comment: Comment, proposal: Proposal) -> str:
    """Neighbours see a surname and a star (王*), not a full name (PIPL: the minimum); the
    proposer's own comments say so."""
    name = (comment.author.display_name or "").strip()
    label = f"{name[0]}*" if name else _("a resident")
    if comment.author_id == proposal.proposer_id:
        label += " · " + _("proposer")
    return label
