"""Towns, communities, estates, buildings, households, property companies and the people who use
the system.

Dated records (valid_from / valid_to, established_on / dissolved_on) keep history, so statistics
can be taken on any date.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from .validators import validate_credit_code


def active_on_q(on: datetime.date, start: str = "valid_from", end: str = "valid_to") -> Q:
    """Q for rows whose [start, end] date range (end open when null) contains `on`."""
    return Q(**{f"{start}__lte": on}) & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": on}))


class Region(models.Model):
    """A city (市) or a district or county (区/县/县级市) above the towns (regions.md "The tree").

    A district or county lies in a city where the deployment holds that city; a deployment of
    one district may leave its city out."""

    class Kind(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        COUNTY = "county", _("county")
        COUNTY_CITY = "county_city", _("county-level city")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="districts",
        limit_choices_to={"kind": "city"},
        verbose_name=_("city"),
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by load_demo, not from a report.")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "name"], nulls_distinct=False, name="region_unique_name_in_city"
            ),
            models.CheckConstraint(
                condition=Q(kind="city", city__isnull=True) | ~Q(kind="city"),
                name="region_city_is_top",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_city(self) -> bool:
        return self.kind == self.Kind.CITY

    def clean(self):
        if self.is_city and self.city_id:
            raise ValidationError({"city": _("A city lies in no other region.")})
        if self.city_id and self.city.kind != self.Kind.CITY:
            raise ValidationError({"city": _("A district or county lies in a city.")})

    def towns(self):
        """Every town of this region (a district's own, a city's through its districts)."""
        return Town.objects.in_region(self)


class TownQuerySet(models.QuerySet):
    def in_region(self, region):
        """Towns of a district/county, or of every district of a city (region or its id)."""
        region_id = getattr(region, "pk", region)
        return self.filter(Q(district_id=region_id) | Q(district__city_id=region_id))


class Town(models.Model):
    """A town or subdistrict (镇/街道), the level whose staff run the estates."""

    class Kind(models.TextChoices):
        TOWN = "town", _("town")
        SUBDISTRICT = "subdistrict", _("subdistrict")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TOWN)
    district = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="towns_of_district",
        limit_choices_to=~Q(kind="city"),
        verbose_name=_("district or county"),
    )
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by load_demo, not from a report.")
    )

    objects = TownQuerySet.as_manager()

    class Meta:
        verbose_name = _("town")
        verbose_name_plural = _("towns")
        ordering = ["name"]
        constraints = [
            # regions.md: a town's name is unique within its district.
            models.UniqueConstraint(
                fields=["district", "name"],
                nulls_distinct=False,
                name="town_unique_name_in_district",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.district_id and self.district.kind == Region.Kind.CITY:
            raise ValidationError({"district": _("A town lies in a district or county.")})


class Community(models.Model):
    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="communities", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=50)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by load_demo, not from a report.")
    )

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["town__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="community_unique_name_in_town")
        ]

    def __str__(self):
        return self.name


class EstateQuerySet(models.QuerySet):
    def for_town(self, town):
        return self.filter(community__town=town)

    def delivered_on(self, on: datetime.date):
        """Estates delivered (handed over to residents) on or before `on`."""
        return self.filter(status=Estate.Status.DELIVERED, delivery_date__lte=on)

    def annotate_three_without(self, on: datetime.date):
        """Annotate `is_three_without` (a delivered estate with no property company, no owners'
        committee and no supervising unit on `on`), derived from the contract and committee
        records. Estates not yet delivered on `on` have nobody to govern and never count."""
        contract = ServiceContract.objects.filter(estate=OuterRef("pk")).filter(active_on_q(on))
        committee = OwnersCommittee.objects.filter(estate=OuterRef("pk")).filter(
            active_on_q(on, "established_on", "dissolved_on")
        )
        return self.annotate(
            has_company=Exists(contract),
            has_committee=Exists(committee),
        ).annotate(
            is_three_without=models.Case(
                models.When(
                    Q(
                        has_company=False,
                        has_committee=False,
                        supervising_unit="",
                        status=Estate.Status.DELIVERED,
                        delivery_date__lte=on,
                    ),
                    then=True,
                ),
                default=False,
                output_field=models.BooleanField(),
            )
        )

    def three_without(self, on: datetime.date):
        return self.annotate_three_without(on).filter(is_three_without=True)


class Estate(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("estate status", "planned")
        UNDER_CONSTRUCTION = "under_construction", _("under construction")
        DELIVERED = "delivered", _("delivered")

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="estates", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DELIVERED
    )
    delivery_date = models.DateField(
        _("delivery date"),
        null=True,
        blank=True,
        help_text=_(
            "Date the estate was handed over; for estates not yet delivered, the expected date."
        ),
    )
    planned_households = models.PositiveIntegerField(_("planned households"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    supervising_unit = models.CharField(
        _("supervising unit"),
        max_length=100,
        blank=True,
        help_text=_("Body that supervises the estate where no company or committee does."),
    )
    is_old_estate = models.BooleanField(_("old estate"), default=False)
    management_form = models.CharField(
        _("management"),
        max_length=12,
        choices=[
            ("company", _("by a property company")),
            ("custodial", _("custodial (托管)")),
            ("self_managed", _("self-managed")),
            ("none", _("none")),
        ],
        default="company",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = EstateQuerySet.as_manager()

    class Meta:
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        ordering = ["community__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "name"], name="estate_unique_name_in_community"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.status == self.Status.DELIVERED and not self.delivery_date:
            raise ValidationError(
                {"delivery_date": _("A delivered estate needs its delivery date.")}
            )
        if self.community_id and self.name:
            clash = Estate.objects.filter(
                community__town_id=self.community.town_id, name=self.name
            ).exclude(pk=self.pk)
            if clash.exists():
                raise ValidationError({"name": _("The town already has an estate with this name.")})

    def is_three_without(self, on: datetime.date | None = None) -> bool:
        on = on or datetime.date.today()
        return Estate.objects.three_without(on).filter(pk=self.pk).exists()


class Building(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("e.g. 3栋"))
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["estate__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "name"], name="building_unique_name_in_estate"
            )
        ]

    def __str__(self):
        return f"{self.estate.name} {self.name}"


class Household(models.Model):
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    room = models.CharField(_("room number"), max_length=20)
    # owners.md: the exclusive floor area from the property register, the weight of its vote.
    floor_area = models.DecimalField(
        _("floor area (m²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    owner = models.ForeignKey(
        "communities.Owner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("owner"),
    )
    delivered = models.BooleanField(
        _("sold and delivered"),
        default=True,
        help_text=_("Off for a unit the developer has not sold or not delivered."),
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["building__estate__name", "building__name", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "room"], name="household_unique_room")
        ]

    def __str__(self):
        return f"{self.building} {self.room}"

    @property
    def estate(self):
        return self.building.estate


class EstateHouseholds(models.Model):
    """An estate's registered households, kept so that figures over a whole city (cases per
    1,000 households, problem estates) read one row per estate instead of counting millions of
    households. Good for `as_of` only: refreshed after every household or building write that
    can change it (communities.signals, after commit), after spreadsheet imports, and for every
    estate each night (`manage.py refresh_estate_households`, the Celery task of the same name).
    Readers use a row only when it is of today and count the estate from the records otherwise
    (communities.selectors.households_per_estate)."""

    estate = models.OneToOneField(
        Estate,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="household_count",
        verbose_name=_("estate"),
    )
    as_of = models.DateField(_("as of"))
    households = models.PositiveIntegerField(_("registered households"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("estate household count")
        verbose_name_plural = _("estate household counts")

    def __str__(self):
        return f"{self.estate_id}: {self.households} @ {self.as_of}"


class PropertyCompany(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, GB 32100-2015; optional."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("property company")
        verbose_name_plural = _("property companies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="company_unique_credit_code_when_present",
            )
        ]

    def __str__(self):
        return self.name


class ServiceContractQuerySet(models.QuerySet):
    def active_on(self, on: datetime.date):
        return self.filter(active_on_q(on))

    def overlapping(self, *, estate_id, valid_from, valid_to, exclude_pk=None):
        """Contracts of the estate whose period meets [valid_from, valid_to] (open end when None)."""
        qs = self.filter(estate_id=estate_id).exclude(pk=exclude_pk)
        qs = qs.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            qs = qs.filter(valid_from__lte=valid_to)
        return qs


class ServiceContract(models.Model):
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("estate")
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("property company"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    # owners.md "Open accounts": the contract kind; trust-based service names a supervisor.
    kind = models.CharField(
        _("contract kind"),
        max_length=12,
        choices=[
            ("lump_sum", _("lump-sum (包干制)")),
            ("commission", _("commission (酬金制)")),
            ("trust", _("trust-based (信托制)")),
        ],
        default="lump_sum",
    )
    supervisor = models.CharField(
        _("supervisor"),
        max_length=100,
        blank=True,
        help_text=_("Trust-based service: the supervisor (监察人) of the accounts."),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = ServiceContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("service contract")
        verbose_name_plural = _("service contracts")
        ordering = ["estate__name", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="contract_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["estate", "valid_from"])]  # overlap checks, active_on

    def __str__(self):
        return f"{self.estate} - {self.company}"

    def clean(self):
        self.clean_supervisor()
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The contract cannot end before it starts.")})
        if self.estate_id and self.valid_from:
            clash = (
                ServiceContract.objects.overlapping(
                    estate_id=self.estate_id,
                    valid_from=self.valid_from,
                    valid_to=self.valid_to,
                    exclude_pk=self.pk,
                )
                .select_related("company")
                .first()
            )
            if clash:
                raise ValidationError(
                    _(
                        "This contract overlaps the contract of %(company)s from %(start)s to %(end)s."
                    )
                    % {
                        "company": clash.company.name,
                        "start": clash.valid_from,
                        "end": clash.valid_to or _("open end"),
                    }
                )

    def clean_supervisor(self):
        if self.kind == "trust" and not self.supervisor.strip():
            raise ValidationError({"supervisor": _("A trust-based contract names its supervisor.")})

    def covers(self, start: datetime.date, end: datetime.date) -> bool:
        """True when the contract covers at least one day of [start, end]."""
        return self.valid_from <= end and (self.valid_to is None or self.valid_to >= start)


class OwnersCommittee(models.Model):
    class Kind(models.TextChoices):
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        SELF_MANAGEMENT = "self_management", _("self-management committee")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="owners_committees", verbose_name=_("estate")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    established_on = models.DateField(_("established on"))
    term_ends_on = models.DateField(_("term ends on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")
        ordering = ["estate__name", "-established_on"]

    def __str__(self):
        return f"{self.estate} {self.get_kind_display()}"


class OwnersCommitteeMember(models.Model):
    committee = models.ForeignKey(
        OwnersCommittee,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("committee"),
    )
    name = models.CharField(_("name"), max_length=50)
    position = models.CharField(_("position"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # owners.md: party members on committees feed the "committees with a party member" figure.
    is_party_member = models.BooleanField(_("party member"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("account"),
        help_text=_(
            "The member's portal account (a verified owner of the estate): they see the "
            "committee's work in the portal."
        ),
    )

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")

    def __str__(self):
        return self.name

    def clean(self):
        if self.user_id and self.committee_id:
            owns_here = (
                ResidentVerification.objects.current()
                .filter(
                    user_id=self.user_id,
                    relation=ResidentVerification.Relation.OWNER,
                    household__building__estate_id=self.committee.estate_id,
                )
                .exists()
            )
            if not owns_here:
                raise ValidationError(
                    {"user": _("The account must be a verified owner of the committee's estate.")}
                )


class User(AbstractUser):
    class Role(models.TextChoices):
        TOWNSHIP_STAFF = "township_staff", _("township staff")
        COMMUNITY_STAFF = "community_staff", _("community staff")
        ASSESSOR = "assessor", _("assessor")
        PROPERTY_MANAGER = "property_manager", _("property manager")
        RESIDENT = "resident", _("resident")
        DEPARTMENT_STAFF = "department_staff", _("department staff")
        # regions.md: read everything below their region, change no town's own records.
        DISTRICT_STAFF = "district_staff", _("district staff")
        CITY_STAFF = "city_staff", _("city staff")

    class AssessorKind(models.TextChoices):
        HOUSING_OFFICE = "housing_office", _("housing administration office")
        EXPERT_PANEL = "expert_panel", _("expert panel member")
        GOVERNANCE_OFFICE = "governance_office", _("township governance office")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("town"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("community"),
        help_text=_("For community staff: the community they work for."),
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="managers",
        verbose_name=_("property company"),
        help_text=_("For property managers."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("region"),
        help_text=_("For district and city staff: the district or city they work for."),
    )
    assessor_kind = models.CharField(
        _("assessor kind"), max_length=20, choices=AssessorKind.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    # Denormalised from RoleGrant (kept by its save/delete): whether the user holds grants beside
    # the primary one, so that reading a single-role user's roles costs no query.
    has_extra_grants = models.BooleanField(default=False, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def clean(self):
        super().clean()
        # The account's own role is its primary grant: the same rules hold.
        RoleGrant(
            role=self.role,
            town_id=self.town_id,
            community_id=self.community_id,
            company_id=self.company_id,
            region_id=self.region_id,
        ).clean()

    def save(self, *args, **kwargs):
        # The town follows the community so scoping by town never misses community staff.
        if self.community_id and not self.town_id:
            self.town_id = Community.objects.values_list("town_id", flat=True).get(
                pk=self.community_id
            )
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if update_fields is None or set(update_fields) & PRIMARY_GRANT_FIELDS:
            RoleGrant.sync_primary(self, created_by=getattr(self, "_granted_by", None))
        self.__dict__.pop("_role_grants", None)
        self.__dict__.pop("_region_town_ids", None)

    def __str__(self):
        return self.display_name or self.username

    # Delegates to communities.roles: a user may hold several grants.
    def _holds(self, *roles) -> bool:
        from . import roles as role_grants

        return role_grants.holds(self, *roles)

    @property
    def is_township_staff(self) -> bool:
        return self.is_superuser or self._holds(self.Role.TOWNSHIP_STAFF)

    @property
    def is_community_staff(self) -> bool:
        return self._holds(self.Role.COMMUNITY_STAFF)

    @property
    def is_assessor(self) -> bool:
        return self._holds(self.Role.ASSESSOR)

    @property
    def is_expert_panel(self) -> bool:
        return self.is_assessor and self.assessor_kind == self.AssessorKind.EXPERT_PANEL

    @property
    def is_property_manager(self) -> bool:
        return self._holds(self.Role.PROPERTY_MANAGER)

    @property
    def is_resident(self) -> bool:
        return self._holds(self.Role.RESIDENT)

    @property
    def verified_household(self) -> "Household | None":
        """The household this resident is currently verified to, or None (cached per instance)."""
        if not hasattr(self, "_verified_household"):
            # The household they live in; a landlord living elsewhere: the first one owned.
            verification = (
                ResidentVerification.objects.current()
                .filter(user=self)
                .select_related("household__building__estate__community")
                .order_by("-resides", "requested_at")
                .first()
            )
            self._verified_household = verification.household if verification else None
        return self._verified_household

    @property
    def verified_estate(self) -> "Estate | None":
        household = self.verified_household
        return household.building.estate if household else None


def certificate_upload_to(instance, filename: str) -> str:
    from governance.uploads import generated_upload_path

    return generated_upload_path("communities/certificates", filename)


PRIMARY_GRANT_FIELDS = {
    "role",
    "town",
    "town_id",
    "community",
    "community_id",
    "company",
    "company_id",
    "region",
    "region_id",
}


class RoleGrant(models.Model):
    """A role held by a user, with its scope (domain.md: "roles are granted, not one field").

    The grant marked primary mirrors the user's own role/town/community/company fields and is
    kept in sync when the user is saved; further grants (a department employee who owns a flat,
    a resident who is also a grid worker) are added on the user's admin page. A property
    manager's grant names the town whose staff granted it: the manager reads that town's data
    only. A manager grant without a town can be made by a superuser alone and covers every town
    the company serves."""

    Role = User.Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="grants",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices)
    town = models.ForeignKey(
        Town,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("town"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("community"),
    )
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grants",
        verbose_name=_("property company"),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    is_primary = models.BooleanField(_("primary"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    created_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role grant")
        verbose_name_plural = _("role grants")
        ordering = ["-is_primary", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_primary=True), name="one_primary_grant_per_user"
            ),
            models.UniqueConstraint(
                fields=["user", "role", "town", "community", "company", "region"],
                nulls_distinct=False,
                name="role_grant_unique",
            ),
        ]

    def __str__(self):
        scope = self.community or self.company or self.town or self.region
        return f"{self.get_role_display()} {scope or ''}".strip()

    def save(self, *args, **kwargs):
        if self.community_id and not self.town_id:
            self.town_id = Community.objects.values_list("town_id", flat=True).get(
                pk=self.community_id
            )
        super().save(*args, **kwargs)
        if not self.is_primary:
            RoleGrant.note_extra_grants(self.user_id)

    def clean(self):
        errors = {}
        if self.role == self.Role.COMMUNITY_STAFF and not self.community_id:
            errors["community"] = _("Community staff must be assigned a community.")
        if self.role == self.Role.PROPERTY_MANAGER and not self.company_id:
            errors["company"] = _("A property manager must be linked to a company.")
        if self.role in (self.Role.TOWNSHIP_STAFF, self.Role.ASSESSOR) and not self.town_id:
            errors["town"] = _("Township staff and assessors must be assigned a town.")
        if self.role == self.Role.DEPARTMENT_STAFF and not self.town_id:
            errors["town"] = _("Department staff must be assigned a town.")
        if self.role == self.Role.DISTRICT_STAFF and (
            not self.region_id or self.region.kind == Region.Kind.CITY
        ):
            errors["region"] = _("District staff must be assigned a district or county.")
        if self.role == self.Role.CITY_STAFF and (
            not self.region_id or self.region.kind != Region.Kind.CITY
        ):
            errors["region"] = _("City staff must be assigned a city.")
        regional = (self.Role.DISTRICT_STAFF, self.Role.CITY_STAFF)
        if self.region_id and self.role not in regional:
            errors["region"] = _("Only district and city staff are assigned a region.")
        if self.role in regional and (self.town_id or self.community_id or self.company_id):
            errors["region"] = _("District and city staff are scoped to their region only.")
        if self.community_id and self.town_id and self.community.town_id != self.town_id:
            errors["community"] = _("The community is not in the user's town.")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def scope_of(user) -> dict:
        """The grant fields the user's own (primary) fields describe."""
        role = user.role
        return {
            "role": role,
            "town_id": user.town_id,
            "community_id": user.community_id if role == User.Role.COMMUNITY_STAFF else None,
            "company_id": user.company_id if role == User.Role.PROPERTY_MANAGER else None,
            "region_id": user.region_id
            if role in (User.Role.DISTRICT_STAFF, User.Role.CITY_STAFF)
            else None,
        }

    @classmethod
    def sync_primary(cls, user, *, created_by=None) -> None:
        """Make the user's primary grant match their role fields (none when no role)."""
        if not user.role:
            cls.objects.filter(user=user, is_primary=True).delete()
            return
        scope = cls.scope_of(user)
        current = cls.objects.filter(user=user, is_primary=True).first()
        if current is not None:
            if all(getattr(current, k) == v for k, v in scope.items()):
                return
            for key, value in scope.items():
                setattr(current, key, value)
            current.created_by = created_by or current.created_by
            current.save()
            return
        # A further grant with the same scope becomes the primary one rather than a duplicate.
        same = cls.objects.filter(user=user, is_primary=False, **scope).first()
        if same is not None:
            same.is_primary = True
            same.save()
            cls.note_extra_grants(user.pk)
            return
        cls.objects.create(user=user, is_primary=True, created_by=created_by, **scope)

    @classmethod
    def note_extra_grants(cls, user_id) -> None:
        extra = cls.objects.filter(user_id=user_id, is_primary=False).exists()
        User.objects.filter(pk=user_id).exclude(has_extra_grants=extra).update(
            has_extra_grants=extra
        )


class ResidentVerificationQuerySet(models.QuerySet):
    def current(self):
        """Approved verifications of residents who have not moved out."""
        return self.filter(status=ResidentVerification.Status.APPROVED, moved_out_on__isnull=True)

    def for_community(self, community):
        return self.filter(household__building__estate__community=community)


class ResidentVerification(models.Model):
    """A resident's request to be verified to a household, and its decision (who, when, why)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="verifications",
        verbose_name=_("resident"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="verifications",
        verbose_name=_("household"),
    )

    class Relation(models.TextChoices):
        OWNER = "owner", _("owner or co-owner")
        TENANT = "tenant", _("tenant")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    relation = models.CharField(
        _("relation to the household"),
        max_length=10,
        choices=Relation.choices,
        default=Relation.TENANT,
    )
    certificate = models.FileField(
        _("property certificate"),
        upload_to=certificate_upload_to,
        max_length=200,
        blank=True,
        help_text=_("Evidence of ownership (image or PDF), seen by community staff only."),
    )
    resident_name = models.CharField(_("name"), max_length=50)
    note = models.CharField(_("note from the resident"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    resides = models.BooleanField(
        _("lives here"),
        default=True,
        help_text=_(
            "A resident lives in one household at a time; an owner may own further households "
            "(a landlord) without living there."
        ),
    )
    history = HistoricalRecords()

    objects = ResidentVerificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident verification")
        verbose_name_plural = _("resident verifications")
        ordering = ["-requested_at"]
        constraints = [
            # A resident lives in one household at a time; an owner may own several (owners.md).
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="approved", moved_out_on__isnull=True, resides=True),
                name="one_current_residence_per_resident",
            ),
            models.UniqueConstraint(
                fields=["user", "household"],
                condition=Q(status="approved", moved_out_on__isnull=True),
                name="one_current_verification_per_household",
            ),
            # Only an owner holds a household without living there; a tenant lives in it.
            models.CheckConstraint(
                condition=Q(relation="owner") | Q(resides=True),
                name="verification_tenant_resides",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_request_per_resident",
            ),
        ]

    def __str__(self):
        return f"{self.resident_name} @ {self.household}"


from .accounts import *  # noqa: E402, F401, F403  open accounts (owners.md)
from .departments import Department  # noqa: E402, F401  (registered under the communities label)
from .owners import *  # noqa: E402, F401, F403  owners, registers (owners.md)


@receiver(post_delete, sender=RoleGrant)
def _grant_deleted(sender, instance, **kwargs):
    if not instance.is_primary:
        RoleGrant.note_extra_grants(instance.user_id)


from .bulletins.models import Bulletin  # noqa: E402, F401  bulletins (regions.md)
