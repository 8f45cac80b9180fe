"""Writes for needs, claims and projects. Every status change goes through `_move_need` or
`_move_project`, which record who, when and why (regions.md; house style: services own the
transaction and lock the row they change)."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import gate
from .models import (
    Claim,
    Need,
    NeedTransition,
    OutputKind,
    ProgressUpdate,
    Project,
    ProjectOutput,
    ProjectTransition,
)

# The one table of allowed project moves.
PROJECT_MOVES = {
    Project.Status.PROPOSED: {Project.Status.PLANNED, Project.Status.CANCELLED},
    Project.Status.PLANNED: {
        Project.Status.PLANNED,  # moved to another year's plan (the gate is asked again)
        Project.Status.IN_PROGRESS,
        Project.Status.CANCELLED,
    },
    Project.Status.IN_PROGRESS: {Project.Status.COMPLETED, Project.Status.CANCELLED},
    Project.Status.COMPLETED: set(),
    Project.Status.CANCELLED: set(),
}
NEED_MOVES = {
    Need.Status.OPEN: {Need.Status.CLAIMED, Need.Status.IN_PROJECT, Need.Status.WITHDRAWN},
    Need.Status.CLAIMED: {Need.Status.CLAIMED, Need.Status.IN_PROJECT, Need.Status.WITHDRAWN},
    Need.Status.IN_PROJECT: {Need.Status.MET, Need.Status.OPEN},
    Need.Status.MET: set(),
    Need.Status.WITHDRAWN: set(),
}


def _move_need(need: Need, to: str, *, by, reason: str, at=None) -> None:
    if to not in NEED_MOVES[need.status]:
        raise ValidationError(
            {
                "status": _("A need %(from)s cannot become %(to)s.")
                % {"from": need.get_status_display(), "to": Need.Status(to).label}
            }
        )
    if to == need.status:
        return
    NeedTransition.objects.create(
        need=need,
        from_status=need.status,
        to_status=to,
        by=by,
        reason=reason,
        at=at or timezone.now(),
    )
    need.status = to
    need.save(update_fields=["status"])


def _move_project(project: Project, to: str, *, by, reason: str, at=None) -> None:
    if to not in PROJECT_MOVES[project.status]:
        raise ValidationError(
            {
                "status": _("A project %(from)s cannot become %(to)s.")
                % {"from": project.get_status_display(), "to": Project.Status(to).label}
            }
        )
    ProjectTransition.objects.create(
        project=project,
        from_status=project.status,
        to_status=to,
        by=by,
        reason=reason,
        at=at or timezone.now(),
    )
    project.status = to


def _locked(project: Project) -> Project:
    return (
        Project.objects.select_for_update(of=("self",))
        .select_related("estate__community")
        .get(pk=project.pk)
    )


# --- Needs and claims ---------------------------------------------------------------------------


def need_create(
    *,
    estate,
    source: str,
    category: str,
    title: str,
    description: str = "",
    proposal=None,
    case=None,
    by=None,
    is_demo: bool = False,
    at: datetime.datetime | None = None,
) -> Need:
    with transaction.atomic():
        need = Need(
            estate=estate,
            source=source,
            category=category,
            title=title,
            description=description,
            proposal=proposal,
            case=case,
            created_by=by,
            is_demo=is_demo,
            created_at=at or timezone.now(),
        )
        need.full_clean()
        need.save()
        NeedTransition.objects.create(
            need=need, to_status=need.status, by=by, reason=_("recorded"), at=need.created_at
        )
    return need


def need_withdraw(*, need: Need, by, reason: str) -> Need:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the need is withdrawn.")})
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        _move_need(need, Need.Status.WITHDRAWN, by=by, reason=reason)
    return need


def claim_create(
    *,
    need: Need,
    pledge_kind: str,
    department=None,
    partner=None,
    amount: Decimal | None = None,
    pledge: str = "",
    by=None,
    is_demo: bool = False,
    at: datetime.datetime | None = None,
) -> Claim:
    """A department or partner unit claims `need`; an open need becomes claimed."""
    with transaction.atomic():
        need = (
            Need.objects.select_for_update(of=("self",))
            .select_related("estate__community")
            .get(pk=need.pk)
        )
        if need.status in (Need.Status.MET, Need.Status.WITHDRAWN):
            raise ValidationError({"need": _("This need is no longer open to claims.")})
        claim = Claim(
            need=need,
            department=department,
            partner=partner,
            pledge_kind=pledge_kind,
            amount=amount,
            pledge=pledge,
            claimed_by=by,
            is_demo=is_demo,
            claimed_at=at or timezone.now(),
        )
        claim.full_clean()
        claim.save()
        if need.status == Need.Status.OPEN:
            _move_need(
                need,
                Need.Status.CLAIMED,
                by=by,
                reason=_("claimed by %(who)s") % {"who": claim.claimant},
                at=claim.claimed_at,
            )
    return claim


# --- Projects -----------------------------------------------------------------------------------


def project_create(
    *,
    town,
    kind: str,
    title: str,
    needs=(),
    estate=None,
    description: str = "",
    budget_residents: Decimal = Decimal("0"),
    budget_government: Decimal = Decimal("0"),
    budget_partners: Decimal = Decimal("0"),
    maintenance_fund: Decimal = Decimal("0"),
    rebuild_vote=None,
    fund_vote=None,
    by=None,
    is_demo: bool = False,
    at: datetime.datetime | None = None,
) -> Project:
    """A proposed project carrying `needs` (all of `town`); the needs become part of it."""
    needs = list(needs)
    with transaction.atomic():
        project = Project(
            town=town,
            kind=kind,
            title=title,
            estate=estate,
            description=description,
            budget_residents=budget_residents,
            budget_government=budget_government,
            budget_partners=budget_partners,
            maintenance_fund=maintenance_fund,
            rebuild_vote=rebuild_vote,
            fund_vote=fund_vote,
            created_by=by,
            is_demo=is_demo,
            created_at=at or timezone.now(),
        )
        project.full_clean()
        project.save()
        ProjectTransition.objects.create(
            project=project,
            to_status=project.status,
            by=by,
            reason=_("recorded"),
            at=project.created_at,
        )
        project_add_needs(project=project, needs=needs, by=by, at=project.created_at)
    return project


def project_add_needs(*, project: Project, needs, by, at=None) -> None:
    needs = list(Need.objects.select_for_update().filter(pk__in=[n.pk for n in needs]))
    wrong_town = [n for n in needs if n.estate.community.town_id != project.town_id]
    if wrong_town:
        raise ValidationError(
            {
                "needs": _("Needs of another town cannot join this project: %(titles)s")
                % {"titles": ", ".join(n.title for n in wrong_town)}
            }
        )
    for need in needs:
        if need.status in (Need.Status.MET, Need.Status.WITHDRAWN):
            raise ValidationError(
                {"needs": _("The need “%(title)s” is closed.") % {"title": need.title}}
            )
        project.needs.add(need)
        if need.status != Need.Status.IN_PROJECT:
            _move_need(
                need,
                Need.Status.IN_PROJECT,
                by=by,
                reason=_("taken into project “%(title)s”") % {"title": project.title},
                at=at,
            )


def plan_project(
    project: Project, year: int, by, *, reason: str = "", on: datetime.date | None = None
) -> Project:
    """Put `project` into the plan of `year`. An old-estate renovation passes the renovation
    gate first (deliberation/projects/gate.py); refusals are ValidationErrors naming each
    missing condition. `on` is the day of planning (today unless a record is entered late)."""
    on = on or timezone.localdate()
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": _("Give the plan year as a number.")}) from None
    with transaction.atomic():
        project = _locked(project)
        if not on.year <= year <= on.year + 10:
            raise ValidationError(
                {"year": _("A plan is made for this year or one of the next ten years.")}
            )
        if project.status not in (Project.Status.PROPOSED, Project.Status.PLANNED):
            raise ValidationError(
                {"status": _("Only a proposed or planned project enters a year's plan.")}
            )
        if project.kind == Project.Kind.RENOVATION:
            refusals = gate.renovation_refusals(project, year, on)
            if refusals:
                raise ValidationError(refusals)
        _move_project(
            project,
            Project.Status.PLANNED,
            by=by,
            reason=reason or _("entered the plan of %(year)s") % {"year": year},
            at=_noon(on),
        )
        project.plan_year = year
        project.save(update_fields=["status", "plan_year"])
    return project


def _noon(day: datetime.date) -> datetime.datetime:
    if day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def project_start(*, project: Project, started_on: datetime.date, by, reason: str = "") -> Project:
    with transaction.atomic():
        project = _locked(project)
        if project.plan_year and started_on.year < project.plan_year - 1:
            raise ValidationError({"started_on": _("Works start near their plan year.")})
        _move_project(
            project,
            Project.Status.IN_PROGRESS,
            by=by,
            reason=reason or _("works started"),
            at=_noon(started_on),
        )
        project.started_on = started_on
        project.save(update_fields=["status", "started_on"])
    return project


def progress_add(*, project: Project, date: datetime.date, note: str, by) -> ProgressUpdate:
    if not (note or "").strip():
        raise ValidationError({"note": _("Write what progressed.")})
    with transaction.atomic():
        project = _locked(project)
        if project.status not in (Project.Status.PLANNED, Project.Status.IN_PROGRESS):
            raise ValidationError({"date": _("Progress is recorded on a running project.")})
        if project.started_on and date < project.started_on:
            raise ValidationError({"date": _("The date is before the works started.")})
        update = ProgressUpdate(project=project, date=date, note=note.strip(), by=by)
        update.full_clean()
        update.save()
    return update


def project_complete(
    *,
    project: Project,
    completed_on: datetime.date,
    outputs: dict[str, int],
    by,
    acceptance_rating: Decimal | None = None,
    reason: str = "",
) -> Project:
    """Close the works with their outputs by kind; the project's needs are met."""
    errors = {}
    unknown = sorted(set(outputs) - set(OutputKind.values))
    if unknown:
        errors["outputs"] = _("Unknown output kinds: %(kinds)s") % {"kinds": ", ".join(unknown)}
    elif any(not isinstance(n, int) or n < 0 for n in outputs.values()):
        errors["outputs"] = _("Outputs are counted in whole numbers, none below zero.")
    if acceptance_rating is not None and not Decimal(0) <= acceptance_rating <= Decimal(100):
        errors["acceptance_rating"] = _("Acceptance is a percentage from 0 to 100.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = _locked(project)
        if project.started_on and completed_on < project.started_on:
            raise ValidationError({"completed_on": _("Works complete after they start.")})
        at = _noon(completed_on)
        _move_project(
            project, Project.Status.COMPLETED, by=by, reason=reason or _("works completed"), at=at
        )
        project.completed_on = completed_on
        project.acceptance_rating = acceptance_rating
        project.save(update_fields=["status", "completed_on", "acceptance_rating"])
        # Outputs already entered (in the admin, while the works ran) stay unless given here.
        for kind, count in outputs.items():
            ProjectOutput.objects.update_or_create(
                project=project, kind=kind, defaults={"count": count}
            )
        for need in Need.objects.select_for_update().filter(
            projects=project, status=Need.Status.IN_PROJECT
        ):
            _move_need(
                need,
                Need.Status.MET,
                by=by,
                reason=_("met by project “%(title)s”") % {"title": project.title},
                at=at,
            )
    return project


def project_cancel(*, project: Project, by, reason: str) -> Project:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the project is cancelled.")})
    with transaction.atomic():
        project = _locked(project)
        _move_project(project, Project.Status.CANCELLED, by=by, reason=reason)
        project.save(update_fields=["status"])
        # Its needs return to the list, to be taken up again.
        for need in Need.objects.select_for_update().filter(
            projects=project, status=Need.Status.IN_PROJECT
        ):
            _move_need(need, Need.Status.OPEN, by=by, reason=reason)
    return project
