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
        "description": "Flags follow-up actions past their due date to staff, once (escalated "
        "proposals are cases: the hourly cases pass moves them).",
    },
    {
        "name": "deliberation: cases hourly pass",
        "task": "deliberation.cases.hourly",
        # Safe to repeat: each overdue assignment is ended under a row lock and escalated at its
        # missed deadline (not the time of the run); flags and closings are conditional UPDATEs.
        "minute": "5",
        "hour": "*",
        "kwargs": {},
        "description": "Escalates cases past their reply deadline, flags overdue joint-meeting "
        "assignments and closes cases not rated in time.",
    },
    {
        "name": "deliberation: open and close owners' assembly votes on time",
        "task": "deliberation.assemblies.open_due_votes",
        # Safe to repeat: each vote is opened or closed under a row lock after checking its state.
        "minute": "*/5",
        "hour": "*",
        "kwargs": {},
        "description": "Opens announced owners' votes whose time has come; closes those past it.",
    },
    {
        "name": "deliberation: remind staff of committee re-elections",
        "task": "deliberation.assemblies.remind_reelections",
        # Safe to repeat: one notification per user, committee and term end (keyed).
        "minute": "0",
        "hour": "8",
        "kwargs": {},
        "description": "Reminds staff 90 days before an owners' committee's term ends.",
    },
]
