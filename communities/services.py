"""Writes of the communities app. Each service owns its transaction."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.db import on_commit_batched

from .models import Estate, Household, PropertyCompany, ResidentVerification, ServiceContract, User


def contract_create(
    *,
    estate: Estate,
    company: PropertyCompany,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    is_demo: bool = False,
) -> ServiceContract:
    """Create a service contract; raises ValidationError when it overlaps another of the estate."""
    with transaction.atomic():
        # Lock the estate so two concurrent contracts for it cannot both pass the overlap check.
        Estate.objects.select_for_update().get(pk=estate.pk)
        contract = ServiceContract(
            estate=estate,
            company=company,
            valid_from=valid_from,
            valid_to=valid_to,
            is_demo=is_demo,
        )
        contract.full_clean()
        contract.save()
    return contract


def verification_request(
    *,
    user: User,
    household: Household,
    resident_name: str,
    note: str = "",
    relation: str = ResidentVerification.Relation.TENANT,
    certificate=None,
    resides: bool | None = None,
) -> ResidentVerification:
    """A resident asks to be verified to a household as its owner (with the property
    certificate as evidence) or tenant; community staff decide. A resident lives in one
    household; an owner may be verified to further households they own (a landlord): when
    `resides` is not given, an owner who already lives somewhere asks for an ownership only."""
    if not user.has_perm("communities.request_verification"):
        raise ValidationError(_("Only resident accounts can ask to be verified to a household."))
    with transaction.atomic():
        if ResidentVerification.objects.filter(user=user, status="pending").exists():
            raise ValidationError(_("You already have a request waiting for a decision."))
        current = ResidentVerification.objects.current().filter(user=user)
        if current.filter(household=household).exists():
            raise ValidationError(_("You are already verified to this household."))
        lives_somewhere = current.filter(resides=True).exists()
        if resides is None:
            resides = not (relation == ResidentVerification.Relation.OWNER and lives_somewhere)
        if relation != ResidentVerification.Relation.OWNER:
            resides = True
        if resides and lives_somewhere:
            raise ValidationError(
                _(
                    "You are already verified to the household you live in; only an owner can "
                    "be verified to further households."
                )
            )
        if relation == ResidentVerification.Relation.OWNER and not certificate:
            raise ValidationError(
                {"certificate": _("Owners attach their property certificate as evidence.")}
            )
        verification = ResidentVerification(
            user=user,
            household=household,
            resident_name=resident_name,
            note=note,
            relation=relation,
            resides=resides,
        )
        if certificate:
            verification.certificate.save(certificate.name, certificate, save=False)
        verification.full_clean()
        verification.save()
    return verification


def verification_decide(
    *, verification: ResidentVerification, by: User, approve: bool, reason: str = ""
) -> ResidentVerification:
    """Approve or reject a pending request. Rejection needs a reason. Only staff of the
    household's community (or the town) may decide."""
    if not by.has_perm("communities.decide_verification", verification):
        raise PermissionDenied
    if not approve and not reason.strip():
        raise ValidationError({"reason": _("Give a reason when rejecting a request.")})
    with transaction.atomic():
        verification = ResidentVerification.objects.select_for_update().get(pk=verification.pk)
        if verification.status != ResidentVerification.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        current = ResidentVerification.objects.current().filter(user_id=verification.user_id)
        if approve and (
            current.filter(household_id=verification.household_id).exists()
            or (verification.resides and current.filter(resides=True).exists())
        ):
            raise ValidationError(
                _("The resident is already verified to this household or lives in another.")
            )
        verification.status = (
            ResidentVerification.Status.APPROVED
            if approve
            else ResidentVerification.Status.REJECTED
        )
        verification.decided_by = by
        verification.decided_at = timezone.now()
        verification.reason = reason.strip()
        verification._change_reason = verification.reason or "approved"
        verification.save()
    return verification


def rewrite_kept_estate_rows(model, field: str, count, *, estate_ids=None) -> int:
    """Recount today's kept per-estate rows of `model` (a table of one row per estate with
    `as_of` and the count `field`: EstateHouseholds, party_grid's EstateFigures) for the given
    estates (every estate when None) and write them, one upsert per 2,000 estates. `count(on,
    estate_ids or None)` gives {estate id: n} from the records. Idempotent. The estates are
    locked while counted, so two refreshes of one estate run one after the other and the later
    count, taken after the earlier write committed, is the one kept. Returns the rows written."""
    estates = Estate.objects.order_by("pk")
    if estate_ids is not None:
        estate_ids = {pk for pk in estate_ids if pk is not None}
        if not estate_ids:
            return 0
        estates = estates.filter(pk__in=estate_ids)
    today = timezone.localdate()
    with transaction.atomic():
        ids = list(estates.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        counts = count(today, None if estate_ids is None else ids)
        model.objects.bulk_create(
            [model(estate_id=pk, as_of=today, **{field: counts.get(pk, 0)}) for pk in ids],
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["estate"],
            update_fields=["as_of", field, "refreshed_at"],
        )
    return len(ids)


def refresh_estate_households(*, estate_ids=None) -> int:
    """Recount today's registered households (EstateHouseholds) of the given estates (every
    estate when None) from the records. Returns the number of rows written."""
    from .models import EstateHouseholds
    from .selectors import registered_households_by_estate

    return rewrite_kept_estate_rows(
        EstateHouseholds,
        "households",
        lambda on, ids: registered_households_by_estate(ids),
        estate_ids=estate_ids,
    )


def refresh_estate_households_on_commit(*, estate_ids=(), building_ids=()) -> None:
    """Recount the estates (or the estates of the buildings) once the current transaction
    commits, each estate once however many rows of the transaction named it; at once outside a
    transaction. A rolled-back write refreshes nothing."""
    on_commit_batched("communities.estate_households", estate_ids, _refresh_estates)
    on_commit_batched("communities.estate_households.buildings", building_ids, _refresh_buildings)


def _refresh_estates(estate_ids) -> None:
    refresh_estate_households(estate_ids=estate_ids)


def _refresh_buildings(building_ids) -> None:
    from .models import Building

    refresh_estate_households(
        estate_ids=Building.objects.filter(pk__in=building_ids).values_list("estate_id", flat=True)
    )
