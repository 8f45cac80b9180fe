"""Masked phone numbers with an audited "show" button, for staff pages and the admin.

In a ModelAdmin: inherit RevealPhoneAdminMixin and list "revealable_phone" in list_display (the
model must be one of personal_data.PHONE_MODELS). In a template: {% include
"security/_reveal_phone.html" with label="party_grid.partymember" pk=member.pk phone=member.phone %}.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from governance.security.privacy import mask_phone


def reveal_phone_html(obj) -> str:
    """The masked number plus a button that fetches the full one (audited)."""
    if not getattr(obj, "phone", ""):
        return ""
    label = f"{obj._meta.app_label}.{obj._meta.model_name}"
    url = reverse("security:reveal-phone", args=[label, obj.pk])
    return format_html(
        '<span class="phone-reveal"><span class="phone-value">{}</span> '
        '<button type="button" class="button" data-reveal-url="{}">{}</button></span>',
        mask_phone(obj.phone),
        url,
        _("Show"),
    )


class RevealPhoneAdminMixin:
    class Media:
        js = ("security/reveal_phone.js",)

    @admin.display(description=_("phone"))
    def revealable_phone(self, obj):
        return reveal_phone_html(obj)
