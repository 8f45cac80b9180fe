"""Reads for needs and projects: the public needs list of a town, and output and budget totals
over a town, district or city (regions.md: "Output totals per kind, per town, district or city
and year come from the records")."""

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, Sum
from django.db.models.functions import ExtractYear
from django.http import Http404

from communities import roles, scoping
from communities.regions import Area

from .models import Claim, Need, OutputKind, Project, ProjectOutput

Role = roles.Role


def public_needs(town_id: int):
    """A town's needs list as the public sees it: estate, category, title, description, status
    and who claimed it with what; no person (no proposer, reporter or recorder)."""
    return (
        Need.objects.for_town(town_id)
        .select_related("estate__community")
        .prefetch_related(
            Prefetch(
                "claims",
                queryset=Claim.objects.select_related("department", "partner").order_by(
                    "claimed_at", "pk"
                ),
            )
        )
        .order_by("-created_at", "-pk")
    )


def _community_grants(user) -> dict[int, int]:
    """community id -> its town id, for `user`'s community-staff grants."""
    return {
        g.community_id: g.town_id
        for g in roles.grants_of(user)
        if g.role == Role.COMMUNITY_STAFF and g.community_id is not None
    }


def reads_totals(user) -> bool:
    """Whether `user` holds any role that reads project totals somewhere."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return (
        user.is_superuser
        or bool(roles.region_ids(user))
        or bool(roles.town_ids(user, Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF))
    )


def default_area(user) -> Area | None:
    """The area a staff member's totals open on: their region, else their town."""
    from communities.models import Region, Town

    region_ids = sorted(roles.region_ids(user))
    if region_ids:
        return Area(region=Region.objects.get(pk=region_ids[0]))
    town_ids = sorted(roles.town_ids(user, Role.TOWNSHIP_STAFF, Role.COMMUNITY_STAFF))
    if town_ids:
        return Area(town=Town.objects.get(pk=town_ids[0]))
    return None


def project_scope(user, area: Area) -> Q:
    """Projects of `area` that `user` may read, as a Q on Project; Http404 when none.

    Township staff read their town, community staff their community's estates, district and
    city staff every town below their region (communities.scoping); everyone else nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        raise Http404
    area_ids = set(area.town_ids())
    if user.is_superuser:
        return Q(town_id__in=area_ids)
    if area.region is not None:
        if scoping.reads_region(user, area.region):
            return Q(town_id__in=area_ids)
    elif area_ids and area_ids <= scoping.reader_town_ids(user, Role.TOWNSHIP_STAFF):
        return Q(town_id__in=area_ids)
    communities = [c for c, town in _community_grants(user).items() if town in area_ids]
    if communities:
        return Q(town_id__in=area_ids, estate__community_id__in=communities)
    raise Http404


def _prefixed(q: Q, prefix: str) -> Q:
    """`q` (on Project) re-rooted at `prefix` (e.g. "project__")."""
    copy = Q()
    copy.connector, copy.negated = q.connector, q.negated
    copy.children = [
        _prefixed(child, prefix) if isinstance(child, Q) else (prefix + child[0], child[1])
        for child in q.children
    ]
    return copy


def totals(scope: Q, *, first_year: int, last_year: int) -> dict:
    """Output counts per kind and budget by source of the projects in `scope` completed in
    `first_year`..`last_year`, overall and per year: two grouped queries."""
    completed = Q(
        status=Project.Status.COMPLETED,
        completed_on__year__gte=first_year,
        completed_on__year__lte=last_year,
    )
    output_rows = (
        ProjectOutput.objects.filter(_prefixed(completed & scope, "project__"))
        .annotate(year=ExtractYear("project__completed_on"))
        .values("year", "kind")
        .annotate(total=Sum("count"))
        .order_by()
    )
    budget_rows = (
        Project.objects.filter(completed & scope)
        .annotate(year=ExtractYear("completed_on"))
        .values("year")
        .annotate(
            projects=Count("pk"),
            residents=Sum("budget_residents"),
            government=Sum("budget_government"),
            partners=Sum("budget_partners"),
        )
        .order_by()
    )
    years = list(range(first_year, last_year + 1))
    outputs = dict.fromkeys(OutputKind.values, 0)
    by_year = {year: dict.fromkeys(OutputKind.values, 0) for year in years}
    for row in output_rows:
        outputs[row["kind"]] += row["total"]
        by_year[row["year"]][row["kind"]] += row["total"]
    zero = Decimal("0.00")
    sources = ("residents", "government", "partners")
    budget = {"projects": 0, **dict.fromkeys(sources, zero)}
    budget_by_year = {year: {"projects": 0, **dict.fromkeys(sources, zero)} for year in years}
    for row in budget_rows:
        for key in ("projects", *sources):
            budget[key] += row[key] or 0
            budget_by_year[row["year"]][key] += row[key] or 0
    for entry in (budget, *budget_by_year.values()):
        entry["total"] = sum((entry[s] for s in sources), zero)
    return {
        "first_year": first_year,
        "last_year": last_year,
        "outputs": outputs,
        "outputs_by_year": by_year,
        "budget": budget,
        "budget_by_year": budget_by_year,
    }
