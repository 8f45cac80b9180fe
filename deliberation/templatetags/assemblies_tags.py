"""Template helpers of owners' assemblies."""

from django import template

register = template.Library()


@register.simple_tag
def committee_work(user) -> dict:
    """What `user` does as a member of an estate's committee in office (linked to their
    account): `sits` on one; `files` open accounts (an estate not managed by a company)."""
    from communities.models import Estate
    from communities.selectors import committee_estate_ids

    estates = committee_estate_ids(user)
    files = bool(estates) and (
        Estate.objects.filter(pk__in=estates).exclude(management_form="company").exists()
    )
    return {"sits": bool(estates), "files": files}
