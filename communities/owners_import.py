"""import_owners: an estate's whole register from a spreadsheet, all or nothing (owners.md)."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from .models import Building, Estate, Household, Owner
from .owners import DEVELOPER_KEY

COLUMNS = ("building", "room", "area", "owner", "delivered")


class RegisterInvalid(Exception):
    def __init__(self, errors: list[tuple[int, str]]):
        super().__init__(f"{len(errors)} bad row(s)")
        self.errors = errors


@dataclass
class Imported:
    units: int
    owners: int
    cleared: int


def _area(text: str) -> Decimal | str:
    try:
        area = Decimal(text)
    except InvalidOperation:
        return f"area {text!r} is not a number"
    if not area.is_finite() or area <= 0:
        return f"area {text!r} must be greater than 0"
    if area.as_tuple().exponent < -2:
        return f"area {text!r} has more than 2 decimals"
    if area >= Decimal("10000000"):
        return f"area {text!r} is too large"
    return area


def register_import(*, estate: Estate, rows: list[tuple[int, dict]]) -> Imported:
    """Validate every row, then replace the estate's register in one transaction. Units absent
    from the file keep no owner and no area, so they count for no one."""
    errors: list[tuple[int, str]] = []
    seen: dict[tuple[str, str], int] = {}
    clean = []
    for line, row in rows:
        building, room = row["building"], row["room"]
        key, delivered = row["owner"], row["delivered"]
        problems = []
        if not building or len(building) > 50:
            problems.append("building is empty or longer than 50 characters")
        if not room or len(room) > 20:
            problems.append("room is empty or longer than 20 characters")
        area = _area(row["area"])
        if isinstance(area, str):
            problems.append(area)
        if delivered not in ("", "1", "0"):
            problems.append(f"delivered {delivered!r} must be 1, 0 or blank")
        is_delivered = delivered != "0"
        if is_delivered and not key:
            problems.append("owner is empty (0 in delivered for the developer's unit)")
        if len(key) > 50:
            problems.append("owner key is longer than 50 characters")
        if (building, room) in seen:
            problems.append(f"{building} {room} is already on line {seen[(building, room)]}")
        else:
            seen[(building, room)] = line
        if problems:
            errors.append((line, "; ".join(problems)))
        else:
            clean.append(
                (building, room, area, key if is_delivered else DEVELOPER_KEY, is_delivered)
            )
    if errors:
        raise RegisterInvalid(errors)
    town = estate.community.town
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        owners: dict[str, Owner] = {}
        kept = []
        for building_name, room, area, key, is_delivered in clean:
            building, _created = Building.objects.get_or_create(estate=estate, name=building_name)
            owner = owners.get(key)
            if owner is None:
                owner = owners[key] = Owner.objects.get_or_create(
                    town=town,
                    key=key,
                    defaults={
                        "kind": Owner.Kind.DEVELOPER if key == DEVELOPER_KEY else Owner.Kind.PERSON
                    },
                )[0]
            household, _created = Household.objects.update_or_create(
                building=building,
                room=room,
                defaults={"floor_area": area, "owner": owner, "delivered": is_delivered},
            )
            kept.append(household.pk)
        cleared = (
            Household.objects.filter(building__estate=estate)
            .exclude(pk__in=kept)
            .update(owner=None, floor_area=None)
        )
        _date_departures(town)
    return Imported(units=len(clean), owners=len(owners), cleared=cleared)


def _date_departures(town) -> None:
    """Owners of the town who own no unit any more are dated (their name is anonymised after
    the retention period); those who own one again are not."""
    Owner.objects.filter(
        town=town, left_register_on__isnull=False, households__isnull=False
    ).update(left_register_on=None)
    Owner.objects.filter(town=town, left_register_on__isnull=True, households__isnull=True).update(
        left_register_on=timezone.localdate()
    )


def estate_by_names(town_name: str, estate_name: str) -> Estate | None:
    return (
        Estate.objects.filter(community__town__name=town_name, name=estate_name)
        .select_related("community__town")
        .first()
    )
