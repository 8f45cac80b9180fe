"""Round-table councils (融和圆桌议事会), resident proposals, sessions and votes, follow-up and the
three-level escalation (estate -> community -> town joint meeting).

Nothing here is deleted: proposals move through states recorded in ProposalTransition
(see deliberation/services.py for the one table of allowed moves).
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Building, Estate, Household, Town

from .uploads import attachment_upload_to


def validate_single_line(value: str) -> None:
    """Titles are one line: a line break would end up in e-mail subjects and headers."""
    if value and any(ch in value for ch in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"):
        raise ValidationError(_("Write the title on one line."), code="multiline")


class Council(models.Model):
    """One council per estate; its rules are editable (deliberation.md: Council)."""

    estate = models.OneToOneField(
        Estate, on_delete=models.PROTECT, related_name="council", verbose_name=_("estate")
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils_as_secretary",
        verbose_name=_("secretary"),
        help_text=_("May accept or reject proposals, run sessions and enter paper votes."),
    )
    # Rules as exact fractions (no float): quorum and special majority are reached AT the
    # fraction ("三分之二以上" includes the figure itself, Civil Code art. 1259); the ordinary
    # majority must be exceeded ("过半数").
    quorum_numerator = models.PositiveSmallIntegerField(_("quorum numerator"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("quorum denominator"), default=3)
    majority_numerator = models.PositiveSmallIntegerField(
        _("ordinary majority numerator"), default=1
    )
    majority_denominator = models.PositiveSmallIntegerField(
        _("ordinary majority denominator"), default=2
    )
    special_numerator = models.PositiveSmallIntegerField(_("special majority numerator"), default=2)
    special_denominator = models.PositiveSmallIntegerField(
        _("special majority denominator"), default=3
    )
    supports_needed = models.PositiveSmallIntegerField(
        _("supports needed"),
        default=5,
        help_text=_("Distinct supporting households that put a proposal on the agenda by itself."),
    )
    publishes_resolutions = models.BooleanField(
        _("publishes resolutions"),
        default=False,
        help_text=_(
            "Show this council's resolutions to everyone, not only to the estate's residents."
        ),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")
        ordering = ["estate__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & Q(quorum_denominator__gt=0)
                & Q(majority_denominator__gt=0)
                & Q(special_denominator__gt=0)
                & Q(majority_numerator__lte=models.F("majority_denominator"))
                & Q(special_numerator__lte=models.F("special_denominator")),
                name="council_rules_are_fractions",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.estate.name}融和圆桌议事会"

    @property
    def established(self) -> bool:
        """Established once "set the rules" (立规则) is done (deliberation.md)."""
        return any(step.step == CouncilStep.Step.RULES for step in self.steps.all())

    def has_quorum(self, *, present: int, members: int) -> bool:
        return members > 0 and present * self.quorum_denominator >= self.quorum_numerator * members

    def passes(self, *, votes_for: int, votes_cast: int, important: bool) -> bool:
        """Abstentions are cast votes; no votes cast never passes."""
        if votes_cast <= 0:
            return False
        if important:
            return votes_for * self.special_denominator >= self.special_numerator * votes_cast
        return votes_for * self.majority_denominator > self.majority_numerator * votes_cast

    def active_representatives(self, on: datetime.date):
        return self.representatives.filter(term_start__lte=on).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=on)
        )


class CouncilStep(models.Model):
    class Step(models.TextChoices):
        ATMOSPHERE = "atmosphere", _("Build the atmosphere (造氛围)")
        TEAM = "team", _("Build the team (建队伍)")
        PLATFORM = "platform", _("Build the platform (搭平台)")
        RULES = "rules", _("Set the rules (立规则)")
        FOLLOW_THROUGH = "follow_through", _("Follow through (抓落实)")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="steps", verbose_name=_("council")
    )
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    date = models.DateField(_("date"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("council step")
        verbose_name_plural = _("council steps")
        ordering = ["council", "date"]
        constraints = [
            models.UniqueConstraint(fields=["council", "step"], name="council_step_once")
        ]

    def __str__(self):
        return f"{self.council} {self.get_step_display()}"


class RepresentativeQuerySet(models.QuerySet):
    def active_on(self, on: datetime.date):
        return self.filter(term_start__lte=on).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=on)
        )


class Representative(models.Model):
    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="representatives",
        verbose_name=_("council"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="representations",
        verbose_name=_("resident"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("building"),
    )
    display_name = models.CharField(_("name shown"), max_length=50, blank=True)
    term_start = models.DateField(_("term start"))
    term_end = models.DateField(_("term end"), null=True, blank=True)

    objects = RepresentativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        ordering = ["council", "building__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user", "term_start"], name="representative_one_term_row"
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=models.F("term_start")),
                name="representative_term_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.display_name or self.user} ({self.building.name if self.building else '-'})"

    def clean(self):
        """A representative is a resident verified to a household of the council's estate."""
        from django.core.exceptions import ValidationError

        if not (self.council_id and self.user_id):
            return
        estate_id = self.council.estate_id
        household = self.user.verified_household
        if household is None or household.building.estate_id != estate_id:
            raise ValidationError(
                {"user": _("A representative must be a resident verified to this estate.")}
            )
        if self.building_id and self.building.estate_id != estate_id:
            raise ValidationError({"building": _("The building is not in this estate.")})


class StandingParty(models.Model):
    class Kind(models.TextChoices):
        PARTY_BRANCH = "party_branch", _("estate party branch")
        RESIDENTS_COMMITTEE = "residents_committee", _("residents' committee")
        OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
        PROPERTY_COMPANY = "property_company", _("property company")
        SOCIAL_ORGANISATION = "social_organisation", _("social organisation")

    council = models.ForeignKey(
        Council,
        on_delete=models.PROTECT,
        related_name="standing_parties",
        verbose_name=_("council"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    person_name = models.CharField(_("person"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("standing party")
        verbose_name_plural = _("standing parties")
        ordering = ["council", "kind"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.person_name}"


class Category(models.TextChoices):
    FACILITIES = "facilities", _("buildings and facilities")
    SAFETY = "safety", _("safety")
    ENVIRONMENT = "environment", _("environment and greening")
    PARKING = "parking", _("parking and traffic")
    PROPERTY_SERVICE = "property_service", _("property service")
    FEES = "fees", _("fees and maintenance funds")
    NEIGHBOURHOOD = "neighbourhood", _("neighbourhood life")
    OTHER = "other", _("other")


class ProposalQuerySet(models.QuerySet):
    def with_support_count(self):
        return self.annotate(support_count=Count("supports", distinct=True))

    def for_estate(self, estate):
        return self.filter(estate=estate)

    def published(self):
        """Decided proposals with a resolution of councils that publish them."""
        return self.filter(council__publishes_resolutions=True, resolution__isnull=False)


class Proposal(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")
        SCHEDULED = "scheduled", _("scheduled")
        DECIDED = "decided", _("decided")
        IMPLEMENTING = "implementing", _("implementing")
        DONE = "done", _("done")
        ESCALATED = "escalated", _("escalated")

    class Outcome(models.TextChoices):
        NONE = "", _("not voted")
        PASSED = "passed", _("passed")
        NOT_PASSED = "not_passed", _("not passed")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("estate")
    )
    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("council")
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("proposer"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("household"),
    )
    title = models.CharField(_("title"), max_length=120, validators=[validate_single_line])
    description = models.TextField(_("description"))
    category = models.CharField(
        _("category"), max_length=30, choices=Category.choices, default=Category.OTHER
    )
    is_important = models.BooleanField(
        _("important matter"),
        default=False,
        help_text=_("Needs the special majority of votes cast."),
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=Outcome.choices, default="", blank=True
    )
    closing_note = models.TextField(_("closing note"), blank=True)
    source_note = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("Where the problem came from, e.g. a household visit."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Estate's proposal list in the portal and the API.
            models.Index(fields=["estate", "state"]),
            # Problem-estate counts per quarter.
            models.Index(fields=["estate", "submitted_at"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_public(self) -> bool:
        return self.council.publishes_resolutions and hasattr(self, "resolution")


class ProposalTransition(models.Model):
    """One move of a proposal: who, when and why (never deleted)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="transitions", verbose_name=_("proposal")
    )
    from_state = models.CharField(
        _("from"), max_length=20, choices=Proposal.State.choices, blank=True
    )
    to_state = models.CharField(_("to"), max_length=20, choices=Proposal.State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the system moved it (e.g. enough supports)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("proposal transition")
        verbose_name_plural = _("proposal transitions")
        ordering = ["proposal", "at", "pk"]

    def __str__(self):
        return f"{self.proposal}: {self.from_state} -> {self.to_state}"


class Support(models.Model):
    """附议: once per household (database constraint)."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="supports", verbose_name=_("proposal")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="supports",
        verbose_name=_("resident"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "household"], name="support_once_per_household"
            )
        ]

    def __str__(self):
        return f"{self.proposal} + {self.household}"


class Follow(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="follows", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="follows",
        verbose_name=_("resident"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [models.UniqueConstraint(fields=["proposal", "user"], name="follow_once")]

    def __str__(self):
        return f"{self.user} -> {self.proposal}"


class Attachment(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("proposal")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    @property
    def is_image(self) -> bool:
        from governance.thumbnails import is_image_name

        return is_image_name(self.file.name)


class Session(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        OPEN = "open", _("open for voting")
        CLOSED = "closed", _("closed")

    council = models.ForeignKey(
        Council, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("council")
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=100, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.council} {self.date}"


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        DELIBERATE = "deliberate", _("deliberation only")
        VOTE = "vote", _("deliberation and vote")

    class Result(models.TextChoices):
        PENDING = "pending", _("pending")
        DELIBERATED = "deliberated", _("deliberated")
        NO_QUORUM = "no_quorum", _("not voted: no quorum")
        PASSED = "passed", _("passed")
        NOT_PASSED = "not_passed", _("not passed")

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="agenda", verbose_name=_("session")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="agenda_items", verbose_name=_("proposal")
    )
    round_number = models.PositiveSmallIntegerField(
        _("round"), help_text=_("Counted across sessions.")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.VOTE)
    result = models.CharField(
        _("result"), max_length=12, choices=Result.choices, default=Result.PENDING
    )
    votes_for = models.PositiveSmallIntegerField(_("for"), default=0)
    votes_against = models.PositiveSmallIntegerField(_("against"), default=0)
    votes_abstain = models.PositiveSmallIntegerField(_("abstain"), default=0)
    present = models.PositiveSmallIntegerField(_("present"), default=0)
    members = models.PositiveSmallIntegerField(_("members"), default=0)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "proposal"], name="agenda_proposal_once"),
            models.UniqueConstraint(fields=["proposal", "round_number"], name="agenda_round_once"),
        ]

    def __str__(self):
        return f"{self.proposal} #{self.round_number}"


class Attendance(models.Model):
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("session")
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        related_name="attendance",
        verbose_name=_("representative"),
    )
    present = models.BooleanField(_("present"), default=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "representative"], name="attendance_once")
        ]

    def __str__(self):
        return f"{self.representative} @ {self.session}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        FOR = "for", _("for")
        AGAINST = "against", _("against")
        ABSTAIN = "abstain", _("abstain")

    agenda_item = models.ForeignKey(
        AgendaItem, on_delete=models.PROTECT, related_name="votes", verbose_name=_("agenda item")
    )
    representative = models.ForeignKey(
        Representative,
        on_delete=models.PROTECT,
        related_name="votes",
        verbose_name=_("representative"),
    )
    choice = models.CharField(_("choice"), max_length=8, choices=Choice.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("entered by"),
        help_text=_("The representative (in the portal) or the secretary (paper vote)."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["agenda_item", "representative"], name="vote_once_per_item"
            )
        ]

    def __str__(self):
        return f"{self.representative}: {self.choice}"


class Resolution(models.Model):
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="resolution", verbose_name=_("proposal")
    )
    agenda_item = models.OneToOneField(
        AgendaItem,
        on_delete=models.PROTECT,
        related_name="resolution",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("resolution"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")
        ordering = ["-created_at"]

    def __str__(self):
        return self.text[:60]


class FollowUpAction(models.Model):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("proposal")
    )
    description = models.CharField(_("action"), max_length=200)
    responsible_party = models.CharField(_("responsible party"), max_length=100)
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    overdue_flagged_at = models.DateTimeField(_("overdue flagged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        ordering = ["due_date", "pk"]
        # The daily overdue scan: open actions by due date.
        indexes = [
            models.Index(
                fields=["due_date"], condition=Q(done_at__isnull=True), name="followup_open_due"
            )
        ]

    def __str__(self):
        return self.description

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class OutcomeRating(models.Model):
    proposal = models.OneToOneField(
        Proposal, on_delete=models.PROTECT, related_name="rating", verbose_name=_("proposal")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposer"),
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outcome rating")
        verbose_name_plural = _("outcome ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="outcome_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.proposal}: {self.stars}"


class ProblemEstateList(models.Model):
    """Chengdu: each quarter, the town's top 5 % of estates by cases received per 100
    households (cases.md)."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="+", verbose_name=_("town")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("computed by"),
    )

    class Meta:
        verbose_name = _("problem estate list")
        verbose_name_plural = _("problem estate lists")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["town", "year", "quarter"], name="problem_list_once"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="problem_list_quarter_1_4"
            ),
        ]

    def __str__(self):
        return f"{self.town} {self.year}Q{self.quarter}"


class RemediationPlan(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    problem_list = models.ForeignKey(
        ProblemEstateList,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("problem estate list"),
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="+", verbose_name=_("estate")
    )
    score = models.DecimalField(_("cases per 100 households"), max_digits=8, decimal_places=2)
    cases = models.PositiveIntegerField(_("cases received"), default=0)
    households = models.PositiveIntegerField(_("households"), default=0)
    plan = models.TextField(_("plan"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)

    class Meta:
        verbose_name = _("remediation plan")
        verbose_name_plural = _("remediation plans")
        ordering = ["problem_list", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["problem_list", "estate"], name="remediation_once")
        ]

    def __str__(self):
        return f"{self.problem_list} {self.estate}"


class Comment(models.Model):
    """A resident's comment on a proposal (issue 15). Staff hide, never delete, a comment: the
    text stays for the record and the page shows "hidden by staff" with the reason."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="comments", verbose_name=_("proposal")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="proposal_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("comment text"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hidden by"),
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("proposal comment")
        verbose_name_plural = _("proposal comments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""),
                name="comment_hidden_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.proposal_id}#{self.pk}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class CommentReport(models.Model):
    """A resident flags a comment for staff; once per resident and comment."""

    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("proposal comment"),
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("comment report")
        verbose_name_plural = _("comment reports")
        constraints = [
            models.UniqueConstraint(fields=["comment", "reporter"], name="comment_report_once")
        ]

    def __str__(self):
        return f"{self.comment} !{self.reporter_id}"


from .assemblies import rules as _assembly_rules  # noqa: E402, F401  registers the permissions
from .assemblies.models import *  # noqa: E402, F401, F403  owners' assemblies (owners.md)
from .cases.models import CalendarDay, Case, CaseCategory, JointMeeting, Open311Key  # noqa: E402, F401  (cases/ models under this app label)
from .cases.region_defaults import RegionCaseCategory, RegionCaseSettings  # noqa: E402, F401  region defaults (regions.md)
from .projects import rules as _project_rules  # noqa: E402, F401  registers the permissions
from .projects.models import *  # noqa: E402, F401, F403  needs and projects (regions.md)
