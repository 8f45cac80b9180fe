"""Periodic tasks of the deliberation app (installed by `manage.py sync_schedule`)."""

PERIODIC_TASKS = [
    {
        "name": "deliberation: flag overdue escalations and follow-ups",
        "task": "deliberation.flag_overdue",
        # Safe to repeat: each overdue row is claimed by a conditional UPDATE of its
        # overdue_flagged_at, so a rerun or a missed-then-caught-up beat flags nothing twice.
        "minute": "30",
        "hour": "7",
        "kwargs": {},
        "description": "Flags escalations and follow-up actions past their due date to staff, once.",
    },
]
