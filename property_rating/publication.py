"""property_rating.md "Publication and the ratings API": publishing a year's results (then the
year is frozen), reopening it for a correction with a reason, whether a year is published, and
the version of what anonymous readers may see (property_rating.public_cache)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.security import audit

from . import notices
from .models import AssessmentUnit, PublicationEvent, Scheme
from .public_cache import cached_answer, public_version, publication_changed  # noqa: F401
from .rules import require


def is_published(*, town_id: int, year: int) -> bool:
    """Whether the town's results of `year` are published (models.PUBLISHED, the one definition)."""
    return Scheme.objects.published().filter(town_id=town_id, year=year).exists()


def results_publish(*, scheme: Scheme, by, system: bool = False) -> Scheme:
    """Publish the year's results (then the year is frozen). Needs a complete annual computation.
    `system=True` (the publish_results command) publishes without a user."""
    from .models import AnnualResult

    if not system:
        require(by, "publish_results", scheme)
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if scheme.is_published:
            raise ValidationError(_("These results are already published."))
        units = AssessmentUnit.objects.filter(town_id=scheme.town_id, year=scheme.year)
        total = units.count()
        results = AnnualResult.objects.filter(unit__in=units)
        if total == 0 or results.count() != total:
            raise ValidationError(_("Compute the annual results before publishing them."))
        pending = results.filter(status=AnnualResult.Status.PENDING).count()
        if pending:
            raise ValidationError(
                _(
                    "%(n)d units still have quarters pending review; compute again once they are "
                    "reviewed."
                )
                % {"n": pending}
            )
        stale = results.filter(computed_at__lt=scheme.updated_at).exists()
        if stale:
            raise ValidationError(
                _("The scheme changed after the last computation; compute the year again.")
            )
        scheme.published_at = timezone.now()
        scheme.published_by = by
        scheme.save(update_fields=["published_at", "published_by"])
        PublicationEvent.objects.create(
            scheme=scheme, action=PublicationEvent.Action.PUBLISH, by=by
        )
        notices.on_commit(notices.results_published, scheme_id=scheme.pk)
        publication_changed()
    audit.record(
        audit.Action.PUBLICATION_CHANGED,
        actor=by,
        obj=scheme,
        summary=f"results published: {scheme}",
        details={"system": system},
    )
    return scheme


def results_reopen(*, scheme: Scheme, by, reason: str) -> Scheme:
    """Reopen a published year for a correction; the reason is recorded."""
    require(by, "reopen_results", scheme)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the results are reopened."))
    with transaction.atomic():
        scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
        if not scheme.is_published:
            raise ValidationError(_("These results are not published."))
        scheme.published_at = None
        scheme.published_by = None
        scheme.save(update_fields=["published_at", "published_by"])
        PublicationEvent.objects.create(
            scheme=scheme, action=PublicationEvent.Action.REOPEN, by=by, reason=reason
        )
        publication_changed()
    audit.record(
        audit.Action.PUBLICATION_CHANGED,
        actor=by,
        obj=scheme,
        summary=f"results reopened: {scheme}",
        details={"reason": reason},
    )
    return scheme
