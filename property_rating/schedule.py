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
    },
    {
        "name": "property_rating: remind managers of reports due and overdue",
        "task": "property_rating.send_report_reminders",
        # Daily at 09:00 Asia/Shanghai, office hours; safe to repeat: each reminder's
        # notification key (stage, unit, quarter) makes a second run tell nobody again.
        "minute": "0",
        "hour": "9",
        "kwargs": {},
        "description": "Tells property managers of unfiled quarterly reports 7 days and 1 day "
        "before the due time and once overdue (up to 30 days after).",
    },
]
