"""Test and demo data for owners' assemblies: an estate register in one call."""

from decimal import Decimal

from communities.models import Building, Household, Owner, ResidentVerification


def register(estate, rows) -> dict[str, Owner]:
    """Set the estate's register from rows (building, room, area, owner key or None, delivered)
    and return the owners by key."""
    town = estate.community.town
    owners: dict[str, Owner] = {}
    for building_name, room, area, key, delivered in rows:
        building, _ = Building.objects.get_or_create(estate=estate, name=building_name)
        owner = None
        if key:
            owner = owners.get(key)
            if owner is None:
                owner = owners[key] = Owner.objects.get_or_create(
                    town=town,
                    key=key,
                    defaults={"kind": "developer" if key == "developer" else "person"},
                )[0]
        Household.objects.update_or_create(
            building=building,
            room=room,
            defaults={"floor_area": Decimal(str(area)), "owner": owner, "delivered": delivered},
        )
    return owners


def verify(user, household, relation: str = "owner") -> ResidentVerification:
    return ResidentVerification.objects.create(
        user=user,
        household=household,
        resident_name="业主",
        status=ResidentVerification.Status.APPROVED,
        relation=relation,
    )
