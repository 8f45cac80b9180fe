"""Public registry serializers: towns, communities, estates and companies.

Public fields only (domain.md, PIPL): no users, no residents' or committee members' names or
phone numbers, no households.
"""

from rest_framework import serializers

from ..models import Community, Estate, PropertyCompany, Town


class TownSerializer(serializers.ModelSerializer):
    district = serializers.CharField(source="district.name", default="", read_only=True)
    district_id = serializers.IntegerField(read_only=True, allow_null=True)
    city = serializers.CharField(source="district.city.name", default="", read_only=True)

    class Meta:
        model = Town
        fields = ["id", "name", "kind", "district", "district_id", "city"]


class CommunitySerializer(serializers.ModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "town", "town_name"]


class EstateSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    town = serializers.IntegerField(source="community.town_id", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    is_three_without = serializers.BooleanField(
        read_only=True,
        help_text="No property company, no owners' committee and no supervising unit today.",
    )

    class Meta:
        model = Estate
        fields = [
            "id",
            "name",
            "town",
            "community",
            "community_name",
            "status",
            "status_display",
            "delivery_date",
            "planned_households",
            "residents",
            "supervising_unit",
            "is_old_estate",
            "is_three_without",
            "address",
        ]


class PropertyCompanySerializer(serializers.ModelSerializer):
    estate_count = serializers.IntegerField(
        read_only=True, help_text="Estates the company serves under a contract in force today."
    )

    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "credit_code", "address", "estate_count"]
