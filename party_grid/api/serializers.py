from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Community
from communities.regions import area_from_params


class StatisticsQuerySerializer(serializers.Serializer):
    """One of town, district or city (regions.md: the same API for a district or a city)."""

    town = serializers.CharField(
        required=False, help_text=_("Town id, exact name or district/town."), max_length=50
    )
    district = serializers.CharField(
        required=False,
        help_text=_("District or county id, exact name or city/district (instead of town)."),
        max_length=100,
    )
    city = serializers.CharField(
        required=False, help_text=_("City id or exact name (instead of town)."), max_length=100
    )
    date = serializers.DateField(
        required=False, help_text=_("YYYY-MM-DD; the statistics on that day (default: today).")
    )
    community = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Only this community of the town (id)."),
    )

    def validate(self, attrs):
        attrs.setdefault("date", timezone.localdate())
        for key in ("town", "district", "city"):
            value = attrs.get(key, "").strip()
            # isdigit() accepts "²" and other digits int() refuses; ids are bigints.
            if value.isdigit() and not (value.isascii() and len(value) <= 18):
                raise serializers.ValidationError({key: [_("No town has this id or name.")]})
        try:
            area = area_from_params(attrs)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from error
        if area is None:
            raise serializers.ValidationError({"town": [_("Give a town, a district or a city.")]})
        attrs["area"] = area
        community_id = attrs.get("community")
        if community_id is not None:
            community = None
            if area.town is not None:
                community = Community.objects.filter(pk=community_id, town=area.town).first()
            if community is None:
                raise serializers.ValidationError(
                    {"community": [_("The town has no community with this id.")]}
                )
            attrs["community"] = community
        return attrs


class VolunteerTeamsByKindSerializer(serializers.Serializer):
    party_mass = serializers.IntegerField()
    building = serializers.IntegerField()
    representative = serializers.IntegerField()
    lane_stewards = serializers.IntegerField()


class PartyStatisticsSerializer(serializers.Serializer):
    """Aggregates only: no names, phone numbers or households (PIPL)."""

    delivered_estates = serializers.IntegerField()
    single_built_branches = serializers.IntegerField()
    joint_built_branches = serializers.IntegerField()
    single_built_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        allow_null=True,
        help_text=_(
            "Delivered estates with their own single-built branch / delivered estates; "
            "null when there is no delivered estate."
        ),
    )
    coverage = serializers.DecimalField(
        max_digits=5,
        decimal_places=4,
        allow_null=True,
        help_text=_(
            "Delivered estates served by any estate branch / delivered estates; "
            "null when there is no delivered estate."
        ),
    )
    complete_three_level_grids = serializers.IntegerField()
    households_in_contact = serializers.IntegerField()
    service_stations = serializers.IntegerField()
    volunteer_teams_by_kind = VolunteerTeamsByKindSerializer()
    grid_workers = serializers.IntegerField()
    building_heads = serializers.IntegerField(
        help_text=_("Distinct people: party members flagged as heads and building-head records.")
    )
    volunteers_by_kind = VolunteerTeamsByKindSerializer(
        help_text=_("Distinct people serving in teams of each kind on the day.")
    )
    owners_committees = serializers.IntegerField()
    self_management_committees = serializers.IntegerField()
    three_without_estates = serializers.IntegerField()
