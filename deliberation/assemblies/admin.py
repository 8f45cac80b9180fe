"""Admin of owners' assemblies: read-only. Votes are announced, ballots entered and votes
closed through the portal and the commands, whose services keep the rules and the record."""

from django.contrib import admin

from communities.admin_mixins import RoleScopedAdmin
from communities.models import User

from .models import AssemblyVote


@admin.register(AssemblyVote)
class AssemblyVoteAdmin(RoleScopedAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    change_roles = ()
    view_roles = (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF)
    list_display = ("title", "estate", "kind", "state", "opens_at", "closes_at", "passed")
    list_filter = ("state", "kind")
    list_select_related = ("estate", "result")
    search_fields = ("title", "estate__name")

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("deliberation.delete_owners_vote", obj)

    @admin.display(boolean=True, description="passed")
    def passed(self, vote):
        result = getattr(vote, "result", None)
        return None if result is None else result.passed
