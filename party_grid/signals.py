"""Keep EstateFigures (today's per-estate party figures) in step with the records they count:
every save or delete of a household assignment, of a party member (whose dates decide whether
their assignments count), of a household moving between buildings, of a party organisation
(whose level, parent and dates decide the estates' coverage flags) or of a branch's estates
refreshes the estates concerned after the transaction commits
(services.refresh_estates_on_commit). Households and members with assignments cannot be deleted
(PROTECT), so deletes need no handler of their own.

Writes that bypass signals (bulk_create, QuerySet.update, raw SQL) are caught by the nightly
rebuild; until then the statistics stay exact because a row is only read when it is of today
and the rows such writes leave behind still count the records (a stale row of today is the one
gap, closed by the rebuild; see party_grid.models.EstateFigures)."""

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

from communities.models import Building, Household

from . import services
from .models import HouseholdAssignment, PartyMember, PartyOrganization

BranchEstates = PartyOrganization.estates.through


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


def household_moving(sender, instance, **kwargs):
    if instance._state.adding or instance.pk is None:
        return
    old = Household.objects.filter(pk=instance.pk).values_list("building_id", flat=True).first()
    instance._party_old_building_id = old


def household_changed(sender, instance, created=False, **kwargs):
    old = getattr(instance, "_party_old_building_id", None)
    if created or old is None or old == instance.building_id:
        return
    services.refresh_estates_on_commit(
        Building.objects.filter(pk__in=[old, instance.building_id]).values_list(
            "estate_id", flat=True
        )
    )


def _estates_around(node_ids) -> list[int]:
    """Estates whose coverage flags can depend on the nodes `node_ids`: those of the branches
    that are one of the nodes, their parent or grandparent (a building or household-contact
    group), or their child (a community committee)."""
    node_ids = [pk for pk in node_ids if pk is not None]
    if not node_ids:
        return []
    branches = PartyOrganization.objects.filter(
        Q(pk__in=node_ids)
        | Q(children__in=node_ids)
        | Q(children__children__in=node_ids)
        | Q(parent_id__in=node_ids),
        level=PartyOrganization.Level.ESTATE_BRANCH,
    )
    return list(
        BranchEstates.objects.filter(partyorganization__in=branches)
        .values_list("estate_id", flat=True)
        .distinct()
    )


def organization_moving(sender, instance, **kwargs):
    """Before a save or delete: the estates around the node as it is stored (its old parent)."""
    if instance.pk is not None and not instance._state.adding:
        instance._party_estates_before = _estates_around([instance.pk])


def organization_changed(sender, instance, **kwargs):
    before = getattr(instance, "_party_estates_before", [])
    after = [] if kwargs.get("signal") is post_delete else _estates_around([instance.pk])
    services.refresh_estates_on_commit([*before, *after])


def branch_estates_changing(sender, instance, action, reverse, pk_set, **kwargs):
    """A branch's estates are set, added, removed or cleared (from either side). An estate's
    flags depend only on the branches linked to it, so only the estates linked or unlinked
    change."""
    if action not in ("pre_clear", "post_add", "post_remove"):
        return
    if reverse:  # `instance` is an estate
        estates = [instance.pk]
    elif action == "pre_clear":
        estates = list(instance.estates.values_list("pk", flat=True))
    else:
        estates = pk_set
    services.refresh_estates_on_commit(estates)


def connect() -> None:
    uid = "party_grid.estate_figures"
    post_save.connect(assignment_changed, sender=HouseholdAssignment, dispatch_uid=f"{uid}.a+")
    post_delete.connect(assignment_changed, sender=HouseholdAssignment, dispatch_uid=f"{uid}.a-")
    post_save.connect(member_changed, sender=PartyMember, dispatch_uid=f"{uid}.m+")
    pre_save.connect(household_moving, sender=Household, dispatch_uid=f"{uid}.h0")
    post_save.connect(household_changed, sender=Household, dispatch_uid=f"{uid}.h+")
    pre_save.connect(organization_moving, sender=PartyOrganization, dispatch_uid=f"{uid}.o0")
    pre_delete.connect(organization_moving, sender=PartyOrganization, dispatch_uid=f"{uid}.o-0")
    post_save.connect(organization_changed, sender=PartyOrganization, dispatch_uid=f"{uid}.o+")
    post_delete.connect(organization_changed, sender=PartyOrganization, dispatch_uid=f"{uid}.o-")
    m2m_changed.connect(branch_estates_changing, sender=BranchEstates, dispatch_uid=f"{uid}.be")
