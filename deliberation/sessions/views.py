"""Sessions and votes: the representatives' sessions and portal vote, the staff's session pages
(one form per action) and the public resolutions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import rules, services
from ..forms import (
    SESSION_ACTIONS,
    SessionForm,
    VoteForm,
)
from ..models import (
    AgendaItem,
    Proposal,
    Session,
    Vote,
)
from ..view_helpers import error_text, run_action, staff_required, verified_resident_required
from . import selectors

S = Proposal.State


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


def _session_page(request, session, *, vote_form=None, failed_item=None, status=200):
    representative = rules.representative_for(request.user, session.council, session.date)
    return render(
        request,
        "deliberation/session_detail.html",
        {
            "session": session,
            "items": selectors.agenda_of(session, representative=representative),
            "representative": representative,
            "vote_form": VoteForm(),
            # A vote sent without a choice comes back with its error next to its own item.
            "failed_form": vote_form,
            "failed_item_id": failed_item.pk if failed_item else None,
            "vote_choices": dict(Vote.Choice.choices),
            "can_manage": rules.can_manage(request.user, session.council),
        },
        status=status,
    )


@login_required
def session_detail(request, pk: int):
    return _session_page(request, selectors.session_for(request.user, pk))


@require_POST
@login_required
def vote(request, pk: int, item_pk: int):
    session = selectors.session_for(request.user, pk)
    item = get_object_or_404(AgendaItem, pk=item_pk, session=session)
    representative = rules.representative_for(request.user, session.council, session.date)
    if representative is None:
        raise PermissionDenied(_("You are not a representative of this council."))
    form = VoteForm(request.POST)
    if not form.is_valid():
        return _session_page(request, session, vote_form=form, failed_item=item, status=400)
    try:
        services.vote_cast(
            agenda_item=item,
            representative=representative,
            choice=form.cleaned_data["choice"],
            entered_by=request.user,
        )
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Your vote was recorded."))
    return redirect("deliberation:session-detail", pk=pk)


def published_resolutions(request):
    page = Paginator(selectors.published_resolutions(), 30).get_page(request.GET.get("page"))
    return render(request, "deliberation/resolutions_public.html", {"page": page})


@require_POST
@staff_required
def manage_session_create(request, council_pk: int):
    council = get_object_or_404(rules.councils_for_staff(request.user), pk=council_pk)
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
            council__in=rules.councils_for_staff(request.user).values("pk")
        ).select_related("council__estate"),
        pk=pk,
    )


@staff_required
def manage_session(request, pk: int):
    return _manage_session_page(request, _staff_session(request, pk))


def _manage_session_page(request, session, *, close_form=None, status=200):
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
    labels = dict(Vote.Choice.choices)
    rows = [
        {
            "rep": rep,
            "present": rep.pk in present,
            # The choice's label in the page's language, never the stored value ("for").
            "votes": [labels.get(votes.get((item.pk, rep.pk), ""), "") for item in items],
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
            "close_form": close_form,
            "typed_resolutions": {
                item.pk: (close_form.data.get(f"resolution_{item.pk}", "") if close_form else "")
                for item in items
            },
        },
        status=status,
    )


@require_POST
@staff_required
def manage_session_action(request, pk: int):
    session = _staff_session(request, pk)
    if request.POST.get("action") == "close":
        form = SESSION_ACTIONS["close"](request.POST, target=session, by=request.user)
        if not form.is_valid():
            # The page comes back with the warning and everything typed (resolutions, minutes).
            return _manage_session_page(request, session, close_form=form, status=400)
    run_action(request, SESSION_ACTIONS, session)
    return redirect("deliberation:manage-session", pk=pk)
