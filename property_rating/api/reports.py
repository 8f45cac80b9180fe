"""Quarterly-reports API for property companies with their own systems (token or session auth).

Everything is scoped to the caller's company: another company's report, unit or evidence answers
404. Writes go through property_rating.reports; a state conflict (editing or submitting a report
that is already submitted) answers 409, bad input 400 with field messages.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from governance.idempotency import IdempotentMixin
from governance.uploads import private_file_response

from .. import periods, selectors
from .. import reports as report_services
from ..models import QuarterlyReport, QuarterScore
from .report_serializers import (
    EvidenceSerializer,
    EvidenceUploadSerializer,
    ManagerUnitSerializer,
    ReportCreateSerializer,
    ReportItemsInputSerializer,
    ReportSerializer,
    SchemeCache,
)


class IsPropertyManager(BasePermission):
    message = _("Only property managers file quarterly reports.")

    def has_permission(self, request, view):
        user = request.user
        # property_rating.file_report; a superuser holds no company, so this API is not theirs.
        return bool(
            user
            and user.is_authenticated
            and not user.is_superuser
            and user.has_perm("property_rating.file_report")
        )


def _report_filters(params) -> dict:
    """Lookups from ?year=&quarter=&unit=&status=, each checked by property_rating.periods: a bad
    value answers 400 with the field's message, never a database error."""
    lookups, errors = {}, {}
    parsers = {
        "year": ("unit__year", periods.parse_year),
        "quarter": ("quarter", periods.parse_quarter),
        "unit": ("unit_id", _parse_unit),
    }
    for name, (lookup, parse) in parsers.items():
        value = params.get(name)
        if value:
            try:
                lookups[lookup] = parse(value)
            except DjangoValidationError as error:
                errors[name] = _messages(error)
    value = params.get("status")
    if value:
        if value not in QuarterlyReport.Status.values:
            errors["status"] = [
                _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(QuarterlyReport.Status.values)}
            ]
        else:
            lookups["status"] = value
    if errors:
        raise ValidationError(errors)
    return lookups


def _parse_unit(value) -> int:
    unit_id = periods.parse_id(value)
    if unit_id is None:
        raise DjangoValidationError(_("A whole number is required."))
    return unit_id


class ConflictError(ValidationError):
    status_code = status.HTTP_409_CONFLICT


def _messages(error: DjangoValidationError) -> list[str]:
    return list(error.messages)


@extend_schema_view(
    list=extend_schema(
        summary="List the caller's company's quarterly reports",
        parameters=[
            OpenApiParameter("year", int, description="Assessment year"),
            OpenApiParameter("quarter", int, enum=[1, 2, 3, 4]),
            OpenApiParameter("status", str, enum=[s.value for s in QuarterlyReport.Status]),
            OpenApiParameter("unit", int, description="Assessment unit id"),
        ],
    ),
    retrieve=extend_schema(summary="One quarterly report with its items, evidence and history"),
)
class ReportViewSet(
    IdempotentMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Quarterly task-list reports of the caller's company."""

    serializer_class = ReportSerializer
    # Token first so an anonymous client gets 401 with `WWW-Authenticate: Token`.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsPropertyManager]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filter_backends: list = []
    queryset = QuarterlyReport.objects.none()  # schema generation; get_queryset scopes

    def get_queryset(self):
        user = self.request.user
        own = selectors.reports_for_manager(user=user).values("pk")
        qs = (
            selectors.report_detail_queryset()
            .select_related("unit__town")
            .filter(pk__in=own)
            .order_by("-unit__year", "quarter", "unit__estate__name", "pk")
        )
        return qs.filter(**_report_filters(self.request.query_params))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.request.user.is_authenticated:
            context["schemes"] = SchemeCache(selectors.units_for_manager(user=self.request.user))
        return context

    def _fresh(self, pk) -> QuarterlyReport:
        return self.get_queryset().get(pk=pk)

    def _ensure_editable(self, report):
        if not report.is_editable_by_manager:
            raise ConflictError(
                {"status": [_("A submitted report cannot be changed unless it is returned.")]}
            )

    @extend_schema(
        summary="Get or create the draft report of a unit and quarter",
        request=ReportCreateSerializer,
        responses={
            201: ReportSerializer,
            200: OpenApiResponse(ReportSerializer, description="The report already existed."),
        },
    )
    def create(self, request):
        user = request.user
        data = ReportCreateSerializer(
            data=request.data, units=selectors.units_for_manager(user=user)
        )
        data.is_valid(raise_exception=True)
        unit, quarter = data.validated_data["unit"], data.validated_data["quarter"]
        existed = QuarterlyReport.objects.filter(unit=unit, quarter=quarter).exists()
        try:
            report = report_services.report_get_or_create(unit=unit, quarter=quarter, by=user)
        except DjangoValidationError as error:
            raise ValidationError({"quarter": _messages(error)}) from error
        items = data.to_service_items()
        if items:
            self._ensure_editable(report)
            self._save_items(report, items)
        return Response(
            self.get_serializer(self._fresh(report.pk)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    def _save_items(self, report, items):
        try:
            report_services.report_save_draft(report=report, by=self.request.user, items=items)
        except DjangoValidationError as error:
            raise ValidationError({"items": _messages(error)}) from error

    @extend_schema(
        summary="Change the report's lines while it is a draft or returned",
        request=ReportItemsInputSerializer,
        responses={200: ReportSerializer, 409: OpenApiResponse(description="Already submitted")},
    )
    def update(self, request, pk=None, partial=False):
        report = self.get_object()
        data = ReportItemsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        self._ensure_editable(report)
        self._save_items(report, data.to_service_items())
        return Response(self.get_serializer(self._fresh(report.pk)).data)

    @extend_schema(
        summary="Change some of the report's lines while it is a draft or returned",
        request=ReportItemsInputSerializer,
        responses={200: ReportSerializer, 409: OpenApiResponse(description="Already submitted")},
    )
    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    @extend_schema(
        summary="Submit the report (a draft, or a report returned for correction)",
        request=None,
        responses={200: ReportSerializer, 409: OpenApiResponse(description="Already submitted")},
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        self._ensure_editable(report)
        try:
            report_services.report_submit(report=report, by=request.user)
        except DjangoValidationError as error:
            raise ConflictError({"status": _messages(error)}) from error
        return Response(self.get_serializer(self._fresh(report.pk)).data)

    @extend_schema(
        summary="Attach evidence (photos or PDFs) to one of the report's task items",
        request={"multipart/form-data": EvidenceUploadSerializer},
        responses={201: EvidenceSerializer(many=True)},
    )
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def evidence(self, request, pk=None):
        report = self.get_object()
        data = EvidenceUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        line = next(
            (i for i in report.items.all() if i.task_item.code == data.validated_data["item"]),
            None,
        )
        if line is None:
            raise ValidationError({"item": [_("This report has no such task item.")]})
        self._ensure_editable(report)
        try:
            created = report_services.evidence_add(
                item=line, files=data.validated_data["files"], by=request.user
            )
        except DjangoValidationError as error:
            raise ValidationError({"files": _messages(error)}) from error
        except DjangoPermissionDenied as error:
            raise NotFound from error
        return Response(
            EvidenceSerializer(created, many=True, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        methods=["GET"],
        summary="Download one evidence file of the report (as an attachment)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Remove one evidence file while the report is a draft or returned",
        responses={204: None, 409: OpenApiResponse(description="Already submitted")},
    )
    @action(
        detail=True,
        methods=["get", "delete"],
        url_path=r"evidence/(?P<evidence_pk>[0-9]+)",
        url_name="evidence-file",
    )
    def evidence_file(self, request, pk=None, evidence_pk=None):
        report = self.get_object()
        evidence = next(
            (
                e
                for line in report.items.all()
                for e in line.evidence.all()
                if e.pk == int(evidence_pk)
            ),
            None,
        )
        if evidence is None:
            raise NotFound
        if request.method == "DELETE":
            self._ensure_editable(report)
            try:
                report_services.evidence_delete(evidence=evidence, by=request.user)
            except DjangoValidationError as error:
                raise ConflictError({"status": _messages(error)}) from error
            return Response(status=status.HTTP_204_NO_CONTENT)
        return private_file_response(evidence.file, evidence.original_name)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's company's assessment units with computed scores and payouts",
        parameters=[OpenApiParameter("year", int)],
    ),
    retrieve=extend_schema(summary="One of the caller's units with its scores and payouts"),
)
class ManagerUnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Quarterly scores appear once the quarter is computed; the year's payout once published."""

    serializer_class = ManagerUnitSerializer
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated, IsPropertyManager]
    filter_backends: list = []
    queryset = QuarterScore.objects.none()

    def get_queryset(self):
        user = self.request.user
        year = self.request.query_params.get("year")
        try:
            year = periods.parse_year(year) if year else None
        except DjangoValidationError as error:
            raise ValidationError({"year": _messages(error)}) from error
        units = selectors.units_for_manager(user=user, year=year)
        return units.prefetch_related(
            Prefetch("quarter_scores", queryset=QuarterScore.objects.order_by("quarter")),
            Prefetch(
                "payouts",
                queryset=selectors.payouts_for_manager(user=user).order_by("quarter"),
                to_attr="visible_payouts",
            ),
        )

    def get_object(self):
        # `null,null` or `abc` is no unit: 404 (JSON), not a database error.
        pk = periods.parse_id(self.kwargs["pk"])
        if pk is None:
            raise NotFound
        return get_object_or_404(self.get_queryset(), pk=pk)
