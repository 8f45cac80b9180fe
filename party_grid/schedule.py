"""Periodic tasks of the party grid (installed by `manage.py sync_schedule`)."""

PERIODIC_TASKS = [
    {
        "name": "party_grid: rebuild today's estate figures",
        "task": "party_grid.refresh_estate_figures",
        # Just after midnight (Asia/Shanghai): yesterday's rows are not read for today, so until
        # this runs today's statistics count every estate from the records (exact, slower).
        # Idempotent: rerunning rewrites the same rows.
        "minute": "5",
        "hour": "0",
        "kwargs": {},
        "description": "Recounts each estate's party figures for the new day from the records.",
    },
]
