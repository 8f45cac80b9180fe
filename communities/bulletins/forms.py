from django import forms
from django.utils.translation import gettext_lazy as _


class BulletinForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(
        label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    praise = forms.TypedMultipleChoiceField(
        label=_("Praise"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    criticism = forms.TypedMultipleChoiceField(
        label=_("Criticism"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, towns, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(t.pk, t.name) for t in towns]
        self.fields["praise"].choices = choices
        self.fields["criticism"].choices = choices
