"""Home-page panels: the data each panel needs, loaded with a fixed number of queries."""

from django import template

from deliberation import rules
from deliberation.councils import selectors as council_selectors
from deliberation.sessions import selectors as session_selectors
from governance import notifications

register = template.Library()


@register.simple_tag(takes_context=True)
def deliberation_resident_panel(context) -> dict:
    user = context["request"].user
    if not user.is_authenticated or user.verified_household is None:
        return {"verified": False}
    return {
        "verified": True,
        "proposals": list(council_selectors.proposals_for_resident(user).filter(proposer=user)[:5]),
        "unread": notifications.unread_count(user),
        "agenda": session_selectors.open_agenda_for_representative(user),
        "is_secretary": rules.councils_for_staff(user).exists(),
    }


@register.simple_tag(takes_context=True)
def deliberation_staff_panel(context) -> dict:
    user = context["request"].user
    proposals = council_selectors.proposals_for_staff(user)
    return {
        "waiting": proposals.filter(state="submitted").count(),
        "escalated": proposals.filter(state="escalated").count(),
        "unread": notifications.unread_count(user),
    }
