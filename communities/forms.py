from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Estate, Household


class VerificationRequestForm(forms.Form):
    resident_name = forms.CharField(label=_("Your name"), max_length=50)
    estate = forms.ModelChoiceField(
        label=_("Estate"),
        queryset=Estate.objects.filter(status=Estate.Status.DELIVERED).select_related("community"),
    )
    building = forms.CharField(label=_("Building"), max_length=50, help_text=_("e.g. 3栋"))
    room = forms.CharField(label=_("Room number"), max_length=20, help_text=_("e.g. 1202"))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        estate, building, room = data.get("estate"), data.get("building"), data.get("room")
        if estate and building and room:
            household = Household.objects.filter(
                building__estate=estate, building__name=building.strip(), room=room.strip()
            ).first()
            if household is None:
                raise forms.ValidationError(
                    _("No household %(building)s %(room)s is registered in %(estate)s.")
                    % {"building": building, "room": room, "estate": estate.name}
                )
            data["household"] = household
        return data


class VerificationDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Reject"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
