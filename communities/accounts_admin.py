"""Admin of open accounts: statements are read (filed through the portal), audits recorded
(who may do which: communities.rules)."""

from django.contrib import admin

from .accounts import AccountAudit, AccountStatement
from .admin_mixins import RoleScopedAdmin


@admin.register(AccountStatement)
class AccountStatementAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    list_display = ("estate", "period_start", "period_end", "filer", "filed_at", "is_late")
    list_filter = ("is_late", "frequency")
    list_select_related = ("estate",)


@admin.register(AccountAudit)
class AccountAuditAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    list_display = ("estate", "year", "auditor", "recorded_at")
    list_select_related = ("estate",)
    autocomplete_fields = ("estate",)
