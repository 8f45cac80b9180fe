"""Owners' committees (owners.md "Owners' committees"): the committee an election fills, self-
management committees appointed where no assembly has been held, terms and the 90-day
re-election reminder, and the "committees with a party member" figure."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import (
    Estate,
    OwnersCommittee,
    OwnersCommitteeMember,
    User,
    active_on_q,
)
from governance.security import audit

from .models import AssemblyVote, Candidate

TERM_YEARS = 5  # owners.md default term
REMINDER_DAYS = 90


def term_end(start: datetime.date, years: int = TERM_YEARS) -> datetime.date:
    try:
        return start.replace(year=start.year + years) - datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)


def committee_from_election(*, vote: AssemblyVote, on: datetime.date | None = None):
    """The committee a closed election fills with those elected (called inside vote_close's
    transaction). A run-off leaves seats open; the committee is formed with those elected."""
    election = vote.result.data.get("election") or {}
    if not election.get("participation_met") or not election.get("elected"):
        return None
    on = on or timezone.localdate()
    # A new committee replaces the one in office (换届).
    OwnersCommittee.objects.filter(estate=vote.estate, dissolved_on__isnull=True).filter(
        established_on__lt=on
    ).update(dissolved_on=on - datetime.timedelta(days=1))
    committee = OwnersCommittee.objects.create(
        estate=vote.estate,
        kind=OwnersCommittee.Kind.OWNERS_COMMITTEE,
        established_on=on,
        term_ends_on=term_end(on),
    )
    candidates = {c.pk: c for c in Candidate.objects.filter(vote=vote)}
    for order, candidate_id in enumerate(election["elected"]):
        candidate = candidates[candidate_id]
        OwnersCommitteeMember.objects.create(
            committee=committee,
            name=candidate.name,
            position=_("director") if order == 0 else _("member"),
            is_party_member=candidate.is_party_member,
        )
    AssemblyVote.objects.filter(pk=vote.pk).update(committee=committee)
    return committee


def self_management_appoint(
    *,
    estate: Estate,
    members: list[tuple[str, str, bool]],
    by: User | None,
    on: datetime.date | None = None,
    term_years: int = TERM_YEARS,
) -> OwnersCommittee:
    """Appoint a self-management committee (自管会) where no owners' assembly has been held.
    `members`: (name, position, party member)."""
    on = on or timezone.localdate()
    if not members:
        raise ValidationError(_("A committee needs members."))
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        if AssemblyVote.objects.filter(estate=estate, state=AssemblyVote.State.CLOSED).exists():
            raise ValidationError(
                _("This estate's owners have held an assembly: they elect their committee.")
            )
        committee = OwnersCommittee.objects.create(
            estate=estate,
            kind=OwnersCommittee.Kind.SELF_MANAGEMENT,
            established_on=on,
            term_ends_on=term_end(on, term_years),
        )
        for name, position, party in members:
            OwnersCommitteeMember.objects.create(
                committee=committee, name=name, position=position, is_party_member=party
            )
        audit.record(
            audit.Action.OTHER,
            actor=by,
            obj=committee,
            summary="self-management committee appointed",
            details={"estate": estate.pk, "members": len(members)},
        )
    return committee


def committees_due_for_reelection(on: datetime.date):
    """Committees in office whose term ends within 90 days of `on` (换届)."""
    return (
        OwnersCommittee.objects.filter(active_on_q(on, "established_on", "dissolved_on"))
        .filter(term_ends_on__isnull=False, term_ends_on__gte=on)
        .filter(term_ends_on__lte=on + datetime.timedelta(days=REMINDER_DAYS))
        .select_related("estate__community")
    )


def remind_reelections(*, on: datetime.date | None = None) -> int:
    """Remind the staff of each committee's community and town, once per committee and term
    (the notification key makes a rerun send nothing twice)."""
    from .notify import notify_users

    on = on or timezone.localdate()
    sent = 0
    for committee in committees_due_for_reelection(on):
        sent += notify_users(
            staff_of(committee.estate.community),
            key=f"committee-term:{committee.pk}:{committee.term_ends_on:%Y%m%d}",
            text=_("The term of %(committee)s ends on %(date)s: prepare the re-election.")
            % {"committee": committee, "date": committee.term_ends_on},
            link="/deliberation/assemblies/committees/",
        )
    return sent


def staff_of(community):
    """Township staff of the community's town and the community's staff (any grant)."""
    from communities import roles

    return roles.staff_of_community(community)


def party_member_figure(committees) -> dict:
    """owners.md: committees with a party member among them, of the committees given."""
    annotated = committees.annotate(
        has_party_member=Exists(
            OwnersCommitteeMember.objects.filter(committee=OuterRef("pk"), is_party_member=True)
        )
    )
    total = annotated.count()
    with_member = annotated.filter(has_party_member=True).count()
    return {"committees": total, "with_party_member": with_member}
