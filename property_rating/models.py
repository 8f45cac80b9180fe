"""Property-company assessment: the year's scheme, assessment units, quarterly task-list reports
and their review, satisfaction ratings, year-end inspections, vetoes, computed scores, the payout
ledger, computation runs and publication (property_rating.md).

Every policy number lives on the year's Scheme so township staff can change it until the year is
published; computations read it from there.
"""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Estate, Household, PropertyCompany, ServiceContract, Town

# property_rating.md "Periods" (re-exported: callers import them from models too).
from .periods import QUARTERS, quarter_bounds  # noqa: F401

SHANGHAI = ZoneInfo("Asia/Shanghai")

QUARTER_CHOICES = [(q, f"Q{q}") for q in QUARTERS]
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def score_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


def money_field(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


# --------------------------------------------------------------------------------------------
# Scheme
# --------------------------------------------------------------------------------------------


# property_rating.md "Publication": a year is published while its scheme has a publication time.
# The one definition of "published"; every query and the row property below derive from it.
PUBLISHED = models.Q(published_at__isnull=False)


class SchemeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(PUBLISHED)

    def unpublished(self):
        return self.exclude(PUBLISHED)


class Scheme(models.Model):
    """The assessment rules of one town and year. Editable until published, frozen after."""

    class CapScope(models.TextChoices):
        UNIT = "unit", _("per assessment unit")
        COMPANY = "company", _("per company")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="rating_schemes", verbose_name=_("town")
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("report due days"),
        default=15,
        help_text=_(
            "A quarter's report is due this many days after the quarter ends, at 23:59:59."
        ),
    )
    late_penalty_per_day = score_field(_("late penalty per day"), default=Decimal("1.00"))
    late_penalty_cap = score_field(_("late penalty cap"), default=Decimal("10.00"))
    weight_quarterly = models.DecimalField(
        _("weight of the quarterly mean"), max_digits=4, decimal_places=3, default=Decimal("0.5")
    )
    weight_satisfaction = models.DecimalField(
        _("weight of satisfaction"), max_digits=4, decimal_places=3, default=Decimal("0.2")
    )
    weight_inspection = models.DecimalField(
        _("weight of the year-end inspection"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.3"),
    )
    min_satisfaction_responses = models.PositiveIntegerField(
        _("minimum satisfaction responses"),
        default=10,
        help_text=_("With fewer distinct households rating, satisfaction is absent."),
    )
    red_list_size = models.PositiveSmallIntegerField(_("red list size"), default=9)
    red_list_min_score = score_field(_("red list minimum score"), default=Decimal("80.00"))
    black_list_below = score_field(_("black list below"), default=Decimal("60.00"))
    four_star_min = score_field(_("four stars from"), default=Decimal("80.00"))
    three_star_min = score_field(_("three stars from"), default=Decimal("70.00"))
    annual_cap = money_field(_("annual reward cap"), default=Decimal("120000.00"))
    cap_scope = models.CharField(
        _("cap scope"), max_length=10, choices=CapScope.choices, default=CapScope.UNIT
    )
    published_at = models.DateTimeField(_("results published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["town__name", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year"], name="scheme_one_per_town_year"),
            models.CheckConstraint(
                condition=Q(
                    weight_quarterly__gte=0, weight_satisfaction__gte=0, weight_inspection__gte=0
                ),
                name="scheme_weights_non_negative",
            ),
            models.CheckConstraint(condition=Q(annual_cap__gte=0), name="scheme_cap_non_negative"),
        ]

    def __str__(self):
        return f"{self.town} {self.year}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def quarter_cap(self) -> Decimal:
        return self.annual_cap / 4

    def due_at(self, quarter: int) -> datetime.datetime:
        """property_rating.md: due `report_due_days` after the quarter ends, 23:59:59 Shanghai."""
        _start, end = quarter_bounds(self.year, quarter)
        day = end + datetime.timedelta(days=self.report_due_days)
        return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=SHANGHAI)

    def weights(self) -> dict[str, Decimal]:
        return {
            "Q": self.weight_quarterly,
            "S": self.weight_satisfaction,
            "E": self.weight_inspection,
        }

    def clean(self):
        errors = {}
        total = self.weight_quarterly + self.weight_satisfaction + self.weight_inspection
        if total != Decimal("1"):
            errors["weight_inspection"] = _(
                "The three weights must add up to exactly 1 (they add up to %(total)s)."
            ) % {"total": total.normalize()}
        if self.three_star_min > self.four_star_min:
            errors["three_star_min"] = _("Three stars cannot need more than four stars.")
        for name in ("red_list_min_score", "black_list_below", "four_star_min", "three_star_min"):
            value = getattr(self, name)
            if value is not None and not ZERO <= value <= HUNDRED:
                errors[name] = _("A score threshold is between 0 and 100.")
        if self.red_list_size < 1:
            errors["red_list_size"] = _("The red list holds at least one unit.")
        if errors:
            raise ValidationError(errors)

    def validate_tables(self, items=None, tiers=None) -> list[str]:
        """Messages about the task list and tier table (empty when valid). `items` / `tiers`
        default to the stored rows; admin forms pass the rows being saved."""
        items = list(self.task_items.all()) if items is None else items
        tiers = list(self.tiers.all()) if tiers is None else tiers
        messages = []
        points = sum((item.max_points for item in items), ZERO)
        if points != HUNDRED:
            messages.append(
                _("The task items' points must add up to exactly 100 (they add up to %(points)s).")
                % {"points": points.normalize() if points else 0}
            )
        codes = [item.code for item in items]
        if len(codes) != len(set(codes)):
            messages.append(_("Each task item needs its own code."))
        messages.extend(validate_tier_rows([(t.min_score, t.percent) for t in tiers]))
        return messages

    def tier_table(self) -> list[tuple[Decimal, Decimal]]:
        """(min_score, percent) highest threshold first."""
        return sorted(((t.min_score, t.percent) for t in self.tiers.all()), key=lambda row: -row[0])


def validate_tier_rows(rows: list[tuple[Decimal, Decimal]]) -> list[str]:
    """property_rating.md: tiers ordered — a higher threshold never pays a smaller share."""
    messages = []
    if not rows:
        messages.append(_("The tier table needs at least one row."))
        return messages
    ordered = sorted(rows, key=lambda row: -row[0])
    thresholds = [row[0] for row in ordered]
    if len(thresholds) != len(set(thresholds)):
        messages.append(_("Two tiers have the same minimum score."))
    for min_score, percent in ordered:
        if not ZERO <= min_score <= HUNDRED:
            messages.append(_("A tier's minimum score is between 0 and 100."))
        if not ZERO <= percent <= HUNDRED:
            messages.append(_("A tier's share is between 0 and 100 %."))
    for higher, lower in zip(ordered, ordered[1:], strict=False):
        if higher[1] < lower[1]:
            messages.append(
                _(
                    "Tiers are out of order: from %(high)s a share of %(hp)s %% is less than the "
                    "%(lp)s %% paid from %(low)s."
                )
                % {"high": higher[0], "hp": higher[1], "lp": lower[1], "low": lower[0]}
            )
    return messages


class TaskItem(models.Model):
    """One line of the task list (任务清单) of a scheme."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="task_items", verbose_name=_("scheme")
    )
    code = models.CharField(_("code"), max_length=10)
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=50, blank=True)
    max_points = score_field(_("maximum points"))
    counts_label = models.CharField(
        _("what is counted"),
        max_length=50,
        blank=True,
        help_text=_("e.g. patrols, cases; blank when counts do not apply."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("task item")
        verbose_name_plural = _("task items")
        ordering = ["scheme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="task_item_unique_code"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="task_item_points_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class TierRow(models.Model):
    """Reward tier: a quarter with Q >= min_score accrues `percent` of the quarter cap."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("scheme")
    )
    min_score = score_field(_("minimum quarterly score"))
    percent = score_field(_("share of the quarter cap (%)"))

    class Meta:
        verbose_name = _("reward tier")
        verbose_name_plural = _("reward tiers")
        ordering = ["scheme", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "min_score"], name="tier_unique_threshold"),
            models.CheckConstraint(
                condition=Q(min_score__gte=0, min_score__lte=100, percent__gte=0, percent__lte=100),
                name="tier_in_range",
            ),
        ]

    def __str__(self):
        return f">= {self.min_score}: {self.percent} %"


class PublicationEvent(models.Model):
    """Who published or reopened a year's results, when and why."""

    class Action(models.TextChoices):
        PUBLISH = "publish", _("published")
        REOPEN = "reopen", _("reopened")

    scheme = models.ForeignKey(
        Scheme,
        on_delete=models.CASCADE,
        related_name="publication_events",
        verbose_name=_("scheme"),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the publish_results command did it."),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("publication event")
        verbose_name_plural = _("publication events")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.scheme} {self.get_action_display()}"


# --------------------------------------------------------------------------------------------
# Assessment units
# --------------------------------------------------------------------------------------------


class AssessmentUnitQuerySet(models.QuerySet):
    def for_town_year(self, town_id, year):
        return self.filter(town_id=town_id, year=year)

    def assessed_in(self, quarter: int):
        return self.filter(**{f"assessed_q{quarter}": True})

    def for_company(self, company_id):
        return self.filter(company_id=company_id)


class AssessmentUnit(models.Model):
    """One estate's property service team for one year (考核单元): estate + company + year."""

    class Source(models.TextChoices):
        CONTRACT = "contract", _("service contract")
        IMPORT = "import", _("imported spreadsheet")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="assessment_units", verbose_name=_("town")
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="assessment_units", verbose_name=_("estate")
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        related_name="assessment_units",
        verbose_name=_("property company"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    contract = models.ForeignKey(
        ServiceContract,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service contract"),
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.CONTRACT
    )
    # property_rating.md: assessed in the quarters its contract covers (at least one day).
    assessed_q1 = models.BooleanField(_("assessed in Q1"), default=True)
    assessed_q2 = models.BooleanField(_("assessed in Q2"), default=True)
    assessed_q3 = models.BooleanField(_("assessed in Q3"), default=True)
    assessed_q4 = models.BooleanField(_("assessed in Q4"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AssessmentUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment unit")
        verbose_name_plural = _("assessment units")
        ordering = ["-year", "estate__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "company", "year"], name="unit_one_per_estate_company_year"
            )
        ]
        indexes = [
            models.Index(fields=["town", "year"]),  # every computation selects a town's year
            models.Index(fields=["company", "year"]),  # manager portal, company history
        ]

    def __str__(self):
        return f"{self.estate} / {self.company} ({self.year})"

    def is_assessed_in(self, quarter: int) -> bool:
        return getattr(self, f"assessed_q{quarter}")

    @property
    def assessed_quarters(self) -> list[int]:
        return [q for q in QUARTERS if self.is_assessed_in(q)]


# --------------------------------------------------------------------------------------------
# Quarterly reports and review
# --------------------------------------------------------------------------------------------


class QuarterlyReport(models.Model):
    """A unit's task-list report for one quarter, filed by its property manager."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("returned for correction")
        REVIEWED = "reviewed", _("reviewed")

    unit = models.ForeignKey(
        AssessmentUnit, on_delete=models.CASCADE, related_name="reports", verbose_name=_("unit")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # The first submission decides lateness; a return and resubmission does not make it late.
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("last submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    reviewed_at = models.DateTimeField(_("review completed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review completed by"),
    )

    class Meta:
        verbose_name = _("quarterly report")
        verbose_name_plural = _("quarterly reports")
        ordering = ["-unit__year", "quarter", "unit__estate__name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter"], name="report_one_per_unit_quarter")
        ]

    def __str__(self):
        return f"{self.unit} Q{self.quarter}"

    @property
    def is_editable_by_manager(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)


class ReportItem(models.Model):
    """The report's line for one task item: the manager's account and the reviewer's points."""

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="items", verbose_name=_("report")
    )
    task_item = models.ForeignKey(
        TaskItem,
        on_delete=models.PROTECT,
        related_name="report_items",
        verbose_name=_("task item"),
    )
    description = models.TextField(_("work done"), blank=True)
    count = models.PositiveIntegerField(_("count"), null=True, blank=True)
    awarded_points = models.DecimalField(
        _("awarded points"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report item")
        verbose_name_plural = _("report items")
        ordering = ["report", "task_item__order", "task_item__code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "task_item"], name="report_item_unique"),
            models.CheckConstraint(
                condition=Q(awarded_points__isnull=True) | Q(awarded_points__gte=0),
                name="report_item_points_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.report} {self.task_item.code}"


def evidence_upload_to(instance, filename):
    from governance.uploads import generated_upload_path

    return generated_upload_path("rating-evidence", filename)


class Evidence(models.Model):
    """A photo or PDF supporting a report item; served only through a view that checks who asks."""

    item = models.ForeignKey(
        ReportItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("report item")
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=200)
    size = models.PositiveIntegerField(_("size in bytes"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.original_name


class ReportSubmission(models.Model):
    """Every submission of a report, kept with a snapshot of what was submitted."""

    report = models.ForeignKey(
        QuarterlyReport,
        on_delete=models.CASCADE,
        related_name="submissions",
        verbose_name=_("report"),
    )
    number = models.PositiveSmallIntegerField(_("submission number"))
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    snapshot = models.JSONField(_("snapshot"), default=dict)

    class Meta:
        verbose_name = _("report submission")
        verbose_name_plural = _("report submissions")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="submission_unique_number")
        ]

    def __str__(self):
        return f"{self.report} #{self.number}"


class ReportReturn(models.Model):
    """A reviewer sent a submitted report back for correction, with a reason."""

    report = models.ForeignKey(
        QuarterlyReport, on_delete=models.CASCADE, related_name="returns", verbose_name=_("report")
    )
    submission = models.ForeignKey(
        ReportSubmission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submission returned"),
    )
    reason = models.TextField(_("reason"))
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("returned by"),
    )
    returned_at = models.DateTimeField(_("returned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("report return")
        verbose_name_plural = _("report returns")
        ordering = ["-returned_at"]

    def __str__(self):
        return f"{self.report}: {self.reason[:30]}"


# --------------------------------------------------------------------------------------------
# Satisfaction, inspection, veto, imported inputs
# --------------------------------------------------------------------------------------------


class SatisfactionRating(models.Model):
    """A household's rating of its property service: once per household and year."""

    unit = models.ForeignKey(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="satisfaction_ratings",
        verbose_name=_("unit"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="satisfaction_ratings",
        verbose_name=_("household"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rated by"),
    )
    created_at = models.DateTimeField(_("rated at"), auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"], name="satisfaction_once_per_household_year"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="satisfaction_rating_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["unit"])]

    def __str__(self):
        return f"{self.household} {self.year}: {self.rating}"


class InspectionScore(models.Model):
    """An expert-panel member's year-end inspection score (0..100) for a unit."""

    unit = models.ForeignKey(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="inspection_scores",
        verbose_name=_("unit"),
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("expert"),
    )
    score = score_field(_("score"), validators=[MinValueValidator(0), MaxValueValidator(100)])
    note = models.TextField(_("note"), blank=True)
    scored_at = models.DateTimeField(_("scored at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection score")
        verbose_name_plural = _("inspection scores")
        ordering = ["unit", "expert"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "expert"], name="inspection_one_per_expert"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="inspection_score_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.unit}: {self.score}"


class VetoQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Veto(models.Model):
    """一票否决: the unit fails the year whatever its score."""

    unit = models.ForeignKey(
        AssessmentUnit, on_delete=models.CASCADE, related_name="vetoes", verbose_name=_("unit")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    imported = models.BooleanField(_("from an imported spreadsheet"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = VetoQuerySet.as_manager()

    class Meta:
        verbose_name = _("veto")
        verbose_name_plural = _("vetoes")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.unit}: {self.reason[:30]}"


class ImportedQuarterScore(models.Model):
    """A quarter score from a spreadsheet; stands in for the report-based Q."""

    unit = models.ForeignKey(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="imported_quarter_scores",
        verbose_name=_("unit"),
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    score = score_field(_("score"))
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        verbose_name = _("imported quarter score")
        verbose_name_plural = _("imported quarter scores")
        ordering = ["unit", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter"], name="imported_q_one_per_quarter"),
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="imported_q_0_to_100"
            ),
        ]

    def __str__(self):
        return f"{self.unit} Q{self.quarter}: {self.score}"


class ImportedAnnualInput(models.Model):
    """Satisfaction and inspection from a spreadsheet (blank: the component is absent)."""

    unit = models.OneToOneField(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="imported_annual",
        verbose_name=_("unit"),
    )
    satisfaction = score_field(_("satisfaction"), null=True, blank=True)
    inspection = score_field(_("inspection"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )

    class Meta:
        verbose_name = _("imported annual input")
        verbose_name_plural = _("imported annual inputs")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(satisfaction__isnull=True) | Q(satisfaction__gte=0, satisfaction__lte=100)
                )
                & (Q(inspection__isnull=True) | Q(inspection__gte=0, inspection__lte=100)),
                name="imported_annual_0_to_100",
            )
        ]

    def __str__(self):
        return str(self.unit)


# --------------------------------------------------------------------------------------------
# Computation results
# --------------------------------------------------------------------------------------------


class ComputationRun(models.Model):
    """One quarterly or annual computation: who started it, its progress and outcome."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("quarterly")
        ANNUAL = "annual", _("annual")

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="rating_runs", verbose_name=_("town")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), choices=QUARTER_CHOICES, null=True, blank=True
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    outcome = models.TextField(_("outcome"), blank=True)
    pending_units = models.JSONField(_("pending units"), default=list, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
        help_text=_("Empty when the schedule or a command started it."),
    )
    trigger = models.CharField(_("started from"), max_length=20, default="admin")
    task_id = models.CharField(_("task id"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("computation run")
        verbose_name_plural = _("computation runs")
        ordering = ["-created_at"]

    def __str__(self):
        period = f"Q{self.quarter}" if self.quarter else _("year")
        return f"{self.town} {self.year} {period} {self.get_status_display()}"

    def outcome_text(self) -> str:
        """The outcome in the reader's language, rendered from the structured counts."""
        from .workspace import run_outcome_text

        return run_outcome_text(self)

    outcome_text.short_description = _("outcome")


class QuarterScore(models.Model):
    """A unit's computed quarter: Q, the late penalty, the accrual R_q and the inputs used."""

    class Status(models.TextChoices):
        SCORED = "scored", _("scored")
        MISSING = "missing", _("missing")
        PENDING = "pending", _("pending")
        IMPORTED = "imported", _("imported")

    unit = models.ForeignKey(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="quarter_scores",
        verbose_name=_("unit"),
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    raw_points = score_field(_("awarded points"), null=True, blank=True)
    late_days = models.PositiveIntegerField(_("days late"), default=0)
    penalty = score_field(_("late penalty"), default=ZERO)
    score = score_field(_("quarterly score Q"), null=True, blank=True)
    tier_percent = score_field(_("tier share (%)"), null=True, blank=True)
    accrual = money_field(_("accrued reward R_q"), null=True, blank=True)
    inputs = models.JSONField(_("inputs"), default=dict)
    run = models.ForeignKey(
        ComputationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computation run"),
    )
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("quarter score")
        verbose_name_plural = _("quarter scores")
        ordering = ["unit", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter"], name="quarter_score_one_per_unit"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="quarter_score_0_to_100",
            ),
        ]

    def __str__(self):
        return f"{self.unit} Q{self.quarter}: {self.score}"


class AnnualResultQuerySet(models.QuerySet):
    def published(self):
        """Results of years whose scheme is published (anyone may read these)."""
        from django.db.models import Exists, OuterRef

        return self.filter(
            Exists(
                Scheme.objects.published().filter(
                    town_id=OuterRef("unit__town_id"), year=OuterRef("unit__year")
                )
            )
        )


class AnnualResult(models.Model):
    """A unit's year: components, A, rank, list, stars and computed payout, with inputs."""

    class ListName(models.TextChoices):
        RED = "red", _("red list")
        BLACK = "black", _("black list")
        NONE = "", _("none")

    class Status(models.TextChoices):
        RATED = "rated", _("rated")
        UNRATED = "unrated", _("unrated")
        VETOED = "vetoed", _("vetoed")
        PENDING = "pending", _("pending")

    unit = models.OneToOneField(
        AssessmentUnit,
        on_delete=models.CASCADE,
        related_name="annual_result",
        verbose_name=_("unit"),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    quarterly_mean = models.DecimalField(
        _("quarterly mean"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    satisfaction = models.DecimalField(
        _("satisfaction S"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    satisfaction_responses = models.PositiveIntegerField(_("satisfaction responses"), default=0)
    inspection = models.DecimalField(
        _("inspection E"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    inspection_count = models.PositiveIntegerField(_("inspection scores"), default=0)
    annual_score = score_field(_("annual score A"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    stars = models.PositiveSmallIntegerField(_("stars"), default=0)
    list_name = models.CharField(
        _("list"), max_length=5, choices=ListName.choices, default="", blank=True
    )
    vetoed = models.BooleanField(_("vetoed"), default=False)
    accrual_total = money_field(_("sum of accruals"), default=ZERO)
    payout_amount = money_field(_("computed payout P"), default=ZERO)
    inputs = models.JSONField(_("inputs"), default=dict)
    run = models.ForeignKey(
        ComputationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computation run"),
    )
    computed_at = models.DateTimeField(_("computed at"))

    objects = AnnualResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("annual result")
        verbose_name_plural = _("annual results")
        ordering = ["rank", "unit__estate__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__in=[0, 3, 4, 5]), name="annual_stars_allowed"
            ),
        ]

    def __str__(self):
        return f"{self.unit}: {self.annual_score}"


class PayoutQuerySet(models.QuerySet):
    def annual(self):
        return self.filter(quarter=0)

    def accruals(self):
        return self.filter(quarter__gt=0)


class Payout(models.Model):
    """Payout ledger row: a quarterly accrual (quarter 1..4) or the year's payout (quarter 0).

    The year's payout moves calculated -> approved -> paid; approved and paid rows never change.
    """

    class Status(models.TextChoices):
        CALCULATED = "calculated", _("calculated")
        APPROVED = "approved", _("approved")
        PAID = "paid", _("paid")

    unit = models.ForeignKey(
        AssessmentUnit, on_delete=models.CASCADE, related_name="payouts", verbose_name=_("unit")
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), default=0, help_text=_("0 for the year's payout, 1-4 for an accrual.")
    )
    amount = money_field(_("amount"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.CALCULATED
    )
    calculated_at = models.DateTimeField(_("calculated at"))
    last_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last computed or edited by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked paid by"),
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = PayoutQuerySet.as_manager()

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["unit", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "quarter"], name="payout_one_per_unit_period"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payout_non_negative"),
            models.CheckConstraint(
                condition=Q(quarter__gte=0, quarter__lte=4), name="payout_period_0_to_4"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | ~Q(payment_reference=""),
                name="payout_paid_has_reference",
            ),
        ]

    def __str__(self):
        period = f"Q{self.quarter}" if self.quarter else _("year")
        return f"{self.unit} {period}: ¥{self.amount}"

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.PAID)


class PayoutDiscrepancy(models.Model):
    """A recomputation disagreed with an approved or paid payout; staff decide what to do."""

    payout = models.ForeignKey(
        Payout, on_delete=models.CASCADE, related_name="discrepancies", verbose_name=_("payout")
    )
    recorded_amount = money_field(_("approved amount"))
    computed_amount = money_field(_("recomputed amount"))
    run = models.ForeignKey(
        ComputationRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computation run"),
    )
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(_("resolution"), blank=True)

    class Meta:
        verbose_name = _("payout discrepancy")
        verbose_name_plural = _("payout discrepancies")
        ordering = ["-created_at"]
        constraints = [
            # One open discrepancy per payout and amount: a rerun does not pile up duplicates.
            models.UniqueConstraint(
                fields=["payout", "computed_amount"],
                condition=Q(resolved_at__isnull=True),
                name="discrepancy_one_open_per_amount",
            )
        ]

    def __str__(self):
        return f"{self.payout}: {self.recorded_amount} != {self.computed_amount}"
