"""Admin site of the registry, used by township and community staff (in Chinese through the
verbose names and the zh-hans catalogue).

Every ModelAdmin uses RoleScopedAdmin: querysets and foreign-key choices are limited to the
user's communities, and permissions follow the user's role. Inlines use RoleScopedInline for
the same reason (Django's inlines otherwise ask for model permissions nobody is given).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.security.admin import RevealPhoneAdminMixin
from governance.spreadsheets.admin_io import SafeCSV, SafeXLSX

from . import roles, services
from .admin_mixins import (
    RoleScopedAdmin,
    RoleScopedInline,
    RulePermissions,
    ScopedImportExportMixin,
)
from .departments import Department
from .forms import MaskedPhoneForm
from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    OwnersCommitteeMember,
    PropertyCompany,
    Region,
    ResidentVerification,
    RoleGrant,
    ServiceContract,
    Town,
    User,
)
from .paginators import EstimatedCountPaginator
from .resources import (
    BuildingResource,
    EstateResource,
    HouseholdResource,
    OwnersCommitteeResource,
    PropertyCompanyResource,
    ServiceContractResource,
)
from .scoping import visible_communities

TOWNSHIP_ONLY = (User.Role.TOWNSHIP_STAFF,)


class ScopedAdmin(RoleScopedAdmin, admin.ModelAdmin):
    """A RoleScopedAdmin ModelAdmin (town choices, like every related choice, are limited to the
    user's scope by RoleScopedAdmin)."""


class ScopedImportExportAdmin(ScopedImportExportMixin, ScopedAdmin):
    """Scoped admin with XLSX and CSV import/export; the resource gets the importing user."""

    import_formats = [SafeXLSX, SafeCSV]
    export_formats = [SafeXLSX, SafeCSV]


class CommunityListFilter(admin.RelatedFieldListFilter):
    """Filter by community offering the communities the user may see.

    Not RelatedOnlyFieldListFilter: a community with no rows yet would vanish from the choices,
    and Django then ignores ?...community__id__exact=<id> (a filter without output is not
    applied), so the overview's link "0 households" would list every household.
    """

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in visible_communities(request.user).order_by("name")]

    def has_output(self):
        return True


# --- Town and community -------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(RulePermissions, admin.ModelAdmin):
    """Cities, districts and counties: kept by superusers (the tree changes rarely)."""

    list_display = ("name", "kind", "city", "is_demo")
    list_filter = ("kind", "is_demo")
    search_fields = ("name", "city__name")
    list_select_related = ("city",)


@admin.register(Town)
class TownAdmin(ScopedAdmin):
    town_path = "pk"
    list_display = ("name", "kind", "district", "community_count")
    list_filter = ("kind",)
    search_fields = ("name", "district__name")
    list_select_related = ("district",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(community_count=Count("communities"))

    @admin.display(description=_("communities"), ordering="community_count")
    def community_count(self, town):
        return town.community_count


@admin.register(Community)
class CommunityAdmin(ScopedAdmin):
    town_path = "town"
    list_display = ("name", "town", "estate_count", "is_demo")
    list_filter = ("town", "is_demo")
    search_fields = ("name",)
    list_select_related = ("town",)

    def get_queryset(self, request):
        # Community staff see their own community only, township staff their town's.
        qs = admin.ModelAdmin.get_queryset(self, request).filter(
            pk__in=visible_communities(request.user)
        )
        return qs.annotate(estate_count=Count("estates"))

    @admin.display(description=_("estates"), ordering="estate_count")
    def estate_count(self, community):
        return community.estate_count


# --- Estates, buildings, households -------------------------------------------------------


class ThreeWithoutFilter(admin.SimpleListFilter):
    """Estates with no property company, no owners' committee and no supervising unit today
    (derived from the records; the staff overview links to ?three_without=yes)."""

    title = _("three-without estate")
    parameter_name = "three_without"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in ("yes", "no"):
            return queryset
        queryset = queryset.annotate_three_without(timezone.localdate())
        return queryset.filter(is_three_without=(value == "yes"))


class BuildingInline(RoleScopedInline, admin.TabularInline):
    model = Building
    extra = 0
    fields = ("name", "floors", "household_count")
    readonly_fields = ("household_count",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(household_count=Count("households"))

    @admin.display(description=_("households"))
    def household_count(self, building):
        return getattr(building, "household_count", "")


class ContractInlineFormSet(BaseInlineFormSet):
    """Contracts added together in one form must not overlap each other either (the model's
    clean compares a new row only with rows already saved)."""

    def clean(self):
        super().clean()
        periods = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("valid_from"):
                continue
            start, end = data["valid_from"], data.get("valid_to")
            for other_start, other_end in periods:
                if (end is None or end >= other_start) and (
                    other_end is None or other_end >= start
                ):
                    raise ValidationError(_("Two of these contracts overlap."))
            periods.append((start, end))


class ServiceContractInline(RoleScopedInline, admin.TabularInline):
    model = ServiceContract
    formset = ContractInlineFormSet
    extra = 0
    fields = ("company", "valid_from", "valid_to")
    autocomplete_fields = ("company",)
    open_choice_fields = ("company",)  # a contract is how a company comes to serve a town


class OwnersCommitteeInline(RoleScopedInline, admin.TabularInline):
    model = OwnersCommittee
    extra = 0
    fields = ("kind", "established_on", "term_ends_on", "dissolved_on")
    show_change_link = True


@admin.register(Estate)
class EstateAdmin(ScopedImportExportAdmin):
    community_path = "community"
    resource_classes = [EstateResource]
    list_display = (
        "name",
        "community",
        "status",
        "delivery_date",
        "planned_households",
        "residents",
        "is_old_estate",
        "supervising_unit",
    )
    list_filter = (
        ("community", CommunityListFilter),
        "status",
        ThreeWithoutFilter,
        "is_old_estate",
        "is_demo",
    )
    search_fields = ("name", "address", "community__name")
    list_select_related = ("community",)
    autocomplete_fields = ("community",)
    inlines = [ServiceContractInline, OwnersCommitteeInline, BuildingInline]
    fieldsets = (
        (None, {"fields": ("community", "name", "status", "delivery_date", "address")}),
        (_("Size"), {"fields": ("planned_households", "residents")}),
        (_("Governance"), {"fields": ("supervising_unit", "is_old_estate", "is_demo")}),
    )


@admin.register(Building)
class BuildingAdmin(ScopedImportExportAdmin):
    community_path = "estate__community"
    resource_classes = [BuildingResource]
    list_display = ("name", "estate", "community", "floors")
    list_filter = (("estate__community", CommunityListFilter),)
    search_fields = ("name", "estate__name")
    list_select_related = ("estate__community",)
    autocomplete_fields = ("estate",)

    @admin.display(description=_("community"), ordering="estate__community__name")
    def community(self, building):
        return building.estate.community


@admin.register(Household)
class HouseholdAdmin(ScopedImportExportAdmin):
    """Households are many (200 per estate): their own list, filtered by community and
    searched by estate, building and room, never an inline."""

    community_path = "building__estate__community"
    resource_classes = [HouseholdResource]
    list_display = ("room", "building", "estate", "community", "floor_area", "delivered")
    list_filter = (("building__estate__community", CommunityListFilter),)
    # The owner comes from the register (import_owners); its keys are not shown to every staff.
    exclude = ("owner",)
    search_fields = ("room", "building__name", "building__estate__name")
    list_select_related = ("building__estate__community",)
    autocomplete_fields = ("building",)
    list_per_page = 100
    # regions.md "Scale": at a city's millions of households, no full COUNT per page view
    # (the planner's estimate above 50,000 rows, and no second count of the unfiltered list).
    paginator = EstimatedCountPaginator
    show_full_result_count = False

    @admin.display(description=_("estate"), ordering="building__estate__name")
    def estate(self, household):
        return household.building.estate

    @admin.display(description=_("community"), ordering="building__estate__community__name")
    def community(self, household):
        return household.building.estate.community


# --- Companies, contracts, committees -----------------------------------------------------


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(ScopedImportExportAdmin):
    # Companies serve several towns and communities (communities.rules.add_model_perms).
    resource_classes = [PropertyCompanyResource]
    list_display = ("name", "credit_code", "contract_count", "is_demo")
    list_filter = ("is_demo",)
    search_fields = ("name", "credit_code")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contract_count=Count("contracts"))

    @admin.display(description=_("service contracts"), ordering="contract_count")
    def contract_count(self, company):
        return company.contract_count


class ContractActiveFilter(admin.SimpleListFilter):
    title = _("in force today")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("yes")), ("no", _("no"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.active_on(today)
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.active_on(today).values("pk"))
        return queryset


@admin.register(ServiceContract)
class ServiceContractAdmin(ScopedImportExportAdmin):
    community_path = "estate__community"
    resource_classes = [ServiceContractResource]
    list_display = ("estate", "company", "valid_from", "valid_to", "community")
    list_filter = (
        ContractActiveFilter,
        ("estate__community", CommunityListFilter),
        "is_demo",
    )
    search_fields = ("estate__name", "company__name", "company__credit_code")
    list_select_related = ("estate__community", "company")
    autocomplete_fields = ("estate", "company")
    open_choice_fields = ("company",)  # a contract is how a company comes to serve a town
    date_hierarchy = "valid_from"

    @admin.display(description=_("community"), ordering="estate__community__name")
    def community(self, contract):
        return contract.estate.community

    def save_model(self, request, obj, form, change):
        # Like services.contract_create: lock the estate (the admin view runs in a transaction)
        # and check the overlap again, so two staff saving at once cannot both pass.
        Estate.objects.select_for_update().get(pk=obj.estate_id)
        obj.full_clean()
        super().save_model(request, obj, form, change)


class OwnersCommitteeMemberForm(MaskedPhoneForm):
    class Meta:
        model = OwnersCommitteeMember
        fields = ("name", "position", "new_phone", "clear_phone", "user")


class OwnersCommitteeMemberInline(RoleScopedInline, admin.TabularInline):
    model = OwnersCommitteeMember
    form = OwnersCommitteeMemberForm
    extra = 0
    fields = ("name", "position", "new_phone", "clear_phone", "user")
    raw_id_fields = ("user",)


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(ScopedImportExportAdmin):
    community_path = "estate__community"
    resource_classes = [OwnersCommitteeResource]
    list_display = ("estate", "kind", "established_on", "term_ends_on", "dissolved_on")
    list_filter = ("kind", ("estate__community", CommunityListFilter))
    search_fields = ("estate__name",)
    list_select_related = ("estate",)
    autocomplete_fields = ("estate",)
    inlines = [OwnersCommitteeMemberInline]


# --- Resident verification ----------------------------------------------------------------


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, widget=forms.Textarea)


@admin.register(ResidentVerification)
class ResidentVerificationAdmin(ScopedAdmin):
    """Community staff decide residents' requests; decisions go through
    services.verification_decide, which records who, when and why."""

    community_path = "household__building__estate__community"
    list_display = (
        "resident_name",
        "household",
        "community",
        "relation",
        "status",
        "requested_at",
        "decided_by",
        "decided_at",
        "reason",
    )
    list_filter = (
        "status",
        ("household__building__estate__community", CommunityListFilter),
    )
    search_fields = ("resident_name", "household__building__estate__name", "user__username")
    list_select_related = ("household__building__estate__community", "decided_by")
    readonly_fields = (
        "user",
        "household",
        "relation",
        "resides",
        "resident_name",
        "note",
        "status",
        "requested_at",
        "decided_by",
        "decided_at",
        "reason",
    )
    fields = readonly_fields + ("moved_out_on",)
    actions = ["approve_selected", "reject_selected"]

    def has_decide_permission(self, request):
        return request.user.has_perm("communities.decide_verification")

    @admin.display(description=_("community"))
    def community(self, verification):
        return verification.household.building.estate.community

    @admin.action(description=_("Approve the selected requests"), permissions=["decide"])
    def approve_selected(self, request, queryset):
        done, failed = self._decide(request, queryset, approve=True, reason="")
        self._report(request, done, failed)

    @admin.action(
        description=_("Reject the selected requests (asks for a reason)"), permissions=["decide"]
    )
    def reject_selected(self, request, queryset):
        if "reason" in request.POST and "confirm" in request.POST:
            form = RejectForm(request.POST)
            if form.is_valid():
                done, failed = self._decide(
                    request, queryset, approve=False, reason=form.cleaned_data["reason"]
                )
                self._report(request, done, failed)
                return None
        else:
            form = RejectForm()
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Reject resident verification requests"),
            "opts": self.model._meta,
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/communities/residentverification/reject.html", context
        )

    def _decide(self, request, queryset, *, approve: bool, reason: str):
        done, failed = 0, []
        for verification in queryset.select_related("household__building__estate"):
            try:
                services.verification_decide(
                    verification=verification, by=request.user, approve=approve, reason=reason
                )
            except (ValidationError, PermissionDenied) as error:
                messages_ = getattr(error, "messages", None) or [gettext("not allowed")]
                failed.append(f"{verification}: {' '.join(messages_)}")
            else:
                done += 1
        return done, failed

    def _report(self, request, done, failed):
        if done:
            self.message_user(
                request, gettext("%(n)d request(s) decided.") % {"n": done}, messages.SUCCESS
            )
        for line in failed:
            self.message_user(request, line, messages.ERROR)


# --- Users --------------------------------------------------------------------------------


class RoleGrantFormSet(BaseInlineFormSet):
    """Further grants of a user. A non-superuser grants only in their own town (the town
    choices say so) and must name it: a manager's grant without a town would cover every town
    its company serves."""

    def clean(self):
        super().clean()
        user = self.request_user
        seen = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("role"):
                continue
            if not user.is_superuser and not data.get("town") and not data.get("community"):
                form.add_error("town", _("Name the town this role is granted in."))
            key = (
                data["role"],
                getattr(data.get("town"), "pk", None),
                getattr(data.get("community"), "pk", None),
                getattr(data.get("company"), "pk", None),
            )
            if key in seen or (
                self.instance.pk
                and RoleGrant.objects.filter(
                    user=self.instance,
                    role=key[0],
                    town_id=key[1],
                    community_id=key[2],
                    company_id=key[3],
                )
                .exclude(pk=form.instance.pk)
                .exists()
            ):
                form.add_error(None, _("The user already holds this role here."))
            seen.add(key)


class RoleGrantInline(RoleScopedInline, admin.TabularInline):
    """Roles held besides the one on the account itself (a resident who is also a grid
    worker). The account's own role is kept in the Role section above."""

    model = RoleGrant
    formset = RoleGrantFormSet
    fk_name = "user"
    extra = 0
    fields = ("role", "town", "community", "company", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    autocomplete_fields = ("company",)
    verbose_name = _("further role")
    verbose_name_plural = _("further roles")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_primary=False)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request_user = request.user
        return formset


class UserMaskedPhoneChangeForm(MaskedPhoneForm, UserChangeForm):
    """The user change form without the stored phone number (see MaskedPhoneForm)."""


@admin.register(User)
class UserAdmin(RevealPhoneAdminMixin, RoleScopedAdmin, DjangoUserAdmin):
    """Township staff manage the accounts of their town; only a superuser grants superuser
    rights, groups or model permissions (township staff could otherwise promote themselves)."""

    town_path = "town"
    list_display = (
        "username",
        "display_name",
        "role",
        "town",
        "community",
        "company",
        "revealable_phone",
        "is_active",
        "is_staff",
    )
    list_filter = ("role", "is_active", "is_staff", "assessor_kind", "town")
    search_fields = ("username", "display_name", "company__name", "community__name")
    list_select_related = ("town", "community", "company")
    autocomplete_fields = ("company",)
    ordering = ("username",)
    role_fieldset = (
        _("Role"),
        {
            "fields": (
                "role",
                "town",
                "community",
                "company",
                "assessor_kind",
                "display_name",
                "phone",
            )
        },
    )
    form = UserMaskedPhoneChangeForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (
            role_fieldset[0],
            {
                "fields": tuple(f for f in role_fieldset[1]["fields"] if f != "phone")
                + ("new_phone", "clear_phone")
            },
        ),
        (_("Status"), {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
        (_("Superuser rights"), {"fields": ("is_superuser", "groups", "user_permissions")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "usable_password", "password1", "password2"),
            },
        ),
        role_fieldset,
        (_("Status"), {"fields": ("is_staff",)}),
    )
    readonly_fields = ("last_login", "date_joined")
    inlines = [RoleGrantInline]

    def get_inline_instances(self, request, obj=None):
        # The further roles are edited once the account exists.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_queryset(self, request):
        qs = admin.ModelAdmin.get_queryset(self, request).select_related(
            "town", "community", "company"
        )
        user = request.user
        if user.is_superuser:
            return qs
        if not self.has_view_permission(request):
            return qs.none()
        # Accounts of the town, and town-less accounts tied to it: residents verified to one of
        # its households, managers of a company serving one of its estates.
        towns = roles.town_ids(user, *TOWNSHIP_ONLY)
        in_town = (
            Q(town__in=towns)
            | Q(grants__town__in=towns)
            | Q(
                town__isnull=True,
                verifications__household__building__estate__community__town__in=towns,
            )
            | Q(town__isnull=True, company__contracts__estate__community__town__in=towns)
        )
        return qs.filter(pk__in=User.objects.filter(in_town).values("pk")).exclude(
            is_superuser=True
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not request.user.is_superuser:
            fieldsets = [fs for fs in fieldsets if fs[0] != _("Superuser rights")]
        return fieldsets

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "town" in form.base_fields:
            towns = roles.town_ids(request.user, *TOWNSHIP_ONLY)
            form.base_fields["town"].initial = min(towns) if towns else None
        return form

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            # A township officer's accounts live in their own town: a manager account made here
            # reads this town's data only (its grant names the town).
            towns = roles.town_ids(request.user, *TOWNSHIP_ONLY)
            if obj.town_id not in towns:
                obj.town_id = min(towns) if towns else None
            obj.is_superuser = False
        obj._granted_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for grant in instances:
            if isinstance(grant, RoleGrant) and grant.created_by_id is None:
                grant.created_by = request.user
            grant.save()
        for grant in formset.deleted_objects:
            grant.delete()
        formset.save_m2m()


@admin.register(Department)
class DepartmentAdmin(RoleScopedAdmin, admin.ModelAdmin):
    """Town departments (职能部门) and their staff accounts (role department staff)."""

    town_path = "town"
    list_display = ["name", "town"]
    filter_horizontal = ["staff"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            kwargs["queryset"] = roles.holders(User.Role.DEPARTMENT_STAFF)
            if not request.user.is_superuser:
                kwargs["queryset"] = (
                    kwargs["queryset"]
                    .filter(
                        grants__role=User.Role.DEPARTMENT_STAFF,
                        grants__town_id__in=roles.town_ids(request.user),
                    )
                    .distinct()
                )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


from . import accounts_admin  # noqa: E402, F401  open accounts (owners.md)
