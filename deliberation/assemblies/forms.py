from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Building, Owner
from governance.uploads import validate_upload

from .models import Choice, Kind

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


class AnnounceForm(forms.Form):
    """Staff announce a vote in the system; it opens no sooner than 15 days later."""

    estate = forms.ModelChoiceField(label=_("Estate"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    opens_at = forms.DateTimeField(
        label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    buildings = forms.CharField(
        label=_("Buildings"),
        required=False,
        help_text=_("For a matter of some buildings only: their names, separated by commas."),
    )
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=50, required=False)
    candidates = forms.CharField(
        label=_("Candidates"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Committee elections: one per line, owner key,name[,1 for a party member]."),
    )

    def __init__(self, *args, estates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["estate"].queryset = estates

    def clean(self):
        data = super().clean()
        estate = data.get("estate")
        if not estate:
            return data
        names = [n.strip() for n in data.get("buildings", "").replace("，", ",").split(",")]
        names = [n for n in names if n]
        buildings = list(Building.objects.filter(estate=estate, name__in=names))
        if len(buildings) != len(set(names)):
            self.add_error("buildings", _("Some buildings are not in this estate."))
        data["building_list"] = buildings
        candidates = []
        for number, raw in enumerate(data.get("candidates", "").splitlines(), start=1):
            if not raw.strip():
                continue
            parts = [p.strip() for p in raw.replace("，", ",").split(",")]
            owner = Owner.objects.filter(
                town_id=estate.community.town_id, key=parts[0], households__building__estate=estate
            ).first()
            if owner is None or len(parts) < 2 or not parts[1]:
                self.add_error(
                    "candidates",
                    _("line %(n)d: an owner key of this estate and a name") % {"n": number},
                )
                continue
            candidates.append((owner, parts[1][:50], len(parts) > 2 and parts[2] == "1"))
        if data.get("kind") == Kind.COMMITTEE and data.get("seats") and not candidates:
            self.add_error("candidates", _("A committee election needs candidates."))
        data["candidate_list"] = candidates
        return data
