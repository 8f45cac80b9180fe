"""The renovation gate, "self-governance first" (先自治后整治, regions.md "Needs and projects"):
an old estate's renovation enters a year's plan only when

1. the estate has an owners' committee or a self-management committee in office, or a council;
2. its owners passed a `rebuild` vote for the project's works (the vote linked to the project)
   that closed within the two years before the plan year;
3. where the maintenance fund pays part of the works, a `use_fund` vote passed likewise.

"Within the two years before the plan year" is taken as closing on or after 1 January of the
year two before the plan year (plan year 2024: from 2022-01-01), and by the day of planning.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import OwnersCommittee, active_on_q

from ..assemblies.models import AssemblyVote, Kind
from ..models import Council


def window_start(year: int) -> datetime.date:
    return datetime.date(year - 2, 1, 1)


def has_self_governance(estate, on: datetime.date) -> bool:
    """An owners' or self-management committee in office on `on`, or a council of the estate."""
    committee = OwnersCommittee.objects.filter(estate=estate).filter(
        active_on_q(on, "established_on", "dissolved_on")
    )
    return committee.exists() or Council.objects.filter(estate=estate).exists()


def _vote_problem(vote: AssemblyVote | None, kind: str, project, year: int, on) -> str | None:
    labels = {Kind.REBUILD: _("rebuild"), Kind.USE_FUND: _("use of the maintenance fund")}
    if vote is None:
        return _("No owners' vote on %(matter)s is linked to this project.") % {
            "matter": labels[kind]
        }
    if vote.kind != kind or vote.estate_id != project.estate_id:
        return _("The linked vote is not a vote of this estate's owners on %(matter)s.") % {
            "matter": labels[kind]
        }
    result = getattr(vote, "result", None)
    if not vote.is_closed or result is None or vote.closed_at is None:
        return _("The owners' vote “%(title)s” has not closed.") % {"title": vote.title}
    closed_on = timezone.localdate(vote.closed_at)
    if closed_on > on:
        return _("The owners' vote “%(title)s” had not closed by %(on)s.") % {
            "title": vote.title,
            "on": on.isoformat(),
        }
    if not result.passed:
        return _("The owners' vote “%(title)s” did not pass.") % {"title": vote.title}
    if closed_on < window_start(year):
        return _(
            "The owners' vote “%(title)s” closed on %(closed)s, more than two years before "
            "the plan year %(year)s (it must close on or after %(start)s)."
        ) % {
            "title": vote.title,
            "closed": closed_on.isoformat(),
            "year": year,
            "start": window_start(year).isoformat(),
        }
    return None


def renovation_refusals(project, year: int, on: datetime.date) -> dict[str, list[str]]:
    """Why `project` may not enter the plan of `year` (field -> reasons); empty when it may."""
    errors: dict[str, list[str]] = {}
    if project.estate_id is None:
        return {"estate": [_("An old-estate renovation names its estate.")]}
    if not has_self_governance(project.estate, on):
        errors["estate"] = [
            _(
                "%(estate)s has no owners' committee, self-management committee or council: "
                "self-governance comes before renovation."
            )
            % {"estate": project.estate.name}
        ]
    problem = _vote_problem(project.rebuild_vote, Kind.REBUILD, project, year, on)
    if problem:
        errors["rebuild_vote"] = [problem]
    if project.maintenance_fund and project.maintenance_fund > 0:
        problem = _vote_problem(project.fund_vote, Kind.USE_FUND, project, year, on)
        if problem:
            errors["fund_vote"] = [problem]
    return errors
