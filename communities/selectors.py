"""Reads of the communities app."""

import datetime

from django.db.models import Count, Prefetch, Q, Sum

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


@figures.shared
def households_per_estate(town_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{estate id: (town id, registered households)} for the estates of the towns that have
    households. At city scale this is the figures' largest pass (3,000,000 households), so a
    page or bulletin evaluating several figures runs it once (governance.figures.one_evaluation).

    Two queries: the households counted per building (a semi-join on the towns' buildings), and
    the buildings' estates and towns. Grouping the households by estate in one query joins
    every household to its building, estate and community first: 4.4 s against 2.3 s for a
    city (benchmarks/README.md "Regions")."""
    buildings = Building.objects.filter(estate__community__town_id__in=list(town_ids))
    counts = (
        Household.objects.filter(building_id__in=buildings.values("pk"))
        .values("building_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("building_id", "n")
    )
    per_building = dict(counts)
    result: dict[int, tuple[int, int]] = {}
    for building, estate, town in buildings.values_list(
        "pk", "estate_id", "estate__community__town_id"
    ):
        if n := per_building.get(building):
            result[estate] = (town, result.get(estate, (town, 0))[1] + n)
    return result
