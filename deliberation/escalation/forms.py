from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..action_forms import ActionForm
from ..cases.models import Case, CaseCategory
from ..models import Proposal, RemediationPlan
from . import services

S = Proposal.State


class EscalateForm(ActionForm):
    permission = "deliberation.escalate_proposal"
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
    category = forms.ModelChoiceField(
        label=_("Case category"), queryset=CaseCategory.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = CaseCategory.objects.filter(
            town_id=self.target.estate.community.town_id
        ).order_by("code")

    def perform(self):
        services.proposal_escalate(
            proposal=self.target,
            by=self.by,
            reason=self.cleaned_data["reason"],
            category=self.cleaned_data.get("category"),
        )


class AnswerForm(ActionForm):
    """The answer to an escalated proposal is a reply on its case (by the case's handler)."""

    permission = "deliberation.answer_escalation"
    reason = forms.CharField(label=_("Answer"), required=False, max_length=5000)
    settles = forms.BooleanField(required=False)
    return_to = forms.ChoiceField(
        choices=[(S.IMPLEMENTING, _("implementing")), (S.DONE, _("done"))], required=False
    )

    def clean(self):
        cleaned = super().clean()
        self.case = Case.objects.filter(proposal=self.target).first()
        if self.case is None:
            raise forms.ValidationError(_("This proposal has not been escalated."))
        return cleaned

    def permission_object(self):
        return self.case

    def perform(self):
        data = self.cleaned_data
        services.escalation_answer(
            case=self.case,
            by=self.by,
            answer=data["reason"],
            settles=data["settles"],
            return_to=data["return_to"] or S.IMPLEMENTING,
        )


PROPOSAL_ACTIONS = {"escalate": EscalateForm, "answer": AnswerForm}


def _this_quarter() -> int:
    return (timezone.localdate().month - 1) // 3 + 1


class ProblemEstatesForm(forms.Form):
    """Which quarter to compute; empty fields mean the current year and quarter."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        coerce=int,
        choices=[(q, str(q)) for q in (1, 2, 3, 4)],
        required=False,
        empty_value=None,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("year") is None and not self.errors.get("year"):
            cleaned["year"] = timezone.localdate().year
        if cleaned.get("quarter") is None and not self.errors.get("quarter"):
            cleaned["quarter"] = _this_quarter()
        return cleaned


class RemediationForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RemediationPlan.Status.choices)
    plan = forms.CharField(label=_("Plan"), required=False, max_length=10000)
