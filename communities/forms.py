from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from governance.uploads import validate_upload

from .models import Estate, Household, ResidentVerification
from .privacy import mask_phone


class MaskedPhoneForm(forms.ModelForm):
    """The stored phone number is never put in the page (PIPL): staff see it masked (the full
    number only through the audited reveal button of a list) and type a new one to change it.
    Subclasses list "new_phone" and "clear_phone" instead of "phone"."""

    new_phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Leave empty to keep the current number."),
    )
    clear_phone = forms.BooleanField(label=_("Remove the phone number"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.phone:
            self.fields["new_phone"].help_text = gettext(
                "Current number: %(masked)s. Leave empty to keep it."
            ) % {"masked": mask_phone(self.instance.phone)}

    def save(self, commit=True):
        member = super().save(commit=False)
        if self.cleaned_data.get("clear_phone"):
            member.phone = ""
        elif self.cleaned_data.get("new_phone"):
            member.phone = self.cleaned_data["new_phone"].strip()
        if commit:
            member.save()
            self.save_m2m()
        return member


class VerificationRequestForm(forms.Form):
    resident_name = forms.CharField(label=_("Your name"), max_length=50)
    estate = forms.ModelChoiceField(
        label=_("Estate"),
        queryset=Estate.objects.filter(status=Estate.Status.DELIVERED).select_related("community"),
    )
    building = forms.CharField(label=_("Building"), max_length=50, help_text=_("e.g. 3栋"))
    room = forms.CharField(label=_("Room number"), max_length=20, help_text=_("e.g. 1202"))
    relation = forms.ChoiceField(
        label=_("You are the household's"),
        choices=ResidentVerification.Relation.choices,
        widget=forms.RadioSelect,
    )
    certificate = forms.FileField(
        label=_("Property certificate"),
        required=False,
        help_text=_("Owners: a photo or PDF of the property certificate (不动产权证书)."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        if upload:
            validate_upload(upload)
        return upload

    def clean(self):
        data = super().clean()
        if (
            data.get("relation") == ResidentVerification.Relation.OWNER
            and not data.get("certificate")
            and "certificate" not in self.errors
        ):
            self.add_error(
                "certificate", _("Owners attach their property certificate as evidence.")
            )
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
