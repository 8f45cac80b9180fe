"""JSON API: a town's public needs list, and project totals for staff (regions.md)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.regions import town_from_argument

from . import selectors
from .models import Claim, Need
from .views import resolve_totals


class PublicClaimSerializer(serializers.ModelSerializer):
    claimant = serializers.SerializerMethodField()
    claimant_kind = serializers.SerializerMethodField()

    class Meta:
        model = Claim
        fields = ["claimant", "claimant_kind", "pledge_kind", "amount", "pledge", "claimed_at"]

    def get_claimant(self, claim) -> str:
        return str(claim.claimant)

    def get_claimant_kind(self, claim) -> str:
        return "department" if claim.department_id else "partner_unit"


class PublicNeedSerializer(serializers.ModelSerializer):
    estate = serializers.CharField(source="estate.name")
    community = serializers.CharField(source="estate.community.name")
    claims = PublicClaimSerializer(many=True)

    class Meta:
        model = Need
        # No person: not who recorded it, nor the proposal or case behind it.
        fields = [
            "id",
            "estate",
            "community",
            "source",
            "category",
            "title",
            "description",
            "status",
            "created_at",
            "claims",
        ]


class BudgetSerializer(serializers.Serializer):
    projects = serializers.IntegerField()
    residents = serializers.CharField(help_text="Yuan, 2 decimals.")
    government = serializers.CharField()
    partners = serializers.CharField()
    total = serializers.CharField()


class TotalsSerializer(serializers.Serializer):
    area = serializers.CharField()
    town = serializers.IntegerField(allow_null=True)
    region = serializers.IntegerField(allow_null=True)
    first_year = serializers.IntegerField()
    last_year = serializers.IntegerField()
    outputs = serializers.DictField(child=serializers.IntegerField())
    outputs_by_year = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField())
    )
    budget = BudgetSerializer()
    budget_by_year = serializers.DictField(child=BudgetSerializer())


BAD_PARAMETERS = OpenApiResponse(description="Invalid parameters: messages per field.")
NOT_FOUND = OpenApiResponse(description="No such area, or not one the caller may read.")


class PublicNeedList(generics.ListAPIView):
    """A town's needs list: `?town=` (name, district/town or id) is required. Public."""

    permission_classes = [permissions.AllowAny]
    serializer_class = PublicNeedSerializer
    filter_backends = []

    def get_queryset(self):
        value = (self.request.query_params.get("town") or "").strip()
        if not value:
            raise exceptions.ValidationError({"town": [_("Give the town.")]})
        try:
            town = town_from_argument(value)
        except ValidationError as error:
            raise exceptions.ValidationError({"town": error.messages}) from error
        return selectors.public_needs(town.pk)

    @extend_schema(
        operation_id="needs_public_list",
        parameters=[
            OpenApiParameter("town", str, required=True, description="Name, district/town or id.")
        ],
        responses={200: PublicNeedSerializer(many=True), 400: BAD_PARAMETERS},
        tags=["projects"],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ProjectTotals(APIView):
    """Output totals per kind and budget by source of completed projects, for `town=`,
    `district=` or `city=` and `year=` or `from_year=`/`to_year=`; staff in scope only."""

    permission_classes = [permissions.AllowAny]  # scope decided in selectors.project_scope

    @extend_schema(
        operation_id="project_totals",
        parameters=[
            OpenApiParameter(name, str, description="Name or id; one of town, district, city.")
            for name in ("town", "district", "city")
        ]
        + [OpenApiParameter(name, int) for name in ("year", "from_year", "to_year")],
        responses={200: TotalsSerializer, 400: BAD_PARAMETERS, 404: NOT_FOUND},
        tags=["projects"],
    )
    def get(self, request):
        if not request.user.is_authenticated:
            raise Http404
        errors, area, data = resolve_totals(request._request)
        if errors:
            raise exceptions.ValidationError(errors)
        money = ("residents", "government", "partners", "total")

        def budget(entry):
            return {k: (f"{v:.2f}" if k in money else v) for k, v in entry.items()}

        return Response(
            {
                "area": area.label,
                "town": area.town.pk if area.town else None,
                "region": area.region.pk if area.region else None,
                "first_year": data["first_year"],
                "last_year": data["last_year"],
                "outputs": data["outputs"],
                "outputs_by_year": {str(y): v for y, v in data["outputs_by_year"].items()},
                "budget": budget(data["budget"]),
                "budget_by_year": {str(y): budget(v) for y, v in data["budget_by_year"].items()},
            }
        )
