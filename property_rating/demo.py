"""Demo data of property_rating (called by `manage.py load_demo`, idempotent).

2021: inputs moved in from a spreadsheet through the real `import_assessment` code, computed by
the real computation and published; the outcome is the seed table's (9 five-star estates on the
red list, 16 four-star, 10 three-star, 4 without stars). The scores themselves are invented
(the reports give only the stars), chosen so the ranking follows the table's order.

2022: in progress. Units from the service contracts; reports in every state (draft, submitted,
returned, reviewed, missing); Q1 and Q2 computed (Q2 with units pending review); satisfaction
ratings, inspection scores and a veto, so every screen shows something.
"""

import csv
import datetime
import io
from decimal import Decimal

from communities.demo import ratings_rows
from communities.models import Household, User

from .bulk import import_assessment
from .models import (
    SHANGHAI,
    AssessmentUnit,
    InspectionScore,
    Payout,
    QuarterlyReport,
    ReportItem,
    ReportSubmission,
    SatisfactionRating,
    Scheme,
    Veto,
)
from .payouts import payout_approve, payout_mark_paid
from .publication import results_publish
from .reports import (
    report_get_or_create,
    report_return,
    report_review,
    report_save_draft,
    report_submit,
    veto_record,
)
from .schemes import scheme_copy, scheme_create_default
from .scoring import run_quarter, run_year
from .units import units_sync_from_contracts

MANAGER_COMPANY = "广州市时代物业管理有限公司佛山分公司"
D = Decimal


def _csv_rows() -> list[dict]:
    # The same seed table the registry's demo reads.
    return ratings_rows()


def target_score(seq: int) -> Decimal:
    """Invented annual score of the seed table's row `seq` (1 = best), strictly decreasing and
    inside the band its stars need: five 86.4-96, four 80.5-85, three 70.9-79, none 62-68."""
    if seq <= 9:
        return D("96") - (seq - 1) * D("1.2")
    if seq <= 25:
        return D("85") - (seq - 10) * D("0.3")
    if seq <= 35:
        return D("79") - (seq - 26) * D("0.9")
    return D("68") - (seq - 36) * 2


def assessment_file_2021(rows) -> str:
    """The 2021 spreadsheet: Qbar = b, S = b + 3, E = b - 2, so A = b exactly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "community",
            "estate",
            "company",
            "q1",
            "q2",
            "q3",
            "q4",
            "satisfaction",
            "inspection",
            "veto_reason",
        ]
    )
    for row in rows:
        b = target_score(int(row["seq"]))
        writer.writerow(
            [
                "",
                row["estate"],
                row["company"],
                b + 1,
                b - 1,
                b + D("0.5"),
                b - D("0.5"),
                b + 3,
                b - 2,
                "",
            ]
        )
    return out.getvalue()


def load(*, town, users, stdout=None):
    def say(text):
        if stdout is not None:
            stdout.write(text)

    rows = _csv_rows()
    _load_2021(town, users, rows, say)
    _load_2022(town, users, say)


def _load_2021(town, users, rows, say):
    scheme = Scheme.objects.filter(town=town, year=2021).first()
    if scheme is not None and scheme.is_published:
        say("Ratings 2021: already published.")
        return
    scheme_create_default(town=town, year=2021, by=users["staff"])
    import_assessment(
        source=io.StringIO(assessment_file_2021(rows)),
        name="2021.csv",
        town_name=town.name,
        year=2021,
        by=users["staff"],
    )
    # The computation runs unattended (as the schedule or a command would), so the staff account
    # may approve its payouts.
    outcome = run_year(town_id=town.pk, year=2021, trigger="demo")
    scheme = Scheme.objects.get(town=town, year=2021)
    # Payouts are approved only once the year is published (property_rating.md).
    results_publish(scheme=scheme, by=users["staff"])
    # Finance: the year's payouts approved by the township staff (the computation ran
    # unattended), the red list's already paid.
    for payout in Payout.objects.filter(
        unit__town=town, unit__year=2021, quarter=0, status=Payout.Status.CALCULATED
    ).select_related("unit"):
        payout_approve(payout=payout, by=users["staff"])
        if payout.unit.annual_result.list_name == "red":
            payout_mark_paid(
                payout=payout, by=users["staff"], reference=f"LS2022-{payout.unit_id:05d}"
            )
    say(
        f"Ratings 2021: {outcome['units']} units, {outcome.get('list_red', 0)} on the red list,"
        f" published."
    )


def _report_bulk(
    unit, quarter, items, *, status, submitted_at=None, points=None, by=None, reviewer=None
):
    """A report in a given state with one line per task item (fast path for many units)."""
    by = by or _company_manager(unit.company)
    report, created = QuarterlyReport.objects.get_or_create(
        unit=unit,
        quarter=quarter,
        defaults={
            "status": status,
            "first_submitted_at": submitted_at,
            "submitted_at": submitted_at,
            "submitted_by": by if submitted_at else None,
            "created_by": by,
            "reviewed_by": reviewer if points else None,
            "reviewed_at": submitted_at + datetime.timedelta(days=5) if points else None,
        },
    )
    if not created:
        return report
    lines = []
    for i, item in enumerate(items):
        awarded = None
        if points is not None:
            awarded = min(item.max_points, (item.max_points * points / 100).quantize(D("0.01")))
            if i == 0 and points < 100:
                awarded = max(D("0"), awarded - D("0.5"))
        lines.append(
            ReportItem(
                report=report,
                task_item=item,
                description=f"{item.title}：本季度按计划完成。",
                count=(3 + quarter + i) if item.counts_label else None,
                awarded_points=awarded,
                review_note="材料齐全" if awarded is not None else "",
                reviewed_by=reviewer if awarded is not None else None,
                reviewed_at=report.reviewed_at if awarded is not None else None,
            )
        )
    ReportItem.objects.bulk_create(lines)
    if submitted_at:
        ReportSubmission.objects.create(
            report=report,
            number=1,
            submitted_at=submitted_at,
            submitted_by=by,
            snapshot={
                "items": [
                    {
                        "code": line.task_item.code,
                        "description": line.description,
                        "count": line.count,
                        "evidence": [],
                    }
                    for line in lines
                ]
            },
        )
    return report


def _at(day: datetime.date, hour=10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def _load_2022(town, users, say):
    if Scheme.objects.filter(town=town, year=2022).exists():
        say("Ratings 2022: already loaded.")
        return
    staff, assessor, manager = users["staff"], users["assessor"], users["manager"]
    scheme = scheme_copy(source=Scheme.objects.get(town=town, year=2021), year=2022, by=staff)
    units_sync_from_contracts(town=town, year=2022)
    items = list(scheme.task_items.all())
    units = list(
        AssessmentUnit.objects.filter(town=town, year=2022)
        .select_related("estate", "company")
        .order_by("estate__name")
    )
    ours = [u for u in units if u.company.name == MANAGER_COMPANY]
    others = [u for u in units if u.company.name != MANAGER_COMPANY]

    # Q1: every other unit reviewed on time; Q2: most reviewed, some late, some unreviewed,
    # two missing; Q3: every state.
    for n, unit in enumerate(others):
        points = D(62 + (n * 7) % 37)
        _report_bulk(
            unit,
            1,
            items,
            status=QuarterlyReport.Status.REVIEWED,
            submitted_at=_at(datetime.date(2022, 4, 8)),
            points=points,
            reviewer=assessor,
        )
        if n % 11 == 5:
            continue  # missing Q2 report
        late = n % 9 == 4
        pending = n % 13 == 7
        _report_bulk(
            unit,
            2,
            items,
            status=QuarterlyReport.Status.SUBMITTED if pending else QuarterlyReport.Status.REVIEWED,
            submitted_at=_at(datetime.date(2022, 7, 20 if late else 12)),
            points=None if pending else D(60 + (n * 5) % 40),
            reviewer=assessor,
        )
        state = n % 4
        if state == 0:
            _report_bulk(
                unit,
                3,
                items,
                status=QuarterlyReport.Status.REVIEWED,
                submitted_at=_at(datetime.date(2022, 10, 10)),
                points=D(70 + n % 30),
                reviewer=assessor,
            )
        elif state == 1:
            _report_bulk(
                unit,
                3,
                items,
                status=QuarterlyReport.Status.SUBMITTED,
                submitted_at=_at(datetime.date(2022, 10, 12)),
            )
        elif state == 2:
            _report_bulk(unit, 3, items, status=QuarterlyReport.Status.DRAFT)

    # The demo manager's company: filed through the real services, one report in each state.
    _manager_reports(ours, manager, assessor)

    # Satisfaction: 12 households of 糖果雅苑 (not the demo resident's) and 10 of two others.
    for unit, count in zip(units[:3], (12, 10, 10), strict=False):
        _ratings(unit, count)
    for unit in ours:
        if unit.estate.name == "糖果雅苑":
            _ratings(unit, 12, skip_building="1栋")
    expert = users["expert"]
    for n, unit in enumerate(units[:20]):
        InspectionScore.objects.get_or_create(
            unit=unit, expert=expert, defaults={"score": D(68 + (n * 3) % 30), "note": "现场检查"}
        )
    vetoed = next((u for u in units if u.estate.name == "嘉怡名苑"), None)
    if vetoed and not Veto.objects.filter(unit=vetoed).exists():
        veto_record(
            unit=vetoed, by=staff, reason="2022年5月小区发生电动车违规充电引发火灾，整改不力。"
        )
    for quarter in (1, 2):
        run_quarter(
            town_id=town.pk, year=2022, quarter=quarter, started_by_id=staff.pk, trigger="demo"
        )
    say(f"Ratings 2022: {len(units)} units, reports in every state, Q1-Q2 computed.")


def _company_manager(company):
    """A property manager account per other company (cannot log in: no usable password)."""
    user, created = User.objects.get_or_create(
        username=f"pm-{company.pk}",
        defaults={
            "role": User.Role.PROPERTY_MANAGER,
            "company": company,
            "display_name": f"{company.name[:20]} 项目经理",
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _ratings(unit, count, skip_building=None):
    households = Household.objects.filter(building__estate=unit.estate).order_by(
        "building__name", "room"
    )
    if skip_building:
        households = households.exclude(building__name=skip_building)
    rows = [
        SatisfactionRating(
            unit=unit,
            household=h,
            year=unit.year,
            rating=2 + (i * 3) % 4,
            comment="" if i % 3 else "保安巡逻及时，垃圾清运还要加强。",
        )
        for i, h in enumerate(households[:count])
    ]
    SatisfactionRating.objects.bulk_create(rows, ignore_conflicts=True)


def _manager_reports(units, manager, assessor):
    """Reports of the manager's company through the services (draft, submitted, returned,
    reviewed), with plausible submission times."""

    def scores(level):
        return {
            item.task_item.code: {
                "points": str((item.task_item.max_points * level / 100).quantize(D("0.01"))),
                "note": "符合要求",
            }
            for item in report.items.select_related("task_item")
        }

    def file(unit, quarter, *, submit_on=None):
        nonlocal report
        report = report_get_or_create(unit=unit, quarter=quarter, by=manager)
        report_save_draft(
            report=report,
            by=manager,
            items={
                "T1": {"description": "联合城管巡查违建2处、劝导文明养犬", "count": 6},
                "T2": {"description": "每周消防通道巡查，清理楼道杂物", "count": 12},
                "T9": {"description": "业主诉求均在15分钟内反馈结果", "count": 37},
            },
        )
        if submit_on:
            report_submit(report=report, by=manager)
            QuarterlyReport.objects.filter(pk=report.pk).update(
                first_submitted_at=_at(submit_on), submitted_at=_at(submit_on)
            )
            report.submissions.update(submitted_at=_at(submit_on))
            report.refresh_from_db()
        return report

    report = None
    by_name = {u.estate.name: u for u in units}
    for n, unit in enumerate(units):
        file(unit, 1, submit_on=datetime.date(2022, 4, 10))
        report_review(report=report, by=assessor, scores=scores(D(88 - n * 4)))
        # Q2: one of them a few days late.
        file(unit, 2, submit_on=datetime.date(2022, 7, 18 if n == 1 else 14))
        report_review(report=report, by=assessor, scores=scores(D(84 - n * 3)))
    if "时代家" in by_name:
        file(by_name["时代家"], 3, submit_on=datetime.date(2022, 10, 11))  # submitted
    if "糖果花园" in by_name:
        file(by_name["糖果花园"], 3, submit_on=datetime.date(2022, 10, 9))
        report_review(report=report, by=assessor, scores=scores(D(80)))  # reviewed
    if "悦园小区" in by_name:
        file(by_name["悦园小区"], 3)  # draft
    if "糖果雅苑" in by_name:
        file(by_name["糖果雅苑"], 3, submit_on=datetime.date(2022, 10, 13))
        report_return(
            report=report, by=assessor, reason="消防巡查缺少现场照片，请补充后重新提交。"
        )  # returned
        file(by_name["糖果雅苑"], 4)  # draft of the last quarter
