"""Admin for cases: the responsibility lists, calendar corrections, case records, joint
meetings and Open311 keys, each scoped to the staff member's town or community."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.admin_mixins import RoleScopedAdmin
from communities.models import User
from communities.privacy import mask_phone

from . import deadlines, services
from .models import (
    Assignment,
    CalendarDay,
    Case,
    CaseCategory,
    CaseEvent,
    CaseSettings,
    DutyItem,
    JointMeeting,
    MeetingDecision,
    Open311Key,
)

TOWNSHIP_ONLY = (User.Role.TOWNSHIP_STAFF,)


class KeptRecords:
    """Cases, their settings, responsibility lists, meetings and keys are kept, not deleted."""

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("deliberation.delete_records")


class WarnWithoutCalendarData:
    """Staff are told when this or next year has no holiday data (weekend-only fallback)."""

    def changelist_view(self, request, extra_context=None):
        warning = deadlines.staff_warning()
        if warning:
            messages.warning(request, warning)
        return super().changelist_view(request, extra_context)


@admin.register(CalendarDay)
class CalendarDayAdmin(WarnWithoutCalendarData, admin.ModelAdmin):
    list_display = ["date", "is_workday", "note"]
    date_hierarchy = "date"

    def _may(self, request) -> bool:
        return request.user.is_active and request.user.has_perm("deliberation.manage_calendar")

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.has_perm("deliberation.manage_calendar")

    def save_model(self, request, obj, form, change):
        # Through the service: a calendar change recomputes open deadlines not yet passed.
        if change and "date" in form.changed_data:
            services.calendar_day_remove(date=form.initial["date"], by=request.user)
        changed = services.calendar_day_set(
            date=obj.date, is_workday=obj.is_workday, note=obj.note, by=request.user
        )
        obj.pk = CalendarDay.objects.get(date=obj.date).pk
        messages.info(request, _("Deadlines recomputed: %(n)s assignments.") % {"n": changed})

    def delete_model(self, request, obj):
        services.calendar_day_remove(date=obj.date, by=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset:
            services.calendar_day_remove(date=day.date, by=request.user)


@admin.register(CaseSettings)
class CaseSettingsAdmin(KeptRecords, RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    change_roles = TOWNSHIP_ONLY
    list_display = ["town", "accept_days", "reply_days_estate", "reply_days_community",
                    "reply_days_town"]  # fmt: skip


@admin.register(CaseCategory)
class CaseCategoryAdmin(KeptRecords, RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    change_roles = TOWNSHIP_ONLY
    list_display = ["code", "name", "first_level", "department", "town"]
    list_filter = ["first_level"]


@admin.register(DutyItem)
class DutyItemAdmin(KeptRecords, RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    change_roles = TOWNSHIP_ONLY
    list_display = ["holder", "position", "text", "town"]
    list_filter = ["holder"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    can_delete = False
    fields = ["level", "handler_name", "assigned_at", "accept_due", "reply_due", "accepted_at",
              "accepted_late", "misroute", "return_reason", "ended_at", "end", "deadline_estimated"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("handler"))
    def handler_name(self, obj):
        return str(obj.handler)

    def has_add_permission(self, request, obj=None):
        return False


class EventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "by", "from_state", "to_state", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(KeptRecords, WarnWithoutCalendarData, RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    # Cases change only through the services (every move recorded): the admin reads.
    change_roles = ()
    list_display = ["number", "title", "estate", "category", "level", "state", "urgent",
                    "received_at", "masked_caller_phone"]  # fmt: skip
    list_filter = ["state", "level", "urgent", "source"]
    list_select_related = ["estate", "category"]
    search_fields = ["ticket", "title"]
    exclude = ["caller_phone", "caller_email", "lat", "long"]
    readonly_fields = ["masked_caller_phone"]
    inlines = [AssignmentInline, EventInline]

    @admin.display(description=_("caller phone"))
    def masked_caller_phone(self, obj):
        return mask_phone(obj.caller_phone) if obj.caller_phone else ""


class DecisionInline(admin.StackedInline):
    model = MeetingDecision
    extra = 0
    can_delete = False
    readonly_fields = ["case", "closes", "text", "lead_department", "due_date", "assignment"]
    exclude = ["co_departments"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(JointMeeting)
class JointMeetingAdmin(KeptRecords, RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    change_roles = TOWNSHIP_ONLY
    list_display = ["date", "chair", "town"]
    inlines = [DecisionInline]


@admin.register(Open311Key)
class Open311KeyAdmin(KeptRecords, RoleScopedAdmin, admin.ModelAdmin):
    town_path = "town"
    change_roles = TOWNSHIP_ONLY
    region_readable = False  # a town's API keys are its own business
    list_display = ["name", "town", "created_at", "revoked_at"]
    readonly_fields = ["name", "town", "created_at", "revoked_at"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # issued by `manage.py open311_key`, which shows the key once

    def has_revoke_permission(self, request):
        return request.user.has_perm("deliberation.revoke_open311_key")

    @admin.action(description=_("Revoke the selected keys"), permissions=["revoke"])
    def revoke(self, request, queryset):
        from governance.security import audit

        for key in queryset.filter(revoked_at__isnull=True):
            if not request.user.has_perm("deliberation.revoke_open311_key", key):
                continue  # the queryset is already the user's towns' keys; asked per key too
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit.record(
                audit.Action.OTHER, request=request, obj=key, summary="open311 key revoked"
            )
