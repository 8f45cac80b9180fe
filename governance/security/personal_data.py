"""Personal data under PIPL: revealing a full phone number (audited), and anonymising residents
who moved out longer ago than the retention period."""

import datetime
import logging

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import audit

logger = logging.getLogger(__name__)

ANONYMISED_NAME = "已匿名"  # what remains of a name after anonymisation
# Roles that need full numbers to reach people; assessors, managers and residents see masks only.
REVEAL_ROLES = ("township_staff", "community_staff")


def _scoped_users(user) -> QuerySet:
    from communities.models import User
    from communities.scoping import visible_communities

    communities = visible_communities(user)
    return User.objects.filter(
        Q(community__in=communities)
        | Q(verifications__household__building__estate__community__in=communities)
    ).distinct()


def _scoped(model_label: str, user) -> QuerySet:
    from communities.scoping import scope_to_staff

    if model_label == "communities.user":
        return _scoped_users(user)
    model = apps.get_model(model_label)
    return scope_to_staff(
        model._default_manager.all(), user, community_path=PHONE_MODELS[model_label]
    )


# model label -> lookup to its community (for scoping who may reveal which number).
PHONE_MODELS = {
    "communities.user": None,
    "communities.ownerscommitteemember": "committee__estate__community",
    "party_grid.partymember": "organization__community",
}


def may_reveal_phones(user) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or user.role in REVEAL_ROLES)
    )


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
    """Anonymise the personal data of residents and party members who left on or before the
    retention cutoff. Safe to repeat: already-anonymised records are not selected again.

    - verification records that ended past retention: resident name and note (history rows too);
    - the accounts of residents with no current or pending household, not signed in since the
      cutoff: names, phone, e-mail and username cleared, password unusable, deactivated;
    - party members who left past retention: phone (history rows too).
    """
    from communities.models import ResidentVerification, User

    cutoff = retention_cutoff(today)
    cutoff_start = timezone.make_aware(
        datetime.datetime.combine(cutoff, datetime.time.min), timezone.get_current_timezone()
    )
    counts = {"verifications": 0, "users": 0, "party_members": 0}
    with transaction.atomic():
        ended = ResidentVerification.objects.filter(moved_out_on__lte=cutoff).exclude(
            resident_name=ANONYMISED_NAME
        )
        ids = list(ended.values_list("pk", flat=True))
        if ids:
            counts["verifications"] = ResidentVerification.objects.filter(pk__in=ids).update(
                resident_name=ANONYMISED_NAME, note=""
            )
            ResidentVerification.history.filter(id__in=ids).update(
                resident_name=ANONYMISED_NAME, note=""
            )

        still_here = ResidentVerification.objects.filter(
            Q(status=ResidentVerification.Status.PENDING)
            | Q(status=ResidentVerification.Status.APPROVED, moved_out_on__isnull=True)
            | Q(moved_out_on__gt=cutoff)
        ).values("user_id")
        departed = (
            User.objects.filter(
                role=User.Role.RESIDENT,
                is_superuser=False,
                verifications__moved_out_on__lte=cutoff,
            )
            .exclude(pk__in=still_here)
            .exclude(last_login__gte=cutoff_start)
            .exclude(username__startswith="former-resident-")
            .distinct()
        )
        for user in departed.only("pk"):
            user.username = f"former-resident-{user.pk}"
            user.first_name = user.last_name = user.display_name = ""
            user.phone = user.email = ""
            user.is_active = False
            user.set_unusable_password()
            user.save(
                update_fields=[
                    "username",
                    "first_name",
                    "last_name",
                    "display_name",
                    "phone",
                    "email",
                    "is_active",
                    "password",
                ]
            )
            counts["users"] += 1

        if apps.is_installed("party_grid"):
            PartyMember = apps.get_model("party_grid", "PartyMember")
            member_ids = list(
                PartyMember.objects.filter(left_on__lte=cutoff)
                .exclude(phone="")
                .values_list("pk", flat=True)
            )
            if member_ids:
                counts["party_members"] = PartyMember.objects.filter(pk__in=member_ids).update(
                    phone=""
                )
                PartyMember.history.filter(id__in=member_ids).update(phone="")

        if any(counts.values()):
            audit.record(
                audit.Action.PERSONAL_DATA_ANONYMISED,
                summary=f"moved out on or before {cutoff.isoformat()}",
                details={**counts, "cutoff": cutoff.isoformat()},
            )
    logger.info("anonymised departed residents: %s", counts)
    return counts
