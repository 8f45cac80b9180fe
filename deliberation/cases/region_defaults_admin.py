"""Admin of the region defaults for cases (regions.md): district and city staff keep their own
region's default categories and deadlines; the admin's log and `updated_by` record who changed
what, when. A town's own categories and deadlines stay in the town's admin (cases/admin.py)."""

from django.contrib import admin

from communities import roles
from communities.admin_mixins import RoleScopedAdmin, register_choice_scopes
from communities.models import Region

from .region_defaults import RegionCaseCategory, RegionCaseSettings


def own_regions(qs, user):
    """Rows of the districts and cities where `user` is district or city staff."""
    if getattr(user, "is_superuser", False):
        return qs
    return qs.filter(region_id__in=roles.region_ids(user))


register_choice_scopes({RegionCaseCategory: own_regions, RegionCaseSettings: own_regions})


class RegionDefaultsAdmin(RoleScopedAdmin, admin.ModelAdmin):
    list_select_related = ["region"]
    readonly_fields = ["updated_at", "updated_by"]

    def get_queryset(self, request):
        return own_regions(admin.ModelAdmin.get_queryset(self, request), request.user)

    def get_actions(self, request):
        # The defaults are few rows: each is deleted from its own page (asks the rule).
        return {}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "region" and field is not None and not request.user.is_superuser:
            field.queryset = Region.objects.filter(pk__in=roles.region_ids(request.user))
        return field

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(RegionCaseSettings)
class RegionCaseSettingsAdmin(RegionDefaultsAdmin):
    list_display = ["region", "accept_days", "reply_days_estate", "reply_days_community",
                    "reply_days_town", "updated_at"]  # fmt: skip


@admin.register(RegionCaseCategory)
class RegionCaseCategoryAdmin(RegionDefaultsAdmin):
    list_display = ["region", "code", "name", "first_level", "department_name", "updated_at"]
    list_filter = ["region", "first_level"]
    search_fields = ["code", "name"]
