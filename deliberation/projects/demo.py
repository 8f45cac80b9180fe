"""Demo of Liujiang's needs list and co-funded works (regions.md "Demo"; called by load_demo).

Facts: 柳州市 > 柳江区 > 拉堡镇; the needs list was claimed by departments and partner units and
funded by "residents + government + partner units"; the works completed in 2021-2022 delivered
fitness equipment in 3 estates, 22 hardened back lanes, 240 cleaned streets, 7 recreation and
smart-access installations, 8 repaired walls, 218 street lights, 421 cameras, 1,027 car spaces and
1,150 e-bike spaces. Invented (is_demo=True): how those outputs split into eight projects, their
estates, budgets, departments, partner units and pledges.

Idempotent: places are get_or_create by name (another part of the demo creates the same places
and 拉堡镇's estates; demo estates are made here only when the town has none yet), and a project
is created only when no demo project of its title exists in the town. Everything moves through
deliberation.projects.services, so the history is what real use would leave."""

import datetime
from decimal import Decimal

from django.utils import timezone

from communities.departments import Department
from communities.models import Community, Estate, Region, Town

from . import services
from .models import Claim, Need, PartnerUnit, Project

CITY, DISTRICT, TOWN = "柳州市", "柳江区", "拉堡镇"
DEMO_COMMUNITY = "拉堡社区"
DEMO_ESTATES = ["柳江花园", "拉堡新村", "江景苑", "建设小区"]
DEPARTMENTS = ["拉堡镇住建办", "拉堡镇综治办", "拉堡镇城管中队"]
PARTNERS = [
    ("柳江区供电局", PartnerUnit.Kind.REGISTERED_UNIT, 36),
    ("柳江区税务局", PartnerUnit.Kind.REGISTERED_UNIT, 24),
    ("广西柳江建设集团", PartnerUnit.Kind.ENTERPRISE, 0),
]

# Report totals: the eight projects below add up to exactly these (tests/projects/test_demo.py).
REPORTED_TOTALS = {
    "fitness": 3,
    "back_lanes": 22,
    "streets_cleaned": 240,
    "recreation": 7,
    "walls": 8,
    "street_lights": 218,
    "cameras": 421,
    "car_spaces": 1027,
    "ebike_spaces": 1150,
}

# (title, completed on, outputs, budget residents/government/partners in yuan, need category,
#  claimant: ("department"|"partner", index), pledge kind)
PROJECTS = [
    (
        "背街小巷硬化及亮化（一期）",
        datetime.date(2021, 7, 20),
        {"back_lanes": 12, "street_lights": 98},
        ("120000.00", "680000.00", "150000.00"),
        "roads",
        ("department", 0),
        Claim.PledgeKind.MONEY,
    ),
    (
        "小区视频监控全覆盖（一期）",
        datetime.date(2021, 9, 30),
        {"cameras": 201},
        ("60000.00", "420000.00", "80000.00"),
        "safety",
        ("department", 1),
        Claim.PledgeKind.MONEY,
    ),
    (
        "停车位及电动车棚改造（一期）",
        datetime.date(2021, 11, 15),
        {"car_spaces": 512, "ebike_spaces": 560},
        ("300000.00", "500000.00", "200000.00"),
        "parking",
        ("partner", 0),
        Claim.PledgeKind.MATERIALS,
    ),
    (
        "健身器材进小区",
        datetime.date(2021, 12, 10),
        {"fitness": 3, "recreation": 3},
        ("20000.00", "90000.00", "60000.00"),
        "recreation",
        ("partner", 2),
        Claim.PledgeKind.MONEY,
    ),
    (
        "背街小巷硬化及围墙修缮（二期）",
        datetime.date(2022, 6, 30),
        {"back_lanes": 10, "walls": 8, "street_lights": 120},
        ("150000.00", "720000.00", "130000.00"),
        "roads",
        ("department", 0),
        Claim.PledgeKind.LABOUR,
    ),
    (
        "视频监控及智能门禁（二期）",
        datetime.date(2022, 8, 31),
        {"cameras": 220, "recreation": 4},
        ("80000.00", "460000.00", "90000.00"),
        "safety",
        ("partner", 1),
        Claim.PledgeKind.MONEY,
    ),
    (
        "停车位及电动车棚改造（二期）",
        datetime.date(2022, 10, 31),
        {"car_spaces": 515, "ebike_spaces": 590},
        ("320000.00", "480000.00", "210000.00"),
        "parking",
        ("partner", 0),
        Claim.PledgeKind.LABOUR,
    ),
    (
        "街巷环境清洁整治",
        datetime.date(2022, 12, 20),
        {"streets_cleaned": 240},
        ("0.00", "150000.00", "40000.00"),
        "environment",
        ("department", 2),
        Claim.PledgeKind.LABOUR,
    ),
]
PLEDGE_TEXT = {
    Claim.PledgeKind.LABOUR: "在职党员志愿服务及施工人工",
    Claim.PledgeKind.MATERIALS: "建材及充电设施",
}


def load_places() -> Town:
    """柳州市 > 柳江区 > 拉堡镇, by name (the same places another demo part creates)."""
    city, _ = Region.objects.get_or_create(
        name=CITY, city=None, defaults={"kind": Region.Kind.CITY}
    )
    district, _ = Region.objects.get_or_create(
        name=DISTRICT, city=city, defaults={"kind": Region.Kind.DISTRICT}
    )
    town, _ = Town.objects.get_or_create(name=TOWN, district=district)
    return town


def load_estates(town: Town) -> list[Estate]:
    """拉堡镇's estates; a few demo estates when the town has none yet. They have a supervising
    unit, so they never count as three-without estates in other parts' figures."""
    estates = list(Estate.objects.for_town(town).order_by("pk")[:8])
    if estates:
        return estates
    community, _ = Community.objects.get_or_create(
        town=town, name=DEMO_COMMUNITY, defaults={"is_demo": True}
    )
    return [
        Estate.objects.get_or_create(
            community=community,
            name=name,
            defaults={
                "is_demo": True,
                "is_old_estate": True,
                "delivery_date": datetime.date(2002 + i * 3, 6, 1),
                "supervising_unit": "拉堡社区居委会",
                "management_form": "custodial",
            },
        )[0]
        for i, name in enumerate(DEMO_ESTATES)
    ]


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def load(*, stdout=None, **_state) -> None:
    town = load_places()
    estates = load_estates(town)
    departments = [
        Department.objects.get_or_create(town=town, name=name, defaults={"is_demo": True})[0]
        for name in DEPARTMENTS
    ]
    community = estates[0].community
    partners = [
        PartnerUnit.objects.get_or_create(
            town=town,
            name=name,
            defaults={
                "kind": kind,
                "community": community if kind == PartnerUnit.Kind.REGISTERED_UNIT else None,
                "members_registered": members,
                "is_demo": True,
            },
        )[0]
        for name, kind, members in PARTNERS
    ]
    made = 0
    for index, (title, done, outputs, budget, category, claimant, pledge) in enumerate(PROJECTS):
        if Project.objects.filter(town=town, title=title, is_demo=True).exists():
            continue
        estate = estates[index % len(estates)]
        listed = done - datetime.timedelta(days=240)
        need = services.need_create(
            estate=estate,
            source=Need.Source.STAFF,
            category=category,
            title=f"{estate.name}：{title}",
            description="居民议事会和入户走访收集的需求，列入需求清单。",
            is_demo=True,
            at=_at(listed),
        )
        who, n = claimant
        residents, government, partner_share = (Decimal(v) for v in budget)
        services.claim_create(
            need=need,
            department=departments[n] if who == "department" else None,
            partner=partners[n] if who == "partner" else None,
            pledge_kind=pledge,
            amount=partner_share if pledge == Claim.PledgeKind.MONEY else None,
            pledge=PLEDGE_TEXT.get(pledge, ""),
            is_demo=True,
            at=_at(listed + datetime.timedelta(days=20)),
        )
        project = services.project_create(
            town=town,
            kind=Project.Kind.WORKS,
            title=title,
            estate=estate,
            needs=[need],
            budget_residents=residents,
            budget_government=government,
            budget_partners=partner_share,
            is_demo=True,
            at=_at(listed + datetime.timedelta(days=30)),
        )
        planned_on = listed + datetime.timedelta(days=40)
        services.plan_project(project, done.year, None, on=planned_on)
        started = done - datetime.timedelta(days=120)
        services.project_start(project=project, started_on=started, by=None)
        services.progress_add(
            project=project, date=started + datetime.timedelta(days=60), note="完成过半", by=None
        )
        services.project_complete(
            project=project,
            completed_on=done,
            outputs=outputs,
            by=None,
            acceptance_rating=Decimal("95.00") + Decimal(index % 4),
        )
        made += 1
    renovation = load_renovation(town, estates)
    if stdout is not None and made:
        stdout.write(f"{TOWN}: {made} demo projects (2021-2022)\n")
    if stdout is not None and renovation is not None:
        stdout.write(f"{TOWN}: an old-estate renovation planned through the gate (2023)\n")


# The old-estate renovation (regions.md "self-governance first"): the owners' committee in office,
# a passed `rebuild` vote of the estate's owners in 2022, planned for 2023 through the gate
# (services.plan_project) and completed in 2023 — outside the reported 2021-2022 totals.
RENOVATION = "老旧小区改造：外墙、管网及楼道照明"
RENOVATION_VOTED = datetime.date(2022, 9, 1)
RENOVATION_PLANNED = datetime.date(2022, 10, 15)
RENOVATION_DONE = datetime.date(2023, 9, 30)
RENOVATION_OWNERS = 12


def _renovation_estate(town: Town, estates: list[Estate]) -> Estate:
    """An estate of 拉堡镇 whose owners' committee is in office when the plan is made (the
    region demo's 83 committees are kept: one is made only when none of the estates has one)."""
    from communities.models import OwnersCommittee, active_on_q

    committees = OwnersCommittee.objects.filter(
        active_on_q(RENOVATION_PLANNED, "established_on", "dissolved_on"),
        estate__in=Estate.objects.for_town(town),
    ).order_by("estate__name", "pk")
    committee = committees.select_related("estate").first()
    if committee is not None:
        return committee.estate
    estate = estates[1 % len(estates)]
    OwnersCommittee.objects.create(
        estate=estate,
        kind=OwnersCommittee.Kind.OWNERS_COMMITTEE,
        established_on=datetime.date(2021, 3, 1),
    )
    return estate


def _renovation_vote(estate: Estate):
    """The owners' `rebuild` vote, taken on paper and entered (assemblies services): a register of
    demo units when the estate has none, eleven of twelve owners agreeing."""
    from communities.models import Building, Household, Owner

    from ..assemblies import services as assemblies
    from ..assemblies.models import Kind

    registered = Household.objects.filter(
        building__estate=estate, floor_area__isnull=False, owner__isnull=False
    )
    if not registered.exists():
        building, _ = Building.objects.get_or_create(estate=estate, name="改造1栋")
        for n in range(RENOVATION_OWNERS):
            owner = Owner.objects.get_or_create(
                town=estate.community.town, key=f"LB-RENO-{estate.pk}-{n + 1:02d}"
            )[0]
            Household.objects.get_or_create(
                building=building,
                room=f"{n // 4 + 1}0{n % 4 + 1}",
                defaults={"floor_area": Decimal("78.50") + n, "owner": owner},
            )
    closes = timezone.make_aware(
        datetime.datetime.combine(RENOVATION_VOTED + datetime.timedelta(days=20), datetime.time(18))
    )
    vote = assemblies.vote_open_now(
        estate=estate,
        kind=Kind.REBUILD,
        title=f"{estate.name}老旧小区改造（外墙、管网、楼道照明）",
        now=_at(RENOVATION_VOTED),
        closes_at=closes,
        is_demo=True,
    )
    owners = sorted({entry.owner for entry in vote.register.select_related("owner")}, key=str)
    rows = [
        {"owner": owner, "choice": "agree" if i else "disagree"} for i, owner in enumerate(owners)
    ]
    entered = _at(RENOVATION_VOTED + datetime.timedelta(days=19))
    assemblies.paper_ballots_enter(vote=vote, rows=rows, by=None, now=entered)
    assemblies.vote_close(vote=vote, by=None, now=closes)
    return vote


def load_renovation(town: Town, estates: list[Estate]) -> Project | None:
    if Project.objects.filter(town=town, title=RENOVATION, is_demo=True).exists():
        return None
    estate = _renovation_estate(town, estates)
    vote = _renovation_vote(estate)
    project = services.project_create(
        town=town,
        kind=Project.Kind.RENOVATION,
        title=RENOVATION,
        estate=estate,
        description="业主委员会牵头、业主表决通过后申报的老旧小区改造项目（先自治后整治）。",
        budget_residents=Decimal("60000.00"),
        budget_government=Decimal("540000.00"),
        budget_partners=Decimal("0.00"),
        rebuild_vote=vote,
        is_demo=True,
        at=_at(RENOVATION_PLANNED - datetime.timedelta(days=10)),
    )
    services.plan_project(project, RENOVATION_DONE.year, None, on=RENOVATION_PLANNED)
    services.project_start(project=project, started_on=datetime.date(2023, 4, 1), by=None)
    return services.project_complete(
        project=project,
        completed_on=RENOVATION_DONE,
        outputs={"walls": 6, "street_lights": 24, "other": 1},
        by=None,
        acceptance_rating=Decimal("93.00"),
    )
