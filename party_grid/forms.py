from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Household

from .models import Visit


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Household) -> str:
        return f"{obj.building.estate.name} {obj.building.name} {obj.room}"


class VisitForm(forms.Form):
    household = HouseholdChoiceField(queryset=Household.objects.none(), label=_("Household"))
    visited_on = forms.DateField(
        label=_("Date of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Visit.Channel.choices, initial=Visit.Channel.DOOR
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    problem = forms.CharField(
        label=_("Problem raised (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "A problem the household asked to be solved: it becomes a case of the estate, "
            "handled by the body the responsibility list names."
        ),
    )
    problem_category = forms.ChoiceField(
        label=_("Problem category"), required=False, choices=[("", "—")]
    )
    file_anyway = forms.BooleanField(
        label=_("File it anyway (it is not one of the cases above)"), required=False
    )
    # Chosen among the open cases offered (radio buttons drawn beside the list, not here).
    same_case = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, households, categories=(), find_duplicates=None, **kwargs):
        """`find_duplicates(household, category_code)` lists the open cases the problem may
        repeat (deliberation.interface.case_possible_duplicates)."""
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households
        self.fields["problem_category"].choices = [("", "—"), *categories]
        self.fields["visited_on"].initial = timezone.localdate()
        self.find_duplicates = find_duplicates
        self.duplicates = []

    def clean(self):
        """A problem that may already be an open case of the estate is offered those cases first
        (cases.md: a possible duplicate is offered before saving): the visitor picks the one it
        repeats (and follows it), or files it anyway."""
        data = super().clean()
        household, problem = data.get("household"), (data.get("problem") or "").strip()
        if not problem or household is None or self.find_duplicates is None:
            data["same_case"] = None
            return data
        try:
            self.duplicates = self.find_duplicates(household, data.get("problem_category") or "")
        except ValidationError as error:
            self.add_error("problem_category", error.messages)
            return data
        chosen = (data.get("same_case") or "").strip()
        offered = {str(case.pk): case for case in self.duplicates}
        if chosen:
            if chosen not in offered:
                self.add_error(None, _("Choose one of the open cases offered."))
            data["same_case"] = offered.get(chosen)
        else:
            data["same_case"] = None
            if self.duplicates and not data.get("file_anyway"):
                self.add_error(
                    None,
                    _(
                        "Similar cases are open in this estate: choose the one this problem "
                        "repeats, or file it anyway."
                    ),
                )
        return data

    def clean_visited_on(self):
        value = self.cleaned_data["visited_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A visit cannot be in the future."))
        return value


class DashboardForm(forms.Form):
    date = forms.DateField(
        label=_("Statistics on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visited_from = forms.DateField(
        label=_("Visits from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    visited_to = forms.DateField(
        label=_("Visits to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("visited_from"), data.get("visited_to")
        if start and end and start > end:
            self.add_error("visited_to", _("The period ends before it starts."))
        return data
