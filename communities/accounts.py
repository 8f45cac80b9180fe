"""Open accounts (双晒, owners.md "Open accounts"): per estate and period, statements of fee
income and spending, public revenue and its use and the maintenance-fund balance, with
documents, published to the estate's residents; yearly audits."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["AccountAudit", "AccountStatement", "StatementDocument", "StatementLine"]

FILING_DAYS = 30  # default: a statement is due 30 days after its period ends


def statement_upload_to(instance, filename: str) -> str:
    from governance.uploads import generated_upload_path

    return generated_upload_path("communities/statements", filename)


class AccountStatementQuerySet(models.QuerySet):
    def for_estates(self, estate_ids):
        return self.filter(estate_id__in=estate_ids)


class AccountStatement(models.Model):
    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("quarterly")
        MONTHLY = "monthly", _("monthly (trust-based service)")

    estate = models.ForeignKey(
        "communities.Estate",
        on_delete=models.PROTECT,
        related_name="statements",
        verbose_name=_("estate"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    fund_balance = models.DecimalField(
        _("maintenance-fund balance (¥)"), max_digits=14, decimal_places=2
    )
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
        null=True,
        blank=True,
    )
    filer = models.CharField(
        _("filed for"), max_length=100, help_text=_("The company, or the committee.")
    )
    filed_at = models.DateTimeField(_("filed at"))
    due_on = models.DateField(_("due on"))
    is_late = models.BooleanField(_("late"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = AccountStatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("open-account statement")
        verbose_name_plural = _("open-account statements")
        ordering = ["estate__name", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "period_start"], name="statement_once_per_estate_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="statement_period_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.estate} {self.period_start:%Y-%m}"

    def total(self, section: str):
        return sum((line.amount for line in self.lines.all() if line.section == section), 0)


class StatementLine(models.Model):
    class Section(models.TextChoices):
        FEE_INCOME = "fee_income", _("property-fee income")
        FEE_SPENDING = "fee_spending", _("property-fee spending")
        PUBLIC_REVENUE = "public_revenue", _("public revenue")
        PUBLIC_USE = "public_use", _("use of public revenue")

    statement = models.ForeignKey(
        AccountStatement,
        on_delete=models.CASCADE,
        related_name="lines",
        verbose_name=_("statement"),
    )
    section = models.CharField(_("section"), max_length=16, choices=Section.choices)
    category = models.CharField(
        _("category"), max_length=50, help_text=_("e.g. cleaning, security, advertising, parking")
    )
    amount = models.DecimalField(_("amount (¥)"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")
        ordering = ["section", "pk"]

    def __str__(self):
        return f"{self.category}: {self.amount}"


class StatementDocument(models.Model):
    statement = models.ForeignKey(
        AccountStatement,
        on_delete=models.CASCADE,
        related_name="documents",
        verbose_name=_("statement"),
    )
    file = models.FileField(_("file"), upload_to=statement_upload_to, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)

    class Meta:
        verbose_name = _("statement document")
        verbose_name_plural = _("statement documents")

    def __str__(self):
        return self.original_name


class AccountAudit(models.Model):
    """A yearly audit of an estate's public revenue and fees."""

    estate = models.ForeignKey(
        "communities.Estate",
        on_delete=models.PROTECT,
        related_name="audits",
        verbose_name=_("estate"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    auditor = models.CharField(_("auditor"), max_length=100)
    report = models.FileField(
        _("report"), upload_to=statement_upload_to, max_length=200, blank=True
    )
    findings = models.TextField(_("findings"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("yearly audit")
        verbose_name_plural = _("yearly audits")
        ordering = ["estate__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "year"], name="audit_once_per_estate_year")
        ]

    def __str__(self):
        return f"{self.estate} {self.year}"
