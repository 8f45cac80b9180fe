"""The public ratings API (property_rating.md "Publication and the ratings API").

Anyone reads published years; staff also read their town's unpublished results. Lists run a
fixed number of queries (select_related + one annotation), carry ETag / Last-Modified and answer
conditional requests with 304 so polling clients cost little; anonymous clients are throttled.
"""

import hashlib
import json

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import http_date, parse_http_date_safe
from django_filters import rest_framework as df
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.filters import SearchFilter
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from communities.models import PropertyCompany
from communities.scoping import scope_to_staff

from ..models import AnnualResult, Scheme
from ..public_cache import cached_answer

# Anonymous readers see published years only, versioned by property_rating.public_cache.
# The time limit bounds how long a renamed estate or company keeps its old name in answers.
PUBLIC_CACHE_SECONDS = 300


class RatingsAnonThrottle(AnonRateThrottle):
    """Anonymous rate read from settings at request time (so deployments and tests can set it)."""

    def get_rate(self):
        rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
        return getattr(settings, "RATINGS_ANON_RATE", None) or rates.get("anon", "120/minute")


class CommunityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class EstateRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    community = CommunityRefSerializer()


class CompanyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()


class RatingSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="unit_id", help_text="Assessment unit id.")
    estate = EstateRefSerializer(source="unit.estate")
    company = CompanyRefSerializer(source="unit.company")
    year = serializers.IntegerField(source="unit.year")
    list = serializers.ChoiceField(
        source="list_name",
        choices=["red", "black", ""],
        help_text="red, black, or empty when on neither list.",
    )
    published_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        model = AnnualResult
        fields = [
            "id",
            "estate",
            "company",
            "year",
            "annual_score",
            "rank",
            "stars",
            "list",
            "published_at",
        ]


class RatingFilter(df.FilterSet):
    year = df.NumberFilter(field_name="unit__year")
    town = df.NumberFilter(field_name="unit__town_id")
    community = df.NumberFilter(field_name="unit__estate__community_id")
    stars = df.NumberFilter(field_name="stars")
    company = df.NumberFilter(field_name="unit__company_id")
    list = df.ChoiceFilter(field_name="list_name", choices=[("red", "red"), ("black", "black")])

    class Meta:
        model = AnnualResult
        fields = ["year", "town", "community", "stars", "list", "company"]


def ratings_queryset(user):
    """Results the caller may read: published years for anyone; staff also their own scope."""
    published_at = (
        Scheme.objects.published()
        .filter(town_id=OuterRef("unit__town_id"), year=OuterRef("unit__year"))
        .values("published_at")[:1]
    )
    qs = AnnualResult.objects.select_related("unit__estate__community", "unit__company").annotate(
        published_at=Subquery(published_at)
    )
    public = Q(published_at__isnull=False)
    if user.has_perm("property_rating.view_records"):
        staff_ids = scope_to_staff(
            AnnualResult.objects.all(), user, community_path="unit__estate__community"
        ).values("pk")
        return qs.filter(public | Q(pk__in=staff_ids))
    return qs.filter(public)


class ConditionalListMixin:
    """ETag / Last-Modified for a list, from one aggregate over the filtered queryset. An
    anonymous answer is cached; a cached one is sent by property_rating.middleware before the
    request reaches this view."""

    def fingerprint(self, queryset):
        agg = queryset.order_by().aggregate(
            n=Count("pk"),
            computed=Max("computed_at"),
            published=Max("published_at"),
        )
        stamps = [d for d in (agg["computed"], agg["published"]) if d]
        last = max(stamps) if stamps else None
        key = "|".join(
            [
                self.request.get_full_path(),
                str(agg["n"]),
                str(agg["computed"]),
                str(agg["published"]),
                (
                    "staff"
                    if self.request.user.has_perm("property_rating.view_records")
                    else "public"
                ),
                str(getattr(self.request.user, "pk", "")),
            ]
        )
        return f'"{hashlib.sha256(key.encode()).hexdigest()[:32]}"', last

    def conditional_list(self, request, make_queryset):
        """`make_queryset` is called only when the answer is not already cached."""
        if request.user.is_authenticated:
            etag, last_ts, data = self._build(make_queryset())
            return self.respond(request, etag, last_ts, data)
        etag, last_ts, body = self._public_entry(request, make_queryset)
        if request.accepted_renderer.format == "json":
            # The cached bytes as they are: no unpickling of nested data, no rendering.
            return self.respond(request, etag, last_ts, body=body)
        return self.respond(request, etag, last_ts, json.loads(body))

    def _build(self, queryset):
        etag, last = self.fingerprint(queryset)
        page = self.paginate_queryset(queryset)
        data = self.get_paginated_response(self.get_serializer(page, many=True).data).data
        return etag, (int(last.timestamp()) if last else None), data

    @staticmethod
    def public_key(request) -> str:
        url = request.build_absolute_uri()
        return f"ratings:public:{hashlib.sha256(url.encode()).hexdigest()}"

    def _public_entry(self, request, make_queryset):
        """The anonymous answer for this URL, from the cache while no publication changed."""

        def build():
            etag, last_ts, data = self._build(make_queryset())
            return etag, last_ts, JSONRenderer().render(data)

        return cached_answer(self.public_key(request), build, PUBLIC_CACHE_SECONDS)

    def respond(self, request, etag, last_ts, data=None, body=None, plain_http=False):
        """The answer, or 304 when the client's copy is current. `plain_http`: a Django
        response for the middleware, which sends it without DRF's finalizing."""
        if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
        if_modified = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
        not_modified = (
            etag in [t.strip() for t in if_none_match.split(",")]
            if if_none_match
            else (last_ts is not None and if_modified is not None and last_ts <= if_modified)
        )
        if not_modified:
            response = (
                HttpResponse(status=status.HTTP_304_NOT_MODIFIED)
                if plain_http
                else Response(status=status.HTTP_304_NOT_MODIFIED)
            )
        elif body is not None:
            response = HttpResponse(body, content_type="application/json")
        else:
            response = Response(data)
        response["ETag"] = etag
        if last_ts is not None:
            response["Last-Modified"] = http_date(last_ts)
        response["Cache-Control"] = (
            "private, no-cache" if request.user.is_authenticated else "public, no-cache"
        )
        response["Vary"] = "Cookie, Authorization"
        return response


_LIST_PARAMS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Assessment year"),
    OpenApiParameter("town", OpenApiTypes.INT, description="Town id"),
    OpenApiParameter("community", OpenApiTypes.INT, description="Community id"),
    OpenApiParameter("stars", OpenApiTypes.INT, description="0 (none), 3, 4 or 5"),
    OpenApiParameter("list", OpenApiTypes.STR, enum=["red", "black"]),
    OpenApiParameter("company", OpenApiTypes.INT, description="Property company id"),
    OpenApiParameter(
        "search", OpenApiTypes.STR, description="Estate name, company name or credit code"
    ),
]


@extend_schema_view(
    get=extend_schema(
        summary="Published star ratings, red and black lists",
        description="Published years for everyone; township staff also see their town's "
        "unpublished results. Answers If-None-Match / If-Modified-Since with 304.",
        parameters=_LIST_PARAMS,
        tags=["ratings"],
    )
)
class RatingListView(ConditionalListMixin, generics.ListAPIView):
    serializer_class = RatingSerializer
    permission_classes = [AllowAny]
    throttle_classes = [RatingsAnonThrottle, UserRateThrottle]
    filter_backends = [df.DjangoFilterBackend, SearchFilter]
    filterset_class = RatingFilter
    search_fields = ["unit__estate__name", "unit__company__name", "unit__company__credit_code"]

    def get_queryset(self):
        return ratings_queryset(self.request.user).order_by(
            "-unit__year", F("rank").asc(nulls_last=True), "unit__estate__name", "pk"
        )

    def list(self, request, *args, **kwargs):
        return self.conditional_list(request, lambda: self.filter_queryset(self.get_queryset()))


@extend_schema_view(
    get=extend_schema(
        summary="A property company's ratings over the years",
        parameters=[OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        tags=["ratings"],
    )
)
class CompanyRatingHistoryView(ConditionalListMixin, generics.ListAPIView):
    serializer_class = RatingSerializer
    permission_classes = [AllowAny]
    throttle_classes = [RatingsAnonThrottle, UserRateThrottle]
    filter_backends: list = []

    def get_queryset(self):
        company = get_object_or_404(PropertyCompany, pk=self.kwargs["pk"])
        return (
            ratings_queryset(self.request.user)
            .filter(unit__company=company)
            .order_by("-unit__year", "unit__estate__name", "pk")
        )

    def list(self, request, *args, **kwargs):
        return self.conditional_list(request, self.get_queryset)
