PERIODIC_TASKS = [
    {
        "name": "relay task outbox",
        "task": "governance.relay_outbox",
        "minute": "*",
        "description": "Send tasks whose first hand-off to the broker failed (e.g. Redis was down).",
    },
]
PERIODIC_TASKS += [
    {
        "name": "prune audit trail",
        "task": "governance.prune_audit_events",
        "minute": "30",
        "hour": "3",
        "description": "Delete audit events older than AUDIT_RETENTION_DAYS (never under 180 days).",
    },
    {
        "name": "anonymise departed residents",
        "task": "governance.anonymise_departed_residents",
        "minute": "45",
        "hour": "3",
        "description": "PIPL: anonymise residents and party members who left more than PERSONAL_DATA_RETENTION_YEARS ago.",
    },
]
PERIODIC_TASKS += [
    {
        "name": "retry failed notifications",
        "task": "governance.retry_failed_notifications",
        "minute": "*/10",
        "description": "Send again notifications a channel (e.g. the mail server) failed to deliver.",
    },
    {
        "name": "prune idempotency keys",
        "task": "governance.prune_idempotency_keys",
        "minute": "15",
        "description": "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_HOURS (24).",
    },
]
PERIODIC_TASKS += [
    {
        "name": "daily notification digest",
        "task": "governance.send_daily_digests",
        "minute": "0",
        "hour": "7",
        "description": "E-mail yesterday's notifications to users who opted into the digest; "
        "once per user and day (a rerun sends nothing).",
    },
    {
        "name": "fail stuck import jobs",
        "task": "governance.fail_stuck_import_jobs",
        "minute": "*/10",
        "description": "Mark as failed (nothing saved) import jobs running longer than IMPORT_JOB_STUCK_AFTER_MINUTES (60): their worker died.",
    },
]
