from django import template
from django.utils.html import format_html

from governance.idempotency import FORM_FIELD, new_form_token

register = template.Library()


@register.simple_tag
def once_token():
    """A hidden one-time token: the view (decorated with `once_per_form_token`) acts on a form
    carrying it once, so a double-click stores one submission."""
    return format_html('<input type="hidden" name="{}" value="{}">', FORM_FIELD, new_form_token())
