"""Reads on cases: one use case per function, constant queries."""

from django.db.models import Max, Prefetch, Q

from .models import Assignment, Case, CaseEvent, CasePhoto, Level, Reply


def open311_requests(*, town_id: int):
    """The town's cases with what an Open311 answer shows (current handler, last reply)."""
    return (
        Case.objects.filter(town_id=town_id)
        .select_related("estate", "building", "category")
        .annotate(updated_at=Max("events__at"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(ended_at__isnull=True).select_related(
                    "company", "community", "department"
                ),
                to_attr="open_assignments",
            ),
            Prefetch(
                "replies", queryset=Reply.objects.order_by("-at", "-pk"), to_attr="latest_reply"
            ),
        )
        .order_by("-received_at", "-pk")
    )


def _queue_related(qs):
    return qs.select_related(
        "case__estate", "case__category", "company", "community", "department"
    ).order_by("reply_due", "pk")


def handler_queue(user):
    """Open assignments the user acts on: their company's, community's or department's."""
    from communities.departments import department_ids
    from communities.roles import Role, community_ids, company_ids

    scope = Q(pk__in=[])
    companies = company_ids(user, Role.PROPERTY_MANAGER)
    communities = community_ids(user, Role.COMMUNITY_STAFF)
    departments = department_ids(user)
    if companies:
        scope |= Q(company_id__in=companies)
    if communities:
        scope |= Q(community_id__in=communities)
    if departments:
        scope |= Q(department_id__in=departments)
    return _queue_related(Assignment.objects.filter(scope, ended_at__isnull=True))


def dispatch_queue(user):
    """Returned cases awaiting a new assignment: community staff at estate and community level
    of their communities, township staff at every level of their towns (not the meeting's
    agenda, which the joint meeting decides)."""
    from communities.roles import Role, community_ids, town_ids

    scope = Q(pk__in=[])
    towns = town_ids(user, Role.TOWNSHIP_STAFF)
    communities = community_ids(user, Role.COMMUNITY_STAFF)
    if towns:
        scope |= Q(town_id__in=towns)
    if communities:
        scope |= Q(estate__community_id__in=communities, level__in=[Level.ESTATE, Level.COMMUNITY])
    return (
        Case.objects.filter(scope, state=Case.State.RECEIVED)
        .exclude(level=Level.JOINT_MEETING)
        .select_related("estate", "category")
        .order_by("received_at", "pk")
    )


def meeting_agenda_for(user):
    from communities.roles import Role, town_ids

    return (
        Case.objects.filter(
            town_id__in=town_ids(user, Role.TOWNSHIP_STAFF),
            level=Level.JOINT_MEETING,
            state=Case.State.RECEIVED,
        )
        .select_related("estate", "category")
        .order_by("received_at", "pk")
    )


def flagged_for(user):
    """Open assignments flagged overdue in the towns of township staff (and, reading, of
    district and city staff)."""
    from communities.roles import Role
    from communities.scoping import reader_town_ids

    return _queue_related(
        Assignment.objects.filter(
            case__town_id__in=reader_town_ids(user, Role.TOWNSHIP_STAFF),
            ended_at__isnull=True,
            overdue_flagged_at__isnull=False,
        )
    )


def cases_of_reporter(user):
    """A resident's own cases and the cases they follow."""
    if not user.is_authenticated:
        return Case.objects.none()
    return (
        Case.objects.filter(Q(reporter=user) | Q(followers__user=user))
        .distinct()
        .select_related("estate", "category")
        .order_by("-received_at", "-pk")
    )


def case_detail(pk: int):
    """One case with everything its page shows, in a fixed number of queries."""
    return (
        Case.objects.select_related(
            "estate__community", "building", "household", "category", "reporter", "merged_into"
        )
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "company", "community", "department"
                ).order_by("assigned_at", "pk"),
            ),
            Prefetch(
                "events", queryset=CaseEvent.objects.select_related("by").order_by("at", "pk")
            ),
            Prefetch(
                "replies",
                queryset=Reply.objects.prefetch_related("evidence").order_by("at", "pk"),
            ),
            Prefetch("photos", queryset=CasePhoto.objects.filter(reply__isnull=True)),
        )
        .filter(pk=pk)
        .first()
    )


def town_figures(*, town_id: int, start, end) -> dict:
    """Headline figures of cases received in [start, end): one aggregate query."""
    from django.db.models import Count, Exists, OuterRef
    from django.utils import timezone

    now = timezone.now()
    cases = Case.objects.filter(town_id=town_id, received_at__gte=start, received_at__lt=end)
    first_on_time_reply = Reply.objects.filter(case=OuterRef("pk"), on_time=True)
    overdue = Assignment.objects.filter(
        case=OuterRef("pk"), ended_at__isnull=True, reply_due__lt=now
    )
    misrouted = Assignment.objects.filter(case=OuterRef("pk"), misroute=True)
    return cases.annotate(
        has_on_time_reply=Exists(first_on_time_reply),
        has_overdue=Exists(overdue),
        has_misroute=Exists(misrouted),
    ).aggregate(
        received=Count("pk", filter=~Q(close_reason=Case.CloseReason.MERGED)),
        replied_on_time=Count("pk", filter=Q(has_on_time_reply=True)),
        overdue_now=Count("pk", filter=Q(has_overdue=True)),
        rated=Count("pk", filter=Q(rating__isnull=False)),
        satisfied=Count("pk", filter=Q(rating__gte=4)),
        reopened=Count("pk", filter=Q(reopened_count__gt=0)),
        misrouted=Count("pk", filter=Q(has_misroute=True)),
        closed=Count("pk", filter=Q(state=Case.State.CLOSED)),
    )
