from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.models import Community, Town


class StatisticsQuerySerializer(serializers.Serializer):
    town = serializers.CharField(help_text=_("Town id or exact name."), max_length=50)
    date = serializers.DateField(
        required=False, help_text=_("YYYY-MM-DD; the statistics on that day (default: today).")
    )
    community = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=2**63 - 1,
        help_text=_("Only this community of the town (id)."),
    )

    def validate_town(self, value: str) -> Town:
        value = value.strip()
        town = None
        # isdigit() accepts "²" and other digits int() refuses: ASCII digits only.
        if value.isascii() and value.isdigit() and len(value) <= 18:  # ids are bigints
            town = Town.objects.filter(pk=int(value)).first()
        if town is None:
            town = Town.objects.filter(name=value).first()
        if town is None:
            raise serializers.ValidationError(_("No town has this id or name."))
        return town

    def validate(self, attrs):
        attrs.setdefault("date", timezone.localdate())
        community_id = attrs.get("community")
        if community_id is not None:
            community = Community.objects.filter(pk=community_id, town=attrs["town"]).first()
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
    building_heads = serializers.IntegerField()
