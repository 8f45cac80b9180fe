from django import forms
from django.utils.translation import gettext_lazy as _

from ..action_forms import ActionForm
from ..models import AgendaItem, Representative, Resolution, Session, Vote
from . import services


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect(attrs={"class": "vote-choice"}),
        error_messages={"required": _("Choose for, against or abstain before voting.")},
    )


class SessionForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), max_length=100, required=False)


# --- Staff actions on a session (target: the Session) -------------------------------------------


class OpenSessionForm(ActionForm):
    permission = "deliberation.manage_session"

    def perform(self):
        services.session_open(session=self.target, by=self.by)


class AttendanceForm(ActionForm):
    permission = "deliberation.manage_session"
    present = forms.ModelMultipleChoiceField(
        label=_("Present"), queryset=Representative.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = self.target.council.active_representatives(
            self.target.date
        )

    def perform(self):
        present = {rep.pk for rep in self.cleaned_data["present"]}
        for rep in self.target.council.active_representatives(self.target.date):
            services.attendance_record(
                session=self.target, representative=rep, present=rep.pk in present, by=self.by
            )


class PaperVoteForm(ActionForm):
    permission = "deliberation.record_vote"
    item = forms.ModelChoiceField(label=_("Agenda item"), queryset=AgendaItem.objects.none())
    representative = forms.ModelChoiceField(
        label=_("Representative"), queryset=Representative.objects.none()
    )
    choice = forms.ChoiceField(label=_("Vote"), choices=Vote.Choice.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = AgendaItem.objects.filter(session=self.target)
        self.fields["representative"].queryset = Representative.objects.filter(
            council_id=self.target.council_id
        )

    def perform(self):
        data = self.cleaned_data
        services.vote_cast(
            agenda_item=data["item"],
            representative=data["representative"],
            choice=data["choice"],
            entered_by=self.by,
        )


class AgendaForm(ActionForm):
    permission = "deliberation.schedule_proposal"
    proposal = forms.ModelChoiceField(label=_("Proposal"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = self.target.council.proposals.all()

    def perform(self):
        services.agenda_add(
            session=self.target,
            proposal=self.cleaned_data["proposal"],
            by=self.by,
            kind=self.cleaned_data["kind"] or AgendaItem.Kind.VOTE,
        )


class CloseSessionForm(ActionForm):
    """Minutes, and the resolution text of each voted item (fields `resolution_<item id>`)."""

    permission = "deliberation.manage_session"
    minutes = forms.CharField(label=_("Minutes"), required=False, max_length=20000)
    confirm_no_quorum = forms.BooleanField(
        label=_("Close anyway: the items without quorum stay scheduled for the next session"),
        required=False,
    )

    def quorum_missing(self) -> bool:
        """Quorum is counted per session (attendance), so one check covers every voted item."""
        session = self.target
        if not AgendaItem.objects.filter(session=session, kind=AgendaItem.Kind.VOTE).exists():
            return False
        members = session.council.active_representatives(session.date).count()
        present = session.attendance.filter(present=True).count()
        return not session.council.has_quorum(present=present, members=members)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("confirm_no_quorum") and self.quorum_missing():
            # Closing without quorum counts nothing: staff confirm it first, with what they
            # typed kept on the page (the view re-renders this form).
            raise forms.ValidationError(
                _(
                    "Fewer representatives are present than the quorum needs: no item will be "
                    "voted. Record attendance first, or confirm to close anyway."
                ),
                code="no_quorum",
            )
        items = set(AgendaItem.objects.filter(session=self.target).values_list("pk", flat=True))
        resolutions = {}
        for key, value in (self.data or {}).items():
            prefix, _sep, pk = key.partition("_")
            if prefix == "resolution" and pk.isdigit() and int(pk) in items:
                resolutions[int(pk)] = str(value)[:5000]
        cleaned["resolutions"] = resolutions
        return cleaned

    def perform(self):
        services.session_close(
            session=self.target,
            by=self.by,
            minutes=self.cleaned_data["minutes"],
            resolutions=self.cleaned_data["resolutions"],
        )


SESSION_ACTIONS = {
    "open": OpenSessionForm,
    "attendance": AttendanceForm,
    "paper_vote": PaperVoteForm,
    "agenda": AgendaForm,
    "close": CloseSessionForm,
}


# --- Staff actions on a proposal that belong to sessions and follow-up (target: the Proposal) -----


class ScheduleForm(ActionForm):
    permission = "deliberation.schedule_proposal"
    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = Session.objects.filter(council_id=self.target.council_id)

    def perform(self):
        services.agenda_add(
            session=self.cleaned_data["session"],
            proposal=self.target,
            by=self.by,
            kind=self.cleaned_data["kind"] or AgendaItem.Kind.VOTE,
        )


class FollowUpForm(ActionForm):
    permission = "deliberation.add_followup"
    description = forms.CharField(label=_("Action"), max_length=200)
    responsible_party = forms.CharField(label=_("Responsible party"), max_length=100)
    due_date = forms.DateField(label=_("Due date"))

    def perform(self):
        services.followup_add(proposal=self.target, by=self.by, **self.cleaned_data)


class CompleteFollowUpForm(ActionForm):
    permission = "deliberation.add_followup"
    follow_up = forms.ModelChoiceField(label=_("Follow-up action"), queryset=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["follow_up"].queryset = self.target.follow_ups.all()

    def perform(self):
        services.followup_complete(action=self.cleaned_data["follow_up"], by=self.by)


class ResolutionForm(ActionForm):
    permission = "deliberation.correct_resolution"
    reason = forms.CharField(label=_("Resolution"), max_length=5000)

    def clean(self):
        cleaned = super().clean()
        resolution = Resolution.objects.filter(proposal=self.target).first()
        if resolution is None:
            raise forms.ValidationError(_("This proposal has no resolution."))
        cleaned["resolution"] = resolution
        return cleaned

    def perform(self):
        services.resolution_record(
            resolution=self.cleaned_data["resolution"], text=self.cleaned_data["reason"], by=self.by
        )


PROPOSAL_ACTIONS = {
    "schedule": ScheduleForm,
    "followup": FollowUpForm,
    "complete": CompleteFollowUpForm,
    "resolution": ResolutionForm,
}
