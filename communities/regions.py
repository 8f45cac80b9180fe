"""The region tree above the towns (regions.md "The tree"): naming a town or a region on a
command line or in a query string, and the towns a region covers."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import Region, Town


def town_from_argument(value: str) -> Town:
    """A town's name where unique, else `district/town`, or the town's id (regions.md)."""
    value = (value or "").strip()
    if value.isdigit():
        town = Town.objects.filter(pk=int(value)).first()
        if town:
            return town
    if "/" in value:
        district, name = (part.strip() for part in value.split("/", 1))
        towns = list(Town.objects.filter(district__name=district, name=name))
    else:
        towns = list(Town.objects.filter(name=value))
    if len(towns) == 1:
        return towns[0]
    if len(towns) > 1:
        raise ValidationError(
            _("Several towns are named %(name)s: give district/town or the id.") % {"name": value}
        )
    raise ValidationError(_("There is no town %(name)s.") % {"name": value})


def region_from_argument(value: str, *, city: bool) -> Region:
    """A district/county (city=False) or a city (city=True) by id or unique name; a district's
    name may be qualified by its city as `city/district`."""
    value = (value or "").strip()
    regions = (
        Region.objects.filter(kind=Region.Kind.CITY)
        if city
        else Region.objects.exclude(kind=Region.Kind.CITY)
    )
    if value.isdigit():
        region = regions.filter(pk=int(value)).first()
        if region:
            return region
    if "/" in value and not city:
        city_name, name = (part.strip() for part in value.split("/", 1))
        found = list(regions.filter(city__name=city_name, name=name))
    else:
        found = list(regions.filter(name=value))
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise ValidationError(
            _("Several regions are named %(name)s: give city/district or the id.") % {"name": value}
        )
    if city:
        raise ValidationError(_("There is no city %(name)s.") % {"name": value})
    raise ValidationError(_("There is no district or county %(name)s.") % {"name": value})


@dataclass(frozen=True)
class Area:
    """What a page or API was asked about: one town, or a district or city (regions.md
    "Figures across a region": the same pages take `district=` or `city=` instead of `town=`)."""

    town: Town | None = None
    region: Region | None = None

    @property
    def label(self) -> str:
        return str(self.town or self.region)

    def towns(self) -> QuerySet:
        if self.town is not None:
            return Town.objects.filter(pk=self.town.pk)
        return Town.objects.in_region(self.region)

    def town_ids(self) -> list[int]:
        return list(self.towns().values_list("pk", flat=True))


def area_from_params(params) -> Area | None:
    """The area named by `town=`, `district=` or `city=` in a query dict (exactly one of them);
    None when none is given. Raises ValidationError with the parameter as key on bad input."""
    given = [key for key in ("town", "district", "city") if (params.get(key) or "").strip()]
    if not given:
        return None
    if len(given) > 1:
        raise ValidationError({given[1]: _("Give one of town, district or city.")})
    key = given[0]
    try:
        if key == "town":
            return Area(town=town_from_argument(params[key]))
        return Area(region=region_from_argument(params[key], city=key == "city"))
    except ValidationError as error:
        raise ValidationError({key: error.messages}) from error
