"""What property_rating tells property managers, and when (issue 15.3); delivery (inbox, e-mail,
preferences) is governance.notifications' job.

Event kinds (users turn channels off per kind on their notification preferences page):
    rating.report_due_7d        a quarter's report is due in 7 days and not filed
    rating.report_due_1d        ... due within a day and not filed
    rating.report_overdue       ... past its due time and not filed
    rating.report_returned      a reviewer returned the report, with the reason
    rating.quarter_computed     the unit's quarter score Q is computed
    rating.results_published    the year's results are published
    rating.payout_approved      the year's payout is approved
    rating.payout_paid          the year's payout is paid

Every notification has a key naming its event, so a repeated or concurrent run (the daily
reminders, a retried task) tells nobody twice.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities import roles
from communities.models import RoleGrant, User
from governance.notifications import notify

from .models import QUARTERS, AnnualResult, AssessmentUnit, Payout, QuarterlyReport, QuarterScore

REPORT_DUE_7D = "rating.report_due_7d"
REPORT_DUE_1D = "rating.report_due_1d"
REPORT_OVERDUE = "rating.report_overdue"
REPORT_RETURNED = "rating.report_returned"
QUARTER_COMPUTED = "rating.quarter_computed"
RESULTS_PUBLISHED = "rating.results_published"
PAYOUT_APPROVED = "rating.payout_approved"
PAYOUT_PAID = "rating.payout_paid"

KINDS = {
    REPORT_DUE_7D: gettext_lazy("Report due in 7 days"),
    REPORT_DUE_1D: gettext_lazy("Report due tomorrow"),
    REPORT_OVERDUE: gettext_lazy("Report overdue"),
    REPORT_RETURNED: gettext_lazy("Report returned for correction"),
    QUARTER_COMPUTED: gettext_lazy("Quarter score computed"),
    RESULTS_PUBLISHED: gettext_lazy("Annual results published"),
    PAYOUT_APPROVED: gettext_lazy("Payout approved"),
    PAYOUT_PAID: gettext_lazy("Payout paid"),
}

# Overdue reminders stop a month after the due time: an old year's missing report is a matter
# for staff (the workspace lists it), not a daily message to managers.
OVERDUE_WINDOW = datetime.timedelta(days=30)
MANAGER_HOME = "/rating/manager/"


def managers_by_unit(units) -> dict[int, list]:
    """Each unit's property managers: grants for the unit's company in the unit's town (or, made
    by a superuser, without a town). Two queries whatever the number of units."""
    units = list(units)
    companies = {u.company_id for u in units}
    grants = list(
        RoleGrant.objects.filter(role=roles.Role.PROPERTY_MANAGER, company_id__in=companies)
        .filter(user__is_active=True)
        .values_list("user_id", "company_id", "town_id")
    )
    users = User.objects.in_bulk({g[0] for g in grants})
    out = {}
    for unit in units:
        ids = sorted(
            {
                user_id
                for user_id, company_id, town_id in grants
                if company_id == unit.company_id and town_id in (None, unit.town_id)
            }
        )
        out[unit.pk] = [users[i] for i in ids if i in users]
    return out


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def send_report_reminders(*, now=None) -> dict:
    """Remind managers of unfiled reports 7 days and 1 day before the due time and once it is
    overdue; each (stage, unit, quarter) once. Returns how many were told per stage."""
    from .models import Scheme

    now = now or timezone.now()
    told = {REPORT_DUE_7D: 0, REPORT_DUE_1D: 0, REPORT_OVERDUE: 0}
    for scheme in Scheme.objects.unpublished().select_related("town"):
        for quarter in QUARTERS:
            due = scheme.due_at(quarter)
            left = due - now
            if left > datetime.timedelta(days=7) or left < -OVERDUE_WINDOW:
                continue
            if left > datetime.timedelta(days=1):
                kind, stage = REPORT_DUE_7D, "due7"
            elif left > datetime.timedelta(0):
                kind, stage = REPORT_DUE_1D, "due1"
            else:
                kind, stage = REPORT_OVERDUE, "overdue"
            filed = QuarterlyReport.objects.filter(
                quarter=quarter, first_submitted_at__isnull=False
            ).values("unit_id")
            units = list(
                AssessmentUnit.objects.filter(
                    town_id=scheme.town_id, year=scheme.year, **{f"assessed_q{quarter}": True}
                )
                .exclude(pk__in=filed)
                .select_related("estate")
            )
            managers = managers_by_unit(units)
            for unit in units:
                values = {
                    "estate": unit.estate.name,
                    "quarter": quarter,
                    "year": scheme.year,
                    "due": _when(due),
                }
                if kind == REPORT_DUE_7D:
                    text = _(
                        "%(estate)s: the Q%(quarter)d %(year)s report is due in 7 days (%(due)s)."
                    )
                elif kind == REPORT_DUE_1D:
                    text = _(
                        "%(estate)s: the Q%(quarter)d %(year)s report is due tomorrow (%(due)s)."
                    )
                else:
                    text = _(
                        "%(estate)s: the Q%(quarter)d %(year)s report is overdue (due %(due)s); "
                        "file it now, each day late costs points."
                    )
                told[kind] += notify(
                    managers[unit.pk],
                    kind=kind,
                    key=f"rating:{stage}:{unit.pk}:q{quarter}",
                    text=text % values,
                    link=MANAGER_HOME,
                )
    return told


def report_returned(*, return_id: int) -> int:
    from .models import ReportReturn

    returned = ReportReturn.objects.select_related("report__unit__estate").get(pk=return_id)
    report = returned.report
    unit = report.unit
    return notify(
        managers_by_unit([unit])[unit.pk],
        kind=REPORT_RETURNED,
        key=f"rating:returned:{returned.pk}",
        text=_("%(estate)s: the Q%(quarter)d %(year)s report was returned: %(reason)s")
        % {
            "estate": unit.estate.name,
            "quarter": report.quarter,
            "year": unit.year,
            "reason": returned.reason,
        },
        body=returned.reason,
        link=f"/rating/manager/reports/{report.pk}/",
    )


def quarter_computed(*, town_id: int, year: int, quarter: int) -> int:
    """Tell each unit's managers its Q; the key carries the score, so a recomputation that gives
    the same Q tells nobody again and one that changes it does."""
    scores = list(
        QuarterScore.objects.filter(unit__town_id=town_id, unit__year=year, quarter=quarter)
        .exclude(status=QuarterScore.Status.PENDING)
        .select_related("unit__estate")
    )
    managers = managers_by_unit([s.unit for s in scores])
    told = 0
    for score in scores:
        unit = score.unit
        told += notify(
            managers[unit.pk],
            kind=QUARTER_COMPUTED,
            key=f"rating:computed:{unit.pk}:q{quarter}:{score.score}",
            text=(
                _("%(estate)s: Q%(quarter)d %(year)s computed, Q = %(score)s (no report: missing).")
                if score.status == QuarterScore.Status.MISSING
                else _("%(estate)s: Q%(quarter)d %(year)s computed, Q = %(score)s.")
            )
            % {"estate": unit.estate.name, "quarter": quarter, "year": year, "score": score.score},
            link=MANAGER_HOME,
        )
    return told


def results_published(*, scheme_id: int) -> int:
    from .models import Scheme

    scheme = Scheme.objects.get(pk=scheme_id)
    if not scheme.is_published:
        return 0
    stamp = int(scheme.published_at.timestamp())
    results = list(
        AnnualResult.objects.filter(unit__town_id=scheme.town_id, unit__year=scheme.year)
        .select_related("unit__estate")
        .order_by("pk")
    )
    managers = managers_by_unit([r.unit for r in results])
    told = 0
    for result in results:
        told += notify(
            managers[result.unit_id],
            kind=RESULTS_PUBLISHED,
            key=f"rating:published:{result.unit_id}:{stamp}",
            text=_(
                "%(estate)s: the %(year)s results are published: score %(score)s, rank %(rank)s, "
                "%(stars)d stars."
            )
            % {
                "estate": result.unit.estate.name,
                "year": scheme.year,
                "score": result.annual_score if result.annual_score is not None else "-",
                "rank": result.rank or "-",
                "stars": result.stars,
            },
            link="/rating/public/",
        )
    return told


def payout_changed(*, payout_id: int, status: str) -> int:
    """`status` is the one reached by the change told of (the row may have moved on since)."""
    from .workspace import yuan

    payout = Payout.objects.select_related("unit__estate").get(pk=payout_id)
    unit = payout.unit
    values = {"estate": unit.estate.name, "year": unit.year, "amount": yuan(payout.amount)}
    if status == Payout.Status.APPROVED:
        kind, text = (
            PAYOUT_APPROVED,
            _("%(estate)s: the %(year)s payout of %(amount)s is approved."),
        )
    elif status == Payout.Status.PAID:
        kind = PAYOUT_PAID
        text = _("%(estate)s: the %(year)s payout of %(amount)s is paid (reference %(ref)s).")
        values["ref"] = payout.payment_reference
    else:
        return 0
    return notify(
        managers_by_unit([unit])[unit.pk],
        kind=kind,
        key=f"rating:payout:{payout.pk}:{status}",
        text=text % values,
        link=MANAGER_HOME,
    )


def on_commit(function, **kwargs) -> None:
    """Tell once the change is committed (never of a change that rolled back); a failure to tell
    never undoes the change (notify records and logs per recipient)."""
    from django.db import transaction

    transaction.on_commit(lambda: function(**kwargs))


__all__ = [
    "KINDS",
    "managers_by_unit",
    "payout_changed",
    "quarter_computed",
    "report_returned",
    "results_published",
    "send_report_reminders",
]
