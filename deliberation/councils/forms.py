from django import forms
from django.utils.translation import gettext_lazy as _

from ..action_forms import ActionForm
from ..models import Category, validate_single_line
from . import services


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


# --- Staff actions on a proposal ----------------------------------------------------------------


class AcceptForm(ActionForm):
    permission = "deliberation.accept_proposal"
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def perform(self):
        services.proposal_accept(
            proposal=self.target, by=self.by, reason=self.cleaned_data["reason"]
        )


class RejectForm(ActionForm):
    permission = "deliberation.reject_proposal"
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    def perform(self):
        services.proposal_reject(
            proposal=self.target, by=self.by, reason=self.cleaned_data["reason"]
        )


class CloseForm(ActionForm):
    permission = "deliberation.close_proposal"
    reason = forms.CharField(label=_("Public closing note"), required=False, max_length=2000)

    def perform(self):
        services.proposal_close(
            proposal=self.target, by=self.by, closing_note=self.cleaned_data["reason"]
        )


PROPOSAL_ACTIONS = {"accept": AcceptForm, "reject": RejectForm, "close": CloseForm}
