"""property_rating.md "Reward payouts": the workflow calculated -> approved -> paid, hand
corrections, and the discrepancies a recomputation records against approved or paid payouts.
The amounts themselves are computed by property_rating.scoring / computation."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.security import audit

from . import notices
from .models import Payout, PayoutDiscrepancy
from .publication import is_published
from .rules import require
from .schemes import _scheme_for

TWO_PLACES = Decimal("0.01")


def payout_adjust(*, payout: Payout, by, amount, note: str) -> Payout:
    """Staff correct a calculated payout by hand (never above the cap), with a note."""
    require(by, "adjust_payout", payout.unit)
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Say why the payout is changed."))
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("unit").get(pk=payout.pk)
        if payout.is_locked:
            raise ValidationError(_("An approved or paid payout never changes."))
        scheme = _scheme_for(payout.unit.town_id, payout.unit.year)
        value = Decimal(str(amount)).quantize(TWO_PLACES)
        cap = scheme.annual_cap if payout.quarter == 0 else scheme.quarter_cap
        if not Decimal("0") <= value <= cap:
            raise ValidationError(_("The amount is between 0 and %(cap)s.") % {"cap": cap})
        payout.amount = value
        payout.note = note
        payout.last_changed_by = by
        payout.save()
    audit.record(
        audit.Action.PAYOUT_CHANGED,
        actor=by,
        obj=payout,
        summary=f"payout adjusted to {payout.amount}",
        details={"note": note},
    )
    return payout


def payout_approve(*, payout: Payout, by) -> Payout:
    """calculated -> approved, by someone other than who last computed or edited it, once the
    year's results are published."""
    require(by, "approve_payout", payout.unit)
    with transaction.atomic():
        payout = Payout.objects.select_for_update().select_related("unit").get(pk=payout.pk)
        if payout.quarter != 0:
            raise ValidationError(_("Approve the year's payout, not a quarterly accrual."))
        if payout.status != Payout.Status.CALCULATED:
            raise ValidationError(_("Only a calculated payout can be approved."))
        if not is_published(town_id=payout.unit.town_id, year=payout.unit.year):
            # property_rating.md: payouts of a year are approved only after its results are
            # published (before that a quarter may still be pending review).
            raise ValidationError(
                _("Payouts of %(year)s are approved only after its results are published.")
                % {"year": payout.unit.year}
            )
        if payout.last_changed_by_id == by.pk:
            raise ValidationError(
                _("You computed or edited this payout last; someone else must approve it.")
            )
        payout.status = Payout.Status.APPROVED
        payout.approved_by = by
        payout.approved_at = timezone.now()
        payout.save()
        notices.on_commit(notices.payout_changed, payout_id=payout.pk, status=payout.status)
    audit.record(
        audit.Action.PAYOUT_CHANGED,
        actor=by,
        obj=payout,
        summary=f"payout approved: {payout.amount}",
    )
    return payout


def payout_mark_paid(*, payout: Payout, by, reference: str) -> Payout:
    """approved -> paid, with the payment reference."""
    require(by, "mark_payout_paid", payout.unit)
    reference = (reference or "").strip()
    if not reference:
        raise ValidationError(_("Enter the payment reference."))
    with transaction.atomic():
        payout = Payout.objects.select_for_update().get(pk=payout.pk)
        if payout.status != Payout.Status.APPROVED:
            raise ValidationError(_("Only an approved payout can be marked paid."))
        payout.status = Payout.Status.PAID
        payout.paid_by = by
        payout.paid_at = timezone.now()
        payout.payment_reference = reference[:100]
        payout.save()
        notices.on_commit(notices.payout_changed, payout_id=payout.pk, status=payout.status)
    audit.record(
        audit.Action.PAYOUT_CHANGED,
        actor=by,
        obj=payout,
        summary=f"payout paid: {payout.amount}",
        details={"reference": reference},
    )
    return payout


def discrepancy_resolve(
    *, discrepancy: PayoutDiscrepancy, by, resolution: str
) -> PayoutDiscrepancy:
    """Staff say how a recorded discrepancy (an approved or paid payout that a recomputation
    would change) was settled; recorded once, with who and when, in the audit trail."""
    require(by, "resolve_discrepancy", discrepancy.payout.unit)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError(_("Say how the discrepancy was resolved."))
    with transaction.atomic():
        discrepancy = (
            PayoutDiscrepancy.objects.select_for_update()
            .select_related("payout")
            .get(pk=discrepancy.pk)
        )
        if discrepancy.resolved_at is not None:
            raise ValidationError(_("This discrepancy is already resolved."))
        discrepancy.resolved_at = timezone.now()
        discrepancy.resolved_by = by
        discrepancy.resolution = resolution
        discrepancy.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        audit.record(
            audit.Action.PAYOUT_CHANGED,
            actor=by,
            obj=discrepancy.payout,
            summary=f"payout discrepancy resolved: {discrepancy.payout}",
            details={
                "recorded": str(discrepancy.recorded_amount),
                "computed": str(discrepancy.computed_amount),
                "resolution": resolution,
            },
        )
    return discrepancy
