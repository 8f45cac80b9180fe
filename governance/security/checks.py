"""System checks for the security settings (run by `manage.py check` and at start-up)."""

from django.conf import settings
from django.core.checks import Error, register

from .audit import MIN_RETENTION_DAYS


@register()
def audit_retention_check(app_configs, **kwargs):
    days = getattr(settings, "AUDIT_RETENTION_DAYS", 365)
    if not isinstance(days, int) or days < MIN_RETENTION_DAYS:
        return [
            Error(
                f"AUDIT_RETENTION_DAYS must be an integer of at least {MIN_RETENTION_DAYS}.",
                id="governance.E001",
            )
        ]
    return []


@register()
def personal_data_retention_check(app_configs, **kwargs):
    years = getattr(settings, "PERSONAL_DATA_RETENTION_YEARS", 3)
    if not isinstance(years, int) or years < 0:
        return [
            Error(
                "PERSONAL_DATA_RETENTION_YEARS must be a non-negative integer.",
                id="governance.E002",
            )
        ]
    return []
