"""Serializers of the quarterly-reports API for property companies' own systems.

Only the manager's own fields are writable (descriptions and counts per task item); status,
awarded points, review notes, unit and company are read-only, so a client that sends them is
ignored rather than obeyed (mass assignment).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import (
    QUARTERS,
    AssessmentUnit,
    Evidence,
    Payout,
    QuarterlyReport,
    QuarterScore,
    ReportItem,
    ReportReturn,
    ReportSubmission,
    Scheme,
)


class SchemeCache:
    """Schemes by (town, year), loaded in one query the first time one is asked for."""

    def __init__(self, units):
        self.units = units
        self._schemes = None

    def get(self, town_id, year):
        if self._schemes is None:
            towns = self.units.values("town_id")
            self._schemes = {
                (s.town_id, s.year): s for s in Scheme.objects.filter(town_id__in=towns)
            }
        return self._schemes.get((town_id, year))


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "name", "size", "uploaded_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        path = reverse(
            "report-evidence-file",
            kwargs={"pk": obj.item.report_id, "evidence_pk": obj.pk},
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportItemSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="task_item.code", read_only=True)
    title = serializers.CharField(source="task_item.title", read_only=True)
    max_points = serializers.DecimalField(
        source="task_item.max_points", max_digits=5, decimal_places=2, read_only=True
    )
    counts_label = serializers.CharField(source="task_item.counts_label", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    awarded_points = serializers.SerializerMethodField()
    review_note = serializers.SerializerMethodField()

    class Meta:
        model = ReportItem
        fields = [
            "id",
            "code",
            "title",
            "max_points",
            "counts_label",
            "description",
            "count",
            "evidence",
            "awarded_points",
            "review_note",
        ]
        read_only_fields = fields

    # Points are shown to the manager once the review is complete, not item by item.
    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_awarded_points(self, obj):
        if obj.report.status != QuarterlyReport.Status.REVIEWED or obj.awarded_points is None:
            return None
        return f"{obj.awarded_points:.2f}"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_review_note(self, obj):
        if obj.report.status != QuarterlyReport.Status.REVIEWED:
            return None
        return obj.review_note


class SubmissionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportSubmission
        fields = ["number", "submitted_at", "snapshot"]
        read_only_fields = fields


class ReturnSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportReturn
        fields = ["reason", "returned_at"]
        read_only_fields = fields


class ReportEstateSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ReportSerializer(serializers.ModelSerializer):
    """A quarterly report as its manager sees it."""

    unit = serializers.IntegerField(source="unit_id", read_only=True)
    estate = ReportEstateSerializer(source="unit.estate", read_only=True)
    year = serializers.IntegerField(source="unit.year", read_only=True)
    due_at = serializers.SerializerMethodField()
    items = ReportItemSerializer(many=True, read_only=True)
    submissions = SubmissionSerializer(many=True, read_only=True)
    returns = ReturnSerializer(many=True, read_only=True)

    class Meta:
        model = QuarterlyReport
        fields = [
            "id",
            "unit",
            "estate",
            "year",
            "quarter",
            "status",
            "due_at",
            "first_submitted_at",
            "submitted_at",
            "items",
            "submissions",
            "returns",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_due_at(self, obj):
        cache = self.context.get("schemes")
        scheme = cache.get(obj.unit.town_id, obj.unit.year) if cache else None
        return (
            serializers.DateTimeField().to_representation(scheme.due_at(obj.quarter))
            if scheme
            else None
        )


class ItemInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=10, help_text=_("Task item code, e.g. T1."))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, trim_whitespace=True
    )
    count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=1_000_000
    )


class ReportItemsInputSerializer(serializers.Serializer):
    """PUT / PATCH body: the lines to change. Anything else (status, points, unit) is ignored."""

    items = ItemInputSerializer(many=True)

    def validate_items(self, items):
        codes = [item["code"] for item in items]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Each task item code may appear once."))
        return items

    def to_service_items(self) -> dict:
        return {
            item["code"]: {key: item[key] for key in ("description", "count") if key in item}
            for item in self.validated_data.get("items", [])
        }


class ReportCreateSerializer(ReportItemsInputSerializer):
    """POST body: the unit and quarter (get-or-create the draft), optionally the first lines."""

    unit = serializers.PrimaryKeyRelatedField(queryset=AssessmentUnit.objects.none())
    quarter = serializers.ChoiceField(choices=list(QUARTERS))
    items = ItemInputSerializer(many=True, required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            # Only the caller's own units exist for this field: another company's unit is
            # "does not exist", exactly like a unit id that was never used.
            self.fields["unit"].queryset = units


class EvidenceUploadSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=10, help_text=_("Task item code, e.g. T2."))
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        allow_empty=False,
        help_text=_("One or more JPEG, PNG, WebP or PDF files (checked by content)."),
    )


class QuarterScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuarterScore
        fields = [
            "quarter",
            "status",
            "raw_points",
            "late_days",
            "penalty",
            "score",
            "tier_percent",
            "accrual",
            "computed_at",
        ]
        read_only_fields = fields


class PayoutSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payout
        fields = ["quarter", "amount", "status", "approved_at", "paid_at", "payment_reference"]
        read_only_fields = fields


class ManagerUnitSerializer(serializers.ModelSerializer):
    """One of the caller's units with its computed quarter scores and visible payouts."""

    estate = ReportEstateSerializer(read_only=True)
    quarters = serializers.ListField(
        source="assessed_quarters", child=serializers.IntegerField(), read_only=True
    )
    quarter_scores = QuarterScoreSerializer(many=True, read_only=True)
    payouts = PayoutSerializer(source="visible_payouts", many=True, read_only=True)

    class Meta:
        model = AssessmentUnit
        fields = ["id", "estate", "year", "quarters", "quarter_scores", "payouts"]
        read_only_fields = fields
