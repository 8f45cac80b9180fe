"""Periodic tasks of the communities app (installed by `manage.py sync_schedule`)."""

PERIODIC_TASKS = [
    {
        "name": "communities: flag late open-account statements",
        "task": "communities.flag_missing_statements",
        # Safe to repeat: one notification per user, estate and period (keyed).
        "minute": "15",
        "hour": "8",
        "kwargs": {},
        "description": "Tells staff which estates' open-account statements are past due.",
    },
]
