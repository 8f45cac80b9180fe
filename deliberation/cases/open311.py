"""Open311 GeoReport v2 over cases (cases.md "Open311"): client keys and the answer shapes.

services = the town's case categories, requests = cases, jurisdiction_id = the town's id.
Answers never carry personal data (caller, e-mail, phone, lat/long, room); without a key of the
case's town they carry status fields only (no description, media_url or notes).
"""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.security import audit

from .deadlines import SHANGHAI
from .models import Case, Open311Key


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_issue(*, name: str, town) -> str:
    """A new client key for `town` named `name` (unique); returns the key, stored only hashed."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("A key needs a name.")
    if Open311Key.objects.filter(name=name).exists():
        raise ValidationError(f"The name {name!r} is already used by another Open311 key.")
    key = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            row = Open311Key.objects.create(town=town, name=name, key_hash=_hash(key))
            audit.record(
                audit.Action.OTHER,
                obj=row,
                summary="open311 key issued",
                details={"via": "command_line", "town": town.pk},
            )
    except IntegrityError as error:
        raise ValidationError(
            f"The name {name!r} is already used by another Open311 key."
        ) from error
    return key


def key_town_id(key: str | None) -> int | None:
    """The town of a valid (not revoked) key, or None."""
    if not key:
        return None
    return (
        Open311Key.objects.filter(key_hash=_hash(key), revoked_at__isnull=True)
        .values_list("town_id", flat=True)
        .first()
    )


def w3(value) -> str | None:
    return value.astimezone(SHANGHAI).isoformat(timespec="seconds") if value else None


def service(category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": "",
        "group": category.get_first_level_display(),
    }


def request_answer(case: Case, *, with_details: bool) -> dict:
    """One case as an Open311 request; `case` comes from selectors.open311_requests (prefetched)."""
    open_assignments = case.open_assignments
    current = open_assignments[0] if open_assignments else None
    address = case.estate.name + (f" {case.building.name}" if case.building_id else "")
    answer = {
        "service_request_id": str(case.pk),
        "status": "closed" if case.state == Case.State.CLOSED else "open",
        "service_name": case.category.name,
        "service_code": case.category.code,
        "agency_responsible": str(current.handler) if current else "",
        "service_notice": "",
        "requested_datetime": w3(case.received_at),
        "updated_datetime": w3(case.updated_at or case.received_at),
        "expected_datetime": w3(current.reply_due) if current else None,
        "address": address,
        "address_id": str(case.estate_id),
        "zipcode": None,
    }
    if with_details:
        answer["description"] = case.description or case.title
        answer["status_notes"] = case.latest_reply[0].text if case.latest_reply else ""
    return answer
