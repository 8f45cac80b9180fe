"""Cases (诉求): every problem residents raise, handled across three levels with deadlines.

cases.md: a case belongs to one estate, is assigned by the town's responsibility list, moves
received -> assigned -> accepted -> replied -> closed, escalates estate -> community -> town
department -> joint meeting, and every move is a CaseEvent (who, when, why).
Imported by deliberation/models.py so the models live under the `deliberation` app label.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Building, Community, Estate, Household, PropertyCompany, Town


class Level(models.TextChoices):
    ESTATE = "estate", _("estate")
    COMMUNITY = "community", _("community")
    TOWN = "town", _("town department")
    JOINT_MEETING = "joint_meeting", _("joint meeting")


# cases.md: estate -> community -> town department -> joint meeting (which goes no higher).
NEXT_LEVEL = {
    Level.ESTATE: Level.COMMUNITY,
    Level.COMMUNITY: Level.TOWN,
    Level.TOWN: Level.JOINT_MEETING,
    Level.JOINT_MEETING: Level.JOINT_MEETING,
}


class CalendarDay(models.Model):
    """A staff correction of the national working-day calendar (调休 published after the library)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date} {_('working day') if self.is_workday else _('rest day')}"


class CaseSettings(models.Model):
    """A town's deadlines and periods for cases (cases.md defaults; editable in the admin)."""

    town = models.OneToOneField(
        Town, on_delete=models.CASCADE, related_name="case_settings", verbose_name=_("town")
    )
    accept_days = models.PositiveSmallIntegerField(_("acceptance, working days"), default=1)
    reply_days_estate = models.PositiveSmallIntegerField(
        _("reply at estate level, working days"), default=3
    )
    reply_days_community = models.PositiveSmallIntegerField(
        _("reply at community level, working days"), default=5
    )
    reply_days_town = models.PositiveSmallIntegerField(
        _("reply at town level, working days"), default=10
    )
    urgent_accept_hours = models.PositiveSmallIntegerField(_("urgent acceptance, hours"), default=2)
    urgent_reply_hours = models.PositiveSmallIntegerField(_("urgent reply, hours"), default=24)
    rating_days = models.PositiveSmallIntegerField(_("rating period, working days"), default=3)
    duplicate_days = models.PositiveSmallIntegerField(_("duplicate window, days"), default=30)

    class Meta:
        verbose_name = _("case settings")
        verbose_name_plural = _("case settings")

    def __str__(self):
        return str(self.town)

    def reply_days(self, level: str) -> int:
        return {
            Level.ESTATE: self.reply_days_estate,
            Level.COMMUNITY: self.reply_days_community,
        }.get(level, self.reply_days_town)


class CaseCategory(models.Model):
    """One line of a town's responsibility list (责任清单): category -> first level, department."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="case_categories", verbose_name=_("town")
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=50)
    first_level = models.CharField(
        _("first level"),
        max_length=20,
        choices=[c for c in Level.choices if c[0] != Level.JOINT_MEETING],
    )
    department = models.ForeignKey(
        "communities.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_categories",
        verbose_name=_("town department"),
    )

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("responsibility list (case categories)")
        ordering = ["town__name", "code"]
        constraints = [
            models.UniqueConstraint(fields=["town", "code"], name="case_category_code_once")
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class DutyItem(models.Model):
    """A duty of communities or property companies in a town's responsibility list (text)."""

    class Holder(models.TextChoices):
        COMMUNITY = "community", _("communities")
        COMPANY = "company", _("property companies")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="duty_items", verbose_name=_("town")
    )
    holder = models.CharField(_("whose duty"), max_length=10, choices=Holder.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text = models.CharField(_("duty"), max_length=300)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duty lists")
        ordering = ["town__name", "holder", "position", "pk"]

    def __str__(self):
        return self.text


class CaseQuerySet(models.QuerySet):
    def open(self):
        return self.exclude(state=Case.State.CLOSED)

    def for_town(self, town):
        return self.filter(town=town)


class Case(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("received")
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", pgettext_lazy("case", "accepted")
        REPLIED = "replied", _("replied")
        CLOSED = "closed", _("closed")

    class Source(models.TextChoices):
        PORTAL = "portal", _("resident portal")
        VISIT = "visit", _("grid worker or party member visit")
        BUILDING_HEAD = "building_head", _("building head")
        COMPANY = "company", _("property company")
        HOTLINE = "hotline", _("hotline ticket")
        STAFF = "staff", _("staff entry")
        API = "api", _("API")
        PROPOSAL = "proposal", _("escalated council proposal")

    class CloseReason(models.TextChoices):
        NONE = "", _("open")
        RATED = "rated", _("rated")
        NOT_RATED = "not_rated", _("not rated")
        MEETING = "meeting", _("closed by the joint meeting")
        MERGED = "merged", _("merged into another case")

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="cases", verbose_name=_("town")
    )
    estate = models.ForeignKey(
        Estate, on_delete=models.PROTECT, related_name="cases", verbose_name=_("estate")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("building"),
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("household"),
    )
    category = models.ForeignKey(
        CaseCategory, on_delete=models.PROTECT, related_name="cases", verbose_name=_("category")
    )
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("reporter"),
    )
    # Personal data (PIPL): shown masked, revealed only through the audited reveal view.
    caller_name = models.CharField(_("caller name"), max_length=50, blank=True)
    caller_phone = models.CharField(_("caller phone"), max_length=20, blank=True)
    caller_email = models.EmailField(_("caller e-mail"), blank=True)
    lat = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    ticket = models.CharField(
        _("hotline ticket"), max_length=40, blank=True, help_text=_("Unique in the town.")
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    urgent = models.BooleanField(
        _("urgent"), default=False, help_text=_("A safety hazard: deadlines in calendar hours.")
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    rating_due = models.DateTimeField(_("rating due"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)
    rated_by_callback = models.BooleanField(_("rated on a staff callback"), default=False)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(
        _("closed as"), max_length=10, choices=CloseReason.choices, blank=True, default=""
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_cases",
        verbose_name=_("merged into"),
    )
    proposal = models.OneToOneField(
        "deliberation.Proposal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case",
        verbose_name=_("council proposal"),
    )
    # The first handlers, kept by the services that assign (services._assign) so the figures
    # group and count without a correlated subquery per case (cases.md "Figures"; benchmarks/
    # README.md "Cases"): the case's first assignment (its acceptance counts as "accepted on
    # time"), the company of its first estate-level assignment and the department of its first
    # town-level assignment. Never changed once set.
    first_assignment = models.ForeignKey(
        "deliberation.Assignment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("first assignment"),
    )
    first_company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("first estate-level company"),
    )
    first_department = models.ForeignKey(
        "communities.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("first town-level department"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "ticket"], condition=~Q(ticket=""), name="case_ticket_once_in_town"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="case_rating_1_to_5",
            ),
        ]
        indexes = [
            # Duplicate offers: open cases of an estate and category by age.
            models.Index(fields=["estate", "category", "received_at"]),
            # Export and figures by period.
            models.Index(fields=["town", "received_at"]),
            # The hourly not-rated closing pass.
            models.Index(
                fields=["rating_due"], condition=Q(state="replied"), name="case_rating_due"
            ),
        ]

    def __str__(self):
        return f"#{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The hotline ticket, or the case's own number."""
        return self.ticket or str(self.pk)


class CaseFollower(models.Model):
    """A user told of every move of a case (the reporter of a merged duplicate)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("case follower")
        verbose_name_plural = _("case followers")
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="case_follower_once")]

    def __str__(self):
        return f"{self.case_id} {self.user_id}"


class Assignment(models.Model):
    """One handler's turn on a case, with the deadlines stored when it was assigned."""

    class End(models.TextChoices):
        OPEN = "", _("open")
        REPLIED = "replied", _("replied")
        RETURNED = "returned", _("returned")
        ESCALATED = "escalated", _("escalated")
        AUTO_ESCALATED = "auto_escalated", _("escalated automatically")
        CLOSED = "closed", _("case closed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("case")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    company = models.ForeignKey(
        PropertyCompany,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_assignments",
        verbose_name=_("property company"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_assignments",
        verbose_name=_("community"),
    )
    department = models.ForeignKey(
        "communities.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_assignments",
        verbose_name=_("department"),
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    accept_due = models.DateTimeField(_("acceptance due"))
    reply_due = models.DateTimeField(_("reply due"))
    deadline_estimated = models.BooleanField(
        _("deadline from the fallback calendar"),
        default=False,
        help_text=_("The calendar library had no data for a day counted: check the deadline."),
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_late = models.BooleanField(_("accepted late"), default=False)
    misroute = models.BooleanField(
        _("reassigned after a return"), default=False, help_text=_("Counted as a misroute.")
    )
    return_reason = models.CharField(_("return reason"), max_length=300, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    end = models.CharField(_("ended as"), max_length=20, choices=End.choices, blank=True)
    overdue_flagged_at = models.DateTimeField(_("overdue flagged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["case", "assigned_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(ended_at__isnull=True), name="assignment_one_open"
            ),
            models.CheckConstraint(
                condition=(
                    Q(company__isnull=False, community__isnull=True, department__isnull=True)
                    | Q(company__isnull=True, community__isnull=False, department__isnull=True)
                    | Q(company__isnull=True, community__isnull=True, department__isnull=False)
                ),
                name="assignment_one_handler",
            ),
        ]
        indexes = [
            # The hourly escalation pass: open assignments by reply deadline.
            models.Index(
                fields=["reply_due"], condition=Q(ended_at__isnull=True), name="assignment_open_due"
            ),
            # Department and company queues.
            models.Index(fields=["department", "ended_at"]),
            models.Index(fields=["company", "ended_at"]),
            models.Index(fields=["community", "ended_at"]),
        ]

    def __str__(self):
        return f"{self.case_id} {self.get_level_display()} {self.handler}"

    @property
    def handler(self):
        return self.company or self.community or self.department

    @property
    def returned(self) -> bool:
        return self.end == self.End.RETURNED


class CaseEvent(models.Model):
    """One move of a case: who, when, why (never changed or deleted)."""

    class Kind(models.TextChoices):
        RECEIVED = "received", _("received")
        ASSIGNED = "assigned", _("assigned")
        ACCEPTED = "accepted", pgettext_lazy("case", "accepted")
        RETURNED = "returned", _("returned")
        REASSIGNED = "reassigned", _("reassigned")
        REPLIED = "replied", _("replied")
        ESCALATED = "escalated", _("escalated")
        AUTO_ESCALATED = "auto_escalated", _("escalated automatically")
        RATED = "rated", _("rated")
        REOPENED = "reopened", _("reopened")
        CLOSED = "closed", _("closed")
        MERGED = "merged", _("merged")
        MEETING_DECISION = "meeting_decision", _("joint meeting decision")
        OVERDUE_FLAGGED = "overdue_flagged", _("overdue flagged")
        PROPOSAL = "proposal", _("turned into a proposal")
        DEADLINES_RECOMPUTED = "deadlines_recomputed", _("deadlines recomputed")

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    from_state = models.CharField(_("from"), max_length=10, blank=True)
    to_state = models.CharField(_("to"), max_length=10, blank=True)
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("assignment"),
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()}"


def case_upload_to(instance, filename: str) -> str:
    from governance.uploads import generated_upload_path

    return generated_upload_path("cases", filename)


class Reply(models.Model):
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="replies", verbose_name=_("case")
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name=_("assignment")
    )
    text = models.TextField(_("result"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    on_time = models.BooleanField(_("on time"))

    class Meta:
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        ordering = ["case", "at", "pk"]

    def __str__(self):
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class CasePhoto(models.Model):
    """A photo of the problem (from the reporter) or evidence of a reply."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="photos", verbose_name=_("case")
    )
    reply = models.ForeignKey(
        Reply,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evidence",
        verbose_name=_("reply"),
    )
    file = models.FileField(_("file"), upload_to=case_upload_to)
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("case photo")
        verbose_name_plural = _("case photos")

    def __str__(self):
        return self.original_name or self.file.name


class JointMeeting(models.Model):
    """联席会议: the township meeting of the responsible departments on escalated cases."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="joint_meetings", verbose_name=_("town")
    )
    date = models.DateField(_("date"))
    chair = models.CharField(_("chair"), max_length=50)
    departments = models.ManyToManyField(
        "communities.Department",
        blank=True,
        related_name="joint_meetings",
        verbose_name=_("attending departments"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["-date", "-pk"]

    def __str__(self):
        return f"{self.town} {self.date}"


class MeetingDecision(models.Model):
    """A joint meeting's decision on one case of its agenda: an assignment or a closing."""

    meeting = models.ForeignKey(
        JointMeeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="meeting_decisions", verbose_name=_("case")
    )
    closes = models.BooleanField(_("closes the case"), default=False)
    text = models.TextField(_("decision"))
    lead_department = models.ForeignKey(
        "communities.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead department"),
    )
    co_departments = models.ManyToManyField(
        "communities.Department",
        blank=True,
        related_name="+",
        verbose_name=_("co-departments"),
    )
    due_date = models.DateField(_("deadline"), null=True, blank=True)
    assignment = models.OneToOneField(
        Assignment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_decision",
        verbose_name=_("assignment"),
    )

    class Meta:
        verbose_name = _("joint meeting decision")
        verbose_name_plural = _("joint meeting decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "case"], name="meeting_decision_once"),
            models.CheckConstraint(
                condition=Q(closes=True) | Q(lead_department__isnull=False, due_date__isnull=False),
                name="meeting_decision_closes_or_assigns",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} {self.case_id}"


class Open311Key(models.Model):
    """An Open311 client key of a town (stored hashed; shown once when issued)."""

    town = models.ForeignKey(
        Town, on_delete=models.PROTECT, related_name="open311_keys", verbose_name=_("town")
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 key")
        verbose_name_plural = _("Open311 keys")
        ordering = ["town__name", "name"]

    def __str__(self):
        return self.name
