from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the trail is written by code only."""

    list_display = ("at", "actor_username", "action", "object_type", "object_id", "summary", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_username", "object_type", "object_id", "summary")
    date_hierarchy = "at"
    list_select_related = False
    readonly_fields = (
        "at",
        "actor_username",
        "action",
        "object_type",
        "object_id",
        "summary",
        "ip",
        "details",
    )
    fields = readonly_fields
    actions = None

    def has_module_permission(self, request):
        return self._may_view(request)

    def has_view_permission(self, request, obj=None):
        return self._may_view(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        # Several towns share a deployment: township staff read what their town's users did.
        return qs.filter(actor__town_id=request.user.town_id)

    def _may_view(self, request) -> bool:
        # Township staff (and superusers) audit the whole deployment; nobody else reads it.
        user = request.user
        return user.is_active and user.is_staff and user.is_township_staff


from .notifications import admin as notifications_admin  # noqa: E402, F401  (registers its admins)
