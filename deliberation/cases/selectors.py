"""Reads on cases: one use case per function, constant queries."""

from django.db.models import Max, Prefetch

from .models import Assignment, Case, Reply


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
