"""Needs, partner units and their claims, and projects with budget, plan, progress, completion
and outputs (regions.md "Needs and projects").

Nothing here moves state by hand: needs and projects change status only through
deliberation/projects/services.py, which records each move (who, when, why)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.departments import Department
from communities.models import Community, Estate, Town

__all__ = [
    "Claim",
    "Need",
    "NeedTransition",
    "OutputKind",
    "PartnerUnit",
    "Project",
    "ProjectOutput",
    "ProjectTransition",
    "ProgressUpdate",
]

MONEY = {"max_digits": 14, "decimal_places": 2}


class NeedCategory(models.TextChoices):
    FACILITIES = "facilities", _("buildings and facilities")
    ROADS = "roads", _("roads and back lanes")
    ENVIRONMENT = "environment", _("environment and greening")
    PARKING = "parking", _("parking and charging")
    SAFETY = "safety", _("safety and surveillance")
    LIGHTING = "lighting", _("street lighting")
    RECREATION = "recreation", _("fitness and recreation")
    OTHER = "other", _("other")


class NeedQuerySet(models.QuerySet):
    def for_town(self, town_id):
        return self.filter(estate__community__town_id=town_id)


class Need(models.Model):
    """A need of an estate (需求), from a council resolution, a case, or noted by staff."""

    class Source(models.TextChoices):
        RESOLUTION = "resolution", _("council resolution")
        CASE = "case", _("case")
        STAFF = "staff", _("staff")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("need", "open")
        CLAIMED = "claimed", pgettext_lazy("need", "claimed")
        IN_PROJECT = "in_project", _("in a project")
        MET = "met", pgettext_lazy("need", "met")
        WITHDRAWN = "withdrawn", pgettext_lazy("need", "withdrawn")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="needs", verbose_name=_("estate")
    )
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    proposal = models.ForeignKey(
        "deliberation.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("proposal"),
    )
    case = models.ForeignKey(
        "deliberation.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("case"),
    )
    category = models.CharField(_("category"), max_length=12, choices=NeedCategory.choices)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = NeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A resolution's need names its proposal, a case's need its case.
            models.CheckConstraint(
                condition=~Q(source="resolution") | Q(proposal__isnull=False),
                name="need_from_resolution_names_proposal",
            ),
            models.CheckConstraint(
                condition=~Q(source="case") | Q(case__isnull=False),
                name="need_from_case_names_case",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.source == self.Source.RESOLUTION and not self.proposal_id:
            errors["proposal"] = _("A need from a resolution names its proposal.")
        if self.source == self.Source.CASE and not self.case_id:
            errors["case"] = _("A need from a case names its case.")
        if self.estate_id and self.proposal_id and self.proposal.estate_id != self.estate_id:
            errors["proposal"] = _("The proposal is not of this estate.")
        if self.estate_id and self.case_id and self.case.estate_id != self.estate_id:
            errors["case"] = _("The case is not of this estate.")
        if errors:
            raise ValidationError(errors)


class StatusTransition(models.Model):
    """One status change of a need or a project: who moved it, when, from what to what, why."""

    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class NeedTransition(StatusTransition):
    need = models.ForeignKey(
        Need, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("need")
    )

    class Meta(StatusTransition.Meta):
        verbose_name = _("need status change")
        verbose_name_plural = _("need status changes")

    def __str__(self):
        return f"{self.need_id}: {self.from_status} -> {self.to_status}"


class PartnerUnit(models.Model):
    """A partner unit (共建单位) of a town: an enterprise, or a unit whose in-service party
    members registered in one of the town's communities (在职党员社区报到)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("enterprise")
        REGISTERED_UNIT = (
            "registered_unit",
            _("unit with party members registered in the community"),
        )

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="partner_units", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partner_units",
        verbose_name=_("community registered in"),
    )
    members_registered = models.PositiveIntegerField(_("party members registered"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("partner unit")
        verbose_name_plural = _("partner units")
        ordering = ["town__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="partner_unit_unique_in_town"),
            models.CheckConstraint(
                condition=~Q(kind="registered_unit") | Q(community__isnull=False),
                name="partner_unit_registered_names_community",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.kind == self.Kind.REGISTERED_UNIT and not self.community_id:
            raise ValidationError(
                {"community": _("Name the community its party members registered in.")}
            )
        if self.community_id and self.town_id and self.community.town_id != self.town_id:
            raise ValidationError({"community": _("The community is not in this town.")})


class Claim(models.Model):
    """A department or a partner unit claims a need (认领) with a pledge."""

    class PledgeKind(models.TextChoices):
        MONEY = "money", _("money")
        LABOUR = "labour", _("labour")
        MATERIALS = "materials", _("materials")

    need = models.ForeignKey(
        Need, on_delete=models.PROTECT, related_name="claims", verbose_name=_("need")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("department"),
    )
    partner = models.ForeignKey(
        PartnerUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("partner unit"),
    )
    pledge_kind = models.CharField(_("pledge"), max_length=10, choices=PledgeKind.choices)
    amount = models.DecimalField(
        _("amount (yuan)"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    pledge = models.CharField(_("pledge description"), max_length=300, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["claimed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True, partner__isnull=False)
                | Q(department__isnull=False, partner__isnull=True),
                name="claim_by_department_or_partner",
            ),
            models.CheckConstraint(
                condition=~Q(pledge_kind="money") | Q(amount__isnull=False, amount__gt=0),
                name="claim_money_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(pledge_kind="money") | Q(amount__isnull=False) | ~Q(pledge=""),
                name="claim_pledge_is_described",
            ),
        ]

    def __str__(self):
        return f"{self.claimant} -> {self.need}"

    @property
    def claimant(self):
        return self.department or self.partner

    def clean(self):
        errors = {}
        if bool(self.department_id) == bool(self.partner_id):
            errors["department"] = _("A need is claimed by a department or by a partner unit.")
        if self.pledge_kind == self.PledgeKind.MONEY and not (self.amount and self.amount > 0):
            errors["amount"] = _("A money pledge gives its amount.")
        elif self.pledge_kind and self.amount is None and not self.pledge.strip():
            errors["pledge"] = _("Describe the labour or materials pledged, or give their value.")
        if self.need_id:
            town_id = self.need.estate.community.town_id
            if self.department_id and self.department.town_id != town_id:
                errors["department"] = _("The department is not of the need's town.")
            if self.partner_id and self.partner.town_id != town_id:
                errors["partner"] = _("The partner unit is not of the need's town.")
        if errors:
            raise ValidationError(errors)


class OutputKind(models.TextChoices):
    FITNESS = "fitness", _("fitness equipment")
    BACK_LANES = "back_lanes", _("back lanes hardened")
    STREETS_CLEANED = "streets_cleaned", _("streets cleaned")
    RECREATION = "recreation", _("recreation or access installations")
    WALLS = "walls", _("walls repaired")
    STREET_LIGHTS = "street_lights", _("street lights")
    CAMERAS = "cameras", _("cameras")
    CAR_SPACES = "car_spaces", _("car spaces")
    EBIKE_SPACES = "ebike_spaces", _("e-bike spaces")
    OTHER = "other", _("other outputs")


class ProjectQuerySet(models.QuerySet):
    def completed_in(self, first_year: int, last_year: int):
        return self.filter(
            status=Project.Status.COMPLETED,
            completed_on__year__gte=first_year,
            completed_on__year__lte=last_year,
        )


class Project(models.Model):
    """A project carrying one or more needs of one town (项目储备库)."""

    class Kind(models.TextChoices):
        RENOVATION = "renovation", _("old-estate renovation")
        WORKS = "works", _("other works")

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("project", "proposed")
        PLANNED = "planned", pgettext_lazy("project", "planned")
        IN_PROGRESS = "in_progress", pgettext_lazy("project", "in progress")
        COMPLETED = "completed", pgettext_lazy("project", "completed")
        CANCELLED = "cancelled", pgettext_lazy("project", "cancelled")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="projects", verbose_name=_("town")
    )
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("estate"),
        help_text=_("The estate renovated; required for an old-estate renovation."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    needs = models.ManyToManyField(
        Need, blank=True, related_name="projects", verbose_name=_("needs")
    )
    budget_residents = models.DecimalField(
        _("budget from residents (yuan)"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    budget_government = models.DecimalField(
        _("budget from government (yuan)"), **MONEY, default=0, validators=[MinValueValidator(0)]
    )
    budget_partners = models.DecimalField(
        _("budget from partner units (yuan)"),
        **MONEY,
        default=0,
        validators=[MinValueValidator(0)],
    )
    maintenance_fund = models.DecimalField(
        _("of which from the maintenance fund (yuan)"),
        **MONEY,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Part of the residents' share paid from the maintenance fund."),
    )
    rebuild_vote = models.ForeignKey(
        "deliberation.AssemblyVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rebuild_projects",
        verbose_name=_("owners' rebuild vote"),
    )
    fund_vote = models.ForeignKey(
        "deliberation.AssemblyVote",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fund_projects",
        verbose_name=_("owners' maintenance-fund vote"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED
    )
    plan_year = models.PositiveSmallIntegerField(_("plan year"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    acceptance_rating = models.DecimalField(
        _("residents' acceptance (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Share of residents asked who accepted the finished works."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-plan_year", "title"]
        indexes = [
            # The output totals (selectors.output_totals) filter by town and completion date.
            models.Index(fields=["town", "completed_on"], name="project_town_completed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="renovation") | Q(estate__isnull=False),
                name="project_renovation_names_estate",
            ),
            models.CheckConstraint(
                condition=Q(maintenance_fund__lte=F("budget_residents")),
                name="project_fund_within_residents_share",
            ),
            models.CheckConstraint(
                condition=Q(acceptance_rating__isnull=True)
                | Q(acceptance_rating__gte=0, acceptance_rating__lte=100),
                name="project_acceptance_is_percentage",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="project_completed_has_date",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def budget_total(self):
        return self.budget_residents + self.budget_government + self.budget_partners

    def clean(self):
        errors = {}
        if self.kind == self.Kind.RENOVATION and not self.estate_id:
            errors["estate"] = _("An old-estate renovation names its estate.")
        if self.estate_id and self.town_id and self.estate.community.town_id != self.town_id:
            errors["estate"] = _("The estate is not in this town.")
        if (self.maintenance_fund or 0) > (self.budget_residents or 0):
            errors["maintenance_fund"] = _(
                "The maintenance fund pays part of the residents' share, not more."
            )
        for field, kind in (("rebuild_vote", "rebuild"), ("fund_vote", "use_fund")):
            vote = getattr(self, field)
            if vote is not None and (vote.kind != kind or vote.estate_id != self.estate_id):
                errors[field] = _("Link a vote of this kind taken by this estate's owners.")
        if errors:
            raise ValidationError(errors)


class ProjectOutput(models.Model):
    """How many of one kind of output a project delivered (e.g. 218 street lights)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="outputs", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutputKind.choices)
    count = models.PositiveIntegerField(_("count"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("project output")
        verbose_name_plural = _("project outputs")
        ordering = ["project", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="project_output_once_per_kind")
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.count}"


class ProgressUpdate(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress", verbose_name=_("project")
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["project", "date", "pk"]

    def __str__(self):
        return f"{self.project_id} {self.date}"


class ProjectTransition(StatusTransition):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("project")
    )

    class Meta(StatusTransition.Meta):
        verbose_name = _("project status change")
        verbose_name_plural = _("project status changes")

    def __str__(self):
        return f"{self.project_id}: {self.from_status} -> {self.to_status}"
