from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def can_log_visits(user) -> bool:
    """Whether `user` is a current party member or grid worker (two small queries)."""
    return selectors.can_log_visits(user)
