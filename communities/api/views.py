"""Read-only public registry API. Lists run a fixed number of queries (select_related and
annotations, no per-row queries)."""

from django.db.models import Count
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..models import Community, Estate, PropertyCompany, Town, active_on_q
from . import filters, serializers


class PublicReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    # Public registry data: anyone may read; anonymous clients are throttled by the default
    # throttle classes (settings REST_FRAMEWORK).
    permission_classes = [AllowAny]


@extend_schema_view(
    list=extend_schema(summary="List towns"), retrieve=extend_schema(summary="A town")
)
class TownViewSet(PublicReadOnlyViewSet):
    queryset = Town.objects.select_related("district__city").order_by("name")
    serializer_class = serializers.TownSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List communities"),
    retrieve=extend_schema(summary="A community"),
)
class CommunityViewSet(PublicReadOnlyViewSet):
    queryset = Community.objects.select_related("town").order_by("town__name", "name")
    serializer_class = serializers.CommunitySerializer
    filterset_class = filters.CommunityFilter
    search_fields = ["name"]
    ordering_fields = ["name"]


@extend_schema_view(
    list=extend_schema(summary="List estates"), retrieve=extend_schema(summary="An estate")
)
class EstateViewSet(PublicReadOnlyViewSet):
    serializer_class = serializers.EstateSerializer
    filterset_class = filters.EstateFilter
    search_fields = ["name", "address"]
    ordering_fields = ["name", "delivery_date", "residents", "planned_households"]

    def get_queryset(self):
        return (
            Estate.objects.select_related("community")
            .annotate_three_without(timezone.localdate())
            .order_by("community__town__name", "community__name", "name")
        )


@extend_schema_view(
    list=extend_schema(summary="List property companies"),
    retrieve=extend_schema(summary="A property company"),
)
class PropertyCompanyViewSet(PublicReadOnlyViewSet):
    serializer_class = serializers.PropertyCompanySerializer
    filterset_class = filters.PropertyCompanyFilter
    search_fields = ["name", "credit_code"]
    ordering_fields = ["name"]

    def get_queryset(self):
        in_force = active_on_q(timezone.localdate(), "contracts__valid_from", "contracts__valid_to")
        return PropertyCompany.objects.annotate(
            estate_count=Count("contracts__estate", filter=in_force, distinct=True)
        ).order_by("name")
