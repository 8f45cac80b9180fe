"""The registry's personal data, as the project-wide PIPL machinery sees it (registered in
CommunitiesConfig.ready into governance.registry): which phone numbers a user may reveal, and
how departed residents are anonymised."""

import datetime

from django.db.models import Q, QuerySet

from governance import registry
from governance.security.personal_data import ANONYMISED_NAME

from .models import Owner, OwnersCommitteeMember, ResidentVerification, User
from .scoping import scope_to_staff, visible_communities


def users_with_phones(user) -> QuerySet:
    communities = visible_communities(user)
    return User.objects.filter(
        Q(community__in=communities)
        | Q(verifications__household__building__estate__community__in=communities)
    ).distinct()


def committee_members(user) -> QuerySet:
    return scope_to_staff(
        OwnersCommitteeMember.objects.all(), user, community_path="committee__estate__community"
    )


def anonymise_verifications(cutoff: datetime.date, cutoff_start) -> int:
    """Verification records that ended past retention: resident name and note (history too)."""
    ended = ResidentVerification.objects.filter(moved_out_on__lte=cutoff).exclude(
        resident_name=ANONYMISED_NAME
    )
    ids = list(ended.values_list("pk", flat=True))
    if not ids:
        return 0
    ResidentVerification.history.filter(id__in=ids).update(resident_name=ANONYMISED_NAME, note="")
    return ResidentVerification.objects.filter(pk__in=ids).update(
        resident_name=ANONYMISED_NAME, note=""
    )


def anonymise_departed_accounts(cutoff: datetime.date, cutoff_start: datetime.datetime) -> int:
    """Accounts of residents with no current or pending household, not signed in since the
    cutoff: names, phone, e-mail and username cleared, password unusable, deactivated."""
    still_here = ResidentVerification.objects.filter(
        Q(status=ResidentVerification.Status.PENDING)
        | Q(status=ResidentVerification.Status.APPROVED, moved_out_on__isnull=True)
        | Q(moved_out_on__gt=cutoff)
    ).values("user_id")
    departed = (
        User.objects.filter(
            grants__role=User.Role.RESIDENT,
            is_superuser=False,
            verifications__moved_out_on__lte=cutoff,
        )
        .exclude(pk__in=still_here)
        # Someone who also holds another role (a grid worker, staff) keeps their account.
        .exclude(grants__role__in=[r for r in User.Role.values if r != User.Role.RESIDENT])
        .exclude(last_login__gte=cutoff_start)
        .exclude(username__startswith="former-resident-")
        .distinct()
    )
    count = 0
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
        count += 1
    return count


def departed_owners(cutoff: datetime.date) -> QuerySet:
    """Owners (people) who have owned no unit since on or before the cutoff."""
    return Owner.objects.filter(
        kind=Owner.Kind.PERSON, left_register_on__lte=cutoff, households__isnull=True
    )


def anonymise_departed_owners(cutoff: datetime.date, cutoff_start) -> int:
    """The owners' register: names of owners who left it past retention (their key stays:
    it is the register keeper's number, not personal data, and old tallies refer to it)."""
    return (
        Owner.objects.filter(pk__in=departed_owners(cutoff).values("pk"))
        .exclude(name__in=["", ANONYMISED_NAME])
        .update(name=ANONYMISED_NAME)
    )


def anonymise_former_committee_members(cutoff: datetime.date, cutoff_start) -> int:
    """Members of committees dissolved on or before the cutoff: name, phone and account link.
    Position and party membership stay (they feed the committee figures, not a person)."""
    return (
        OwnersCommitteeMember.objects.filter(committee__dissolved_on__lte=cutoff)
        .exclude(name=ANONYMISED_NAME, phone="", user__isnull=True)
        .update(name=ANONYMISED_NAME, phone="", user=None)
    )


def register() -> None:
    registry.register_phone_model("communities.user", users_with_phones)
    registry.register_phone_model("communities.ownerscommitteemember", committee_members)
    registry.register_anonymiser("verifications", anonymise_verifications)
    registry.register_anonymiser("users", anonymise_departed_accounts)
    registry.register_anonymiser("owners", anonymise_departed_owners)
    registry.register_anonymiser("committee_members", anonymise_former_committee_members)
