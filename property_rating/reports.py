"""property_rating.md "Task list and quarterly score Q" and "Annual score A" inputs: a manager's
quarterly report (drafts, evidence, submission, return with a reason, review of each item),
residents' satisfaction, the expert panel's year-end inspection and township staff's vetoes.
Each write asks property_rating/rules.py and takes the year lock (schemes.ensure_year_open)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.security import audit

from . import notices, selectors
from .models import (
    QUARTERS,
    AssessmentUnit,
    Evidence,
    InspectionScore,
    QuarterlyReport,
    ReportItem,
    ReportReturn,
    ReportSubmission,
    SatisfactionRating,
    Veto,
)
from .policy import decimal_text, parse_score
from .rules import require
from .schemes import (
    _scheme_for,
    ensure_year_open,
)

# --------------------------------------------------------------------------------------------
# Quarterly reports
# --------------------------------------------------------------------------------------------


def report_get_or_create(*, unit: AssessmentUnit, quarter: int, by) -> QuarterlyReport:
    """The unit's report for the quarter (a new draft with one line per task item if none)."""
    if by is not None:
        require(by, "open_report", unit)
    if quarter not in QUARTERS or not unit.is_assessed_in(quarter):
        raise ValidationError(_("The unit is not assessed in this quarter."))
    scheme = _scheme_for(unit.town_id, unit.year)
    with transaction.atomic():
        ensure_year_open(unit.town_id, unit.year)
        report, created = QuarterlyReport.objects.get_or_create(
            unit=unit, quarter=quarter, defaults={"created_by": by}
        )
        if created or not report.items.exists():
            ReportItem.objects.bulk_create(
                [ReportItem(report=report, task_item=item) for item in scheme.task_items.all()],
                ignore_conflicts=True,
            )
    return report


def _lock_report(report: QuarterlyReport) -> QuarterlyReport:
    return QuarterlyReport.objects.select_for_update().select_related("unit").get(pk=report.pk)


def report_save_draft(*, report: QuarterlyReport, by, items: dict) -> QuarterlyReport:
    """Save the manager's lines. `items` maps a task item code (or ReportItem id) to
    {"description": str, "count": int | None}. Only drafts and returned reports are editable."""
    with transaction.atomic():
        report = _lock_report(report)
        require(by, "file_report", report.unit)
        if not report.is_editable_by_manager:
            raise ValidationError(_("A submitted report cannot be changed unless it is returned."))
        ensure_year_open(report.unit.town_id, report.unit.year)
        lines = {line.task_item.code: line for line in report.items.select_related("task_item")}
        by_id = {line.pk: line for line in lines.values()}
        before = {line.pk: (line.description, line.count) for line in lines.values()}
        changed = []
        errors = []
        for key, values in items.items():
            line = lines.get(key) or by_id.get(key if isinstance(key, int) else None)
            if line is None:
                errors.append(_("Unknown task item %(key)s.") % {"key": key})
                continue
            if "description" in values:
                line.description = (values["description"] or "").strip()
            if "count" in values:
                count = values["count"]
                if count in ("", None):
                    line.count = None
                else:
                    try:
                        line.count = int(count)
                    except (TypeError, ValueError):
                        errors.append(
                            _("%(code)s: the count must be a whole number.")
                            % {"code": line.task_item.code}
                        )
                        continue
                    if line.count < 0:
                        errors.append(
                            _("%(code)s: the count cannot be negative.")
                            % {"code": line.task_item.code}
                        )
            changed.append(line)
        if errors:
            raise ValidationError(errors)
        _write_lines(
            [line for line in changed if (line.description, line.count) != before[line.pk]]
        )
        report.save(update_fields=["updated_at"])
    return report


def _write_lines(lines: list[ReportItem]) -> None:
    """The changed lines' description and count in one UPDATE (on PostgreSQL from arrays: no
    CASE WHEN per line to compile, as bulk_update builds)."""
    if not lines:
        return
    if connection.vendor != "postgresql":
        ReportItem.objects.bulk_update(lines, ["description", "count"])
        return
    table = connection.ops.quote_name(ReportItem._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS line SET description = v.description, count = v.count "  # noqa: S608  # nosec B608: the model's table name, values as parameters
            "FROM unnest(%s::integer[], %s::text[], %s::integer[]) AS v(id, description, count) "
            "WHERE line.id = v.id",
            [
                [line.pk for line in lines],
                [line.description for line in lines],
                [line.count for line in lines],
            ],
        )


def evidence_add(*, item: ReportItem, files, by) -> list[Evidence]:
    """Attach photos / PDFs to a report line (checked by governance.uploads)."""
    from governance.uploads import validate_uploads

    with transaction.atomic():
        report = _lock_report(item.report)
        require(by, "file_report", report.unit)
        if not report.is_editable_by_manager:
            raise ValidationError(_("A submitted report cannot be changed unless it is returned."))
        validate_uploads(list(files))
        created = []
        for upload in files:
            evidence = Evidence(
                item=item, original_name=upload.name[:200], size=upload.size, uploaded_by=by
            )
            evidence.file.save(upload.name, upload, save=False)
            evidence.save()
            created.append(evidence)
    return created


def evidence_delete(*, evidence: Evidence, by) -> None:
    with transaction.atomic():
        report = _lock_report(evidence.item.report)
        require(by, "file_report", report.unit)
        if not report.is_editable_by_manager:
            raise ValidationError(_("A submitted report cannot be changed unless it is returned."))
        evidence.file.delete(save=False)
        evidence.delete()


def _snapshot(report: QuarterlyReport) -> dict:
    return {
        "items": [
            {
                "code": line.task_item.code,
                "title": line.task_item.title,
                "description": line.description,
                "count": line.count,
                "evidence": [e.original_name for e in line.evidence.all()],
            }
            for line in report.items.select_related("task_item").prefetch_related("evidence")
        ]
    }


def report_submit(*, report: QuarterlyReport, by) -> QuarterlyReport:
    """Submit a draft or a returned report; every submission is kept with a snapshot."""
    with transaction.atomic():
        report = _lock_report(report)
        require(by, "file_report", report.unit)
        if not report.is_editable_by_manager:
            raise ValidationError(_("This report has already been submitted."))
        ensure_year_open(report.unit.town_id, report.unit.year)
        now = timezone.now()
        number = report.submissions.count() + 1
        ReportSubmission.objects.create(
            report=report,
            number=number,
            submitted_at=now,
            submitted_by=by,
            snapshot=_snapshot(report),
        )
        report.status = QuarterlyReport.Status.SUBMITTED
        report.first_submitted_at = report.first_submitted_at or now
        report.submitted_at = now
        report.submitted_by = by
        report.reviewed_at = None
        report.reviewed_by = None
        report.save()
    return report


def report_return(*, report: QuarterlyReport, by, reason: str) -> ReportReturn:
    """A reviewer sends the report back for correction, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the report is returned."))
    with transaction.atomic():
        report = _lock_report(report)
        require(by, "return_report", report.unit)
        if report.status not in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED):
            raise ValidationError(_("Only a submitted report can be returned."))
        ensure_year_open(report.unit.town_id, report.unit.year)
        returned = ReportReturn.objects.create(
            report=report,
            submission=report.submissions.order_by("-number").first(),
            reason=reason,
            returned_by=by,
        )
        report.status = QuarterlyReport.Status.RETURNED
        report.reviewed_at = None
        report.reviewed_by = None
        report.save()
        notices.on_commit(notices.report_returned, return_id=returned.pk)
    return returned


def report_review(*, report: QuarterlyReport, by, scores: dict) -> QuarterlyReport:
    """Award points per item. `scores` maps a task item code (or ReportItem id) to
    {"points": Decimal|str|None, "note": str}. When every item has points the report is reviewed."""
    with transaction.atomic():
        report = _lock_report(report)
        require(by, "review_report", report.unit)
        if report.status not in (QuarterlyReport.Status.SUBMITTED, QuarterlyReport.Status.REVIEWED):
            raise ValidationError(_("Only a submitted report can be reviewed."))
        ensure_year_open(report.unit.town_id, report.unit.year)
        lines = {line.task_item.code: line for line in report.items.select_related("task_item")}
        by_id = {line.pk: line for line in lines.values()}
        now = timezone.now()
        errors, changed = [], []
        for key, values in scores.items():
            line = lines.get(key) or by_id.get(key if isinstance(key, int) else None)
            if line is None:
                errors.append(_("Unknown task item %(key)s.") % {"key": key})
                continue
            points = values.get("points")
            try:
                line.awarded_points = (
                    None
                    if points in (None, "")
                    else parse_score(
                        points, maximum=line.task_item.max_points, label=line.task_item.code
                    )
                )
            except ValidationError as error:
                errors.extend(error.messages)
                continue
            line.review_note = (values.get("note") or "").strip()
            line.reviewed_by = by
            line.reviewed_at = now
            changed.append(line)
        if errors:
            raise ValidationError(errors)
        ReportItem.objects.bulk_update(
            changed, ["awarded_points", "review_note", "reviewed_by", "reviewed_at"]
        )
        complete = all(line.awarded_points is not None for line in lines.values())
        report.status = (
            QuarterlyReport.Status.REVIEWED if complete else QuarterlyReport.Status.SUBMITTED
        )
        report.reviewed_at = now if complete else None
        report.reviewed_by = by if complete else None
        report.save()
    audit.record(
        audit.Action.SCORE_CHANGED,
        actor=by,
        obj=report,
        summary=f"report reviewed: {report}",
        details={line.task_item.code: decimal_text(line.awarded_points) for line in changed},
    )
    return report


# --------------------------------------------------------------------------------------------
# Satisfaction, inspection, veto
# --------------------------------------------------------------------------------------------


def satisfaction_unit_for(*, user, year: int | None = None) -> AssessmentUnit | None:
    """The unit a verified resident rates: their estate's unit of the open year (latest
    contract when the company changed during the year)."""
    household = user.verified_household if user.is_authenticated else None
    if household is None:
        return None
    estate = household.building.estate
    year = year or selectors.satisfaction_year(estate=estate)
    if year is None:
        return None
    return (
        AssessmentUnit.objects.filter(estate=estate, year=year)
        .select_related("estate", "company")
        .order_by("-contract__valid_from", "-pk")
        .first()
    )


def satisfaction_rate(
    *, user, rating: int, comment: str = "", year: int | None = None
) -> SatisfactionRating:
    """A verified resident rates their property service 1-5, once per household and year."""
    household = user.verified_household if user.is_authenticated else None
    if household is None:
        raise PermissionDenied
    require(user, "rate_satisfaction")
    # No open year: the message below names the calendar year.
    year = (
        year
        or selectors.satisfaction_year(estate=household.building.estate)
        or timezone.localdate().year
    )
    unit = satisfaction_unit_for(user=user, year=year)
    if unit is None:
        raise ValidationError(
            _("Your estate has no assessed property service in %(year)s.") % {"year": year}
        )
    ensure_year_open(unit.town_id, year)
    try:
        rating = int(rating)
    except (TypeError, ValueError) as error:
        raise ValidationError(_("Choose a rating from 1 to 5.")) from error
    if not 1 <= rating <= 5:
        raise ValidationError(_("Choose a rating from 1 to 5."))
    try:
        with transaction.atomic():
            ensure_year_open(unit.town_id, year)
            return SatisfactionRating.objects.create(
                unit=unit,
                household=household,
                year=year,
                rating=rating,
                comment=(comment or "").strip()[:500],
                rated_by=user,
            )
    except IntegrityError as error:
        raise ValidationError(
            _("Your household has already rated its property service for %(year)s.")
            % {"year": year}
        ) from error


def inspection_score_set(*, unit: AssessmentUnit, expert, score, note: str = "") -> InspectionScore:
    """An expert-panel member of the unit's town scores the year-end inspection (0..100)."""
    require(expert, "score_inspection", unit)
    value = parse_score(score, maximum=Decimal("100"), label=_("inspection"))
    with transaction.atomic():
        ensure_year_open(unit.town_id, unit.year)
        obj, _created = InspectionScore.objects.update_or_create(
            unit=unit, expert=expert, defaults={"score": value, "note": (note or "").strip()}
        )
    audit.record(
        audit.Action.SCORE_CHANGED,
        actor=expert,
        obj=obj,
        summary=f"inspection score {value}: {unit}",
        details={"score": str(value)},
    )
    return obj


def veto_record(*, unit: AssessmentUnit, by, reason: str) -> Veto:
    """Township staff record a veto (一票否决) with a reason."""
    require(by, "record_veto", unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A veto needs a reason."))
    with transaction.atomic():
        ensure_year_open(unit.town_id, unit.year)
        veto = Veto.objects.create(unit=unit, reason=reason, recorded_by=by)
    audit.record(
        audit.Action.SCORE_CHANGED,
        actor=by,
        obj=veto,
        summary=f"veto: {unit}",
        details={"reason": reason},
    )
    return veto


def veto_revoke(*, veto: Veto, by, reason: str) -> Veto:
    require(by, "revoke_veto", veto.unit)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the veto is revoked."))
    with transaction.atomic():
        ensure_year_open(veto.unit.town_id, veto.unit.year)
        veto = Veto.objects.select_for_update().get(pk=veto.pk)
        if veto.revoked_at:
            raise ValidationError(_("This veto is already revoked."))
        veto.revoked_at = timezone.now()
        veto.revoked_by = by
        veto.revoke_reason = reason
        veto.save()
    audit.record(
        audit.Action.SCORE_CHANGED,
        actor=by,
        obj=veto,
        summary=f"veto revoked: {veto.unit}",
        details={"reason": reason},
    )
    return veto
