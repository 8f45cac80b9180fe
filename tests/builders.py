"""The test worlds, built in one place and used by every test folder and benchmark.

- `attack_world()`: the Lishui demo (every role, every app's data) plus a second town built with
  factories, so "another town's object" exists for township staff and assessors (tests/security).
- `bulk_town(units, ...)`: a large synthetic town of imported inputs written with bulk_create,
  and digests of what a computation stores (tests/reliability, the scale benchmark).
- `reported_town(name, n_units)`: a synthetic town whose inputs are filed, reviewed reports
  (benchmarks/bench_scoring.py and bench_scale.py).
"""

import datetime
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db.models import Count, Sum

from communities.factories import (
    CommunityFactory,
    EstateFactory,
    PropertyCompanyFactory,
    ServiceContractFactory,
    TownFactory,
    make_credit_code,
)
from communities.models import Community, Estate, PropertyCompany, ResidentVerification, Town, User
from deliberation.factories import CouncilFactory, ProposalFactory, SessionFactory, resident_of
from deliberation.models import AgendaItem, Attachment, Proposal, RemediationPlan, Session
from property_rating.factories import (
    AssessmentUnitFactory,
    QuarterlyReportFactory,
    ReportItemFactory,
    SchemeFactory,
)
from property_rating.models import (
    AnnualResult,
    AssessmentUnit,
    Evidence,
    ImportedAnnualInput,
    ImportedQuarterScore,
    Payout,
    QuarterlyReport,
    QuarterScore,
    ReportItem,
    Scheme,
    Veto,
)

# --- The attack world (tests/security) ------------------------------------------------------
PASSWORD = "demo-pass-for-security-tests-1"
ROLES = (
    "anonymous",
    "resident",
    "representative",
    "manager",
    "assessor",
    "community",
    "staff",
)
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@dataclass
class World:
    users: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


def _evidence(report, user, name="photo.png"):
    item = report.items.first() or ReportItemFactory(report=report)
    evidence = Evidence(item=item, original_name=name, uploaded_by=user, size=len(PNG))
    evidence.file.save("evidence.png", ContentFile(PNG), save=False)
    evidence.save()
    return evidence


def _attachment(proposal, user, name="photo.png"):
    attachment = Attachment(proposal=proposal, original_name=name, uploaded_by=user)
    attachment.file.save("attachment.png", ContentFile(PNG), save=False)
    attachment.save()
    return attachment


def attack_world() -> World:
    call_command("load_demo", password=PASSWORD, stdout=_Null())
    world = World()
    for key in ROLES[1:]:
        world.users[key] = User.objects.get(username=key)
    world.users["anonymous"] = None
    users, objects = world.users, world.objects
    manager, community_staff = users["manager"], users["community"]

    home_estate = Estate.objects.get(name="糖果雅苑")  # resident, representative, manager
    home_community = community_staff.community
    other_community = Community.objects.exclude(pk=home_community.pk).get(name="金溪社区")
    objects.update(home_estate=home_estate, home_community=home_community)

    # property_rating: a report of the manager's company, another company's in the same
    # community, and one in another town.
    own_reports = QuarterlyReport.objects.filter(unit__company=manager.company)
    objects["report_own"] = own_reports.filter(unit__estate=home_estate).order_by("-pk").first()
    objects["report_own_draft"] = (
        own_reports.filter(status=QuarterlyReport.Status.DRAFT).order_by("pk").first()
    )
    objects["report_other_company"] = (
        QuarterlyReport.objects.exclude(unit__company=manager.company)
        .filter(unit__estate__community=home_community)
        .order_by("pk")
        .first()
    ) or QuarterlyReport.objects.exclude(unit__company=manager.company).order_by("pk").first()
    objects["unit_own"] = objects["report_own"].unit
    objects["unit_other_company"] = objects["report_other_company"].unit
    objects["evidence_own"] = _evidence(objects["report_own"], manager)
    objects["evidence_other_company"] = _evidence(objects["report_other_company"], manager)
    objects["veto_any"] = Veto.objects.order_by("pk").first()
    objects["company_own"] = manager.company

    # deliberation: proposals of the home estate, another estate of the same community,
    # another community, another town.
    proposals = Proposal.objects.exclude(state=Proposal.State.DRAFT)
    objects["proposal_own"] = proposals.filter(estate=home_estate).order_by("pk").first()
    objects["proposal_other_estate"] = (
        proposals.filter(estate__community=home_community)
        .exclude(estate=home_estate)
        .order_by("pk")
        .first()
    )
    objects["proposal_other_community"] = (
        proposals.filter(estate__community=other_community).order_by("pk").first()
    )
    objects["session_own"] = Session.objects.filter(council__estate=home_estate).order_by(
        "-date", "-pk"
    )[0]
    objects["session_other_community"] = Session.objects.filter(
        council__estate__community=other_community
    ).first()
    objects["agenda_own"] = AgendaItem.objects.filter(session=objects["session_own"]).first()
    objects["agenda_other_community"] = AgendaItem.objects.filter(
        session=objects["session_other_community"]
    ).first()
    objects["attachment_own"] = _attachment(objects["proposal_own"], users["resident"])
    objects["attachment_other_community"] = _attachment(
        objects["proposal_other_community"], users["resident"]
    )
    objects["plan_any"] = RemediationPlan.objects.order_by("pk").first()
    objects["council_own"] = objects["session_own"].council
    objects["council_other_community"] = objects["session_other_community"].council

    # communities: a pending verification in the home community and in another one.
    objects["verification_own"] = ResidentVerification.objects.create(
        user=User.objects.create(username="newcomer-home", role=User.Role.RESIDENT),
        household=home_estate.buildings.get(name="3栋").households.first(),
        resident_name="赵六",
    )
    other_estate = Estate.objects.filter(community=other_community).first()
    objects["verification_other_community"] = ResidentVerification.objects.create(
        user=User.objects.create(username="newcomer-other", role=User.Role.RESIDENT),
        household=other_estate.buildings.first().households.first(),
        resident_name="钱七",
    )
    objects["verification_own"].certificate.save("certificate.png", ContentFile(PNG))

    # owners' assemblies and open accounts (owners.md): the demo's open vote and statements of
    # 糖果雅苑, and a vote in another community's estate.
    from communities.models import AccountStatement
    from deliberation.assemblies import services as assemblies
    from deliberation.assemblies.factories import register
    from deliberation.assemblies.models import AssemblyVote

    objects["assembly_vote_own"] = AssemblyVote.objects.get(estate=home_estate, state="open")
    register(other_estate, [("1栋", "101", "88.00", "OTHER-1", True)])
    objects["assembly_vote_other_community"] = assemblies.vote_open_now(
        estate=other_estate, kind="other", title="加装电梯"
    )
    objects["statement_own"] = AccountStatement.objects.filter(estate=home_estate).first()

    # Another town: nobody of Lishui may see any of it.
    town2 = TownFactory(name="外镇")
    community2 = CommunityFactory(town=town2, name="外镇社区")
    estate2 = EstateFactory(
        community=community2,
        name="外镇小区",
        status=Estate.Status.DELIVERED,
        delivery_date=datetime.date(2015, 1, 1),
    )
    company2 = PropertyCompanyFactory(name="外镇物业")
    ServiceContractFactory(estate=estate2, company=company2, valid_from=datetime.date(2021, 1, 1))
    SchemeFactory(town=town2, year=objects["report_own"].unit.year)
    unit2 = AssessmentUnitFactory(
        estate=estate2, company=company2, town=town2, year=objects["report_own"].unit.year
    )
    report2 = QuarterlyReportFactory(unit=unit2, quarter=1, status=QuarterlyReport.Status.SUBMITTED)
    ReportItemFactory(report=report2)
    objects["report_other_town"] = report2
    objects["unit_other_town"] = unit2
    council2 = CouncilFactory(estate=estate2)
    author2 = resident_of(estate2)
    objects["proposal_other_town"] = ProposalFactory(council=council2, proposer=author2)
    objects["session_other_town"] = SessionFactory(council=council2)
    objects["council_other_town"] = council2
    assert ReportItem.objects.filter(report=report2).exists()

    # cases: the department account (issue 12) and a case of the home estate reported by the
    # resident, one at town level with the department, one in another town.
    from deliberation.cases.models import CaseCategory
    from deliberation.cases.services import case_escalate, case_receive, responsibility_list_ensure

    users["department"] = User.objects.get(username="department")
    c01 = CaseCategory.objects.get(town=home_estate.community.town, code="C01")
    objects["case_own"] = case_receive(
        estate=home_estate,
        category=c01,
        title="楼道灯不亮",
        source="portal",
        reporter=users["resident"],
    )
    dept = case_receive(estate=other_estate, category=c01, title="漏水", source="staff")
    case_escalate(case=dept, by=users["staff"], reason="r")
    case_escalate(case=dept, by=users["staff"], reason="r")
    objects["case_department"] = dept
    responsibility_list_ensure(town=town2)
    objects["case_other_town"] = case_receive(
        estate=estate2,
        category=CaseCategory.objects.get(town=town2, code="C01"),
        title="t",
        source="staff",
    )
    return world


class _Null:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass


# --- A large town of imported inputs (tests/reliability) ---------------------------------
# A large synthetic town for the fault tests and the scale benchmark, written with bulk_create
# (thousands of units in a second or two), and digests of what a computation stores.
#
# Inputs are imported quarter scores and annual components (the bulk path of property_rating.md
# "Bulk data"), varied deterministically: scores spread over every tier, some quarters not
# assessed, some units without satisfaction or inspection, a few vetoes, several units per company
# (so cap_scope=company has work to do).
#

YEAR = 2021
UNITS_PER_COMPANY = 4


def bulk_town(
    units: int,
    *,
    name: str = "压测镇",
    seed: int = 7,
    year: int = YEAR,
    cap_scope: str = Scheme.CapScope.UNIT,
    batch: int = 2000,
) -> Town:
    """A town with `units` assessment units of `year` and their imported inputs."""
    rng = random.Random(seed)
    town = Town.objects.create(name=f"{name}{seed}-{units}")
    SchemeFactory(town=town, year=year)
    Scheme.objects.filter(town=town, year=year).update(cap_scope=cap_scope)
    community = Community.objects.create(town=town, name=f"{town.name}社区")
    estates = Estate.objects.bulk_create(
        [Estate(community=community, name=f"{town.name}小区{i:05d}") for i in range(units)],
        batch_size=batch,
    )
    n_companies = max(1, units // UNITS_PER_COMPANY)
    companies = PropertyCompany.objects.bulk_create(
        [
            PropertyCompany(
                name=f"{town.name}物业{i:05d}", credit_code=make_credit_code(town.pk * 100_000 + i)
            )
            for i in range(n_companies)
        ],
        batch_size=batch,
    )
    unit_rows = []
    for i, estate in enumerate(estates):
        assessed = [rng.random() > 0.05 for _ in range(4)]
        if not any(assessed):
            assessed[0] = True
        unit_rows.append(
            AssessmentUnit(
                town=town,
                estate=estate,
                company=companies[i % n_companies],
                year=year,
                source=AssessmentUnit.Source.IMPORT,
                assessed_q1=assessed[0],
                assessed_q2=assessed[1],
                assessed_q3=assessed[2],
                assessed_q4=assessed[3],
            )
        )
    unit_rows = AssessmentUnit.objects.bulk_create(unit_rows, batch_size=batch)
    scores, annual, vetoes = [], [], []
    for unit in unit_rows:
        base = rng.uniform(50, 100)
        for q in (1, 2, 3, 4):
            if getattr(unit, f"assessed_q{q}"):
                value = Decimal(str(round(min(100, max(0, base + rng.uniform(-8, 8))), 2)))
                scores.append(ImportedQuarterScore(unit=unit, quarter=q, score=value))
        satisfaction = None if rng.random() < 0.1 else Decimal(str(round(rng.uniform(40, 100), 2)))
        inspection = None if rng.random() < 0.1 else Decimal(str(round(rng.uniform(50, 100), 2)))
        annual.append(
            ImportedAnnualInput(unit=unit, satisfaction=satisfaction, inspection=inspection)
        )
        if rng.random() < 0.01:
            vetoes.append(Veto(unit=unit, reason="重大安全事故", imported=True))
    ImportedQuarterScore.objects.bulk_create(scores, batch_size=batch)
    ImportedAnnualInput.objects.bulk_create(annual, batch_size=batch)
    Veto.objects.bulk_create(vetoes, batch_size=batch)
    return town


def clear_results(town: Town, year: int = YEAR) -> None:
    """Back to inputs only: what a never-computed year looks like."""
    Payout.objects.filter(unit__town=town, unit__year=year).delete()
    AnnualResult.objects.filter(unit__town=town, unit__year=year).delete()
    QuarterScore.objects.filter(unit__town=town, unit__year=year).delete()


def _digest(rows) -> str:
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()[:16]


def results_digest(town: Town, year: int = YEAR) -> dict:
    """Row counts, sums and a digest of every stored value that a computation decides
    (scores, inputs, ranks, lists, stars, payouts), without timestamps or run ids."""
    quarters = QuarterScore.objects.filter(unit__town=town, unit__year=year)
    annual = AnnualResult.objects.filter(unit__town=town, unit__year=year)
    payouts = Payout.objects.filter(unit__town=town, unit__year=year)
    return {
        "quarter_scores": quarters.aggregate(
            n=Count("pk"), score=Sum("score"), accrual=Sum("accrual")
        ),
        "annual_results": annual.aggregate(
            n=Count("pk"),
            score=Sum("annual_score"),
            rank=Sum("rank"),
            stars=Sum("stars"),
            payout=Sum("payout_amount"),
        ),
        "lists": dict(annual.values_list("list_name").annotate(n=Count("pk")).order_by()),
        "payouts": payouts.aggregate(n=Count("pk"), amount=Sum("amount")),
        "quarter_digest": _digest(
            quarters.order_by("unit_id", "quarter").values_list(
                "unit_id",
                "quarter",
                "status",
                "score",
                "penalty",
                "tier_percent",
                "accrual",
                "inputs",
            )
        ),
        "annual_digest": _digest(
            annual.order_by("unit_id").values_list(
                "unit_id",
                "status",
                "quarterly_mean",
                "satisfaction",
                "inspection",
                "annual_score",
                "rank",
                "stars",
                "list_name",
                "vetoed",
                "accrual_total",
                "payout_amount",
                "inputs",
            )
        ),
        "payout_digest": _digest(
            payouts.order_by("unit_id", "quarter").values_list(
                "unit_id", "quarter", "amount", "status"
            )
        ),
    }


# --- A town of filed reports (benchmarks) ---------------------------------------------


def reported_town(name: str, n_units: int, year: int = 2021):
    """Bulk-create a town with `n_units` units, each with a reviewed report per quarter (the
    filed-report path of the computation), inspection scores and some satisfaction ratings;
    returns the town. Used by benchmarks/bench_scoring.py and bench_scale.py."""
    import datetime

    from communities.models import (
        Building,
        Community,
        Estate,
        Household,
        PropertyCompany,
        Town,
        User,
    )
    from property_rating.models import (
        AssessmentUnit,
        InspectionScore,
        QuarterlyReport,
        ReportItem,
        SatisfactionRating,
    )
    from property_rating.schemes import scheme_create_default

    town = Town.objects.create(name=name)
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"{name}社区{i}") for i in range(20)
    )
    estates = Estate.objects.bulk_create(
        Estate(
            community=communities[i % 20],
            name=f"{name}小区{i}",
            status=Estate.Status.DELIVERED,
            delivery_date=datetime.date(2015, 1, 1),
        )
        for i in range(n_units)
    )
    companies = PropertyCompany.objects.bulk_create(
        PropertyCompany(name=f"{name}物业{i}") for i in range(max(1, n_units // 5))
    )
    scheme = scheme_create_default(town=town, year=year)
    items = list(scheme.task_items.all())
    units = AssessmentUnit.objects.bulk_create(
        AssessmentUnit(town=town, estate=e, company=companies[i % len(companies)], year=year)
        for i, e in enumerate(estates)
    )
    manager = User.objects.create(
        username=f"{name}-pm", role=User.Role.PROPERTY_MANAGER, company=companies[0]
    )
    experts = [
        User.objects.create(
            username=f"{name}-expert{i}",
            role=User.Role.ASSESSOR,
            assessor_kind=User.AssessorKind.EXPERT_PANEL,
            town=town,
        )
        for i in range(2)
    ]
    for quarter in (1, 2, 3, 4):
        due = scheme.due_at(quarter)
        reports = QuarterlyReport.objects.bulk_create(
            QuarterlyReport(
                unit=u,
                quarter=quarter,
                status=QuarterlyReport.Status.REVIEWED,
                first_submitted_at=due - datetime.timedelta(days=2)
                if i % 7
                else due + datetime.timedelta(days=i % 12 + 1),
                submitted_at=due,
                submitted_by=manager,
            )
            for i, u in enumerate(units)
        )
        ReportItem.objects.bulk_create(
            (
                ReportItem(
                    report=r,
                    task_item=item,
                    description="完成",
                    awarded_points=item.max_points * Decimal(60 + (i + j) % 41) / 100,
                )
                for i, r in enumerate(reports)
                for j, item in enumerate(items)
            ),
            batch_size=20_000,
        )
    InspectionScore.objects.bulk_create(
        InspectionScore(unit=u, expert=x, score=Decimal(55 + (i * 7 + k) % 45))
        for i, u in enumerate(units)
        for k, x in enumerate(experts)
    )
    rated = units[::10]
    buildings = Building.objects.bulk_create(Building(estate=u.estate, name="1栋") for u in rated)
    households = Household.objects.bulk_create(
        Household(building=b, room=f"{100 + r}") for b in buildings for r in range(10)
    )
    SatisfactionRating.objects.bulk_create(
        SatisfactionRating(unit=rated[i // 10], household=h, year=year, rating=1 + i % 5)
        for i, h in enumerate(households)
    )
    return town


# --- A large party-grid town (benchmarks/bench_party_stats.py) ----------------------------


def party_town(
    *,
    communities_n: int = 20,
    estates_per_community: int = 50,
    buildings_per_estate: int = 4,
    households_per_building: int = 25,
    joint_every: int = 10,
    batch: int = 5000,
    on: datetime.date = datetime.date(2021, 12, 31),
):
    """A large synthetic town of party-grid records written with bulk_create: every estate with
    buildings, households, a branch (every `joint_every`-th estate shares a joint branch with the
    next three), members, assignments (a tenth starting the day after `on`), visits, teams,
    stations and grids; returns (town, its communities). For benchmarks/bench_party_stats.py (PostgreSQL: it ends with ANALYZE)."""
    from communities.models import Building, Community, Estate, Household, Town, User
    from party_grid.models import (
        Grid,
        GridWorker,
        HouseholdAssignment,
        PartyMember,
        PartyOrganization,
        ServiceStation,
        Visit,
        VolunteerTeam,
    )

    Level, BuildType = PartyOrganization.Level, PartyOrganization.BuildType
    start = datetime.date(2020, 1, 1)
    town = Town.objects.create(name="基准镇")
    recorder = User.objects.create(
        username="bench-recorder", role=User.Role.TOWNSHIP_STAFF, town=town
    )
    communities = Community.objects.bulk_create(
        Community(town=town, name=f"基准社区{c:02d}") for c in range(communities_n)
    )
    estates = Estate.objects.bulk_create(
        (
            Estate(
                community=community,
                name=f"基准小区{c:02d}-{e:03d}",
                status=Estate.Status.DELIVERED if e % 25 else Estate.Status.UNDER_CONSTRUCTION,
                delivery_date=datetime.date(2015, 1, 1),
            )
            for c, community in enumerate(communities)
            for e in range(estates_per_community)
        ),
        batch_size=batch,
    )
    buildings = Building.objects.bulk_create(
        (
            Building(estate=estate, name=f"{b + 1}栋")
            for estate in estates
            for b in range(buildings_per_estate)
        ),
        batch_size=batch,
    )
    households = Household.objects.bulk_create(
        (
            Household(building=building, room=f"{100 + r}")
            for building in buildings
            for r in range(households_per_building)
        ),
        batch_size=batch,
    )
    committees = {
        community.pk: PartyOrganization(
            community=community, level=Level.COMMUNITY_COMMITTEE, name="党委", established_on=start
        )
        for community in communities
    }
    PartyOrganization.objects.bulk_create(committees.values())
    branches, links = [], []
    for i, estate in enumerate(estates):
        position = i % estates_per_community
        if position % joint_every in (1, 2, 3):
            continue  # covered by the joint branch started at position % joint_every == 0
        joint = position % joint_every == 0
        branches.append(
            PartyOrganization(
                community_id=estate.community_id,
                parent=committees[estate.community_id],
                level=Level.ESTATE_BRANCH,
                build_type=BuildType.JOINT if joint else BuildType.SINGLE,
                name=f"{estate.name}支部",
                established_on=start,
                dissolved_on=datetime.date(2021, 6, 30) if i % 97 == 0 else None,
            )
        )
        links.append(estates[i : i + 4] if joint else [estate])
    PartyOrganization.objects.bulk_create(branches, batch_size=batch)
    through = PartyOrganization.estates.through
    through.objects.bulk_create(
        (
            through(partyorganization_id=b.pk, estate_id=e.pk)
            for b, group in zip(branches, links, strict=True)
            for e in group
        ),
        batch_size=batch,
    )
    groups = PartyOrganization.objects.bulk_create(
        (
            PartyOrganization(
                community_id=b.community_id,
                parent=b,
                level=Level.HOUSEHOLD_GROUP,
                name="户联系党小组",
                established_on=start,
            )
            for n, b in enumerate(branches)
            if n % 2 == 0
        ),
        batch_size=batch,
    )
    group_of_estate = {}
    branch_index = {b.pk: n for n, b in enumerate(branches)}
    for group in groups:
        for estate in links[branch_index[group.parent_id]]:
            group_of_estate[estate.pk] = group
    branch_of_estate = {e.pk: b for b, group in zip(branches, links, strict=True) for e in group}
    # One member per building, contacting its 25 households.
    members = PartyMember.objects.bulk_create(
        (
            PartyMember(
                organization=group_of_estate.get(building.estate_id)
                or branch_of_estate[building.estate_id],
                name=f"党员{n}",
                phone=f"139{n:08d}",
                is_building_head=n % 3 == 0,
                joined_on=start,
            )
            for n, building in enumerate(buildings)
        ),
        batch_size=batch,
    )
    member_of_building = {b.pk: m for b, m in zip(buildings, members, strict=True)}
    HouseholdAssignment.objects.bulk_create(
        (
            HouseholdAssignment(
                member=member_of_building[h.building_id],
                household=h,
                valid_from=datetime.date(2021, 1, 1) if n % 10 else on + datetime.timedelta(days=1),
            )
            for n, h in enumerate(households)
        ),
        batch_size=batch,
    )
    Visit.objects.bulk_create(
        (
            Visit(
                member=member_of_building[h.building_id],
                household=h,
                visited_on=datetime.date(2021, 1 + n % 12, 1 + n % 28),
                channel="door",
                recorded_by=recorder,
            )
            for n, h in enumerate(households)
            if n % 2 == 0
        ),
        batch_size=batch,
    )
    ServiceStation.objects.bulk_create(
        (
            ServiceStation(estate=e, name="党群服务站", opened_on=start)
            for n, e in enumerate(estates)
            if n % 3 == 0
        ),
        batch_size=batch,
    )
    kinds = list(VolunteerTeam.Kind.values)
    VolunteerTeam.objects.bulk_create(
        (
            VolunteerTeam(
                community_id=e.community_id,
                estate=e,
                kind=kinds[(n // 2) % 4],
                name=f"志愿队{n}",
                established_on=start,
            )
            for n, e in enumerate(estates)
            if n % 2 == 0
        ),
        batch_size=batch,
    )
    grids = Grid.objects.bulk_create(
        Grid(community=c, name=f"网格{g}", established_on=start)
        for c in communities
        for g in range(10)
    )
    GridWorker.objects.bulk_create(
        GridWorker(
            grid=grid,
            name=f"网格员{n}",
            member=members[n] if n % 2 else None,
            is_part_time=bool(n % 2),
            started_on=start,
        )
        for n, grid in enumerate(grids)
    )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return town, communities
