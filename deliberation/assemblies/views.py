"""Portal pages of owners' assemblies: owners vote on a phone; staff close and enter paper."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.models import Owner
from communities.roles import Role, holds
from communities.scoping import is_region_reader
from governance.uploads import private_file_response

from . import committees as committees_module
from . import rules as _rules  # noqa: F401  registers the permissions used below
from . import selectors, services
from .forms import AnnounceForm, BallotForm, ElectionBallotForm, PaperBallotForm
from .models import Ballot


@login_required
def vote_list(request):
    is_staff = request.user.is_superuser or holds(
        request.user, Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF
    )
    # District and city staff read the votes below their region (regions.md), announce none.
    reads_as_staff = is_staff or is_region_reader(request.user)
    votes = (
        selectors.staff_votes(request.user)
        if reads_as_staff
        else selectors.resident_votes(request.user)
    )
    if not reads_as_staff and not selectors.resident_estate_ids(request.user):
        raise PermissionDenied
    return render(
        request,
        "assemblies/vote_list.html",
        {
            "votes": votes.select_related("estate")[:100],
            "is_staff": is_staff,
            "reads_as_staff": reads_as_staff,
        },
    )


def _ballot_form(vote, data=None):
    if vote.is_election:
        return ElectionBallotForm(data, candidates=list(vote.candidates.all()))
    return BallotForm(data)


def _detail(request, vote, form=None, status=200):
    owners = selectors.voter_owners(request.user, vote)
    can_cast = request.user.has_perm("deliberation.cast_ballot", vote)
    is_staff = request.user.has_perm("deliberation.close_owners_vote", vote)
    sees_ballots = request.user.has_perm("deliberation.see_all_ballots", vote)
    enters_paper = request.user.has_perm("deliberation.enter_paper_ballot", vote)
    result = vote.result.data if vote.is_closed else None
    candidates = {c.pk: c for c in vote.candidates.all()} if vote.is_election else {}
    election = None
    if result and vote.is_election:
        election = result.get("election", {})
        for row in election.get("candidates", []):
            row["name"] = (
                candidates[row["candidate"]].name if row["candidate"] in candidates else ""
            )
        election["elected_names"] = [candidates[c].name for c in election.get("elected", [])]
        election["runoff_names"] = [candidates[c].name for c in election.get("runoff", [])]
    buildings = {}
    if result:
        names = dict(vote.estate.buildings.values_list("pk", "name"))
        buildings = {
            names.get(int(k), k): v for k, v in sorted(result.get("buildings", {}).items())
        }
    context = {
        "vote": vote,
        "own_ballot": selectors.own_ballot(vote, owners) if owners else None,
        "is_owner": bool(owners),
        "can_cast": can_cast,
        "form": form or (_ballot_form(vote) if can_cast else None),
        "result": result,
        "election": election,
        "buildings": buildings,
        "is_staff": is_staff,
        "sees_ballots": sees_ballots,
        "is_committee": sees_ballots and not is_staff,
        "ballot_count": vote.ballots.count() if sees_ballots else None,
        "paper_form": PaperBallotForm() if enters_paper and vote.is_open else None,
        "ballots": vote.ballots.select_related("owner")[:500] if sees_ballots else (),
    }
    return render(request, "assemblies/vote_detail.html", context, status=status)


@login_required
def vote_detail(request, pk: int):
    return _detail(request, selectors.vote_for(request.user, pk))


@login_required
@require_POST
def ballot_cast(request, pk: int):
    vote = selectors.vote_for(request.user, pk)
    if not selectors.voter_owners(request.user, vote):
        raise PermissionDenied  # tenants, and owners whose unit is not in this vote
    form = _ballot_form(vote, request.POST)
    if not form.is_valid():
        return _detail(request, vote, form=form, status=400)
    try:
        services.ballot_cast(
            vote=vote,
            user=request.user,
            choice=form.cleaned_data.get("choice", ""),
            lines=form.lines() if vote.is_election else None,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _detail(request, vote, form=form, status=400)
    messages.success(
        request, _("Your ballot is recorded. You can change it until the vote closes.")
    )
    return redirect("assemblies:assembly-detail", pk=vote.pk)


@login_required
@require_POST
def vote_close(request, pk: int):
    vote = selectors.vote_for(request.user, pk)
    if not request.user.has_perm("deliberation.close_owners_vote", vote):
        raise PermissionDenied
    try:
        services.vote_close(vote=vote, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("assemblies:assembly-detail", pk=vote.pk)


@login_required
@require_POST
def paper_ballot(request, pk: int):
    vote = selectors.vote_for(request.user, pk)
    if not request.user.has_perm("deliberation.enter_paper_ballot", vote):
        raise PermissionDenied
    form = PaperBallotForm(request.POST, request.FILES)
    if form.is_valid():
        owner = Owner.objects.filter(
            town_id=vote.estate.community.town_id, key=form.cleaned_data["owner"].strip()
        ).first()
        if owner is None:
            form.add_error("owner", _("No owner with this key is in the vote's register."))
        else:
            try:
                services.paper_ballots_enter(
                    vote=vote,
                    rows=[
                        {
                            "owner": owner,
                            "choice": form.cleaned_data["choice"],
                            "scan": form.cleaned_data["scan"],
                        }
                    ],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, [m.split(": ", 1)[-1] for m in error.messages])
            else:
                messages.success(request, _("Paper ballot entered."))
                return redirect("assemblies:assembly-detail", pk=vote.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("assemblies:assembly-detail", pk=vote.pk)


@login_required
def ballot_scan(request, pk: int, ballot_pk: int):
    vote = selectors.vote_for(request.user, pk)
    if not request.user.has_perm("deliberation.see_all_ballots", vote):
        raise Http404
    ballot = get_object_or_404(Ballot, vote=vote, pk=ballot_pk)
    if not ballot.scan:
        raise Http404
    return private_file_response(
        ballot.scan, f"ballot-{vote.pk}-{ballot.pk}{ballot.scan.name[-4:]}"
    )


@login_required
def committee_list(request):
    """Staff: committees in office, their terms (re-election due within 90 days flagged) and
    the figure of committees with a party member."""
    if not (
        request.user.is_superuser
        or holds(request.user, Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF)
        or is_region_reader(request.user)
    ):
        raise PermissionDenied
    today = timezone.localdate()
    committees = selectors.staff_committees(request.user, today)
    due = today + datetime.timedelta(days=committees_module.REMINDER_DAYS)
    return render(
        request,
        "assemblies/committee_list.html",
        {
            "committees": committees,
            "due": due,
            "today": today,
            "figure": committees_module.party_member_figure(committees),
        },
    )


@login_required
def vote_announce(request):
    """Township or community staff announce a vote of an estate in their scope."""
    from communities.models import Estate
    from communities.scoping import visible_communities

    if not (
        request.user.is_superuser or holds(request.user, Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF)
    ):
        raise PermissionDenied
    estates = Estate.objects.filter(
        community__in=visible_communities(request.user), status=Estate.Status.DELIVERED
    )
    form = AnnounceForm(request.POST or None, estates=estates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            vote = services.vote_announce(
                estate=data["estate"],
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
                buildings=data["building_list"],
                seats=data["seats"] if data["kind"] == "committee" else None,
                candidates=data["candidate_list"] if data["kind"] == "committee" else (),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The vote is announced to the estate."))
            return redirect("assemblies:assembly-detail", pk=vote.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "assemblies/announce.html", {"form": form}, status=status)
