"""Money as offices write it: {{ amount|yuan }} -> ¥120,000.00."""

from django import template

from property_rating.workspace import yuan as _yuan

register = template.Library()


@register.filter
def yuan(value) -> str:
    return _yuan(value)


@register.filter
def period(quarter) -> str:
    """A payout's period: the year's payout (stored as quarter 0) or Q1..Q4."""
    from django.utils.translation import gettext as _

    return _("annual payout") if not quarter else f"Q{quarter}"
