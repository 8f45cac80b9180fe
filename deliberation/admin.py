"""Admin for deliberation, scoped by role (community staff see their own community only).

Proposal states are read-only here: they move only through deliberation.services (the admin
actions and the staff pages call the services), so every move is recorded."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.admin_mixins import RoleScopedAdmin as BaseRoleScopedAdmin
from communities.models import User

from . import rules, services
from .models import (
    AgendaItem,
    Attachment,
    Attendance,
    Council,
    CouncilStep,
    FollowUpAction,
    OutcomeRating,
    ProblemEstateList,
    Proposal,
    ProposalTransition,
    RemediationPlan,
    Representative,
    Resolution,
    Session,
    StandingParty,
    Support,
    Vote,
)


class RoleScopedAdmin(BaseRoleScopedAdmin):
    """Who may use deliberation's admin is decided in deliberation/rules.py: township and
    community staff (assessors have no part in councils, domain.md), each within their scope."""

    view_roles = (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF)

    def get_queryset(self, request):
        if self.community_path is None:
            return super().get_queryset(request)
        return rules.scope_to_deliberation_staff(
            admin.ModelAdmin.get_queryset(self, request),
            request.user,
            community_path=self.community_path,
        )

    def _staff(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and rules.is_deliberation_staff(user)

    def _reader(self, request) -> bool:
        # District and city staff read the deliberation below their region (regions.md).
        user = request.user
        return self._staff(request) or (
            user.is_active and user.is_staff and rules.is_deliberation_reader(user)
        )

    def has_module_permission(self, request):
        return self._reader(request)

    def has_view_permission(self, request, obj=None):
        return self._reader(request)

    def has_add_permission(self, request):
        return self._staff(request) and bool(self.change_roles)

    def has_change_permission(self, request, obj=None):
        return self._staff(request) and bool(self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("deliberation.delete_records")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StepInline(admin.TabularInline):
    model = CouncilStep
    extra = 0
    can_delete = False


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    can_delete = False
    raw_id_fields = ["user"]
    fields = ["user", "display_name", "building", "term_start", "term_end"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "building" and field is not None:
            council_id = request.resolver_match.kwargs.get("object_id")
            if council_id:
                field.queryset = field.queryset.filter(estate__council=council_id)
        return field


class StandingPartyInline(admin.TabularInline):
    model = StandingParty
    extra = 0
    can_delete = False


@admin.register(Council)
class CouncilAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    list_display = [
        "__str__",
        "estate",
        "community",
        "established_display",
        "supports_needed",
        "publishes_resolutions",
    ]
    list_filter = ["publishes_resolutions", "estate__community"]
    search_fields = ["name", "estate__name"]
    raw_id_fields = ["secretary"]
    inlines = [StepInline, RepresentativeInline, StandingPartyInline]
    fieldsets = [
        (None, {"fields": ["estate", "name", "secretary", "publishes_resolutions"]}),
        (
            _("Rules"),
            {
                "fields": [
                    ("quorum_numerator", "quorum_denominator"),
                    ("majority_numerator", "majority_denominator"),
                    ("special_numerator", "special_denominator"),
                    "supports_needed",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("estate__community")
            .prefetch_related("steps")
        )

    @admin.display(description=_("community"), ordering="estate__community__name")
    def community(self, obj):
        return obj.estate.community

    @admin.display(description=_("established"), boolean=True)
    def established_display(self, obj):
        return obj.established


class TransitionInline(ReadOnlyInline):
    model = ProposalTransition
    fields = ["at", "from_state", "to_state", "by", "reason"]
    readonly_fields = fields


class SupportInline(ReadOnlyInline):
    model = Support
    fields = ["household", "created_at"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["link", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file"))
    def link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("deliberation:attachment", args=[obj.pk]),
            obj.original_name,
        )


class FollowUpInline(ReadOnlyInline):
    model = FollowUpAction
    fields = ["description", "responsible_party", "due_date", "done_at", "overdue_flagged_at"]
    readonly_fields = fields


def _run(modeladmin, request, queryset, call, done_message):
    ok = 0
    for proposal in queryset:
        try:
            call(proposal)
            ok += 1
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{proposal}: {text}", messages.ERROR)
    if ok:
        modeladmin.message_user(request, done_message % {"n": ok}, messages.SUCCESS)


@admin.register(Proposal)
class ProposalAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    list_display = [
        "title",
        "estate",
        "state",
        "outcome",
        "category",
        "is_important",
        "submitted_at",
    ]
    list_filter = ["state", "category", "is_important", "estate__community"]
    search_fields = ["title", "estate__name"]
    list_select_related = ["estate"]
    readonly_fields = [
        "estate",
        "council",
        "proposer",
        "household",
        "state",
        "outcome",
        "submitted_at",
        "decided_at",
        "closed_at",
        "closing_note",
        "created_at",
        "source_note",
        "manage_link",
    ]
    fields = ["title", "description", "category", "is_important", *readonly_fields]
    inlines = [TransitionInline, SupportInline, AttachmentInline, FollowUpInline]
    actions = ["accept_selected"]

    def has_add_permission(self, request):
        return False  # residents raise proposals in the portal; staff use proposal_from_problem

    @admin.display(description=_("staff page"))
    def manage_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("deliberation:manage-proposal", args=[obj.pk]),
            _("Accept, reject, schedule, follow up, escalate"),
        )

    def has_accept_permission(self, request):
        return request.user.is_staff and request.user.has_perm(
            "deliberation.accept_proposals_in_bulk"
        )

    @admin.action(description=_("Accept the selected submitted proposals"), permissions=["accept"])
    def accept_selected(self, request, queryset):
        def accept(proposal):
            if not request.user.has_perm("deliberation.accept_proposal", proposal):
                raise PermissionDenied(_("You may not accept this proposal."))
            services.proposal_accept(proposal=proposal, by=request.user)

        _run(self, request, queryset, accept, _("%(n)d proposals accepted."))


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = [
        "proposal",
        "round_number",
        "kind",
        "result",
        "votes_for",
        "votes_against",
        "votes_abstain",
        "present",
        "members",
    ]
    readonly_fields = fields


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["representative", "present"]
    readonly_fields = fields


@admin.register(Session)
class SessionAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "council__estate__community"
    list_display = ["council", "date", "place", "status", "manage_link"]
    list_filter = ["status", "council__estate__community"]
    list_select_related = ["council__estate"]
    readonly_fields = ["status", "closed_at", "closed_by", "manage_link"]
    inlines = [AgendaItemInline, AttendanceInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "council":
            kwargs["queryset"] = rules.councils_for_staff(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("staff page"))
    def manage_link(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}">{}</a>',
            reverse("deliberation:manage-session", args=[obj.pk]),
            _("Agenda, attendance, votes, close"),
        )


@admin.register(Vote)
class VoteAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "agenda_item__session__council__estate__community"
    change_roles = ()
    list_display = ["agenda_item", "representative", "choice", "entered_by", "at"]
    list_select_related = [
        "agenda_item__proposal",
        "representative__user",
        "representative__building",
        "entered_by",
    ]


@admin.register(Resolution)
class ResolutionAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "proposal__estate__community"
    list_display = ["proposal", "text", "created_at"]
    list_select_related = ["proposal"]
    readonly_fields = ["proposal", "agenda_item", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False  # created when a session closes


@admin.register(FollowUpAction)
class FollowUpActionAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "proposal__estate__community"
    list_display = [
        "description",
        "proposal",
        "responsible_party",
        "due_date",
        "done_at",
        "overdue_flagged_at",
    ]
    list_filter = ["due_date"]
    list_select_related = ["proposal"]
    readonly_fields = [
        "proposal",
        "done_at",
        "done_by",
        "created_by",
        "created_at",
        "overdue_flagged_at",
    ]

    def has_add_permission(self, request):
        return False  # added on the staff page, which moves the proposal to implementing


@admin.register(OutcomeRating)
class OutcomeRatingAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "proposal__estate__community"
    change_roles = ()
    list_display = ["proposal", "stars", "comment", "created_at"]
    list_select_related = ["proposal"]


class RemediationPlanInline(admin.TabularInline):
    model = RemediationPlan
    extra = 0
    can_delete = False
    fields = [
        "estate",
        "score",
        "cases",
        "households",
        "plan",
        "status",
        "updated_at",
    ]
    readonly_fields = ["estate", "score", "cases", "households", "updated_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProblemEstateList)
class ProblemEstateListAdmin(RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    list_display = ["town", "year", "quarter", "computed_at"]
    readonly_fields = ["computed_at", "computed_by"]
    inlines = [RemediationPlanInline]


from .assemblies import admin as _assemblies_admin  # noqa: E402, F401  owners' assemblies
from .cases import admin as cases_admin  # noqa: E402, F401  (registers the cases admin)
from .cases import region_defaults_admin  # noqa: E402, F401  region defaults (regions.md)
from .projects import admin as _projects_admin  # noqa: E402, F401  needs and projects
