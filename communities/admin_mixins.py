"""Admin scoping shared by every app: querysets and foreign-key choices limited to what the
user's role may see, and permissions by role rather than hand-assigned Django permissions."""

from django.db import models

from governance.spreadsheets.admin_io import SpreadsheetImportExportMixin

from .models import Building, Community, Estate, Household, PropertyCompany, User
from .scoping import scope_to_staff, visible_communities

# Foreign keys whose choices are narrowed to the user's communities, with the lookup to use.
_FK_SCOPES = {
    Community: "pk__in",
    Estate: "community__in",
    Building: "estate__community__in",
    Household: "building__estate__community__in",
}


class RoleScopedAdmin:
    """Mixin for ModelAdmin.

    community_path: lookup from the model to its Community; None for town-level models.
    town_path: for town-level models, lookup from the model to its Town (None: not town-bound).
    change_roles: roles that may add and change (view is granted to every staff role that sees it).
    """

    community_path: str | None = None
    town_path: str | None = None
    change_roles: tuple[str, ...] = (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF)
    view_roles: tuple[str, ...] = (
        User.Role.TOWNSHIP_STAFF,
        User.Role.COMMUNITY_STAFF,
        User.Role.ASSESSOR,
    )
    delete_roles: tuple[str, ...] = ()

    def get_queryset(self, request):
        return scope_to_staff(
            super().get_queryset(request),
            request.user,
            community_path=self.community_path,
            town_path=self.town_path,
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        related = db_field.related_model
        if field is not None and related in _FK_SCOPES and not request.user.is_superuser:
            lookup = _FK_SCOPES[related]
            field.queryset = field.queryset.filter(**{lookup: visible_communities(request.user)})
        elif field is not None and related is PropertyCompany:
            field.queryset = field.queryset.all()
        return field

    def _role_in(self, request, roles) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or (user.is_staff and user.role in roles))

    def has_module_permission(self, request):
        return self._role_in(request, self.view_roles)

    def has_view_permission(self, request, obj=None):
        return self._role_in(request, self.view_roles + self.change_roles)

    def has_add_permission(self, request):
        return self._role_in(request, self.change_roles)

    def has_change_permission(self, request, obj=None):
        return self._role_in(request, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return self._role_in(request, self.delete_roles)


def scoped_related_queryset(model: type[models.Model], user):
    """Choices for a form field pointing at a community-scoped model."""
    qs = model._default_manager.all()
    if user.is_superuser or model not in _FK_SCOPES:
        return qs
    return qs.filter(**{_FK_SCOPES[model]: visible_communities(user)})


class ScopedImportExportMixin(SpreadsheetImportExportMixin):
    """django-import-export for a RoleScopedAdmin: the resource gets the requesting user (so its
    lookups and rows stay inside the user's scope), and import/export follow add/view rights.
    Files are read and written through governance.spreadsheets (formula-safe cells, caps,
    encodings, errors as form errors)."""

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)
