"""Admin of needs, claims, partner units and projects, scoped like the other deliberation
admins: township staff their town, community staff their community's estates (needs and
claims) and their town's partner units and projects to read. District and city staff read
through the totals page and API and change nothing here. Statuses are read-only: they move
through deliberation/projects/services.py (here by the actions), which records each move."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.admin_mixins import RoleScopedAdmin, RoleScopedInline
from communities.models import User

from . import services
from .models import (
    Claim,
    Need,
    NeedTransition,
    PartnerUnit,
    ProgressUpdate,
    Project,
    ProjectOutput,
    ProjectTransition,
)

STAFF = (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF)
TOWNSHIP = (User.Role.TOWNSHIP_STAFF,)


def _errors(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(m for msgs in error.message_dict.values() for m in msgs)
    return "; ".join(error.messages)


class HistoryInline(RoleScopedInline, admin.TabularInline):
    view_roles = STAFF
    change_roles = ()
    extra = 0
    can_delete = False
    fields = ["at", "from_status", "to_status", "by", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NeedTransitionInline(HistoryInline):
    model = NeedTransition


class ClaimInline(RoleScopedInline, admin.TabularInline):
    view_roles = STAFF
    change_roles = ()
    model = Claim
    extra = 0
    can_delete = False
    fields = ["department", "partner", "pledge_kind", "amount", "pledge", "claimed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Need)
class NeedAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    view_roles = STAFF
    change_roles = STAFF
    list_display = ["title", "estate", "category", "source", "status", "created_at"]
    list_filter = ["status", "category", "source"]
    list_select_related = ["estate"]
    search_fields = ["title", "estate__name"]
    raw_id_fields = ["proposal", "case"]
    readonly_fields = ["status", "created_at", "created_by"]
    inlines = [ClaimInline, NeedTransitionInline]
    actions = ["withdraw"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save()
            return
        created = services.need_create(
            estate=obj.estate,
            source=obj.source,
            category=obj.category,
            title=obj.title,
            description=obj.description,
            proposal=obj.proposal,
            case=obj.case,
            by=request.user,
        )
        obj.pk, obj.status, obj.created_at = created.pk, created.status, created.created_at

    @admin.action(description=_("Withdraw the selected needs"), permissions=["change"])
    def withdraw(self, request, queryset):
        for need in queryset:
            try:
                services.need_withdraw(
                    need=need, by=request.user, reason=str(_("withdrawn by staff"))
                )
            except ValidationError as error:
                self.message_user(request, f"{need}: {_errors(error)}", messages.ERROR)


@admin.register(Claim)
class ClaimAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "need__estate__community"
    view_roles = STAFF
    change_roles = STAFF
    list_display = ["need", "department", "partner", "pledge_kind", "amount", "claimed_at"]
    list_filter = ["pledge_kind"]
    list_select_related = ["need", "department", "partner"]
    raw_id_fields = ["need"]
    readonly_fields = ["claimed_at", "claimed_by"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # a claim is part of the record: added, not rewritten
            return [f.name for f in Claim._meta.fields if f.name not in ("id",)]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.claim_create(
            need=obj.need,
            department=obj.department,
            partner=obj.partner,
            pledge_kind=obj.pledge_kind,
            amount=obj.amount,
            pledge=obj.pledge,
            by=request.user,
        )
        obj.pk = created.pk


@admin.register(PartnerUnit)
class PartnerUnitAdmin(RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    view_roles = STAFF
    change_roles = TOWNSHIP
    list_display = ["name", "town", "kind", "community", "members_registered"]
    list_filter = ["kind"]
    search_fields = ["name"]


class ProjectTransitionInline(HistoryInline):
    model = ProjectTransition


class ProjectOutputInline(RoleScopedInline, admin.TabularInline):
    view_roles = STAFF
    change_roles = TOWNSHIP
    delete_roles = TOWNSHIP
    model = ProjectOutput
    extra = 1
    fields = ["kind", "count", "note"]


class ProgressUpdateInline(RoleScopedInline, admin.TabularInline):
    view_roles = STAFF
    change_roles = TOWNSHIP
    model = ProgressUpdate
    extra = 1
    can_delete = False
    fields = ["date", "note", "by"]
    readonly_fields = ["by"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    view_roles = STAFF
    change_roles = TOWNSHIP
    list_display = [
        "title",
        "town",
        "estate",
        "kind",
        "status",
        "plan_year",
        "completed_on",
        "acceptance_rating",
    ]
    list_filter = ["status", "kind", "plan_year"]
    list_select_related = ["town", "estate"]
    search_fields = ["title", "estate__name"]
    raw_id_fields = ["estate", "rebuild_vote", "fund_vote"]
    filter_horizontal = ["needs"]
    readonly_fields = ["status", "plan_year", "started_on", "completed_on", "created_at"]
    inlines = [ProjectOutputInline, ProgressUpdateInline, ProjectTransitionInline]
    actions = ["plan_this_year", "plan_next_year", "start_today", "complete_today"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:  # needs join through the service, which moves their status
            return [*self.readonly_fields, "needs"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            obj.full_clean()
            obj.save()
            return
        created = services.project_create(
            town=obj.town,
            kind=obj.kind,
            title=obj.title,
            estate=obj.estate,
            description=obj.description,
            needs=form.cleaned_data.get("needs") or (),
            budget_residents=obj.budget_residents,
            budget_government=obj.budget_government,
            budget_partners=obj.budget_partners,
            maintenance_fund=obj.maintenance_fund,
            rebuild_vote=obj.rebuild_vote,
            fund_vote=obj.fund_vote,
            by=request.user,
        )
        obj.pk, obj.status, obj.created_at = created.pk, created.status, created.created_at

    def save_formset(self, request, form, formset, change):
        if formset.model is ProgressUpdate:
            for update in formset.save(commit=False):
                try:
                    services.progress_add(
                        project=form.instance, date=update.date, note=update.note, by=request.user
                    )
                except ValidationError as error:
                    self.message_user(request, _errors(error), messages.ERROR)
            return
        super().save_formset(request, form, formset, change)

    def _each(self, request, queryset, run):
        for project in queryset:
            try:
                run(project)
            except ValidationError as error:
                self.message_user(request, f"{project}: {_errors(error)}", messages.ERROR)
            else:
                self.message_user(request, f"{project}: {project.get_status_display()}")

    @admin.action(description=_("Enter the plan of this year"), permissions=["change"])
    def plan_this_year(self, request, queryset):
        year = timezone.localdate().year
        self._each(request, queryset, lambda p: services.plan_project(p, year, request.user))

    @admin.action(description=_("Enter the plan of next year"), permissions=["change"])
    def plan_next_year(self, request, queryset):
        year = timezone.localdate().year + 1
        self._each(request, queryset, lambda p: services.plan_project(p, year, request.user))

    @admin.action(description=_("Works started today"), permissions=["change"])
    def start_today(self, request, queryset):
        today = timezone.localdate()
        self._each(
            request,
            queryset,
            lambda p: services.project_start(project=p, started_on=today, by=request.user),
        )

    @admin.action(
        description=_("Works completed today (outputs as entered)"), permissions=["change"]
    )
    def complete_today(self, request, queryset):
        today = timezone.localdate()
        self._each(
            request,
            queryset,
            lambda p: services.project_complete(
                project=p,
                completed_on=today,
                outputs={},
                acceptance_rating=p.acceptance_rating,
                by=request.user,
            ),
        )
