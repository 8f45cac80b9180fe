from django import forms
from django.utils.translation import gettext_lazy as _

from governance.uploads import validate_upload

from .models import Choice

PAPER_CHOICES = [*Choice.choices, ("spoiled", _("spoiled (counted as abstain)"))]


class BallotForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your ballot"), choices=Choice.choices, widget=forms.RadioSelect
    )


class ElectionBallotForm(forms.Form):
    """One agree / disagree / abstain line per candidate."""

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        for candidate in candidates:
            self.fields[f"c{candidate.pk}"] = forms.ChoiceField(
                label=candidate.name, choices=Choice.choices, widget=forms.RadioSelect
            )

    def lines(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class PaperBallotForm(forms.Form):
    owner = forms.CharField(label=_("Owner's register key"), max_length=50)
    choice = forms.ChoiceField(label=_("Choice"), choices=PAPER_CHOICES)
    scan = forms.FileField(label=_("Scanned ballot"))

    def clean_scan(self):
        upload = self.cleaned_data["scan"]
        validate_upload(upload)
        return upload
