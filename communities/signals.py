"""Keep each estate's registered-household count (EstateHouseholds) in step with the records:
a household created, deleted or moved to another building, or a building moved to another
estate, recounts the estates concerned once the transaction commits (each estate once per
transaction, services.refresh_estate_households_on_commit).

`household_moved` tells other apps that a household changed building, with the building it
left, so they need not read the old row again (party_grid recounts its figures on it).

Writes that bypass signals (bulk_create, QuerySet.update, raw SQL) are caught by the nightly
rebuild; a reader uses a row only when it is of today (see communities.models.EstateHouseholds).
The spreadsheet import, which inserts in batches, refreshes the estates of its rows itself
(communities.resources.HouseholdResource.after_import)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal

from . import services
from .models import Building, Household

#: sent after a household's save that changed its building: sender=Household, instance,
#: old_building_id
household_moved = Signal()


def _remembering(model, field: str):
    """A pre_save handler keeping, on an instance about to be updated, its stored `field` as
    `_old_<field>` (the post_save handler compares it with the new value)."""

    def remember(sender, instance, **kwargs):
        if instance._state.adding or instance.pk is None:
            return
        stored = model.objects.filter(pk=instance.pk).values_list(field, flat=True).first()
        setattr(instance, f"_old_{field}", stored)

    return remember


def household_saved(sender, instance, created=False, **kwargs):
    old = getattr(instance, "_old_building_id", None)
    if created:
        services.refresh_estate_households_on_commit(building_ids=[instance.building_id])
    elif old is not None and old != instance.building_id:
        services.refresh_estate_households_on_commit(building_ids=[old, instance.building_id])
        household_moved.send(sender=Household, instance=instance, old_building_id=old)


def household_deleted(sender, instance, **kwargs):
    services.refresh_estate_households_on_commit(building_ids=[instance.building_id])


def building_saved(sender, instance, created=False, **kwargs):
    old = getattr(instance, "_old_estate_id", None)
    if not created and old is not None and old != instance.estate_id:
        services.refresh_estate_households_on_commit(estate_ids=[old, instance.estate_id])


def connect() -> None:
    uid = "communities.estate_households"
    pre_save.connect(
        _remembering(Household, "building_id"),
        sender=Household,
        dispatch_uid=f"{uid}.h0",
        weak=False,
    )
    post_save.connect(household_saved, sender=Household, dispatch_uid=f"{uid}.h+")
    post_delete.connect(household_deleted, sender=Household, dispatch_uid=f"{uid}.h-")
    pre_save.connect(
        _remembering(Building, "estate_id"), sender=Building, dispatch_uid=f"{uid}.b0", weak=False
    )
    post_save.connect(building_saved, sender=Building, dispatch_uid=f"{uid}.b+")
