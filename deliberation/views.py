"""Resident portal, representatives' voting, staff pages and the public resolutions page.
Views parse input, call one service and render; what a user may see comes from selectors."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from governance.charts import bar_chart
from governance.idempotency import once_per_form_token
from governance.uploads import private_file_response

from . import permissions, selectors, services
from .forms import ProposalForm, RatingForm, ReasonForm, SessionForm, StaffActionForm, VoteForm
from .models import (
    AgendaItem,
    Escalation,
    FollowUpAction,
    Notification,
    ProblemEstateList,
    Proposal,
    RemediationPlan,
    Representative,
    Resolution,
    Session,
)

S = Proposal.State


def _error_text(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You may not do this.")


def verified_resident_required(view):
    """Residents verified to a household; others see why they cannot use the portal."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_resident or user.verified_household is None:
            if selectors.is_deliberation_staff(user) or selectors.councils_for_staff(user).exists():
                return redirect("deliberation:manage")
            return render(request, "deliberation/not_verified.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def staff_required(view):
    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not (
            selectors.is_deliberation_staff(request.user)
            or selectors.councils_for_staff(request.user).exists()
        ):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


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
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("Your proposal was submitted."))
            return redirect("deliberation:proposal-detail", pk=proposal.pk)
    return render(request, "deliberation/proposal_form.html", {"form": form})


def proposal_detail(request, pk: int):
    proposal = selectors.proposal_for(request.user, pk)
    user = request.user
    is_resident_here = permissions.resident_estate_id(user) == proposal.estate_id
    household = user.verified_household if is_resident_here else None
    parts = selectors.proposal_detail_parts(proposal)
    if not selectors.is_insider(user, proposal):
        parts["attachments"] = []  # a published resolution does not publish residents' photos
    context = {
        "proposal": proposal,
        **parts,
        "is_resident_here": is_resident_here,
        "is_proposer": user.is_authenticated and proposal.proposer_id == user.pk,
        "can_manage": permissions.can_manage(user, proposal.council),
        "supported": bool(household) and proposal.supports.filter(household=household).exists(),
        "own_household": bool(household) and proposal.household_id == household.pk,
        "following": user.is_authenticated and proposal.follows.filter(user=user).exists(),
        "supportable": proposal.state in services.SUPPORTABLE,
        "withdrawable": proposal.state in (S.DRAFT, S.SUBMITTED),
        "rating_form": RatingForm(),
        "reason_form": ReasonForm(),
    }
    return render(request, "deliberation/proposal_detail.html", context)


def _resident_action(request, pk: int, action) -> object:
    proposal = selectors.proposal_for(request.user, pk)
    if permissions.resident_estate_id(request.user) != proposal.estate_id:
        raise Http404  # published proposals are read-only to other estates
    try:
        action(proposal)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
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


@verified_resident_required
def session_list(request):
    sessions = selectors.sessions_for_resident(request.user)
    page = Paginator(sessions, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "deliberation/session_list.html",
        {
            "page": page,
            "agenda": selectors.open_agenda_for_representative(request.user),
        },
    )


@login_required
def session_detail(request, pk: int):
    session = selectors.session_for(request.user, pk)
    representative = permissions.representative_for(request.user, session.council, session.date)
    return render(
        request,
        "deliberation/session_detail.html",
        {
            "session": session,
            "items": selectors.agenda_of(session, representative=representative),
            "representative": representative,
            "vote_form": VoteForm(),
            "can_manage": permissions.can_manage(request.user, session.council),
        },
    )


@require_POST
@login_required
def vote(request, pk: int, item_pk: int):
    session = selectors.session_for(request.user, pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, session=session)
    representative = permissions.representative_for(request.user, session.council, session.date)
    if representative is None:
        raise PermissionDenied(_("You are not a representative of this council."))
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose for, against or abstain."))
    else:
        try:
            services.vote_cast(
                agenda_item=item,
                representative=representative,
                choice=form.cleaned_data["choice"],
                entered_by=request.user,
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Your vote was recorded."))
    return redirect("deliberation:session-detail", pk=pk)


@login_required
def inbox(request):
    page = Paginator(selectors.inbox(request.user), 30).get_page(request.GET.get("page"))
    response = render(request, "deliberation/inbox.html", {"page": page})
    Notification.objects.filter(
        user=request.user, read_at__isnull=True, pk__in=[n.pk for n in page.object_list]
    ).update(read_at=timezone.now())
    return response


def published_resolutions(request):
    page = Paginator(selectors.published_resolutions(), 30).get_page(request.GET.get("page"))
    return render(request, "deliberation/resolutions_public.html", {"page": page})


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
            "is_town_staff": permissions.is_town_staff(request.user, proposal.council),
            "is_council_staff": permissions.is_council_staff(request.user, proposal.council),
        },
    )


@require_POST
@staff_required
def manage_proposal_action(request, pk: int):
    proposal = _staff_proposal(request, pk)
    form = StaffActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form is incomplete."))
        return redirect("deliberation:manage-proposal", pk=pk)
    data, by = form.cleaned_data, request.user
    try:
        match data["action"]:
            case "accept":
                services.proposal_accept(proposal=proposal, by=by, reason=data["reason"])
            case "reject":
                services.proposal_reject(proposal=proposal, by=by, reason=data["reason"])
            case "schedule":
                session = get_object_or_404(Session, pk=data["session"], council=proposal.council)
                services.agenda_add(
                    session=session,
                    proposal=proposal,
                    by=by,
                    kind=data["kind"] or AgendaItem.Kind.VOTE,
                )
            case "followup":
                if not (data["description"] and data["responsible_party"] and data["due_date"]):
                    raise ValidationError(_("Give the action, its responsible party and due date."))
                services.followup_add(
                    proposal=proposal,
                    description=data["description"],
                    responsible_party=data["responsible_party"],
                    due_date=data["due_date"],
                    by=by,
                )
            case "complete":
                action = get_object_or_404(FollowUpAction, pk=data["follow_up"], proposal=proposal)
                services.followup_complete(action=action, by=by)
            case "close":
                services.proposal_close(proposal=proposal, by=by, closing_note=data["reason"])
            case "escalate":
                services.proposal_escalate(proposal=proposal, by=by, reason=data["reason"])
            case "resolution":
                resolution = get_object_or_404(Resolution, proposal=proposal)
                services.resolution_record(resolution=resolution, text=data["reason"], by=by)
            case "answer":
                escalation = get_object_or_404(Escalation, pk=data["escalation"], proposal=proposal)
                services.escalation_answer(
                    escalation=escalation,
                    by=by,
                    answer=data["reason"],
                    settles=data["settles"],
                    return_to=data["return_to"] or S.IMPLEMENTING,
                )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Done."))
    return redirect("deliberation:manage-proposal", pk=pk)


@require_POST
@staff_required
def manage_session_create(request, council_pk: int):
    council = get_object_or_404(selectors.councils_for_staff(request.user), pk=council_pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        session = services.session_create(
            council=council,
            date=form.cleaned_data["date"],
            place=form.cleaned_data["place"],
            by=request.user,
        )
        return redirect("deliberation:manage-session", pk=session.pk)
    messages.error(request, _("Give the session's date."))
    return redirect("deliberation:manage")


def _staff_session(request, pk: int) -> Session:
    return get_object_or_404(
        Session.objects.filter(
            council__in=selectors.councils_for_staff(request.user).values("pk")
        ).select_related("council__estate"),
        pk=pk,
    )


@staff_required
def manage_session(request, pk: int):
    session = _staff_session(request, pk)
    reps = list(
        session.council.active_representatives(session.date).select_related("user", "building")
    )
    present = set(
        session.attendance.filter(present=True).values_list("representative_id", flat=True)
    )
    items = list(selectors.agenda_of(session).prefetch_related("votes"))
    votes = {
        (v.agenda_item_id, v.representative_id): v.choice
        for item in items
        for v in item.votes.all()
    }
    rows = [
        {
            "rep": rep,
            "present": rep.pk in present,
            "votes": [votes.get((item.pk, rep.pk), "") for item in items],
        }
        for rep in reps
    ]
    return render(
        request,
        "deliberation/manage_session.html",
        {
            "session": session,
            "items": items,
            "rows": rows,
            "choices": ["for", "against", "abstain"],
            "accepted": session.council.proposals.filter(state=S.ACCEPTED),
        },
    )


@require_POST
@staff_required
def manage_session_action(request, pk: int):
    session = _staff_session(request, pk)
    action, by = request.POST.get("action"), request.user
    try:
        if action == "open":
            services.session_open(session=session, by=by)
        elif action == "attendance":
            present = set(map(int, request.POST.getlist("present")))
            for rep in session.council.active_representatives(session.date):
                services.attendance_record(
                    session=session, representative=rep, present=rep.pk in present, by=by
                )
        elif action == "paper_vote":
            item = get_object_or_404(AgendaItem, pk=request.POST.get("item"), session=session)
            rep = get_object_or_404(
                Representative, pk=request.POST.get("representative"), council=session.council
            )
            services.vote_cast(
                agenda_item=item,
                representative=rep,
                choice=request.POST.get("choice", ""),
                entered_by=by,
            )
        elif action == "agenda":
            proposal = get_object_or_404(session.council.proposals, pk=request.POST.get("proposal"))
            services.agenda_add(
                session=session,
                proposal=proposal,
                by=by,
                kind=request.POST.get("kind") or AgendaItem.Kind.VOTE,
            )
        elif action == "close":
            resolutions = {
                int(key.split("_", 1)[1]): value
                for key, value in request.POST.items()
                if key.startswith("resolution_") and key.split("_", 1)[1].isdigit()
            }
            services.session_close(
                session=session,
                by=by,
                minutes=request.POST.get("minutes", ""),
                resolutions=resolutions,
            )
        else:
            raise ValidationError(_("Unknown action."))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("Done."))
    return redirect("deliberation:manage-session", pk=pk)


@staff_required
def dashboard(request):
    if not selectors.is_deliberation_staff(request.user):
        raise PermissionDenied
    data = selectors.dashboard(request.user)
    return render(
        request,
        "deliberation/dashboard.html",
        {
            **data,
            "state_chart": bar_chart(_("Proposals by state"), data["by_state"]),
            "community_chart": bar_chart(
                _("Proposals per community"), [(c.name, c.n_proposals) for c in data["communities"]]
            ),
            "escalation_chart": bar_chart(
                _("Escalations per community"),
                [(c.name, c.n_escalations) for c in data["communities"]],
            ),
        },
    )


@staff_required
def problem_estates(request):
    if not selectors.is_deliberation_staff(request.user):
        raise PermissionDenied
    user = request.user
    if request.method == "POST":
        if not (user.is_township_staff and user.town_id):
            raise PermissionDenied
        today = timezone.localdate()
        year = int(request.POST.get("year") or today.year)
        quarter = int(request.POST.get("quarter") or (today.month - 1) // 3 + 1)
        if quarter not in (1, 2, 3, 4):
            messages.error(request, _("Choose a quarter from 1 to 4."))
        else:
            services.problem_estates_compute(town=user.town, year=year, quarter=quarter, by=user)
            messages.success(request, _("The list was computed."))
        return redirect("deliberation:problem-estates")
    lists = ProblemEstateList.objects.filter(town_id=user.town_id).prefetch_related(
        "plans__estate__community"
    )
    return render(
        request,
        "deliberation/problem_estates.html",
        {"lists": lists, "statuses": RemediationPlan.Status.choices},
    )


@require_POST
@staff_required
def remediation_update(request, pk: int):
    plan = get_object_or_404(
        RemediationPlan.objects.filter(problem_list__town_id=request.user.town_id), pk=pk
    )
    try:
        services.remediation_update(
            plan=plan,
            by=request.user,
            status=request.POST.get("status", ""),
            text=request.POST.get("plan"),
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _error_text(error))
    return redirect("deliberation:problem-estates")
