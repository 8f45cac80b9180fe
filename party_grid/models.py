"""The party-building grid: the organisation tree, party members, governance grids and their
workers, household contacts and visits, volunteer teams and party-mass service stations.

Every organisation, membership and assignment is dated (established / dissolved, from / to) so
the statistics can be taken on any past date (party_grid.md: "on any date, from the records").
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from communities.models import Building, Community, Estate, Household, active_on_q


def _ends_after_start(start: str, end: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": F(start)}), name=name
    )


class DatedQuerySet(models.QuerySet):
    """Rows whose date range contains a day; subclasses name their start and end fields."""

    start_field = "established_on"
    end_field = "dissolved_on"

    def active_on(self, on: datetime.date):
        return self.filter(active_on_q(on, self.start_field, self.end_field))


class PartyOrganizationQuerySet(DatedQuerySet):
    def branches(self):
        return self.filter(level=PartyOrganization.Level.ESTATE_BRANCH)


class PartyOrganization(models.Model):
    """One node of the tree: community committee > estate branch > (building group >)
    household-contact group / central household."""

    class Level(models.TextChoices):
        COMMUNITY_COMMITTEE = "community_committee", _("community party committee")
        ESTATE_BRANCH = "estate_branch", _("estate party branch")
        BUILDING_GROUP = "building_group", _("building party group")
        HOUSEHOLD_GROUP = "household_group", _("household-contact party group")
        CENTRAL_HOUSEHOLD = "central_household", _("party-member central household")

    class BuildType(models.TextChoices):
        SINGLE = "single", _("single-built")
        JOINT = "joint", _("joint-built")

    # Which levels may sit directly under which (the tree's shape; checked in clean()).
    ALLOWED_PARENTS = {
        Level.COMMUNITY_COMMITTEE: (),
        Level.ESTATE_BRANCH: (Level.COMMUNITY_COMMITTEE,),
        Level.BUILDING_GROUP: (Level.ESTATE_BRANCH,),
        Level.HOUSEHOLD_GROUP: (Level.ESTATE_BRANCH, Level.BUILDING_GROUP),
        Level.CENTRAL_HOUSEHOLD: (Level.BUILDING_GROUP, Level.HOUSEHOLD_GROUP),
    }

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="party_organizations",
        verbose_name=_("community"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent organisation"),
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    name = models.CharField(_("name"), max_length=100)
    build_type = models.CharField(
        _("single- or joint-built"),
        max_length=10,
        choices=BuildType.choices,
        blank=True,
        help_text=_("Estate branches only: one estate (single-built) or several (joint-built)."),
    )
    estates = models.ManyToManyField(
        Estate,
        blank=True,
        related_name="party_branches",
        verbose_name=_("estates"),
        help_text=_("Estate branches only: the estates the branch serves."),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_groups",
        verbose_name=_("building"),
        help_text=_("Building groups: the building they serve."),
    )
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demo data"), default=False, help_text=_("Created by load_demo, not from a report.")
    )
    history = HistoricalRecords()

    objects = PartyOrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party organisation")
        verbose_name_plural = _("party organisations")
        ordering = ["community__name", "level", "name"]
        constraints = [
            _ends_after_start("established_on", "dissolved_on", "party_org_dissolved_after_start"),
            # Only estate branches are single- or joint-built, and every branch is one of them.
            models.CheckConstraint(
                condition=(Q(level="estate_branch") & ~Q(build_type=""))
                | (~Q(level="estate_branch") & Q(build_type="")),
                name="party_org_build_type_only_for_branches",
            ),
            models.UniqueConstraint(
                fields=["community", "parent", "name"], name="party_org_unique_name_under_parent"
            ),
        ]
        indexes = [
            # statistics: active branches by level on a date
            models.Index(fields=["level", "established_on"]),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        allowed = self.ALLOWED_PARENTS.get(self.level, ())
        if self.level == self.Level.COMMUNITY_COMMITTEE and self.parent_id:
            errors["parent"] = _("A community committee sits at the top of the tree.")
        elif self.level and self.level != self.Level.COMMUNITY_COMMITTEE:
            if not self.parent_id:
                errors["parent"] = _("This organisation needs a parent organisation.")
            elif self.parent.level not in allowed:
                errors["parent"] = _("A %(level)s cannot sit under a %(parent)s.") % {
                    "level": self.get_level_display(),
                    "parent": self.parent.get_level_display(),
                }
            elif self.community_id and self.parent.community_id != self.community_id:
                errors["parent"] = _("The parent organisation belongs to another community.")
        if self.parent_id and self.pk:
            node, seen = self.parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == self.pk:
                    errors["parent"] = _("An organisation cannot sit under itself.")
                    break
                seen.add(node.pk)
                node = node.parent
        if self.level == self.Level.ESTATE_BRANCH and not self.build_type:
            errors["build_type"] = _("Say whether the branch is single-built or joint-built.")
        if self.level != self.Level.ESTATE_BRANCH and self.build_type:
            errors["build_type"] = _("Only estate branches are single- or joint-built.")
        if self.dissolved_on and self.established_on and self.dissolved_on < self.established_on:
            errors["dissolved_on"] = _(
                "An organisation cannot be dissolved before it is established."
            )
        if errors:
            raise ValidationError(errors)

    def clean_estates(self, estates) -> None:
        """The rule on a branch's estates (an M2M, so checked by forms and services, not the DB):
        single-built serves exactly one estate, joint-built two or more, all in its community."""
        estates = list(estates)
        if self.level != self.Level.ESTATE_BRANCH:
            if estates:
                raise ValidationError({"estates": _("Only estate branches serve estates.")})
            return
        if self.build_type == self.BuildType.SINGLE and len(estates) != 1:
            raise ValidationError(
                {"estates": _("A single-built branch serves exactly one estate.")}
            )
        if self.build_type == self.BuildType.JOINT and len(estates) < 2:
            raise ValidationError(
                {"estates": _("A joint-built branch serves two or more estates.")}
            )
        if any(estate.community_id != self.community_id for estate in estates):
            raise ValidationError({"estates": _("Every estate must be in the branch's community.")})

    def is_active_on(self, on: datetime.date) -> bool:
        return self.established_on <= on and (self.dissolved_on is None or self.dissolved_on >= on)


class PartyMemberQuerySet(DatedQuerySet):
    start_field = "joined_on"
    end_field = "left_on"


class PartyMember(models.Model):
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("party organisation"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, help_text=_("Personal data: shown masked in lists.")
    )
    is_registered_in_service = models.BooleanField(
        _("registered in-service member"),
        default=False,
        help_text=_("Works elsewhere and registered to serve where they live."),
    )
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    is_building_head = models.BooleanField(_("building head"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_member",
        verbose_name=_("portal account"),
        help_text=_("Lets the member log household visits in the portal."),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = PartyMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["organization__name", "name"]
        constraints = [
            _ends_after_start("joined_on", "left_on", "party_member_left_after_joining"),
            models.CheckConstraint(
                condition=Q(is_registered_in_service=False) | ~Q(employer=""),
                name="party_member_in_service_has_employer",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.is_registered_in_service and not self.employer:
            raise ValidationError(
                {"employer": _("A registered in-service member needs an employer.")}
            )
        if self.left_on and self.joined_on and self.left_on < self.joined_on:
            raise ValidationError({"left_on": _("A member cannot leave before joining.")})


class Grid(models.Model):
    """A governance grid cell: buildings of one or more estates of a community."""

    community = models.ForeignKey(
        Community, on_delete=models.PROTECT, related_name="grids", verbose_name=_("community")
    )
    name = models.CharField(_("name"), max_length=100)
    buildings = models.ManyToManyField(
        Building, blank=True, related_name="grids", verbose_name=_("buildings")
    )
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid")
        verbose_name_plural = _("grids")
        ordering = ["community__name", "name"]
        constraints = [
            _ends_after_start("established_on", "dissolved_on", "grid_dissolved_after_start"),
            models.UniqueConstraint(fields=["community", "name"], name="grid_unique_name"),
        ]

    def __str__(self):
        return self.name


class GridWorkerQuerySet(DatedQuerySet):
    start_field = "started_on"
    end_field = "ended_on"


class GridWorker(models.Model):
    """A grid's worker; when `member` is set, a party member serving as a (usually part-time)
    grid worker: Xinxing's dual-grid fusion."""

    grid = models.ForeignKey(
        Grid, on_delete=models.PROTECT, related_name="workers", verbose_name=_("grid")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="grid_roles",
        verbose_name=_("party member"),
        help_text=_("Set for dual-grid fusion."),
    )
    is_part_time = models.BooleanField(_("part-time"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_worker",
        verbose_name=_("portal account"),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = GridWorkerQuerySet.as_manager()

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        ordering = ["grid__name", "name"]
        constraints = [
            _ends_after_start("started_on", "ended_on", "grid_worker_ends_after_start"),
            models.UniqueConstraint(
                fields=["grid", "member"],
                condition=Q(member__isnull=False),
                name="grid_worker_member_once_per_grid",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": _("A grid worker cannot end before starting.")})
        if (
            self.member_id
            and self.grid_id
            and self.member.organization.community_id != self.grid.community_id
        ):
            raise ValidationError({"member": _("The member belongs to another community.")})


class HouseholdAssignmentQuerySet(DatedQuerySet):
    start_field = "valid_from"
    end_field = "valid_to"


class HouseholdAssignment(models.Model):
    """Household contact: a member is responsible for contacting a household over a period."""

    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        related_name="assignments",
        verbose_name=_("party member"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="party_assignments",
        verbose_name=_("household"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = HouseholdAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("household assignment")
        verbose_name_plural = _("household assignments")
        ordering = ["member__name", "household_id"]
        constraints = [
            _ends_after_start("valid_from", "valid_to", "assignment_ends_after_start"),
            # One assignment of a member to a household per start date (imports stay idempotent).
            models.UniqueConstraint(
                fields=["member", "household", "valid_from"], name="assignment_unique_start"
            ),
        ]
        indexes = [
            # statistics: households in contact on a date
            models.Index(fields=["valid_from", "valid_to"]),
        ]

    def __str__(self):
        return f"{self.member} → {self.household}"

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("An assignment cannot end before it starts.")})
        if self.member_id and self.household_id and self.valid_from:
            overlapping = (
                HouseholdAssignment.objects.filter(
                    member_id=self.member_id, household_id=self.household_id
                )
                .exclude(pk=self.pk)
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
            )
            if self.valid_to:
                overlapping = overlapping.filter(valid_from__lte=self.valid_to)
            if overlapping.exists():
                raise ValidationError(
                    _("The member is already assigned to this household in that period.")
                )


class Visit(models.Model):
    """One household visit by a member or grid worker, and any problem the household raised."""

    class Channel(models.TextChoices):
        DOOR = "door", _("door-to-door")
        PHONE = "phone", _("phone call")
        WECHAT = "wechat", _("WeChat")
        MEETING = "meeting", _("meeting or event")
        OTHER = "other", _("other")

    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("party member"),
    )
    grid_worker = models.ForeignKey(
        GridWorker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("grid worker"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="party_visits",
        verbose_name=_("household"),
    )
    visited_on = models.DateField(_("visited on"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    problem = models.TextField(
        _("problem raised"),
        max_length=2000,
        blank=True,
        help_text=_("A problem the household raised; staff can turn it into a proposal."),
    )
    proposal_ref = models.PositiveBigIntegerField(
        _("proposal"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The deliberation proposal made from the problem."),
    )
    problem_converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("problem converted by"),
        editable=False,
    )
    problem_converted_at = models.DateTimeField(
        _("problem converted at"), null=True, blank=True, editable=False
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False) | Q(grid_worker__isnull=False),
                name="visit_by_member_or_grid_worker",
            ),
        ]
        indexes = [
            # statistics: households visited in a period; visits per month
            models.Index(fields=["visited_on"]),
        ]

    def __str__(self):
        return f"{self.household} {self.visited_on}"

    @property
    def visitor(self):
        return self.member or self.grid_worker


class VolunteerTeam(models.Model):
    class Kind(models.TextChoices):
        PARTY_MASS = "party_mass", _("party-mass volunteer team")
        BUILDING = "building", _("building team")
        REPRESENTATIVE = "representative", _("building representative team")
        LANE_STEWARDS = "lane_stewards", _("lane stewards")

    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
        verbose_name=_("community"),
    )
    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_teams",
        verbose_name=_("estate"),
        help_text=_("Empty for a community-wide team."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    established_on = models.DateField(_("established on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = DatedQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["community__name", "kind", "name"]
        constraints = [
            _ends_after_start("established_on", "dissolved_on", "team_dissolved_after_start"),
            models.UniqueConstraint(fields=["community", "name"], name="team_unique_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.estate_id and self.community_id and self.estate.community_id != self.community_id:
            raise ValidationError({"estate": _("The estate is in another community.")})


class VolunteerTeamMember(models.Model):
    team = models.ForeignKey(
        VolunteerTeam, on_delete=models.CASCADE, related_name="members", verbose_name=_("team")
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    party_member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer_teams",
        verbose_name=_("party member"),
    )
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team__name", "name"]
        constraints = [
            _ends_after_start("joined_on", "left_on", "volunteer_left_after_joining"),
        ]

    def __str__(self):
        return self.name


class ServiceStationQuerySet(DatedQuerySet):
    start_field = "opened_on"
    end_field = "closed_on"


class ServiceStation(models.Model):
    """A party-mass service station (党群服务站) in an estate."""

    estate = models.ForeignKey(
        Estate,
        on_delete=models.PROTECT,
        related_name="party_service_stations",
        verbose_name=_("estate"),
    )
    name = models.CharField(_("name"), max_length=100)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = ServiceStationQuerySet.as_manager()

    class Meta:
        verbose_name = _("party-mass service station")
        verbose_name_plural = _("party-mass service stations")
        ordering = ["estate__name", "name"]
        constraints = [
            _ends_after_start("opened_on", "closed_on", "station_closed_after_opening"),
            models.UniqueConstraint(fields=["estate", "name"], name="station_unique_name"),
        ]

    def __str__(self):
        return self.name


class BuildingHeadQuerySet(DatedQuerySet):
    start_field = "started_on"
    end_field = "ended_on"


class BuildingHead(models.Model):
    """A building head (楼栋长) of one building, party member or not (regions.md: Labao's 1,522
    building heads are mostly residents outside the party). The name is personal data: the
    public sees only counts, staff see it masked outside their scope."""

    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        related_name="heads",
        verbose_name=_("building"),
    )
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    member = models.ForeignKey(
        PartyMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="headed_buildings",
        verbose_name=_("party member"),
        help_text=_("When the head is a party member: counted once with the member's flag."),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    history = HistoricalRecords()

    objects = BuildingHeadQuerySet.as_manager()

    class Meta:
        verbose_name = _("building head")
        verbose_name_plural = _("building heads")
        ordering = ["building__estate__name", "building__name", "started_on"]
        constraints = [
            _ends_after_start("started_on", "ended_on", "building_head_ended_after_start"),
        ]
        indexes = [
            # party_grid.selectors: building heads of an area on a day.
            models.Index(fields=["building", "started_on"], name="building_head_building_day"),
        ]

    def __str__(self):
        return self.name


class EstateFigures(models.Model):
    """Today's party figures of one estate, kept so that the figures of a whole city are a sum
    over one row per estate instead of a pass over its millions of households.

    Only counts that add up exactly across estates are kept (a household is in one estate);
    distinct people (volunteers, building heads) stay counted from the records over the area.
    A row is good for `as_of` only: it is refreshed after every write that can change it
    (party_grid.services.refresh_estates, from signals) and rebuilt for every estate each night
    (`manage.py refresh_estate_figures`, the Celery task of the same name). The statistics read
    a row only when asking about today and the row is of today; otherwise they count that
    estate from the records."""

    estate = models.OneToOneField(
        Estate,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="party_figures",
        verbose_name=_("estate"),
    )
    as_of = models.DateField(_("as of"))
    households_in_contact = models.PositiveIntegerField(_("households in contact"), default=0)
    refreshed_at = models.DateTimeField(_("refreshed at"), auto_now=True)

    class Meta:
        verbose_name = _("estate figures")
        verbose_name_plural = _("estate figures")

    def __str__(self):
        return f"{self.estate_id} @ {self.as_of}"
