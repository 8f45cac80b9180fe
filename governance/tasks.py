"""Helpers for enqueuing tasks safely."""

from django.db import transaction


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send `task` once the surrounding transaction commits; never from inside an open one."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))
