"""django-import-export resources for members, household assignments and visits.

Every foreign key is looked up only among the records the importing user may see, each bad row is
reported with its errors, and a file with any bad row saves nothing (the import runs in one
transaction that is rolled back on validation errors too, not only on exceptions)."""

from django.core.exceptions import MultipleObjectsReturned, ObjectDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets

from communities.models import Household
from communities.privacy import mask_phone
from communities.scoping import scope_to_staff
from governance.spreadsheets.admin_io import SpreadsheetResourceMixin

from .models import GridWorker, HouseholdAssignment, PartyMember, PartyOrganization, Visit


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks up the related row among those visible to the resource's user; a missing or foreign
    row is a validation error of that row, not a crash."""

    def __init__(self, model, field="pk", *, community_path: str, **kwargs):
        self.community_path = community_path
        self.user = None
        super().__init__(model, field=field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        qs = self.model._default_manager.all()
        if self.user is None:
            return qs.none()
        return scope_to_staff(qs, self.user, community_path=self.community_path)

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ObjectDoesNotExist, ValueError, TypeError) as error:
            raise ValueError(
                _("%(model)s “%(value)s” does not exist or is not in your communities.")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from error
        except MultipleObjectsReturned as error:
            raise ValueError(
                _("%(model)s “%(value)s” is ambiguous.")
                % {"model": self.model._meta.verbose_name, "value": value}
            ) from error


class HouseholdWidget(ScopedForeignKeyWidget):
    """A household as "estate building room" (e.g. 糖果雅苑 1栋 101) or its id."""

    def __init__(self, **kwargs):
        super().__init__(Household, community_path="building__estate__community", **kwargs)

    def get_lookup_kwargs(self, value, row, **kwargs):
        text = str(value).strip()
        if text.isdigit():
            return {"pk": int(text)}
        parts = text.rsplit(maxsplit=2)
        if len(parts) != 3:
            raise ValueError(text)
        estate, building, room = parts
        return {"building__estate__name": estate, "building__name": building, "room": room}

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return f"{value.building.estate.name} {value.building.name} {value.room}"


class ScopedModelResource(SpreadsheetResourceMixin, resources.ModelResource):
    """Base: knows the importing user, scopes lookups, refuses unknown columns, validates
    models, all-or-nothing."""

    community_path: str = ""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.user = user

    def get_queryset(self):
        qs = super().get_queryset()
        if self.user is None:
            return qs.none()
        return scope_to_staff(qs, self.user, community_path=self.community_path)

    def get_instance(self, instance_loader, row):
        # An id outside the user's communities is an error of the row, never a silent insert.
        instance = super().get_instance(instance_loader, row)
        raw_id = row.get("id") if "id" in row else None
        if instance is None and raw_id not in (None, ""):
            raise ValueError(_("Row id %(id)s does not exist or is not yours.") % {"id": raw_id})
        return instance

    def import_data(self, dataset, *args, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        kwargs["use_transactions"] = True
        return super().import_data(dataset, *args, **kwargs)


class PartyMemberResource(ScopedModelResource):
    community_path = "organization__community"
    column_labels = {"organization_name": gettext_lazy("organisation name")}

    organization = fields.Field(
        attribute="organization",
        column_name="organization",
        widget=ScopedForeignKeyWidget(PartyOrganization, community_path="community"),
    )
    organization_name = fields.Field(
        attribute="organization__name", column_name="organization_name", readonly=True
    )

    def dehydrate_phone(self, member) -> str:
        # Exports carry masked numbers (PIPL); the audited reveal is the only way to a full one.
        return mask_phone(member.phone)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # A masked number (from an export) keeps the stored one instead of overwriting it.
        if field.attribute == "phone" and "*" in str(row.get(field.column_name) or ""):
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    class Meta:
        model = PartyMember
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False
        fields = (
            "id",
            "organization",
            "organization_name",
            "name",
            "phone",
            "is_registered_in_service",
            "employer",
            "is_building_head",
            "joined_on",
            "left_on",
        )
        export_order = fields


class HouseholdAssignmentResource(ScopedModelResource):
    community_path = "household__building__estate__community"
    column_labels = {"member_name": gettext_lazy("member name")}

    member = fields.Field(
        attribute="member",
        column_name="member",
        widget=ScopedForeignKeyWidget(PartyMember, community_path="organization__community"),
    )
    member_name = fields.Field(attribute="member__name", column_name="member_name", readonly=True)
    household = fields.Field(
        attribute="household", column_name="household", widget=HouseholdWidget()
    )

    class Meta:
        model = HouseholdAssignment
        clean_model_instances = True
        skip_unchanged = True
        fields = ("id", "member", "member_name", "household", "valid_from", "valid_to")
        export_order = fields

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and self.user is not None:
            instance.created_by = self.user


class VisitResource(ScopedModelResource):
    community_path = "household__building__estate__community"

    member = fields.Field(
        attribute="member",
        column_name="member",
        widget=ScopedForeignKeyWidget(PartyMember, community_path="organization__community"),
    )
    grid_worker = fields.Field(
        attribute="grid_worker",
        column_name="grid_worker",
        widget=ScopedForeignKeyWidget(GridWorker, community_path="grid__community"),
    )
    household = fields.Field(
        attribute="household", column_name="household", widget=HouseholdWidget()
    )

    class Meta:
        model = Visit
        clean_model_instances = True
        skip_unchanged = True
        fields = (
            "id",
            "member",
            "grid_worker",
            "household",
            "visited_on",
            "channel",
            "note",
            "problem",
        )
        export_order = fields

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and self.user is not None:
            instance.recorded_by = self.user
