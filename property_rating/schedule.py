"""Periodic tasks of property_rating (installed by `manage.py sync_schedule`)."""

PERIODIC_TASKS = [
    {
        "name": "property_rating: compute quarters past their due date",
        "task": "property_rating.compute_due_quarters",
        # Daily at 01:30 Asia/Shanghai; safe to repeat: computed quarters are skipped and a
        # recomputation leaves the same rows.
        "minute": "30",
        "hour": "1",
        "kwargs": {},
        "description": "Computes Q and accruals of every quarter whose report due time has passed "
        "and that is not computed yet, in unpublished years.",
    }
]
