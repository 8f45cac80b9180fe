"""django-import-export resources: the results export (the export_results columns) and the
payout ledger for finance."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from communities.scoping import scope_to_staff
from governance.spreadsheets.admin_io import NumberCellWidget, SpreadsheetResourceMixin

from .models import AnnualResult, Payout


class _ScopedResource(SpreadsheetResourceMixin, resources.ModelResource):
    # SpreadsheetResourceMixin: exported columns named in the user's language.
    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def filter_export(self, queryset, **kwargs):
        if self.user is not None:
            queryset = scope_to_staff(queryset, self.user, community_path=self.community_path)
        return queryset


class AnnualResultResource(_ScopedResource):
    """Columns of property_rating.md export_results: estate, company, annual_score, rank,
    stars, list, payout."""

    community_path = "unit__estate__community"
    estate = fields.Field(attribute="unit__estate__name", column_name="estate")
    company = fields.Field(attribute="unit__company__name", column_name="company")
    # Numbers as typed cells in XLSX (NumberCellWidget), plain digits in CSV.
    annual_score = fields.Field(
        attribute="annual_score", column_name="annual_score", widget=NumberCellWidget()
    )
    rank = fields.Field(attribute="rank", column_name="rank", widget=NumberCellWidget())
    stars = fields.Field(attribute="stars", column_name="stars", widget=NumberCellWidget())
    list = fields.Field(attribute="list_name", column_name="list")
    payout = fields.Field(column_name="payout")

    class Meta:
        model = AnnualResult
        fields = ["estate", "company", "annual_score", "rank", "stars", "list", "payout"]
        export_order = fields

    def dehydrate_payout(self, result):
        ledger = getattr(result, "ledger_amount", None)
        return ledger if ledger is not None else result.payout_amount

    def filter_export(self, queryset, **kwargs):
        # The ledger amount (an approved payout stays as approved), like export_results.
        ledger = Payout.objects.filter(unit=OuterRef("unit"), quarter=0).values("amount")[:1]
        return (
            super()
            .filter_export(queryset, **kwargs)
            .select_related("unit__estate", "unit__company")
            .annotate(ledger_amount=Subquery(ledger))
        )


class PayoutResource(_ScopedResource):
    """The ledger for finance: one row per accrual or annual payout."""

    community_path = "unit__estate__community"
    column_labels = {"period": gettext_lazy("Period")}
    year = fields.Field(attribute="unit__year", column_name="year", widget=NumberCellWidget())
    community = fields.Field(attribute="unit__estate__community__name", column_name="community")
    estate = fields.Field(attribute="unit__estate__name", column_name="estate")
    company = fields.Field(attribute="unit__company__name", column_name="company")
    credit_code = fields.Field(attribute="unit__company__credit_code", column_name="credit_code")
    period = fields.Field(column_name="period")
    amount = fields.Field(attribute="amount", column_name="amount", widget=NumberCellWidget())
    status = fields.Field(attribute="status", column_name="status")
    approved_by = fields.Field(attribute="approved_by__username", column_name="approved_by")
    # Date cells in XLSX, local (Asia/Shanghai) time in CSV: never a UTC "+00:00" text.
    approved_at = fields.Field(
        attribute="approved_at", column_name="approved_at", widget=widgets.DateTimeWidget()
    )
    paid_at = fields.Field(
        attribute="paid_at", column_name="paid_at", widget=widgets.DateTimeWidget()
    )
    payment_reference = fields.Field(attribute="payment_reference", column_name="payment_reference")

    class Meta:
        model = Payout
        fields = [
            "year",
            "community",
            "estate",
            "company",
            "credit_code",
            "period",
            "amount",
            "status",
            "approved_by",
            "approved_at",
            "paid_at",
            "payment_reference",
        ]
        export_order = fields

    def dehydrate_period(self, payout):
        return f"Q{payout.quarter}" if payout.quarter else "year"

    def filter_export(self, queryset, **kwargs):
        return (
            super()
            .filter_export(queryset, **kwargs)
            .select_related("unit__estate__community", "unit__company", "approved_by")
        )
