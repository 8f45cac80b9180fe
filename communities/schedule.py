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
    {
        "name": "communities: recount today's registered households per estate",
        "task": "communities.refresh_estate_households",
        # Just after midnight (Asia/Shanghai): yesterday's rows are not read for today, so until
        # this runs the region figures count every estate's households from the records (exact,
        # slower). Idempotent: rerunning rewrites the same rows.
        "minute": "5",
        "hour": "0",
        "kwargs": {},
        "description": "Recounts each estate's registered households for the new day.",
    },
]
