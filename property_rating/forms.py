"""Forms of the property-rating portal: manager reports, reviews, inspections, vetoes, satisfaction.

Forms only parse input; the rules (who, when, bounds that depend on the scheme) are checked again by
property_rating.reports, whose ValidationErrors the views show as form errors.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from .models import AssessmentUnit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files (content is checked by governance.uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [upload for upload in data if upload]
        return [data] if data else []


class ReportLineForm(forms.Form):
    """The manager's account of one task item; prefix = the task item code."""

    description = forms.CharField(
        label=_("Work done"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    count = forms.IntegerField(label=_("Count"), required=False, min_value=0, max_value=1_000_000)
    files = MultipleFileField(
        label=_("Evidence (photos or PDF)"),
        help_text=_("JPEG, PNG, WebP or PDF; several files may be chosen."),
    )

    def __init__(self, *args, line=None, **kwargs):
        self.line = line
        super().__init__(*args, **kwargs)
        if line is not None and not line.task_item.counts_label:
            self.fields["count"].widget = forms.HiddenInput()


def report_line_forms(report, data=None, files=None) -> list[ReportLineForm]:
    """One form per report line, prefixed with the task item code, bound when data is given."""
    return [
        ReportLineForm(
            data,
            files,
            prefix=line.task_item.code,
            line=line,
            initial={"description": line.description, "count": line.count},
        )
        for line in report.items.all()
    ]


class ReviewLineForm(forms.Form):
    """A reviewer's points (0..max, two decimals) and note for one line; prefix = task item code."""

    points = forms.DecimalField(
        label=_("Points"), required=False, min_value=Decimal("0"), max_digits=5, decimal_places=2
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, line=None, **kwargs):
        self.line = line
        super().__init__(*args, **kwargs)
        if line is not None:
            max_points = line.task_item.max_points
            self.fields["points"].max_value = max_points
            self.fields["points"].validators.append(MaxValueValidator(max_points))
            self.fields["points"].widget.attrs.update(
                {"max": str(max_points), "min": "0", "step": "0.01"}
            )


def review_line_forms(report, data=None) -> list[ReviewLineForm]:
    return [
        ReviewLineForm(
            data,
            prefix=line.task_item.code,
            line=line,
            initial={"points": line.awarded_points, "note": line.review_note},
        )
        for line in report.items.all()
    ]


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the report is returned.")},
    )


class InspectionForm(forms.Form):
    score = forms.DecimalField(
        label=_("Inspection score (0-100)"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        max_digits=5,
        decimal_places=2,
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class VetoForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=_("Assessment unit"), queryset=AssessmentUnit.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("A veto needs a reason.")},
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units


class VetoRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=2000,
        error_messages={"required": _("Say why the veto is revoked.")},
    )


class SatisfactionForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[
            (5, _("5 · very satisfied")),
            (4, _("4 · satisfied")),
            (3, _("3 · acceptable")),
            (2, _("2 · dissatisfied")),
            (1, _("1 · very dissatisfied")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
