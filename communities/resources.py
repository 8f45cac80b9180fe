"""django-import-export resources for the registry (Excel / CSV import and export).

Foreign keys are written and read by their natural names (community name, estate name, company
name or credit code), never by database ids, so a spreadsheet typed by community staff imports.
Every row is validated with the model's full_clean (credit code check character, contract
overlap, one estate name per town), and a file with any bad row saves nothing.

Scoping: the resource is built with the importing user (the admin passes it). Every lookup of a
related record is limited to what that user may see (scoping.scope_to_staff), so community staff
can neither create rows in another community nor update another community's rows.
"""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from governance.spreadsheets.admin_io import SpreadsheetResourceMixin

from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    PropertyCompany,
    ServiceContract,
)
from .scoping import scope_to_staff, visible_communities


class ScopedNameWidget(widgets.ForeignKeyWidget):
    """Resolves a related record by a natural name within what the importing user may see.

    `community_path` is the lookup from the related model to its Community (None: town-level
    records such as companies, visible to every staff role). Raises ValueError with a message
    that names the value, which import-export reports against the row and column.
    """

    def __init__(self, model, field="name", *, community_path=None, label="", **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.community_path = community_path
        self.label = label
        self.user = None

    def get_queryset(self, value, row, *args, **kwargs):
        qs = self.model.objects.all()
        if self.user is not None and self.community_path is not None:
            qs = scope_to_staff(qs, self.user, community_path=self.community_path)
        return qs

    def clean(self, value, row=None, **kwargs):
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        try:
            return self.get_instance_by_lookup_fields(value, row, **kwargs)
        except self.model.DoesNotExist as error:
            raise ValueError(
                _("No %(what)s named “%(value)s” that you may use.")
                % {"what": self.label or self.model._meta.verbose_name, "value": value}
            ) from error
        except self.model.MultipleObjectsReturned as error:
            raise ValueError(
                _("“%(value)s” names more than one %(what)s; add the community column.")
                % {"what": self.label or self.model._meta.verbose_name, "value": value}
            ) from error

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.field)


class CommunityWidget(ScopedNameWidget):
    def __init__(self):
        super().__init__(Community, "name", community_path="pk", label=gettext_lazy("community"))

    def get_queryset(self, value, row, *args, **kwargs):
        if self.user is None:
            return Community.objects.all()
        return visible_communities(self.user)


class EstateWidget(ScopedNameWidget):
    """Estate by name; names are unique in a town, and an optional community column narrows
    the lookup for superusers who see several towns."""

    def __init__(self):
        super().__init__(Estate, "name", community_path="community", label=gettext_lazy("estate"))

    def get_queryset(self, value, row, *args, **kwargs):
        qs = super().get_queryset(value, row, *args, **kwargs)
        community = (row or {}).get("community")
        if community:
            qs = qs.filter(community__name=str(community).strip())
        return qs


class BuildingWidget(ScopedNameWidget):
    """Building by name within the row's estate."""

    def __init__(self):
        super().__init__(
            Building, "name", community_path="estate__community", label=gettext_lazy("building")
        )

    def get_queryset(self, value, row, *args, **kwargs):
        qs = super().get_queryset(value, row, *args, **kwargs)
        estate = str((row or {}).get("estate") or "").strip()
        return qs.filter(estate__name=estate)


class CompanyWidget(ScopedNameWidget):
    """Company by its unified social credit code or by its name."""

    def __init__(self):
        super().__init__(PropertyCompany, "name", label=gettext_lazy("property company"))

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {}

    def get_instance_by_lookup_fields(self, value, row, **kwargs):
        return self.get_queryset(value, row, **kwargs).get(Q(credit_code=value) | Q(name=value))


class ScopedResource(SpreadsheetResourceMixin, resources.ModelResource):
    """Base: knows the importing user, scopes lookups, refuses a file with columns it does not
    know, and rolls back the whole file when any row is invalid."""

    #: lookup from the model to its Community; None for town-level models
    community_path: str | None = None

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.set_user(user)

    def set_user(self, user):
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, ScopedNameWidget):
                field.widget.user = user

    def get_queryset(self):
        qs = super().get_queryset()
        if self.user is not None:
            qs = scope_to_staff(qs, self.user, community_path=self.community_path)
        return qs

    def import_data(self, dataset, *args, rollback_on_validation_errors=True, **kwargs):
        # One bad row and nothing of the file is saved (rollback needs use_transactions).
        return super().import_data(
            dataset, *args, rollback_on_validation_errors=rollback_on_validation_errors, **kwargs
        )

    def get_or_init_instance(self, instance_loader, row):
        # The loader resolves the natural key through the scoped widgets; an unknown or
        # out-of-scope name is a validation error of the row, not a crash.
        try:
            return super().get_or_init_instance(instance_loader, row)
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def before_import(self, dataset, **kwargs):
        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        super().before_import(dataset, **kwargs)

    def row_community_id(self, instance) -> int | None:
        """The community the imported instance belongs to (None for town-level rows)."""
        return None

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        super().validate_instance(instance, import_validation_errors, validate_unique)
        # Defence in depth: the widgets already refuse records outside the user's scope, but
        # a row must never end up in a community the importer does not work for.
        community_id = self.row_community_id(instance)
        if (
            self.user is not None
            and community_id is not None
            and not visible_communities(self.user).filter(pk=community_id).exists()
        ):
            raise ValidationError(_("You may only import records of your own community."))


class EstateResource(ScopedResource):
    community_path = "community"

    community = fields.Field(
        attribute="community", column_name="community", widget=CommunityWidget()
    )

    class Meta:
        model = Estate
        fields = (
            "community",
            "name",
            "status",
            "delivery_date",
            "planned_households",
            "residents",
            "supervising_unit",
            "is_old_estate",
            "address",
        )
        import_id_fields = ("community", "name")
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    def row_community_id(self, instance):
        return instance.community_id


class BuildingResource(ScopedResource):
    community_path = "estate__community"

    estate = fields.Field(attribute="estate", column_name="estate", widget=EstateWidget())

    class Meta:
        model = Building
        fields = ("estate", "name", "floors")
        import_id_fields = ("estate", "name")
        skip_unchanged = True
        clean_model_instances = True

    def row_community_id(self, instance):
        return instance.estate.community_id if instance.estate_id else None


class HouseholdResource(ScopedResource):
    community_path = "building__estate__community"

    estate = fields.Field(
        attribute="building__estate", column_name="estate", widget=EstateWidget(), readonly=True
    )
    building = fields.Field(attribute="building", column_name="building", widget=BuildingWidget())

    class Meta:
        model = Household
        fields = ("estate", "building", "room")
        import_id_fields = ("building", "room")
        skip_unchanged = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        # The estate column is read-only on the instance but checked: it must be one the
        # importer may use, so the error names the estate rather than the building.
        try:
            self.fields["estate"].clean(row)
        except ValueError as error:
            raise ValidationError({"estate": str(error)}) from error
        super().before_import_row(row, **kwargs)

    def row_community_id(self, instance):
        return instance.building.estate.community_id if instance.building_id else None


class PropertyCompanyResource(ScopedResource):
    class Meta:
        model = PropertyCompany
        fields = ("name", "credit_code", "address")
        import_id_fields = ("name",)
        skip_unchanged = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        # Spreadsheets often carry stray spaces; the code itself is checked, never uppercased
        # silently, so a wrong code is reported rather than "corrected".
        if row.get("credit_code") is None:
            row["credit_code"] = ""
        row["credit_code"] = str(row["credit_code"]).strip()
        super().before_import_row(row, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Companies are shared between towns: a row changing an existing company is refused
        # unless the importer may change it (staff of a town it serves), like the change page.
        if (
            instance.pk
            and self.user is not None
            and not self.user.has_perm("communities.change_propertycompany", instance)
        ):
            raise ValidationError(
                _("%(name)s serves no town of yours: only its towns' staff change its record.")
                % {"name": instance.name}
            )
        super().validate_instance(instance, import_validation_errors, validate_unique)


class ServiceContractResource(ScopedResource):
    community_path = "estate__community"

    estate = fields.Field(attribute="estate", column_name="estate", widget=EstateWidget())
    company = fields.Field(attribute="company", column_name="company", widget=CompanyWidget())
    valid_from = fields.Field(
        attribute="valid_from", column_name="valid_from", widget=widgets.DateWidget()
    )
    valid_to = fields.Field(
        attribute="valid_to", column_name="valid_to", widget=widgets.DateWidget()
    )

    class Meta:
        model = ServiceContract
        fields = ("estate", "company", "valid_from", "valid_to")
        import_id_fields = ("estate", "company", "valid_from")
        skip_unchanged = True
        clean_model_instances = True

    def dehydrate_company(self, contract):
        return contract.company.credit_code or contract.company.name

    def row_community_id(self, instance):
        return instance.estate.community_id if instance.estate_id else None


class OwnersCommitteeResource(ScopedResource):
    community_path = "estate__community"

    estate = fields.Field(attribute="estate", column_name="estate", widget=EstateWidget())

    class Meta:
        model = OwnersCommittee
        fields = ("estate", "kind", "established_on", "term_ends_on", "dissolved_on")
        import_id_fields = ("estate", "kind", "established_on")
        skip_unchanged = True
        clean_model_instances = True

    def row_community_id(self, instance):
        return instance.estate.community_id if instance.estate_id else None
