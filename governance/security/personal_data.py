"""Personal data under PIPL: revealing a full phone number (audited), and anonymising residents
who moved out longer ago than the retention period. The records concerned are registered by
the apps that own them (governance.registry)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from governance import registry

from . import audit

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "已匿名"  # what remains of a name after anonymisation

# Records holding phone numbers, registered by each app (governance.registry): label -> scope.
PHONE_MODELS = registry.PHONE_MODELS


def _scoped(model_label: str, user) -> QuerySet:
    return PHONE_MODELS[model_label].scope(user)


def may_reveal_phones(user) -> bool:
    # Roles that need full numbers to reach people ("security.reveal_phone", defined in
    # communities/rules.py); assessors, managers and residents see masks only.
    return user.is_authenticated and user.is_active and user.has_perm("security.reveal_phone")


def reveal_phone(*, user, model_label: str, pk, request=None) -> str:
    """The full phone number of one record `user` may see; records who looked (never the number).
    Raises PermissionDenied for roles without the need, LookupError for records out of scope."""
    if not may_reveal_phones(user):
        raise PermissionDenied
    if model_label not in PHONE_MODELS:
        raise LookupError(model_label)
    obj = _scoped(model_label, user).filter(pk=pk).first()
    if obj is None:
        raise LookupError(model_label)
    audit.record(audit.Action.PHONE_REVEALED, actor=user, request=request, obj=obj)
    return obj.phone


def retention_years() -> int:
    years = int(getattr(settings, "PERSONAL_DATA_RETENTION_YEARS", 3))
    if years < 0:
        raise ImproperlyConfigured("PERSONAL_DATA_RETENTION_YEARS cannot be negative.")
    return years


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """Moves-out on or before this date are past retention."""
    today = today or timezone.localdate()
    years = retention_years()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def anonymise_departed(*, today: datetime.date | None = None) -> dict[str, int]:
    """Anonymise the personal data of people who left on or before the retention cutoff, by
    every anonymiser the apps registered (governance.registry: the communities app's verification
    records and resident accounts, party_grid's party members). Safe to repeat: already-anonymised
    records are not selected again. One transaction; one audit event with the counts."""
    cutoff = retention_cutoff(today)
    cutoff_start = timezone.make_aware(
        datetime.datetime.combine(cutoff, datetime.time.min), timezone.get_current_timezone()
    )
    with transaction.atomic():
        counts = {name: a.run(cutoff, cutoff_start) for name, a in registry.ANONYMISERS.items()}
        if any(counts.values()):
            audit.record(
                audit.Action.PERSONAL_DATA_ANONYMISED,
                summary=f"moved out on or before {cutoff.isoformat()}",
                details={**counts, "cutoff": cutoff.isoformat()},
            )
    logger.info("anonymised departed residents: %s", counts)
    return counts
