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
from .services import refresh_estate_households_on_commit


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
        # Per import: (value, context) -> the record, or the error to raise again. Files name
        # the same estate or building on thousands of rows; each is looked up once.
        self._memo: dict | None = None

    def start_memo(self) -> None:
        self._memo = {}

    def stop_memo(self) -> None:
        self._memo = None

    def memo_context(self, row) -> str:
        """What else in the row the lookup depends on (part of the memo's key)."""
        return ""

    def remember(self, value: str, context: str, found: list) -> None:
        """Store a lookup's outcome from the records matching it (0, 1 or more)."""
        if self._memo is not None:
            self._memo[(value, context)] = found[0] if len(found) == 1 else len(found)

    def get_queryset(self, value, row, *args, **kwargs):
        qs = self.model.objects.all()
        if self.user is not None and self.community_path is not None:
            qs = scope_to_staff(qs, self.user, community_path=self.community_path)
        return qs

    def clean(self, value, row=None, **kwargs):
        value = str(value).strip() if value is not None else ""
        if not value:
            return None
        key = (value, self.memo_context(row))
        if self._memo is not None and key in self._memo:
            found = self._memo[key]
            if isinstance(found, int):
                raise self._lookup_error(value, multiple=found > 1)
            return found
        try:
            found = self.get_instance_by_lookup_fields(value, row, **kwargs)
        except self.model.DoesNotExist as error:
            self.remember(*key, [])
            raise self._lookup_error(value, multiple=False) from error
        except self.model.MultipleObjectsReturned as error:
            self.remember(*key, [None, None])
            raise self._lookup_error(value, multiple=True) from error
        self.remember(*key, [found])
        return found

    def _lookup_error(self, value, *, multiple: bool) -> ValueError:
        what = self.label or self.model._meta.verbose_name
        if multiple:
            return ValueError(
                _("“%(value)s” names more than one %(what)s; add the community column.")
                % {"what": what, "value": value}
            )
        return ValueError(
            _("No %(what)s named “%(value)s” that you may use.") % {"what": what, "value": value}
        )

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

    def memo_context(self, row) -> str:
        return str((row or {}).get("community") or "").strip()

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

    def memo_context(self, row) -> str:
        return str((row or {}).get("estate") or "").strip()

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

    def scoped_widgets(self) -> list[ScopedNameWidget]:
        return [f.widget for f in self.fields.values() if isinstance(f.widget, ScopedNameWidget)]

    def before_import(self, dataset, **kwargs):
        if kwargs.get("user") is not None:
            self.set_user(kwargs["user"])
        # Lookups are remembered for this import only: the user and the data are fixed in
        # its transaction.
        self._visible_community = {}
        for widget in self.scoped_widgets():
            widget.start_memo()
        super().before_import(dataset, **kwargs)

    def after_import(self, dataset, result, **kwargs):
        for widget in self.scoped_widgets():
            widget.stop_memo()
        super().after_import(dataset, result, **kwargs)

    def row_community_id(self, instance) -> int | None:
        """The community the imported instance belongs to (None for town-level rows)."""
        return None

    #: natural-key fields whose uniqueness the resource checks in memory against every
    #: record with that key (see HouseholdResource); () leaves it to full_clean's queries
    unique_in_memory: tuple[str, ...] = ()

    def loaded_in_scope(self, instance) -> set[str]:
        """Foreign keys of the instance known to exist (read in this import's transaction), so
        full_clean need not query each one again per row."""
        return set()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if self.unique_in_memory and getattr(self, "_known", None) is not None:
            # The same checks as full_clean, without its one query per row for the unique
            # constraint on the natural key: get_instance found any record with that key.
            errors = dict(import_validation_errors or {})
            try:
                instance.full_clean(
                    exclude={*errors, *self.loaded_in_scope(instance)},
                    validate_unique=False,
                    validate_constraints=False,
                )
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            try:
                instance.validate_constraints(exclude={*errors, *self.unique_in_memory})
            except ValidationError as error:
                errors = error.update_error_dict(errors)
            if errors:
                raise ValidationError(errors)
        else:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        # Defence in depth: the widgets already refuse records outside the user's scope, but
        # a row must never end up in a community the importer does not work for.
        community_id = self.row_community_id(instance)
        if self.user is None or community_id is None:
            return
        visible = getattr(self, "_visible_community", None)
        if visible is None:
            visible = self._visible_community = {}
        if community_id not in visible:
            visible[community_id] = visible_communities(self.user).filter(pk=community_id).exists()
        if not visible[community_id]:
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

    #: background jobs insert new households in batches (governance.spreadsheets.jobs)
    bulk_in_jobs = True
    unique_in_memory = ("building", "room")
    #: (building id, room) -> every household of the file's buildings, and each new one
    _known: dict | None = None
    _preloaded_buildings: set = frozenset()

    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        self._preload(dataset)

    def after_import(self, dataset, result, **kwargs):
        # Background jobs insert in batches, past the signals that keep each estate's
        # household count: recount the file's estates when its transaction commits.
        if self._known is not None and not kwargs.get("dry_run"):
            refresh_estate_households_on_commit(
                building_ids={building for building, _room in self._known}
                | set(self._preloaded_buildings)
            )
        self._known = None
        super().after_import(dataset, result, **kwargs)

    def _preload(self, dataset) -> None:
        """One query each for the file's estates, buildings and their households, instead of
        four per row. The lookups stay those of the widgets (the user's scope, exact names)."""
        self._known = None
        headers = dataset.headers or []
        if "building" not in headers or "room" not in headers or not len(dataset):
            return
        estates = (
            [str(v).strip() if v is not None else "" for v in dataset["estate"]]
            if "estate" in headers
            else [""] * len(dataset)
        )
        names = [str(v).strip() if v is not None else "" for v in dataset["building"]]
        estate_widget = self.fields["estate"].widget
        building_widget = self.fields["building"].widget
        found_estates: dict[str, list] = {}
        for estate in ScopedNameWidget.get_queryset(estate_widget, None, None).filter(
            name__in=set(estates)
        ):
            found_estates.setdefault(estate.name, []).append(estate)
        for name in set(estates) - {""}:
            estate_widget.remember(name, "", found_estates.get(name, []))
        found_buildings: dict[tuple[str, str], list] = {}
        for building in (
            ScopedNameWidget.get_queryset(building_widget, None, None)
            .filter(estate__name__in=set(estates), name__in=set(names))
            .select_related("estate")
        ):
            found_buildings.setdefault((building.name, building.estate.name), []).append(building)
        for key in set(zip(names, estates, strict=True)):
            if key[0]:
                building_widget.remember(*key, found_buildings.get(key, []))
        building_ids = [b.pk for group in found_buildings.values() for b in group]
        self._known = {
            (household.building_id, household.room): household
            for household in Household.objects.filter(building_id__in=building_ids)
        }
        self._preloaded_buildings = set(building_ids)

    def get_instance(self, instance_loader, row):
        if self._known is None:
            return super().get_instance(instance_loader, row)
        building = self.fields["building"].clean(row)
        room = self.fields["room"].clean(row)
        if building is None or building.pk not in self._preloaded_buildings:
            return super().get_instance(instance_loader, row)
        return self._known.get((building.pk, room))

    def loaded_in_scope(self, instance) -> set[str]:
        return {"building"} if instance.building_id in self._preloaded_buildings else set()

    def after_save_instance(self, instance, row, **kwargs):
        # A later row of the file with the same room finds this one (as it would in the
        # database), so it is an unchanged row, not a second insert.
        if self._known is not None:
            self._known[(instance.building_id, instance.room)] = instance
        super().after_save_instance(instance, row, **kwargs)

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
