from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TotalsForm(forms.Form):
    """Years of the totals: `from_year`..`to_year` (or one `year`); this year when none."""

    year = forms.IntegerField(label=_("year"), required=False, min_value=1990, max_value=2100)
    from_year = forms.IntegerField(
        label=_("from year"), required=False, min_value=1990, max_value=2100
    )
    to_year = forms.IntegerField(label=_("to year"), required=False, min_value=1990, max_value=2100)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        this_year = timezone.localdate().year
        year = data.get("year")
        first = data.get("from_year") or year or data.get("to_year") or this_year
        last = data.get("to_year") or year or max(first, this_year)
        if first > last:
            raise ValidationError({"to_year": _("The last year comes after the first.")})
        if last - first > 50:
            raise ValidationError({"to_year": _("Ask for at most fifty years at once.")})
        data["first_year"], data["last_year"] = first, last
        return data
