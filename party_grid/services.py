"""Writes of the party grid: logging household visits and turning a raised problem into a
proposal. Each service owns its transaction and records who did what, and when."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Household
from communities.services import rewrite_kept_estate_rows
from governance.db import on_commit_batched

from . import selectors
from .models import EstateFigures, Grid, PartyOrganization, Visit


def visit_log(
    *,
    user,
    household: Household,
    visited_on: datetime.date,
    channel: str,
    note: str = "",
    problem: str = "",
) -> Visit:
    """Record a visit by the member or grid worker linked to `user`.

    Raises PermissionDenied when the user is neither, ValidationError when the household is not
    theirs on that day or the date is in the future."""
    member, workers = selectors.visitor_roles(user)
    if member is None and not workers:
        raise PermissionDenied(_("Only party members and grid workers log household visits."))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit cannot be in the future.")})
    allowed = selectors.households_for_visits(member=member, workers=workers, on=visited_on)
    if not allowed.filter(pk=household.pk).exists():
        raise ValidationError(
            {"household": _("This household is not assigned to you on that day.")}
        )
    # A member assigned to the household logs as the member; otherwise as the grid worker whose
    # grid covers its building.
    by_member = (
        member is not None
        and selectors.households_for_visits(member=member, workers=[], on=visited_on)
        .filter(pk=household.pk)
        .exists()
    )
    worker = None
    if not by_member:
        covering = set(
            Grid.objects.active_on(visited_on)
            .filter(pk__in=[w.grid_id for w in workers], buildings=household.building_id)
            .values_list("pk", flat=True)
        )
        worker = next(w for w in workers if w.grid_id in covering)
    visit = Visit(
        member=member if by_member else None,
        grid_worker=worker,
        household=household,
        visited_on=visited_on,
        channel=channel,
        note=note.strip(),
        problem=problem.strip(),
        recorded_by=user,
    )
    visit.full_clean()
    with transaction.atomic():
        visit.save()
    return visit


def branch_set_estates(*, branch: PartyOrganization, estates) -> None:
    """Set the estates an estate branch serves, checking the single/joint rule."""
    branch.clean_estates(estates)
    with transaction.atomic():
        branch.estates.set(estates)


def refresh_estate_figures(*, estate_ids=None) -> int:
    """Recompute today's EstateFigures of the given estates (every estate when None) from the
    records, set-based (communities.services.rewrite_kept_estate_rows: one grouped count and one
    upsert per 2,000 estates). Idempotent. Returns the number of rows written."""
    return rewrite_kept_estate_rows(
        EstateFigures,
        "households_in_contact",
        lambda on, ids: selectors.households_in_contact_by_estate(on=on, estate_ids=ids),
        estate_ids=estate_ids,
    )


def refresh_estates_on_commit(estate_ids) -> None:
    """Refresh the estates' figures once the current transaction commits (at once outside a
    transaction), so the count sees the committed records and a rolled-back write changes
    nothing; each estate once however many writes of the transaction named it."""
    on_commit_batched("party_grid.estate_figures", estate_ids, _refresh_estate_figures)


def _refresh_estate_figures(estate_ids) -> None:
    refresh_estate_figures(estate_ids=estate_ids)
