"""Councils and proposals: the residents' portal (list, raise, support, follow, withdraw, rate)
and the staff's proposal pages; every staff action is its own form (deliberation.forms)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.idempotency import once_per_form_token
from governance.thumbnails import thumbnail_response
from governance.uploads import private_file_response

from .. import rules, services
from ..cases.models import CaseCategory
from ..forms import (
    PROPOSAL_ACTIONS,
    ProposalForm,
    RatingForm,
    ReasonForm,
    SessionForm,
)
from ..models import (
    AgendaItem,
    Proposal,
    Session,
)
from ..view_helpers import error_text, run_action, staff_required, verified_resident_required
from . import comments, selectors

S = Proposal.State


# --- Residents ------------------------------------------------------------------------------------


@verified_resident_required
def proposal_list(request):
    proposals = selectors.proposals_for_resident(request.user)
    state = request.GET.get("state")
    if state in S.values:
        proposals = proposals.filter(state=state)
    page = Paginator(proposals, 20).get_page(request.GET.get("page"))
    estate = request.user.verified_estate
    return render(
        request,
        "deliberation/proposal_list.html",
        {
            "page": page,
            "estate": estate,
            "states": S.choices,
            "state": state,
            "council": getattr(estate, "council", None) if estate else None,
        },
    )


@verified_resident_required
@once_per_form_token
def proposal_create(request):
    form = ProposalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.proposal_create(
                user=request.user,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                files=form.cleaned_data["photos"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Your proposal was submitted."))
            return redirect("deliberation:proposal-detail", pk=proposal.pk)
    return render(request, "deliberation/proposal_form.html", {"form": form})


def proposal_detail(request, pk: int):
    proposal = selectors.proposal_for(request.user, pk)
    user = request.user
    is_resident_here = rules.resident_estate_id(user) == proposal.estate_id
    household = user.verified_household if is_resident_here else None
    parts = selectors.proposal_detail_parts(proposal)
    if not selectors.is_insider(user, proposal):
        parts["attachments"] = []  # a published resolution does not publish residents' photos
    context = {
        "proposal": proposal,
        **parts,
        "is_resident_here": is_resident_here,
        "is_proposer": user.is_authenticated and proposal.proposer_id == user.pk,
        "can_manage": rules.can_manage(user, proposal.council),
        "supported": bool(household) and proposal.supports.filter(household=household).exists(),
        "own_household": bool(household) and proposal.household_id == household.pk,
        "following": user.is_authenticated and proposal.follows.filter(user=user).exists(),
        "supportable": proposal.state in services.SUPPORTABLE,
        "withdrawable": proposal.state in (S.DRAFT, S.SUBMITTED),
        "rating_form": RatingForm(),
        "reason_form": ReasonForm(),
    }
    insider = selectors.is_insider(user, proposal)
    # Comments are for insiders only: a published resolution does not publish the discussion.
    context["comments"] = list(comments.comments_of(proposal)) if insider else []
    for comment in context["comments"]:
        comment.author_label = comments.author_label(comment, proposal)
    context["can_comment"] = rules.allowed(user, "comment_proposal", proposal)
    context["can_moderate"] = insider and rules.is_council_staff(user, proposal.council)
    return render(request, "deliberation/proposal_detail.html", context)


def _resident_action(request, pk: int, action) -> object:
    proposal = selectors.proposal_for(request.user, pk)
    if rules.resident_estate_id(request.user) != proposal.estate_id:
        raise Http404  # published proposals are read-only to other estates
    try:
        action(proposal)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    return redirect("deliberation:proposal-detail", pk=pk)


@require_POST
@verified_resident_required
@once_per_form_token
def proposal_support(request, pk: int):
    def act(proposal):
        services.proposal_support(proposal=proposal, user=request.user)
        messages.success(request, _("Your household supports this proposal."))

    return _resident_action(request, pk, act)


@require_POST
@verified_resident_required
def proposal_follow(request, pk: int):
    def act(proposal):
        follow = request.POST.get("follow") != "0"
        services.proposal_follow(proposal=proposal, user=request.user, follow=follow)

    return _resident_action(request, pk, act)


@require_POST
@verified_resident_required
def proposal_withdraw(request, pk: int):
    def act(proposal):
        services.proposal_withdraw(
            proposal=proposal, by=request.user, reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The proposal was withdrawn."))

    return _resident_action(request, pk, act)


@require_POST
@verified_resident_required
def proposal_rate(request, pk: int):
    form = RatingForm(request.POST)

    def act(proposal):
        if not form.is_valid():
            raise ValidationError(_("Give 1 to 5 stars."))
        services.outcome_rate(
            proposal=proposal,
            user=request.user,
            stars=form.cleaned_data["stars"],
            comment=form.cleaned_data["comment"],
        )
        messages.success(request, _("Thank you for rating the outcome."))

    return _resident_action(request, pk, act)


def attachment_download(request, pk: int):
    attachment = selectors.attachment_for(request.user, pk)
    return private_file_response(attachment.file, attachment.original_name)


def attachment_thumbnail(request, pk: int):
    """A re-encoded thumbnail (governance.thumbnails), for the same people as the file."""
    attachment = selectors.attachment_for(request.user, pk)
    if not attachment.is_image:
        raise Http404
    return thumbnail_response(attachment.file)


# --- Staff and secretaries ----------------------------------------------------------------------


@staff_required
def manage(request):
    proposals = selectors.proposals_for_staff(request.user)
    state = request.GET.get("state") or ""
    if state in S.values:
        proposals = proposals.filter(state=state)
    page = Paginator(proposals, 30).get_page(request.GET.get("page"))
    councils = selectors.staff_councils_with_counts(request.user)
    return render(
        request,
        "deliberation/manage.html",
        {
            "page": page,
            "states": S.choices,
            "state": state,
            "councils": councils,
            "session_form": SessionForm(),
            "sessions": Session.objects.filter(council__in=councils.values("pk"))
            .exclude(status=Session.Status.CLOSED)
            .select_related("council__estate")[:30],
        },
    )


def _staff_proposal(request, pk: int) -> Proposal:
    proposal = get_object_or_404(selectors.proposals_for_staff(request.user), pk=pk)
    return proposal


@staff_required
def manage_proposal(request, pk: int):
    proposal = _staff_proposal(request, pk)
    return render(
        request,
        "deliberation/manage_proposal.html",
        {
            "proposal": proposal,
            **selectors.proposal_detail_parts(proposal),
            "open_sessions": proposal.council.sessions.exclude(status=Session.Status.CLOSED),
            "kinds": AgendaItem.Kind.choices,
            "is_town_staff": rules.is_town_staff(request.user, proposal.council),
            "is_council_staff": rules.is_council_staff(request.user, proposal.council),
            "case_categories": CaseCategory.objects.filter(
                town_id=proposal.council.estate.community.town_id
            ).order_by("code"),
        },
    )


@require_POST
@staff_required
def manage_proposal_action(request, pk: int):
    run_action(request, PROPOSAL_ACTIONS, _staff_proposal(request, pk))
    return redirect("deliberation:manage-proposal", pk=pk)
