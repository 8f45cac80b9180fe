"""One form per staff action (issue 11): each POST action on the staff pages has its own form,
which validates every field it reads (ids are resolved through querysets limited to the
proposal's or session's council, so a foreign or malformed id is a form error, never a 500),
names the permission it needs (deliberation/rules.py) and performs itself by one service call."""

from django import forms
from django.utils.translation import gettext as _


class ActionForm(forms.Form):
    """A staff action on `target` (a proposal or a session) by `by`."""

    permission = ""  # "deliberation.<action>", asked of the target

    def __init__(self, data=None, *, target, by, **kwargs):
        self.target = target
        self.by = by
        super().__init__(data, **kwargs)

    def permission_object(self):
        """What the permission is asked of (valid forms only): the target unless overridden."""
        return self.target

    def perform(self):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


def form_error_text(form: forms.Form) -> str:
    """A form's errors as one line for a flash message ("label: message ...")."""
    parts = []
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        text = " ".join(str(e) for e in errors)
        parts.append(f"{field.label or name}: {text}" if field else text)
    return " ".join(parts) or _("The form is incomplete.")
