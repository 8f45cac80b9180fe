"""Region defaults for cases (regions.md): district and city staff set the case categories and
deadlines a new town of their region starts from; each town then edits its own copy.

A town starts from its district's defaults, else its city's, else the built-in ones
(cases/defaults.py and CaseSettings' field defaults). Categories and deadlines are looked up
separately: a district may set its own categories and leave the deadlines to its city. Nothing
here changes a town's own records once it has them (services.responsibility_list_ensure creates
only what the town lacks).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Region, Town

from .defaults import DEFAULT_CATEGORIES
from .models import CaseSettings, Level

# The deadline fields a region's defaults carry over to a town's CaseSettings.
SETTINGS_FIELDS = (
    "accept_days",
    "reply_days_estate",
    "reply_days_community",
    "reply_days_town",
    "urgent_accept_hours",
    "urgent_reply_hours",
    "rating_days",
    "duplicate_days",
)


def _default(name: str):
    return CaseSettings._meta.get_field(name).default


class RegionCaseSettings(models.Model):
    """A district's or city's default case deadlines (copied into a new town's settings)."""

    region = models.OneToOneField(
        Region,
        on_delete=models.CASCADE,
        related_name="case_settings",
        verbose_name=_("region"),
    )
    accept_days = models.PositiveSmallIntegerField(
        _("acceptance, working days"), default=_default("accept_days")
    )
    reply_days_estate = models.PositiveSmallIntegerField(
        _("reply at estate level, working days"), default=_default("reply_days_estate")
    )
    reply_days_community = models.PositiveSmallIntegerField(
        _("reply at community level, working days"), default=_default("reply_days_community")
    )
    reply_days_town = models.PositiveSmallIntegerField(
        _("reply at town level, working days"), default=_default("reply_days_town")
    )
    urgent_accept_hours = models.PositiveSmallIntegerField(
        _("urgent acceptance, hours"), default=_default("urgent_accept_hours")
    )
    urgent_reply_hours = models.PositiveSmallIntegerField(
        _("urgent reply, hours"), default=_default("urgent_reply_hours")
    )
    rating_days = models.PositiveSmallIntegerField(
        _("rating period, working days"), default=_default("rating_days")
    )
    duplicate_days = models.PositiveSmallIntegerField(
        _("duplicate window, days"), default=_default("duplicate_days")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        "communities.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        app_label = "deliberation"
        verbose_name = _("region default case deadlines")
        verbose_name_plural = _("region default case deadlines")

    def __str__(self):
        return str(self.region)


class RegionCaseCategory(models.Model):
    """One line of a district's or city's default responsibility list. The department is named,
    not linked: each town keeps its own departments, created by name when the town starts."""

    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="case_categories",
        verbose_name=_("region"),
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    first_level = models.CharField(
        _("first level"),
        max_length=20,
        choices=[c for c in Level.choices if c[0] != Level.JOINT_MEETING],
    )
    department_name = models.CharField(_("town department"), max_length=100)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        "communities.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        app_label = "deliberation"
        verbose_name = _("region default case category")
        verbose_name_plural = _("region default case categories")
        ordering = ["region__name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "code"], name="region_case_category_code_once"
            )
        ]

    def __str__(self):
        return f"{self.region} {self.code} {self.name}"

    def clean(self):
        super().clean()
        if not (self.department_name or "").strip():
            raise ValidationError({"department_name": _("Name the town department.")})


def regions_of(town: Town) -> list[Region]:
    """The town's district, then its city: where its defaults come from, nearest first."""
    district = town.district if town.district_id else None
    if district is None:
        return []
    return [district, district.city] if district.city_id else [district]


def category_rows(town: Town) -> list[tuple[str, str, str, str]]:
    """(code, name, first level, department name) of the default categories `town` starts
    from: its district's, else its city's, else the built-in list."""
    for region in regions_of(town):
        rows = list(
            RegionCaseCategory.objects.filter(region=region)
            .order_by("code")
            .values_list("code", "name", "first_level", "department_name")
        )
        if rows:
            return rows
    return list(DEFAULT_CATEGORIES)


def settings_defaults(town: Town) -> dict | None:
    """The deadline values `town` starts from (its district's, else its city's); None when no
    region of the town set any (the town then keeps the built-in CaseSettings defaults)."""
    for region in regions_of(town):
        row = RegionCaseSettings.objects.filter(region=region).values(*SETTINGS_FIELDS).first()
        if row:
            return row
    return None


def settings_ensure(town: Town) -> bool:
    """Give `town` its region's default deadlines unless it has settings of its own; returns
    whether settings were created."""
    if CaseSettings.objects.filter(town=town).exists():
        return False
    values = settings_defaults(town)
    if values is None:
        return False
    _settings, created = CaseSettings.objects.get_or_create(town=town, defaults=values)
    return created
