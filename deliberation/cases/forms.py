from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Estate
from deliberation.forms import MultipleImageField

from .models import CaseCategory, Level


class _FileAnyway:
    """The "file it anyway" box means something only next to the similar cases it refers to."""

    def offer_file_anyway(self, duplicates) -> None:
        if not duplicates:
            self.fields["file_anyway"].widget = forms.HiddenInput()


class CaseFileForm(_FileAnyway, forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleImageField(label=_("Photos"), help_text=_("JPEG, PNG or WebP, up to 10."))
    file_anyway = forms.BooleanField(
        label=_("File it anyway (it is not one of the cases above)"), required=False
    )

    def __init__(self, *args, town_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(town_id=town_id)


class IntakeForm(_FileAnyway, forms.Form):
    """Staff entry (also a phone call: the caller's name and phone are personal data, shown
    masked) and property managers' filing: the estate is chosen among those the user serves."""

    estate = forms.ModelChoiceField(label=_("Estate"), queryset=Estate.objects.none())
    category = forms.ModelChoiceField(label=_("Category"), queryset=CaseCategory.objects.none())
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    urgent = forms.BooleanField(label=_("Urgent (a safety hazard)"), required=False)
    caller_name = forms.CharField(label=_("Caller's name"), max_length=50, required=False)
    caller_phone = forms.RegexField(
        label=_("Caller's phone"), regex=r"^[0-9+\- ]{5,20}$", required=False, max_length=20
    )
    photos = MultipleImageField(label=_("Photos"), help_text=_("JPEG, PNG or WebP, up to 10."))
    file_anyway = forms.BooleanField(
        label=_("File it anyway (it is not one of the cases above)"), required=False
    )

    def __init__(self, *args, estates, categories, phone_fields: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates
        self.fields["category"].queryset = categories
        if not phone_fields:
            del self.fields["caller_name"]
            del self.fields["caller_phone"]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Result"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence = MultipleImageField(label=_("Evidence"), help_text=_("JPEG, PNG or WebP, up to 10."))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Rating"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)


class ReassignForm(forms.Form):
    """The dispatcher's choice of a new handler: the estate's company, its community, or a
    department of the town (the level follows the handler)."""

    handler = forms.ChoiceField(label=_("New handler"))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args, case, company=None, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = []
        if company is not None:
            choices.append((f"company:{company.pk}", company.name))
        community = case.estate.community
        choices.append((f"community:{community.pk}", community.name))
        choices += [(f"department:{d.pk}", d.name) for d in departments]
        self.fields["handler"].choices = choices

    LEVELS = {"company": Level.ESTATE, "community": Level.COMMUNITY, "department": Level.TOWN}


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    chair = forms.CharField(label=_("Chair"), max_length=50)
    departments = forms.ModelMultipleChoiceField(
        label=_("Attending departments"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    minutes = forms.CharField(label=_("Minutes"), required=False, widget=forms.Textarea)

    def __init__(self, *args, town_id: int, **kwargs):
        from communities.departments import Department

        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = Department.objects.filter(town_id=town_id)


class DecisionForm(forms.Form):
    closes = forms.BooleanField(label=_("Close the case with this decision"), required=False)
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    lead_department = forms.ModelChoiceField(
        label=_("Lead department"), queryset=None, required=False
    )
    co_departments = forms.ModelMultipleChoiceField(
        label=_("Co-departments"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    due_date = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, town_id: int, **kwargs):
        from communities.departments import Department

        super().__init__(*args, **kwargs)
        departments = Department.objects.filter(town_id=town_id)
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments
