"""Reads of the communities app."""

import datetime

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance import figures

from .models import Building, Estate, Household, ResidentVerification
from .scoping import visible_communities


def staff_overview(*, user, on: datetime.date) -> list[dict]:
    """Per visible community: estates by status, residents, households, three-without and old
    estates on `on`. A fixed number of queries whatever the town's size."""
    communities = visible_communities(user).select_related("town").order_by("town__name", "name")
    estates = Estate.objects.filter(community__in=communities).annotate_three_without(on)
    per_community = {
        row["community_id"]: row
        for row in estates.values("community_id").annotate(
            planned=Count("pk", filter=Q(status=Estate.Status.PLANNED)),
            under_construction=Count("pk", filter=Q(status=Estate.Status.UNDER_CONSTRUCTION)),
            delivered=Count("pk", filter=Q(status=Estate.Status.DELIVERED)),
            residents=Sum("residents"),
            planned_households=Sum("planned_households"),
            three_without=Count("pk", filter=Q(is_three_without=True)),
            old=Count("pk", filter=Q(is_old_estate=True)),
        )
    }
    households = dict(
        Household.objects.filter(building__estate__community__in=communities)
        .values("building__estate__community_id")
        .annotate(n=Count("pk"))
        .values_list("building__estate__community_id", "n")
    )
    rows = []
    for community in communities:
        row = per_community.get(community.pk, {})
        rows.append(
            {
                "community": community,
                "planned": row.get("planned", 0),
                "under_construction": row.get("under_construction", 0),
                "delivered": row.get("delivered", 0),
                "residents": row.get("residents") or 0,
                "planned_households": row.get("planned_households") or 0,
                "households": households.get(community.pk, 0),
                "three_without": row.get("three_without", 0),
                "old": row.get("old", 0),
            }
        )
    return rows


def pending_verifications(*, user):
    """Pending claims of the staff member's communities, each with what the register holds to
    compare against: the household's residents verified now (`household.registered`) and the
    other claims waiting on it (`household.waiting`). Three queries whatever the length."""
    return (
        ResidentVerification.objects.filter(
            status=ResidentVerification.Status.PENDING,
            household__building__estate__community__in=visible_communities(user),
        )
        .select_related("user", "household__building__estate__community")
        .prefetch_related(
            Prefetch(
                "household__verifications",
                queryset=ResidentVerification.objects.filter(
                    Q(status=ResidentVerification.Status.PENDING)
                    | Q(status=ResidentVerification.Status.APPROVED, moved_out_on__isnull=True)
                ).order_by("requested_at"),
                to_attr="open_verifications",
            )
        )
        .order_by("requested_at")
    )


def committee_estate_ids(user, on=None) -> set[int]:
    """Estates whose committee in office `user` sits on (their account linked to a member),
    while they are a verified owner of that estate: they see the committee's work there."""
    from django.utils import timezone

    from .models import OwnersCommitteeMember, active_on_q

    if not getattr(user, "is_authenticated", False):
        return set()
    on = on or timezone.localdate()
    owned = (
        ResidentVerification.objects.current()
        .filter(user=user, relation=ResidentVerification.Relation.OWNER)
        .values("household__building__estate_id")
    )
    return set(
        OwnersCommitteeMember.objects.filter(user=user, committee__estate_id__in=owned)
        .filter(active_on_q(on, "committee__established_on", "committee__dissolved_on"))
        .values_list("committee__estate_id", flat=True)
    )


def kept_or_counted(row: str, field: str, households, on) -> Case:
    """For an Estate queryset: the kept per-estate figure `row__field` (EstateHouseholds,
    party_grid's EstateFigures) when that row is of `on`, else the estate's `households` (a
    Household queryset) counted from the records: a correlated count PostgreSQL runs only for
    the estates whose row is missing or stale."""
    counted = Subquery(
        households.filter(building__estate_id=OuterRef("pk"))
        .order_by()
        .values("building__estate_id")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    )
    return Case(
        When(**{f"{row}__as_of": on}, then=F(f"{row}__{field}")),
        default=Coalesce(counted, 0),
        output_field=IntegerField(),
    )


def estate_households():
    """For an Estate queryset: its registered households, from its kept count when that is of
    today (EstateHouseholds), else counted from the records."""
    return kept_or_counted(
        "household_count", "households", Household.objects.all(), timezone.localdate()
    )


@figures.shared
def households_per_estate(town_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{estate id: (town id, registered households)} for the estates of the towns that have
    households, in one query: each estate's kept count (EstateHouseholds) when it is of today,
    else its households counted from the records (a correlated count PostgreSQL runs only for
    the estates whose row is missing or stale). Counting a city's 3,000,000 households took
    2.7 s; the kept rows make it a read of one row per estate (benchmarks/README.md "Regions").
    A page or bulletin evaluating several figures reads it once (figures.one_evaluation)."""
    rows = (
        Estate.objects.filter(community__town_id__in=list(town_ids))
        .annotate(n_households=estate_households())
        .values_list("pk", "community__town_id", "n_households")
    )
    return {pk: (town, n) for pk, town, n in rows if n}


def registered_households_by_estate(estate_ids=None) -> dict[int, int]:
    """{estate id: households} counted from the records, for the given estates or all. For
    all, the households are counted per building (a pass over the households alone) and the
    buildings added up per estate: grouping by estate joins every household to its building
    first, 4.4 s against 2.7 s for a city of 3,000,000 households."""
    if estate_ids is not None:
        return dict(
            Household.objects.filter(building__estate_id__in=list(estate_ids))
            .values("building__estate_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("building__estate_id", "n")
        )
    per_building = dict(
        Household.objects.values("building_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("building_id", "n")
    )
    result: dict[int, int] = {}
    for building, estate in Building.objects.values_list("pk", "estate_id").iterator(10000):
        if n := per_building.get(building):
            result[estate] = result.get(estate, 0) + n
    return result
