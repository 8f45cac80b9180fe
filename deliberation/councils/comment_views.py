"""Comment, report and hide: POST endpoints that answer with the proposal page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..models import Comment
from ..view_helpers import error_text
from . import comments, selectors


def _back(proposal_id: int):
    return redirect(f"/deliberation/proposals/{proposal_id}/#comments")


def _comment_for(request, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("proposal__council__estate"), pk=pk)
    if not selectors.is_insider(request.user, comment.proposal):
        raise Http404
    return comment


@require_POST
@login_required
def comment_add(request, pk: int):
    proposal = selectors.proposal_for(request.user, pk)
    if not selectors.is_insider(request.user, proposal):
        raise Http404
    try:
        comments.comment_add(
            proposal=proposal, author=request.user, body=request.POST.get("body", "")
        )
    except PermissionDenied as error:
        raise PermissionDenied(error_text(error)) from error
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your comment was posted."))
    return _back(proposal.pk)


@require_POST
@login_required
def comment_report(request, pk: int):
    comment = _comment_for(request, pk)
    try:
        comments.comment_report(
            comment=comment, by=request.user, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as error:
        raise PermissionDenied(error_text(error)) from error
    messages.success(request, _("Thank you. Staff will look at the comment."))
    return _back(comment.proposal_id)


@require_POST
@login_required
def comment_hide(request, pk: int):
    comment = _comment_for(request, pk)
    try:
        comments.comment_hide(
            comment=comment, by=request.user, reason=request.POST.get("reason", "")
        )
    except PermissionDenied as error:
        raise PermissionDenied(error_text(error)) from error
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The comment is hidden."))
    return _back(comment.proposal_id)
