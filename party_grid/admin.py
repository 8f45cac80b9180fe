from django import forms
from django.contrib import admin
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.admin_mixins import (
    RoleScopedAdmin,
    RoleScopedInline,
    ScopedImportExportMixin,
    register_choice_scopes,
)
from communities.forms import MaskedPhoneForm
from communities.privacy import mask_phone
from governance.security.admin import RevealPhoneAdminMixin

from . import rules as party_rules
from . import selectors
from .models import (
    BuildingHead,
    Grid,
    GridWorker,
    HouseholdAssignment,
    PartyMember,
    PartyOrganization,
    ServiceStation,
    Visit,
    VolunteerTeam,
    VolunteerTeamMember,
)
from .resources import HouseholdAssignmentResource, PartyMemberResource, VisitResource

LEVEL_DEPTH = {
    PartyOrganization.Level.COMMUNITY_COMMITTEE: 0,
    PartyOrganization.Level.ESTATE_BRANCH: 1,
    PartyOrganization.Level.BUILDING_GROUP: 2,
    PartyOrganization.Level.HOUSEHOLD_GROUP: 2,
    PartyOrganization.Level.CENTRAL_HOUSEHOLD: 3,
}

register_choice_scopes(party_rules.CHOICE_SCOPES)


class PartyScopedAdmin(RoleScopedAdmin, admin.ModelAdmin):
    """Scoped by community; an object outside the user's communities is a 404, not a redirect."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(_("Not found."))


class PartyOrganizationForm(forms.ModelForm):
    class Meta:
        model = PartyOrganization
        fields = (
            "community",
            "parent",
            "level",
            "name",
            "build_type",
            "estates",
            "building",
            "established_on",
            "dissolved_on",
            "is_demo",
        )

    def clean(self):
        data = super().clean()
        probe = PartyOrganization(
            level=data.get("level") or "",
            build_type=data.get("build_type") or "",
            community=data.get("community"),
        )
        try:
            probe.clean_estates(data.get("estates") or [])
        except forms.ValidationError as error:
            self.add_error(None, error)
        return data


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(PartyScopedAdmin):
    form = PartyOrganizationForm
    community_path = "community"
    list_display = (
        "indented_name",
        "level",
        "build_type",
        "community",
        "established_on",
        "dissolved_on",
        "is_demo",
    )
    list_filter = ("level", "build_type", "community", "is_demo")
    search_fields = ("name",)
    filter_horizontal = ("estates",)
    list_select_related = ("community",)
    change_list_template = "admin/party_grid/partyorganization/change_list.html"
    raw_id_fields = ("building",)

    @admin.display(description=gettext_lazy("name"), ordering="name")
    def indented_name(self, obj):
        from django.utils.html import format_html

        depth = LEVEL_DEPTH.get(obj.level, 0)
        return format_html(
            '<span style="padding-left:{}em">{}{}</span>',
            depth * 1.5,
            "└ " if depth else "",
            obj.name,
        )

    def get_urls(self):
        return [
            path("tree/", self.admin_site.admin_view(self.tree_view), name="party_grid_tree"),
            *super().get_urls(),
        ]

    def tree_view(self, request):
        if not self.has_view_permission(request):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Party organisation tree"),
            "roots": selectors.organization_tree(user=request.user),
        }
        return TemplateResponse(request, "admin/party_grid/partyorganization/tree.html", context)


class PartyMemberForm(MaskedPhoneForm):
    class Meta:
        model = PartyMember
        fields = (
            "organization",
            "name",
            "new_phone",
            "clear_phone",
            "is_registered_in_service",
            "employer",
            "is_building_head",
            "user",
            "joined_on",
            "left_on",
            "is_demo",
        )


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedImportExportMixin, RevealPhoneAdminMixin, PartyScopedAdmin):
    resource_classes = [PartyMemberResource]
    community_path = "organization__community"
    form = PartyMemberForm
    list_display = (
        "name",
        "revealable_phone",
        "organization",
        "is_registered_in_service",
        "employer",
        "is_building_head",
        "joined_on",
        "left_on",
    )
    list_filter = ("is_registered_in_service", "is_building_head", "organization__community")
    search_fields = ("name",)
    list_select_related = ("organization",)
    raw_id_fields = ("user",)


class GridWorkerInline(RoleScopedInline, admin.TabularInline):
    model = GridWorker
    extra = 0
    fields = ("name", "member", "is_part_time", "started_on", "ended_on")
    raw_id_fields = ("member",)


@admin.register(Grid)
class GridAdmin(PartyScopedAdmin):
    community_path = "community"
    list_display = ("name", "community", "established_on", "dissolved_on")
    list_filter = ("community",)
    filter_horizontal = ("buildings",)
    inlines = [GridWorkerInline]


class GridWorkerForm(MaskedPhoneForm):
    class Meta:
        model = GridWorker
        fields = (
            "grid",
            "name",
            "new_phone",
            "clear_phone",
            "member",
            "is_part_time",
            "user",
            "started_on",
            "ended_on",
            "is_demo",
        )


@admin.register(GridWorker)
class GridWorkerAdmin(PartyScopedAdmin):
    community_path = "grid__community"
    form = GridWorkerForm
    list_display = (
        "name",
        "masked_phone",
        "grid",
        "member",
        "is_part_time",
        "started_on",
        "ended_on",
    )
    list_filter = ("is_part_time", "grid__community")
    list_select_related = ("grid", "member")
    raw_id_fields = ("member", "user")

    @admin.display(description=gettext_lazy("phone"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(HouseholdAssignment)
class HouseholdAssignmentAdmin(ScopedImportExportMixin, PartyScopedAdmin):
    resource_classes = [HouseholdAssignmentResource]
    community_path = "household__building__estate__community"
    list_display = ("member", "household", "valid_from", "valid_to")
    list_select_related = ("member", "household__building__estate")
    raw_id_fields = ("member", "household")
    search_fields = ("member__name",)
    exclude = ("created_by",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Visit)
class VisitAdmin(ScopedImportExportMixin, PartyScopedAdmin):
    resource_classes = [VisitResource]
    community_path = "household__building__estate__community"
    list_display = (
        "visited_on",
        "household",
        "member",
        "grid_worker",
        "channel",
        "has_problem",
        "proposal_ref",
    )
    list_filter = ("channel", "visited_on")
    list_select_related = ("household__building__estate", "member", "grid_worker")
    raw_id_fields = ("member", "grid_worker", "household")
    readonly_fields = (
        "recorded_by",
        "recorded_at",
        "proposal_ref",
        "problem_converted_by",
        "problem_converted_at",
    )

    @admin.display(description=gettext_lazy("problem raised"), boolean=True)
    def has_problem(self, obj):
        return bool(obj.problem)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


class VolunteerTeamMemberInline(RoleScopedInline, admin.TabularInline):
    model = VolunteerTeamMember
    extra = 0
    fields = ("name", "party_member", "joined_on", "left_on")
    raw_id_fields = ("party_member",)


@admin.register(VolunteerTeam)
class VolunteerTeamAdmin(PartyScopedAdmin):
    community_path = "community"
    list_display = ("name", "kind", "community", "estate", "established_on", "dissolved_on")
    list_filter = ("kind", "community")
    list_select_related = ("community", "estate")
    inlines = [VolunteerTeamMemberInline]


@admin.register(ServiceStation)
class ServiceStationAdmin(PartyScopedAdmin):
    community_path = "estate__community"
    list_display = ("name", "estate", "opened_on", "closed_on")
    list_select_related = ("estate",)
    search_fields = ("name", "estate__name")


@admin.register(BuildingHead)
class BuildingHeadAdmin(PartyScopedAdmin):
    community_path = "building__estate__community"
    list_display = ("name", "building", "member", "started_on", "ended_on")
    list_select_related = ("building__estate", "member")
    raw_id_fields = ("building", "member")
    search_fields = ("building__estate__name", "building__name")
