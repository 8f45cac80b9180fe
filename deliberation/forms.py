from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AgendaItem, Category, Proposal, Vote, validate_single_line


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("accept", "image/jpeg,image/png,image/webp")

    def clean(self, data, initial=None):
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(item, initial) for item in items]


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120, validators=[validate_single_line])
    description = forms.CharField(label=_("Description"), widget=forms.Textarea)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    photos = MultipleImageField(label=_("Photos"), help_text=_("JPEG, PNG or WebP, up to 10."))


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Stars"), coerce=int, choices=[(i, "★" * i) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=300)


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )


class StaffActionForm(forms.Form):
    """One form for the staff actions on a proposal; the view checks what each action needs."""

    ACTIONS = [
        ("accept", _("Accept")),
        ("reject", _("Reject")),
        ("schedule", _("Put on agenda")),
        ("followup", _("Add follow-up action")),
        ("complete", _("Mark follow-up done")),
        ("close", _("Close as done")),
        ("escalate", _("Escalate")),
        ("answer", _("Answer escalation")),
        ("resolution", _("Correct the resolution's wording")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(required=False)
    session = forms.IntegerField(required=False)
    kind = forms.ChoiceField(choices=AgendaItem.Kind.choices, required=False)
    description = forms.CharField(required=False, max_length=200)
    responsible_party = forms.CharField(required=False, max_length=100)
    due_date = forms.DateField(required=False)
    follow_up = forms.IntegerField(required=False)
    escalation = forms.IntegerField(required=False)
    settles = forms.BooleanField(required=False)
    return_to = forms.ChoiceField(
        choices=[
            (Proposal.State.IMPLEMENTING, _("implementing")),
            (Proposal.State.DONE, _("done")),
        ],
        required=False,
    )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
