"""Admin of property_rating: schemes (with task list and tiers, copy in one click, frozen once
published), units, reports, inputs, computations (start, progress, outcome), results, payouts
(approve, mark paid, Excel export) and publication.

Every ModelAdmin is RoleScopedAdmin: querysets limited to the user's town / community; changes
by township staff. Writes with a workflow go through services.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.admin_mixins import RoleScopedAdmin
from governance.spreadsheets.admin_io import SafeCSV, SafeXLSX, SpreadsheetExportMixin

from . import models, schemes, tasks
from .bulk import ImportFailed, import_assessment
from .payouts import discrepancy_resolve, payout_approve, payout_mark_paid
from .periods import parse_year
from .publication import results_publish, results_reopen
from .reports import veto_record
from .resources import AnnualResultResource, PayoutResource
from .schemes import scheme_copy, scheme_validate
from .units import units_sync_from_contracts


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


class RulesAdmin(RoleScopedAdmin):
    """Admin rights from property_rating/rules.py (querysets stay scoped by RoleScopedAdmin).

    view_rule / change_rule name the rule asked; None means nobody (but a superuser). Deleting
    asks property_rating.delete_records (nobody). Actions declare `permissions=[<rule suffix>]`; `has_<suffix>_permission` asks
    the rule `property_rating.<suffix>`, so an action is offered only to those allowed to take
    it, and a forged POST of another is refused with a message."""

    view_rule: str | None = "property_rating.view_records"
    change_rule: str | None = None

    def _may(self, request, rule, obj=None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        return rule is not None and user.has_perm(rule, obj)

    @staticmethod
    def _staff(request) -> bool:
        return request.user.is_active and request.user.is_staff

    # Admin actions declare `permissions=[...]`; Django asks has_<name>_permission(request), which
    # asks the rule of that name (whether the user may take the action somewhere). An action on
    # several schemes or payouts asks the rule again for each one (`_may_act_on`).
    def has_copy_scheme_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.copy_scheme")

    def has_sync_units_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.sync_units")

    def has_compute_scores_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.compute_scores")

    def has_publish_results_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.publish_results")

    def has_reopen_results_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.reopen_results")

    def has_approve_payout_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.approve_payout")

    def has_mark_payout_paid_permission(self, request):
        return self._staff(request) and request.user.has_perm("property_rating.mark_payout_paid")

    def _may_act_on(self, request, rule: str, obj) -> bool:
        """Ask `rule` about one selected object; say so when it is refused (an action's
        selection may hold objects of several towns, e.g. a superuser's or a forged POST's)."""
        if request.user.has_perm(rule, obj):
            return True
        self.message_user(
            request,
            gettext("%(object)s: you may not take this action on it.") % {"object": obj},
            messages.ERROR,
        )
        return False

    def has_module_permission(self, request):
        return self._may(request, self.view_rule)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.view_rule) or self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return self._may(request, self.change_rule)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.change_rule, obj)

    def has_delete_permission(self, request, obj=None):
        # property_rating's records are kept: the rule allows no role (a superuser passes).
        return self._staff(request) and request.user.has_perm("property_rating.delete_records", obj)

    def changelist_view(self, request, extra_context=None):
        name = request.POST.get("action") if request.method == "POST" else None
        if name and name not in self.get_actions(request):
            self.message_user(request, gettext("You may not take this action."), messages.ERROR)
            return redirect(request.get_full_path())
        return super().changelist_view(request, extra_context)


class ScopedInline:
    change_rule: str | None = "property_rating.manage_scheme"
    view_rule: str | None = "property_rating.view_records"

    def _may(self, request, rule, obj=None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        return rule is not None and user.has_perm(rule, obj)

    def _frozen(self, obj) -> bool:
        scheme = obj if isinstance(obj, models.Scheme) else getattr(obj, "scheme", None)
        return bool(scheme and scheme.is_published)

    def has_view_permission(self, request, obj=None):
        return self._may(request, self.view_rule) or self._may(request, self.change_rule, obj)

    def has_add_permission(self, request, obj=None):
        return self._may(request, self.change_rule, obj) and not self._frozen(obj)

    def has_change_permission(self, request, obj=None):
        return self._may(request, self.change_rule, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return self._may(request, self.change_rule, obj) and not self._frozen(obj)


class TaskItemFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        items = [
            models.TaskItem(code=f.cleaned_data["code"], max_points=f.cleaned_data["max_points"])
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("max_points") is not None
        ]
        points = sum((i.max_points for i in items), models.ZERO)
        if points != models.HUNDRED:
            raise ValidationError(
                gettext(
                    "The task items' points must add up to exactly 100 (they add up to %(points)s)."
                )
                % {"points": points.normalize() if points else 0}
            )
        codes = [i.code for i in items]
        if len(codes) != len(set(codes)):
            raise ValidationError(gettext("Each task item needs its own code."))


class TierFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        rows = [
            (f.cleaned_data["min_score"], f.cleaned_data["percent"])
            for f in self.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and f.cleaned_data.get("min_score") is not None
            and f.cleaned_data.get("percent") is not None
        ]
        messages_ = models.validate_tier_rows(rows)
        if messages_:
            raise ValidationError(messages_)


class TaskItemInline(ScopedInline, admin.TabularInline):
    model = models.TaskItem
    formset = TaskItemFormSet
    extra = 0
    fields = ["order", "code", "title", "category", "max_points", "counts_label"]


class TierRowInline(ScopedInline, admin.TabularInline):
    model = models.TierRow
    formset = TierFormSet
    extra = 0
    fields = ["min_score", "percent"]


class PublicationEventInline(ScopedInline, admin.TabularInline):
    model = models.PublicationEvent
    extra = 0
    fields = ["action", "by", "at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


def _reason_page(modeladmin, request, queryset, *, title, label, action):
    """Intermediate page asking for a reason / reference, like Django's delete confirmation.
    Returns the cleaned text on the confirming POST, else a TemplateResponse."""
    if request.POST.get("confirm"):
        form = ReasonForm(request.POST)
        if form.is_valid():
            return form.cleaned_data["text"]
    else:
        form = ReasonForm()
    form.fields["text"].label = label
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/property_rating/reason_form.html", context)


class SchemeForm(forms.ModelForm):
    def clean_year(self):
        try:
            return parse_year(self.cleaned_data["year"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error


class AssessmentImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    create_missing = forms.BooleanField(
        label=_("Create communities, estates and companies the town does not know"),
        required=False,
    )


@admin.register(models.Scheme)
class SchemeAdmin(RulesAdmin, admin.ModelAdmin):
    town_path = "town"
    change_rule = "property_rating.manage_scheme"
    form = SchemeForm
    list_display = ["__str__", "year", "annual_cap", "cap_scope", "published_at", "units_link"]
    list_filter = ["year", "town"]
    inlines = [TaskItemInline, TierRowInline, PublicationEventInline]
    readonly_fields = ["published_at", "published_by", "copied_from", "updated_at", "updated_by"]
    fieldsets = [
        (None, {"fields": ["town", "year"]}),
        (_("Reports"), {"fields": ["report_due_days", "late_penalty_per_day", "late_penalty_cap"]}),
        (
            _("Annual score"),
            {
                "fields": [
                    "weight_quarterly",
                    "weight_satisfaction",
                    "weight_inspection",
                    "min_satisfaction_responses",
                ]
            },
        ),
        (
            _("Lists and stars"),
            {
                "fields": [
                    "red_list_size",
                    "red_list_min_score",
                    "black_list_below",
                    "four_star_min",
                    "three_star_min",
                ]
            },
        ),
        (_("Rewards"), {"fields": ["annual_cap", "cap_scope"]}),
        (_("Publication"), {"fields": readonly_fields}),
    ]
    actions = [
        "copy_to_next_year",
        "sync_units",
        "start_annual",
        "start_q1",
        "start_q2",
        "start_q3",
        "start_q4",
        "publish",
        "reopen",
    ]

    @admin.display(description=_("units"))
    def units_link(self, obj):
        url = reverse("admin:property_rating_assessmentunit_changelist")
        return format_html(
            '<a href="{}?year={}&town__id__exact={}">{}</a>',
            url,
            obj.year,
            obj.town_id,
            gettext("units"),
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            # property_rating.md: a published year's scheme is frozen.
            return [f.name for f in self.model._meta.fields if f.name != "id"]
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "town" and field is not None and not request.user.is_superuser:
            field.queryset = field.queryset.filter(pk=request.user.town_id)
        return field

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if not change and not obj.task_items.exists():
            pass  # the inlines carry the task list

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        scheme = form.instance
        if not scheme.task_items.exists() and not scheme.tiers.exists():
            # A scheme created without rows gets the spec's default task list and tiers.
            schemes.scheme_add_defaults(scheme=scheme)
            self.message_user(request, gettext("The default task list and tiers were added."))

    @admin.action(
        description=_("Copy to the next year (task list, tiers and numbers)"),
        permissions=["copy_scheme"],
    )
    def copy_to_next_year(self, request, queryset):
        for scheme in queryset:
            if not self._may_act_on(request, "property_rating.copy_scheme", scheme):
                continue
            try:
                new = scheme_copy(source=scheme, by=request.user)
            except ValidationError as error:
                self.message_user(request, _messages_of(error), messages.ERROR)
            else:
                self.message_user(request, gettext("Created %(scheme)s.") % {"scheme": new})

    @admin.action(
        description=_("Create / update the year's assessment units from contracts"),
        permissions=["sync_units"],
    )
    def sync_units(self, request, queryset):
        for scheme in queryset:
            if not self._may_act_on(request, "property_rating.sync_units", scheme):
                continue
            try:
                outcome = units_sync_from_contracts(town=scheme.town, year=scheme.year)
            except ValidationError as error:
                self.message_user(request, _messages_of(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    gettext("%(scheme)s: %(n)d units from contracts.")
                    % {"scheme": scheme, "n": outcome["units"]},
                )

    def _start(self, request, queryset, quarter=None):
        for scheme in queryset:
            if not self._may_act_on(request, "property_rating.compute_scores", scheme):
                continue
            try:
                scheme_validate(scheme=scheme)
            except ValidationError as error:
                self.message_user(request, f"{scheme}: {_messages_of(error)}", messages.ERROR)
                continue
            run = tasks.start_computation(
                town_id=scheme.town_id, year=scheme.year, quarter=quarter, by=request.user
            )
            url = reverse("admin:property_rating_computationrun_change", args=[run.pk])
            self.message_user(
                request,
                format_html(
                    '{} <a href="{}">{}</a>',
                    gettext("Computation started."),
                    url,
                    gettext("Follow its progress"),
                ),
            )

    @admin.action(
        description=_("Compute the year (quarters with inputs, then annual results)"),
        permissions=["compute_scores"],
    )
    def start_annual(self, request, queryset):
        self._start(request, queryset)

    @admin.action(description=_("Compute Q1"), permissions=["compute_scores"])
    def start_q1(self, request, queryset):
        self._start(request, queryset, 1)

    @admin.action(description=_("Compute Q2"), permissions=["compute_scores"])
    def start_q2(self, request, queryset):
        self._start(request, queryset, 2)

    @admin.action(description=_("Compute Q3"), permissions=["compute_scores"])
    def start_q3(self, request, queryset):
        self._start(request, queryset, 3)

    @admin.action(description=_("Compute Q4"), permissions=["compute_scores"])
    def start_q4(self, request, queryset):
        self._start(request, queryset, 4)

    @admin.action(description=_("Publish the results"), permissions=["publish_results"])
    def publish(self, request, queryset):
        for scheme in queryset:
            if not self._may_act_on(request, "property_rating.publish_results", scheme):
                continue
            try:
                results_publish(scheme=scheme, by=request.user)
            except (ValidationError, PermissionDenied) as error:
                text = (
                    _messages_of(error)
                    if isinstance(error, ValidationError)
                    else gettext("You may not publish these results.")
                )
                self.message_user(request, f"{scheme}: {text}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(scheme)s published.") % {"scheme": scheme})

    @admin.action(
        description=_("Reopen published results for a correction (with a reason)"),
        permissions=["reopen_results"],
    )
    def reopen(self, request, queryset):
        reason = _reason_page(
            self,
            request,
            queryset,
            title=gettext("Reopen published results"),
            label=gettext("Reason"),
            action="reopen",
        )
        if not isinstance(reason, str):
            return reason
        for scheme in queryset:
            if not self._may_act_on(request, "property_rating.reopen_results", scheme):
                continue
            try:
                results_reopen(scheme=scheme, by=request.user, reason=reason)
            except ValidationError as error:
                self.message_user(request, f"{scheme}: {_messages_of(error)}", messages.ERROR)
            else:
                self.message_user(request, gettext("%(scheme)s reopened.") % {"scheme": scheme})
        return None

    # An upload page using the same code as `import_assessment` (all or nothing, every bad
    # row reported with its line).
    def get_urls(self):
        return [
            path(
                "<int:pk>/import/",
                self.admin_site.admin_view(self.import_view),
                name="property_rating_scheme_import",
            ),
            path(
                "<int:pk>/import/template.<str:fmt>",
                self.admin_site.admin_view(self.import_template_view),
                name="property_rating_scheme_import_template",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request, pk):
        scheme = self.get_queryset(request).filter(pk=pk).first()
        if scheme is None or not self._may(request, "property_rating.import_assessment", scheme):
            raise PermissionDenied
        form = AssessmentImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_assessment(
                    source=upload,
                    name=upload.name,
                    town_name=scheme.town.name,
                    year=scheme.year,
                    create_missing=form.cleaned_data["create_missing"],
                    by=request.user,
                    header_aliases=True,
                )
            except ImportFailed as failure:
                errors = failure.errors
            else:
                self.message_user(request, gettext("Imported %(n)d units.") % {"n": result.rows})
                return redirect("admin:property_rating_scheme_change", pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import assessment file"),
            "form": form,
            "errors": errors,
            "scheme": scheme,
            "opts": self.model._meta,
            "template_urls": [
                (
                    fmt.upper(),
                    reverse("admin:property_rating_scheme_import_template", args=[pk, fmt]),
                )
                for fmt in ("xlsx", "csv")
            ],
        }
        return TemplateResponse(request, "admin/property_rating/import_form.html", context)

    def import_template_view(self, request, pk, fmt):
        """The upload page's template: the header row in the user's language."""
        from django.http import Http404, HttpResponse
        from django.utils.http import content_disposition_header

        from governance.spreadsheets import csv_text, xlsx_bytes

        from .bulk import IMPORT_COLUMN_LABELS

        scheme = self.get_queryset(request).filter(pk=pk).first()
        if scheme is None or not self._may(request, "property_rating.import_assessment", scheme):
            raise PermissionDenied
        if fmt not in ("xlsx", "csv"):
            raise Http404
        header = [str(label) for label in IMPORT_COLUMN_LABELS.values()]
        if fmt == "xlsx":
            content = xlsx_bytes([], header=header, title=str(scheme.year))
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            # With a BOM: Excel on Chinese Windows opens UTF-8 CSV correctly only with one.
            content = ("\ufeff" + csv_text([], header=header)).encode("utf-8")
            content_type = "text/csv; charset=utf-8"
        response = HttpResponse(content, content_type=content_type)
        filename = gettext("assessment import template %(year)s") % {"year": scheme.year}
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{filename}.{fmt}"
        )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "import_url": reverse("admin:property_rating_scheme_import", args=[object_id]),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(models.AssessmentUnit)
class AssessmentUnitAdmin(RulesAdmin, admin.ModelAdmin):
    community_path = "estate__community"
    change_rule = "property_rating.manage_units"
    list_display = [
        "estate",
        "company",
        "year",
        "source",
        "assessed_q1",
        "assessed_q2",
        "assessed_q3",
        "assessed_q4",
    ]
    list_filter = ["year", "source", "town"]
    search_fields = ["estate__name", "company__name", "company__credit_code"]
    list_select_related = ["estate", "company"]
    autocomplete_fields: list = []
    raw_id_fields = ["estate", "company", "contract"]


class ReportItemInline(ScopedInline, admin.TabularInline):
    model = models.ReportItem
    extra = 0
    fields = [
        "task_item",
        "description",
        "count",
        "awarded_points",
        "review_note",
        "reviewed_by",
        "reviewed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SubmissionInline(ReportItemInline):
    model = models.ReportSubmission
    fields = ["number", "submitted_at", "submitted_by", "snapshot"]
    readonly_fields = fields


class ReturnInline(ReportItemInline):
    model = models.ReportReturn
    fields = ["returned_at", "returned_by", "reason"]
    readonly_fields = fields


@admin.register(models.QuarterlyReport)
class QuarterlyReportAdmin(RulesAdmin, admin.ModelAdmin):
    """Reports are filed in the portal and reviewed on the review pages; here staff read them."""

    community_path = "unit__estate__community"
    list_display = ["unit", "quarter", "status", "first_submitted_at", "reviewed_at"]
    list_filter = ["unit__year", "quarter", "status"]
    search_fields = ["unit__estate__name", "unit__company__name"]
    list_select_related = ["unit__estate", "unit__company"]
    inlines = [ReportItemInline, SubmissionInline, ReturnInline]
    readonly_fields = [
        "unit",
        "quarter",
        "status",
        "first_submitted_at",
        "submitted_at",
        "submitted_by",
        "created_by",
        "reviewed_at",
        "reviewed_by",
    ]
    exclude: list = []


class ReadOnlyAdmin(RulesAdmin, admin.ModelAdmin):
    """Computed or resident-given records: read here, never written (not even by a superuser)."""

    community_path = "unit__estate__community"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.SatisfactionRating)
class SatisfactionRatingAdmin(ReadOnlyAdmin):
    list_display = ["unit", "year", "rating", "created_at"]
    list_filter = ["year", "rating"]
    list_select_related = ["unit__estate", "unit__company"]
    search_fields = ["unit__estate__name"]


@admin.register(models.InspectionScore)
class InspectionScoreAdmin(ReadOnlyAdmin):
    list_display = ["unit", "expert", "score", "scored_at"]
    list_filter = ["unit__year"]
    list_select_related = ["unit__estate", "unit__company", "expert"]


@admin.register(models.Veto)
class VetoAdmin(RulesAdmin, admin.ModelAdmin):
    community_path = "unit__estate__community"
    change_rule = "property_rating.record_veto"
    list_display = ["unit", "reason", "recorded_by", "recorded_at", "imported", "revoked_at"]
    list_filter = ["unit__year", "imported"]
    list_select_related = ["unit__estate", "unit__company", "recorded_by"]
    raw_id_fields = ["unit"]
    fields = [
        "unit",
        "reason",
        "recorded_by",
        "recorded_at",
        "imported",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    readonly_fields = [
        "recorded_by",
        "recorded_at",
        "imported",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            veto = veto_record(unit=obj.unit, by=request.user, reason=obj.reason)
        except ValidationError as error:
            self.message_user(request, _messages_of(error), messages.ERROR)
            return
        obj.pk = veto.pk


@admin.register(models.ImportedQuarterScore)
class ImportedQuarterScoreAdmin(ReadOnlyAdmin):
    list_display = ["unit", "quarter", "score", "imported_at"]
    list_filter = ["unit__year", "quarter"]
    list_select_related = ["unit__estate", "unit__company"]


@admin.register(models.ImportedAnnualInput)
class ImportedAnnualInputAdmin(ReadOnlyAdmin):
    list_display = ["unit", "satisfaction", "inspection", "imported_at"]
    list_filter = ["unit__year"]
    list_select_related = ["unit__estate", "unit__company"]


@admin.register(models.ComputationRun)
class ComputationRunAdmin(RulesAdmin, admin.ModelAdmin):
    """Staff see each run's progress and outcome (pending units listed)."""

    town_path = "town"
    view_rule = "property_rating.view_computation"
    list_display = [
        "__str__",
        "kind",
        "year",
        "quarter",
        "status",
        "progress_bar",
        "outcome_text",
        "started_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "kind", "year"]
    readonly_fields = [
        "town",
        "year",
        "quarter",
        "kind",
        "status",
        "progress_bar",
        "outcome_text",
        "pending_list",
        "counts",
        "started_by",
        "trigger",
        "task_id",
        "created_at",
        "started_at",
        "finished_at",
    ]
    exclude = ["progress", "pending_units", "outcome"]

    @admin.display(description=_("progress"))
    def progress_bar(self, obj):
        return format_html(
            '<progress max="100" value="{}"></progress> {} %', obj.progress, obj.progress
        )

    @admin.display(description=_("pending units"))
    def pending_list(self, obj):
        if not obj.pending_units:
            return "-"
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(
                    format_html("<li>{}: {}</li>", p.get("estate"), p.get("reason"))
                    for p in obj.pending_units
                )
            ),
        )

    def has_add_permission(self, request):
        return False


@admin.register(models.QuarterScore)
class QuarterScoreAdmin(ReadOnlyAdmin):
    list_display = [
        "unit",
        "quarter",
        "status",
        "raw_points",
        "late_days",
        "penalty",
        "score",
        "tier_percent",
        "accrual",
        "computed_at",
    ]
    list_filter = ["unit__year", "quarter", "status"]
    list_select_related = ["unit__estate", "unit__company"]
    search_fields = ["unit__estate__name", "unit__company__name"]


@admin.register(models.AnnualResult)
class AnnualResultAdmin(SpreadsheetExportMixin, ReadOnlyAdmin):
    resource_classes = [AnnualResultResource]
    export_formats = [SafeXLSX, SafeCSV]
    list_display = [
        "unit",
        "status",
        "quarterly_mean",
        "satisfaction",
        "inspection",
        "annual_score",
        "rank",
        "stars",
        "list_name",
        "payout_amount",
    ]
    list_filter = ["unit__year", "status", "list_name", "stars"]
    list_select_related = ["unit__estate", "unit__company"]
    search_fields = ["unit__estate__name", "unit__company__name"]

    def has_export_permission(self, request):
        return self._may(request, "property_rating.export_results")


class DiscrepancyInline(ReportItemInline):
    model = models.PayoutDiscrepancy
    fields = ["recorded_amount", "computed_amount", "created_at", "resolved_at", "resolution"]
    readonly_fields = fields


@admin.register(models.Payout)
class PayoutAdmin(SpreadsheetExportMixin, RulesAdmin, admin.ModelAdmin):
    """The payout ledger: quarterly accruals (quarter 1-4) and the year's payout (quarter 0).
    Approve by someone other than who computed it; mark paid with a reference; export for
    finance."""

    community_path = "unit__estate__community"
    change_rule = "property_rating.adjust_payout"
    resource_classes = [PayoutResource]
    export_formats = [SafeXLSX, SafeCSV]
    list_display = [
        "unit",
        "quarter",
        "amount",
        "status",
        "last_changed_by",
        "approved_by",
        "payment_reference",
    ]
    list_filter = ["unit__year", "quarter", "status"]
    list_select_related = ["unit__estate", "unit__company", "last_changed_by", "approved_by"]
    search_fields = ["unit__estate__name", "unit__company__name", "payment_reference"]
    readonly_fields = [
        "unit",
        "quarter",
        "amount",
        "status",
        "calculated_at",
        "last_changed_by",
        "approved_by",
        "approved_at",
        "paid_by",
        "paid_at",
        "payment_reference",
        "note",
    ]
    inlines = [DiscrepancyInline]
    actions = ["approve", "mark_paid"]

    def has_add_permission(self, request):
        return False

    def has_export_permission(self, request):
        return self._may(request, "property_rating.export_results")

    @admin.action(description=_("Approve the selected payouts"), permissions=["approve_payout"])
    def approve(self, request, queryset):
        done = 0
        for payout in queryset.select_related("unit"):
            if not self._may_act_on(request, "property_rating.approve_payout", payout):
                continue
            try:
                payout_approve(payout=payout, by=request.user)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{payout}: {_messages_of(error)}", messages.ERROR)
        if done:
            self.message_user(request, gettext("%(n)d payouts approved.") % {"n": done})

    @admin.action(
        description=_("Mark the selected payouts paid (with a payment reference)"),
        permissions=["mark_payout_paid"],
    )
    def mark_paid(self, request, queryset):
        reference = _reason_page(
            self,
            request,
            queryset,
            title=gettext("Mark payouts paid"),
            label=gettext("Payment reference"),
            action="mark_paid",
        )
        if not isinstance(reference, str):
            return reference
        done = 0
        for payout in queryset.select_related("unit"):
            if not self._may_act_on(request, "property_rating.mark_payout_paid", payout):
                continue
            try:
                payout_mark_paid(payout=payout, by=request.user, reference=reference)
                done += 1
            except ValidationError as error:
                self.message_user(request, f"{payout}: {_messages_of(error)}", messages.ERROR)
        if done:
            self.message_user(
                request,
                gettext("%(n)d payouts marked paid (reference %(reference)s).")
                % {"n": done, "reference": reference},
            )
        return None


@admin.register(models.PayoutDiscrepancy)
class PayoutDiscrepancyAdmin(RulesAdmin, admin.ModelAdmin):
    community_path = "payout__unit__estate__community"
    change_rule = "property_rating.resolve_discrepancy"
    list_display = ["payout", "recorded_amount", "computed_amount", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    readonly_fields = [
        "payout",
        "recorded_amount",
        "computed_amount",
        "run",
        "created_at",
        "resolved_at",
        "resolved_by",
    ]
    fields = [*readonly_fields, "resolution"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if obj.resolution and not obj.resolved_at:
            discrepancy_resolve(discrepancy=obj, by=request.user, resolution=obj.resolution)
        else:
            super().save_model(request, obj, form, change)
