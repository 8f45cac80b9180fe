"""Admin scoping shared by every app: querysets, foreign-key choices, raw-id labels and
autocompletes limited to what the user may see, and permissions by role grant rather than
hand-assigned Django permissions."""

from collections.abc import Callable

from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.core.exceptions import ValidationError
from django.db import DataError, models

from governance.spreadsheets.admin_io import SpreadsheetImportExportMixin

from . import roles, scoping
from . import rules as community_rules
from .models import User
from .scoping import scope_to_staff

ChoiceScope = Callable[[models.QuerySet, object], models.QuerySet]

# Related model -> function(queryset, user) limiting the choices a user may pick or see in a
# form. Each app registers its own models (register_choice_scopes) beside its rules.
_CHOICE_SCOPES: dict[type[models.Model], ChoiceScope] = dict(community_rules.CHOICE_SCOPES)


def register_choice_scopes(scopes: dict[type[models.Model], ChoiceScope]) -> None:
    _CHOICE_SCOPES.update(scopes)


def scope_choices(qs: models.QuerySet, user) -> models.QuerySet:
    """`qs` (of any related model) limited to what `user` may see. A model with no registered
    scope is limited like its own RoleScopedAdmin limits it; a model with neither is left whole
    (reference data such as task items)."""
    if getattr(user, "is_superuser", False):
        return qs
    scope = _CHOICE_SCOPES.get(qs.model)
    if scope is not None:
        return scope(qs, user)
    from django.contrib import admin

    model_admin = admin.site._registry.get(qs.model)
    if isinstance(model_admin, RoleScopedAdmin) and (
        model_admin.community_path or model_admin.town_path
    ):
        return scope_to_staff(
            qs,
            user,
            community_path=model_admin.community_path,
            town_path=model_admin.town_path,
        )
    return qs


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw-id input whose label (the object's name shown beside the id) is looked up only
    among the choices the user may see: an id typed into `?secretary=` names nobody else."""

    def __init__(self, rel, admin_site, attrs=None, using=None, *, queryset=None):
        super().__init__(rel, admin_site, attrs=attrs, using=using)
        self.scope_queryset = queryset

    def label_and_url_for_value(self, value):
        if self.scope_queryset is not None:
            key = self.rel.get_related_field().name
            try:
                if not self.scope_queryset.filter(**{key: value}).exists():
                    return "", ""
            except (ValueError, TypeError, ValidationError, DataError):  # a malformed id
                return "", ""
        return super().label_and_url_for_value(value)


class ScopedChoicesMixin:
    """Every foreign-key and many-to-many field of the form (select, raw id, autocomplete,
    filter_horizontal) offers and accepts only what the user may see. `open_choice_fields`
    names the rare field that may point anywhere (a contract may name any company: that is how
    a company comes to serve a town)."""

    open_choice_fields: tuple[str, ...] = ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is None or db_field.name in self.open_choice_fields:
            return field
        field.queryset = scope_choices(field.queryset, request.user)
        widget = field.widget
        if type(widget) is ForeignKeyRawIdWidget:
            field.widget = ScopedRawIdWidget(
                widget.rel,
                widget.admin_site,
                attrs=widget.attrs,
                using=widget.db,
                queryset=field.queryset,
            )
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None and db_field.name not in self.open_choice_fields:
            field.queryset = scope_choices(field.queryset, request.user)
        return field


_SCOPED_INLINE_CLASSES: dict[type, type] = {}


def _scoped_inline_class(inline_class: type) -> type:
    """`inline_class` with ScopedChoicesMixin in front (one class per inline class)."""
    scoped = _SCOPED_INLINE_CLASSES.get(inline_class)
    if scoped is None:
        scoped = type(inline_class.__name__, (ScopedChoicesMixin, inline_class), {})
        scoped.__module__ = inline_class.__module__
        _SCOPED_INLINE_CLASSES[inline_class] = scoped
    return scoped


def _autocomplete_source(request, admin_site):
    """(admin of the model whose field asks, field name) for an admin autocomplete request."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return None, None
    from django.apps import apps

    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
    except (LookupError, ValueError):
        return None, None
    return admin_site._registry.get(model), request.GET.get("field_name", "")


def _asks_rules(model) -> bool:
    return model in community_rules.MODEL_RULES


def _may(request, action: str, model, obj=None) -> bool:
    """`request.user.has_perm("<app>.<action>_<model>", obj)`: the rules of the model's app."""
    return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}", obj)


def _holds_role(request, role_list) -> bool:
    user = request.user
    return user.is_active and (
        user.is_superuser or (user.is_staff and bool(role_list) and roles.holds(user, *role_list))
    )


def _region_reader(request) -> bool:
    user = request.user
    return user.is_active and user.is_staff and scoping.is_region_reader(user)


class RulePermissions:
    """has_*_permission of an admin or inline. A model with rules (communities.rules
    .add_model_perms) asks `<app>.<action>_<model>`; the role tuples remain for the apps that have
    not named their admin rules yet. An inline (`asks_about_object = False`) is given its parent
    object, already limited by the parent admin's queryset: its rule is asked about the model."""

    change_roles: tuple[str, ...] = (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF)
    view_roles: tuple[str, ...] = (
        User.Role.TOWNSHIP_STAFF,
        User.Role.COMMUNITY_STAFF,
        User.Role.ASSESSOR,
    )
    delete_roles: tuple[str, ...] = ()
    asks_about_object = True
    # regions.md: district and city staff read the records of the towns below their region
    # (the queryset limits which); False for the rare model that is no town's record to read.
    region_readable = True

    def _role_in(self, request, role_list) -> bool:
        return _holds_role(request, role_list)

    def _permitted(self, request, action: str, obj, role_list) -> bool:
        if _asks_rules(self.model):
            return _may(request, action, self.model, obj if self.asks_about_object else None)
        if action == "view" and self.region_readable and _region_reader(request):
            return True
        return self._role_in(request, role_list)

    def has_view_permission(self, request, obj=None):
        return self._permitted(request, "view", obj, self.view_roles + self.change_roles)

    def has_change_permission(self, request, obj=None):
        return self._permitted(request, "change", obj, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        return self._permitted(request, "delete", obj, self.delete_roles)


class RoleScopedAdmin(RulePermissions, ScopedChoicesMixin):
    """Mixin for ModelAdmin.

    community_path: lookup from the model to its Community; None for town-level models.
    town_path: for town-level models, lookup from the model to its Town (None: not town-bound).
    change_roles: roles that may add and change (view is granted to every staff role that sees it).
    """

    community_path: str | None = None
    town_path: str | None = None

    def get_queryset(self, request):
        return scope_to_staff(
            super().get_queryset(request),
            request.user,
            community_path=self.community_path,
            town_path=self.town_path,
        )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Autocomplete asks the admin of the model it lists: limit it to the choices the
        # asking field would accept, so names of another town never come back.
        source_admin, field_name = _autocomplete_source(request, self.admin_site)
        if source_admin is not None and field_name not in getattr(
            source_admin, "open_choice_fields", ()
        ):
            queryset = scope_choices(queryset, request.user)
        return queryset, may_have_duplicates

    def get_inline_instances(self, request, obj=None):
        # Inlines of every app inherit the scoped choices, whether or not they say so.
        instances = super().get_inline_instances(request, obj)
        for inline in instances:
            if not isinstance(inline, ScopedChoicesMixin):
                inline.__class__ = _scoped_inline_class(type(inline))
        return instances

    def has_module_permission(self, request):
        return self._permitted(request, "view", None, self.view_roles)

    def has_add_permission(self, request):
        return self._permitted(request, "add", None, self.change_roles)

    def get_actions(self, request):
        # District and city staff change nothing: no action is offered to them (a forged POST
        # of one is refused by Django as an unknown action, and runs on no region's record:
        # communities.middleware).
        if scoping.is_region_only(request.user):
            return {}
        return super().get_actions(request)


class RoleScopedInline(RulePermissions, ScopedChoicesMixin):
    """Inline permissions by role (the parent admin's queryset already limits which parent can
    be opened) and foreign-key choices scoped like RoleScopedAdmin."""

    asks_about_object = False

    def has_add_permission(self, request, obj=None):
        return self._permitted(request, "add", None, self.change_roles)


def scoped_related_queryset(model: type[models.Model], user):
    """Choices for a form field pointing at `model`, limited to what `user` may see."""
    return scope_choices(model._default_manager.all(), user)


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
