"""Assembly votes, the register snapshot they count over, ballots and results (owners.md)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Building, Estate, Owner
from governance.uploads import generated_upload_path

__all__ = [
    "AssemblyVote",
    "Ballot",
    "Candidate",
    "CandidateChoice",
    "RegisterEntry",
    "VoteResult",
]

ANNOUNCEMENT_DAYS = 15  # 物业管理条例 art. 14: announced at least 15 days before the meeting


def scan_upload_to(instance, filename: str) -> str:
    return generated_upload_path("deliberation/ballots", filename)


class Kind(models.TextChoices):
    RULES = "rules", _("rules of procedure")
    COVENANT = "covenant", _("management covenant")
    COMMITTEE = "committee", _("elect or replace committee members")
    MANAGER = "manager", _("hire or dismiss the property manager")
    USE_FUND = "use_fund", _("use the maintenance fund")
    RAISE_FUND = "raise_fund", _("raise the maintenance fund")
    REBUILD = "rebuild", _("alter or rebuild buildings and facilities")
    COMMON_USE = "common_use", _("change the use of common parts")
    OTHER = "other", _("other matter")


# Civil Code art. 278 para. 2: these need three quarters of the participating area and owners.
QUALIFIED_KINDS = frozenset({Kind.RAISE_FUND, Kind.REBUILD, Kind.COMMON_USE})


class Choice(models.TextChoices):
    AGREE = "agree", _("agree")
    DISAGREE = "disagree", _("disagree")
    ABSTAIN = "abstain", _("abstain")


class AssemblyVoteQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state=AssemblyVote.State.OPEN)

    def for_estates(self, estate_ids):
        return self.filter(estate_id__in=estate_ids)


class AssemblyVote(models.Model):
    class State(models.TextChoices):
        ANNOUNCED = "announced", pgettext_lazy("assembly vote", "announced")
        OPEN = "open", pgettext_lazy("assembly vote", "open")
        CLOSED = "closed", pgettext_lazy("assembly vote", "closed")

    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="assembly_votes", verbose_name=_("estate")
    )
    buildings = models.ManyToManyField(
        Building,
        blank=True,
        related_name="assembly_votes",
        verbose_name=_("buildings"),
        help_text=_("For a matter of some buildings only; empty for the whole estate."),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    seats = models.PositiveSmallIntegerField(
        _("seats"), null=True, blank=True, help_text=_("For committee elections.")
    )
    announced_at = models.DateTimeField(
        _("announced at"),
        null=True,
        blank=True,
        help_text=_("Empty when the announcement happened outside the system (paper votes)."),
    )
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.ANNOUNCED
    )
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    committee = models.ForeignKey(
        "communities.OwnersCommittee",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="elections",
        verbose_name=_("committee elected"),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = AssemblyVoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("assembly vote")
        verbose_name_plural = _("assembly votes")
        ordering = ["-opens_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(announced_at__isnull=True)
                | Q(opens_at__gte=F("announced_at") + datetime.timedelta(days=ANNOUNCEMENT_DAYS)),
                name="assembly_vote_announced_15_days_before",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=F("opens_at")),
                name="assembly_vote_closes_after_opening",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if (
            self.announced_at
            and self.opens_at
            and self.opens_at < self.announced_at + datetime.timedelta(days=ANNOUNCEMENT_DAYS)
        ):
            raise ValidationError(
                {"opens_at": _("A vote opens at least 15 days after it is announced.")}
            )
        if self.closes_at and self.opens_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("A vote closes after it opens.")})
        if self.kind == Kind.COMMITTEE and not self.seats:
            raise ValidationError({"seats": _("A committee election names its number of seats.")})

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED

    @property
    def is_election(self) -> bool:
        return self.kind == Kind.COMMITTEE and bool(self.seats)


class RegisterEntry(models.Model):
    """The register as it stood when the vote opened: one row per owner and building, so later
    changes of owners or areas do not change the vote's totals (owners.md)."""

    vote = models.ForeignKey(
        AssemblyVote, on_delete=models.CASCADE, related_name="register", verbose_name=_("vote")
    )
    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="+", verbose_name=_("building")
    )
    area = models.DecimalField(_("floor area (m²)"), max_digits=12, decimal_places=2)
    units = models.PositiveIntegerField(_("units"))

    class Meta:
        verbose_name = _("register entry")
        verbose_name_plural = _("register entries")
        constraints = [
            models.UniqueConstraint(
                fields=["vote", "owner", "building"], name="register_entry_once_per_building"
            )
        ]

    def __str__(self):
        return f"{self.owner_id}@{self.building_id}: {self.area}"


class Candidate(models.Model):
    """A candidate (an owner of the estate) in a committee election."""

    vote = models.ForeignKey(
        AssemblyVote, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("vote")
    )
    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=50)
    is_party_member = models.BooleanField(_("party member"), default=False)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], name="candidate_once_per_vote")
        ]

    def __str__(self):
        return self.name


class Ballot(models.Model):
    """One owner's ballot (co-owners share it). The unique constraint makes a race of two devices
    of one owner leave one ballot."""

    class Source(models.TextChoices):
        PORTAL = "portal", _("portal")
        PAPER = "paper", _("paper")

    vote = models.ForeignKey(
        AssemblyVote, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("vote")
    )
    owner = models.ForeignKey(
        Owner, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("owner")
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices, blank=True)
    spoiled = models.BooleanField(
        _("spoiled paper"), default=False, help_text=_("Counted as an abstention.")
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    scan = models.FileField(_("scanned ballot"), upload_to=scan_upload_to, blank=True)
    cast_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cast by"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    cast_at = models.DateTimeField(_("cast at"))
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["vote", "owner"], name="ballot_once_per_owner")
        ]

    def __str__(self):
        return f"{self.vote_id}:{self.owner_id}"


class CandidateChoice(models.Model):
    """A ballot's line for one candidate of a committee election."""

    ballot = models.ForeignKey(
        Ballot, on_delete=models.CASCADE, related_name="lines", verbose_name=_("ballot")
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.PROTECT, related_name="+", verbose_name=_("candidate")
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "candidate"], name="candidate_choice_once_per_ballot"
            )
        ]

    def __str__(self):
        return f"{self.candidate_id}: {self.choice}"


class VoteResult(models.Model):
    """The tally stored at close; written once and never changed (owners.md)."""

    vote = models.OneToOneField(
        AssemblyVote, on_delete=models.PROTECT, related_name="result", verbose_name=_("vote")
    )
    data = models.JSONField(_("tally"))
    passed = models.BooleanField(_("passed"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote result")
        verbose_name_plural = _("vote results")

    def __str__(self):
        return f"{self.vote_id}: {'passed' if self.passed else 'not passed'}"

    def save(self, *args, **kwargs):
        # A result is part of the record: it is inserted once and never rewritten.
        if self.pk is not None:
            raise ValidationError(_("A vote's result cannot be changed."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("A vote's result cannot be deleted."))
