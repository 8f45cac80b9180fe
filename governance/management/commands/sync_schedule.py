"""Install the periodic tasks every app declares in `<app>/schedule.py` into django-celery-beat's
database schedule. Safe to run on every deploy: it updates rows in place, by name."""

import importlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from governance.settings.base import TIME_ZONE


def declared_periodic_tasks() -> list[dict]:
    declared = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.schedule")
        except ModuleNotFoundError:
            continue
        declared.extend(getattr(module, "PERIODIC_TASKS", []))
    return declared


def sync_schedule() -> int:
    count = 0
    for entry in declared_periodic_tasks():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=entry.get("minute", "0"),
            hour=entry.get("hour", "*"),
            day_of_week=entry.get("day_of_week", "*"),
            day_of_month=entry.get("day_of_month", "*"),
            month_of_year=entry.get("month_of_year", "*"),
            timezone=TIME_ZONE,
        )
        wanted = {
            "task": entry["task"],
            "crontab": crontab,
            "interval": None,
            "kwargs": json.dumps(entry.get("kwargs", {}), sort_keys=True),
            "description": entry.get("description", ""),
        }
        task = PeriodicTask.objects.filter(name=entry["name"]).first()
        if task is None:
            PeriodicTask.objects.create(name=entry["name"], **wanted)
        elif any(getattr(task, field) != value for field, value in wanted.items()):
            # Saved only when something differs, so a redeploy does not reset beat's bookkeeping.
            for field, value in wanted.items():
                setattr(task, field, value)
            task.save()
        count += 1
    return count


class Command(BaseCommand):
    help = "Install the periodic tasks declared in each app's schedule.py into the beat database."

    def handle(self, *args, **options):
        self.stdout.write(f"{sync_schedule()} periodic tasks installed.")
