"""A paginator for very large admin lists (regions.md "Scale": the household list of a city of
3,000,000 households stays usable, with no full COUNT on every page view)."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows (by the planner's estimate) the exact count is cheap enough to take.
EXACT_BELOW = 50_000


class EstimatedCountPaginator(Paginator):
    """The exact count for small lists; above EXACT_BELOW rows on PostgreSQL, the planner's row
    estimate for the list's query (EXPLAIN, no scan), so the page count is approximate."""

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and connections[queryset.db].vendor == "postgresql":
            sql, params = queryset.order_by().query.sql_with_params()
            with connections[queryset.db].cursor() as cursor:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
                plan = cursor.fetchone()[0]
            estimate = int(plan[0]["Plan"]["Plan Rows"])
            if estimate >= EXACT_BELOW:
                return estimate
        return super().count
