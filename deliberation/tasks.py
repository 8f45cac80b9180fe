"""Celery tasks of deliberation (Celery discovers <app>.tasks). Each is defined beside what it
runs and takes ids; services enqueue them through the outbox, and no service imports this
module, so there is no services <-> tasks cycle."""

from .escalation.tasks import flag_overdue_task
from .notifications import notify_transition_task

__all__ = ["flag_overdue_task", "notify_transition_task"]

# Registered with the worker through this module (autodiscovery imports <app>.tasks only).
from .assemblies import tasks as _assembly_tasks  # noqa: E402, F401  registers the tasks
from .cases.tasks import cases_hourly_task, notify_case_event_task  # noqa: E402, F401
