"""Keep EstateFigures (today's per-estate party figures) in step with the records they count:
every save or delete of a household assignment, of a party member (whose dates decide whether
their assignments count) or of a household moving between buildings (communities'
`household_moved`) refreshes the estates concerned after the transaction commits, each once
per transaction (services.refresh_estates_on_commit). Households and
members with assignments cannot be deleted (PROTECT), so deletes need no handler of their own.

Writes that bypass signals (bulk_create, QuerySet.update, raw SQL) are caught by the nightly
rebuild; until then the statistics stay exact because a row is only read when it is of today
and the rows such writes leave behind still count the records (a stale row of today is the one
gap, closed by the rebuild; see party_grid.models.EstateFigures)."""

from django.db.models.signals import post_delete, post_save

from communities import signals as communities_signals
from communities.models import Building, Household

from . import services
from .models import HouseholdAssignment, PartyMember


def _estate_of_household(household_id) -> int | None:
    return (
        Household.objects.filter(pk=household_id).values_list("building__estate_id", flat=True)
    ).first()


def assignment_changed(sender, instance, **kwargs):
    services.refresh_estates_on_commit([_estate_of_household(instance.household_id)])


def member_changed(sender, instance, created=False, **kwargs):
    if created:
        return  # a new member has no assignments yet
    services.refresh_estates_on_commit(
        HouseholdAssignment.objects.filter(member_id=instance.pk)
        .values_list("household__building__estate_id", flat=True)
        .distinct()
    )


def household_moved(sender, instance, old_building_id, **kwargs):
    services.refresh_estates_on_commit(
        Building.objects.filter(pk__in=[old_building_id, instance.building_id]).values_list(
            "estate_id", flat=True
        )
    )


def connect() -> None:
    uid = "party_grid.estate_figures"
    post_save.connect(assignment_changed, sender=HouseholdAssignment, dispatch_uid=f"{uid}.a+")
    post_delete.connect(assignment_changed, sender=HouseholdAssignment, dispatch_uid=f"{uid}.a-")
    post_save.connect(member_changed, sender=PartyMember, dispatch_uid=f"{uid}.m+")
    communities_signals.household_moved.connect(
        household_moved, sender=Household, dispatch_uid=f"{uid}.h"
    )
