from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors
from .serializers import PartyStatisticsSerializer, StatisticsQuerySerializer


class PartyStatisticsView(APIView):
    """Party-building grid statistics of a town (or one of its communities), a district or a
    city on a day.

    Aggregates only, so the figures are public like the township's reports (party_grid.md:
    "served by the API for the township's dashboards")."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="party_statistics",
        parameters=[StatisticsQuerySerializer],
        responses={
            200: PartyStatisticsSerializer,
            400: OpenApiResponse(description="Invalid parameters: messages per field."),
        },
        tags=["party grid"],
    )
    def get(self, request):
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        area = params["area"]
        if params.get("community") is not None:
            stats = selectors.party_statistics(
                town=area.town, on=params["date"], community=params["community"]
            )
        else:
            stats = selectors.area_statistics(town_ids=area.town_ids(), on=params["date"])
        return Response(PartyStatisticsSerializer(stats.as_api_dict()).data)
