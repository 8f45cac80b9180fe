PERIODIC_TASKS = [
    {
        "name": "relay task outbox",
        "task": "governance.relay_outbox",
        "minute": "*",
        "description": "Send tasks whose first hand-off to the broker failed (e.g. Redis was down).",
    },
]
