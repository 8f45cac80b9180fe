"""Home-page panels: the data each panel needs, loaded with a fixed number of queries."""

from django import template

from deliberation import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def deliberation_resident_panel(context) -> dict:
    user = context["request"].user
    if not user.is_authenticated or user.verified_household is None:
        return {"verified": False}
    return {
        "verified": True,
        "proposals": list(selectors.proposals_for_resident(user).filter(proposer=user)[:5]),
        "unread": selectors.unread_count(user),
        "agenda": selectors.open_agenda_for_representative(user),
        "is_secretary": selectors.councils_for_staff(user).exists(),
    }


@register.simple_tag(takes_context=True)
def deliberation_staff_panel(context) -> dict:
    user = context["request"].user
    proposals = selectors.proposals_for_staff(user)
    return {
        "waiting": proposals.filter(state="submitted").count(),
        "escalated": proposals.filter(state="escalated").count(),
        "unread": selectors.unread_count(user),
    }
