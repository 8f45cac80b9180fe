"""Demo of owners' self-governance in 糖果雅苑 (owners.md; called by load_demo, idempotent).

The register: 200 units in 8 buildings, larger flats in 1栋 and 2栋, some owners with two
units, five unsold units of the developer in 8栋. The demo `resident` owns 1栋101. Votes: a
closed `manager` vote that passed, a `raise_fund` vote that failed on the 3/4 headcount while
passing on area, a committee elected by vote, and an open `use_fund` vote residents can take
part in; a year of quarterly open-account statements, one filed late."""

import datetime
from decimal import Decimal

from django.utils import timezone

from communities import accounts_services
from communities.models import (
    AccountStatement,
    Estate,
    Household,
    Owner,
    ResidentVerification,
    ServiceContract,
)

from . import services
from .models import AssemblyVote, Kind

ESTATE = "糖果雅苑"


def _area(building: int, room: str) -> Decimal:
    base = 128 if building <= 2 else 76
    return Decimal(base + (int(room) * 7 + building * 13) % 29) + Decimal("0.35")


def load_register(estate: Estate) -> dict[str, Owner]:
    """Areas and owners: every fifth unit's owner also owns the next unit (two units, one head);
    8栋 5xx is unsold (the developer's)."""
    town = estate.community.town
    owners: dict[str, Owner] = {}
    households = Household.objects.filter(building__estate=estate).select_related("building")
    ordered = sorted(households, key=lambda h: (int(h.building.name.rstrip("栋")), h.room))
    previous_key = None
    for index, household in enumerate(ordered):
        building = int(household.building.name.rstrip("栋"))
        delivered = not (building == 8 and household.room.startswith("5"))
        if not delivered:
            key = "developer"
        elif index % 5 == 1 and previous_key and previous_key != "developer":
            key = previous_key  # the owner of the previous unit owns this one too
        else:
            key = f"TG-{index + 1:04d}"
        owner = owners.get(key)
        if owner is None:
            owner = owners[key] = Owner.objects.get_or_create(
                town=town,
                key=key,
                defaults={"kind": "developer" if key == "developer" else "person"},
            )[0]
        household.floor_area = _area(building, household.room)
        household.owner = owner
        household.delivered = delivered
        previous_key = key
    Household.objects.bulk_update(ordered, ["floor_area", "owner", "delivered"])
    return owners


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _closed_vote(estate, kind, title, opened: datetime.date, ballots, **extra):
    vote = services.vote_open_now(
        estate=estate,
        kind=kind,
        title=title,
        now=_at(opened),
        closes_at=_at(opened + datetime.timedelta(days=20), 18),
        is_demo=True,
        **extra,
    )
    rows = ballots(vote)
    services.paper_ballots_enter(vote=vote, rows=rows, by=None, now=_at(opened, 15))
    services.vote_close(vote=vote, by=None, now=_at(opened + datetime.timedelta(days=20), 18))
    return vote


def _register_owners(vote):
    """(owner, area) of the vote's register, largest area first (ties by key)."""
    areas: dict[int, Decimal] = {}
    for owner_id, area in vote.register.values_list("owner_id", "area"):
        areas[owner_id] = areas.get(owner_id, Decimal("0")) + area
    owners = Owner.objects.in_bulk(list(areas))
    return sorted(((owners[i], a) for i, a in areas.items()), key=lambda p: (-p[1], p[0].key))


def _manager_ballots(vote):
    # 90% take part; two in three of them agree.
    people = _register_owners(vote)
    taking_part = people[: len(people) * 9 // 10]
    return [
        {"owner": owner, "choice": "agree" if i % 3 else "disagree"}
        for i, (owner, _area) in enumerate(taking_part)
    ]


def _raise_fund_ballots(vote):
    """Everyone but a few takes part; the owners of the largest flats agree until they hold
    3/4 of the participating area; being fewer than 3/4 of the heads, the vote fails."""
    people = _register_owners(vote)
    taking_part = people[: len(people) * 19 // 20]
    total = sum(area for _owner, area in taking_part)
    rows, agreed = [], Decimal("0")
    for owner, area in taking_part:
        agree = agreed * 4 < total * 3
        if agree:
            agreed += area
        rows.append({"owner": owner, "choice": "agree" if agree else "disagree"})
    return rows


def _election_ballots(vote):
    people = _register_owners(vote)
    candidates = list(vote.candidates.order_by("pk"))
    rows = []
    for i, (owner, _area) in enumerate(people[: len(people) * 4 // 5]):
        lines = {}
        for j, candidate in enumerate(candidates):
            # Candidates 1-5 win most lines; the sixth wins few and is not elected.
            agrees = (i + j) % 10 < (8 if j < 5 else 3)
            lines[candidate.pk] = "agree" if agrees else ("abstain" if i % 7 == 0 else "disagree")
        rows.append({"owner": owner, "choice": "agree", "lines": lines})
    return rows


def load_statements(estate: Estate, users: dict, today: datetime.date) -> int:
    """Four quarters of open accounts, filed by the company's manager; one filed late."""
    contract = ServiceContract.objects.active_on(today).filter(estate=estate).first()
    manager = users.get("manager")
    if contract is None or manager is None or manager.company_id != contract.company_id:
        return 0
    start, _end, _f = accounts_services.period_of(estate, today)
    filed = 0
    for n in range(4, 0, -1):
        day = start
        for _ in range(n):
            day = accounts_services.period_of(estate, day - datetime.timedelta(days=1))[0]
        period_start, period_end, _freq = accounts_services.period_of(estate, day)
        if AccountStatement.objects.filter(estate=estate, period_start=period_start).exists():
            continue
        late = n == 3
        filed_on = period_end + datetime.timedelta(days=45 if late else 12)
        if filed_on >= today:
            continue
        accounts_services.statement_file(
            estate=estate,
            period_start=period_start,
            fund_balance=Decimal("1860000.00") + Decimal(n * 23500),
            lines=[
                ("fee_income", "物业服务费", Decimal("612000.00") + n * 1500),
                ("fee_spending", "保洁绿化", Decimal("186000.00")),
                ("fee_spending", "秩序维护", Decimal("214000.00")),
                ("fee_spending", "设施设备维护", Decimal("97000.00")),
                ("public_revenue", "停车场收益", Decimal("48000.00")),
                ("public_revenue", "电梯广告", Decimal("12600.00")),
                ("public_use", "补充维修资金", Decimal("30000.00")),
            ],
            by=manager,
            now=_at(filed_on, 10),
            note="业主可在物业服务中心查阅原始凭证。",
            is_demo=True,
        )
        filed += 1
    return filed


def load(*, town, users: dict, stdout=None) -> None:
    estate = Estate.objects.for_town(town).filter(name=ESTATE).first()
    if estate is None:
        return
    today = timezone.localdate()
    if not AssemblyVote.objects.filter(estate=estate, is_demo=True).exists():
        owners = load_register(estate)
        ResidentVerification.objects.current().filter(
            user__in=[u for k, u in users.items() if k in ("resident", "representative")],
            household__building__estate=estate,
        ).update(relation=ResidentVerification.Relation.OWNER)
        people = [o for key, o in sorted(owners.items()) if key != "developer"]
        election = _closed_vote(
            estate,
            Kind.COMMITTEE,
            "选举第二届业主委员会",
            today - datetime.timedelta(days=400),
            _election_ballots,
            seats=5,
            candidates=[
                (people[i * 17], name, party)
                for i, (name, party) in enumerate(
                    [
                        ("陈建华", True),
                        ("李秀英", False),
                        ("黄志强", True),
                        ("梁美玲", False),
                        ("何国栋", False),
                        ("吴晓东", False),
                    ]
                )
            ],
        )
        _closed_vote(
            estate,
            Kind.MANAGER,
            "续聘时代物业为糖果雅苑物业服务人（三年）",
            today - datetime.timedelta(days=200),
            _manager_ballots,
        )
        _closed_vote(
            estate,
            Kind.RAISE_FUND,
            "续筹专项维修资金（每平方米 8 元）",
            today - datetime.timedelta(days=90),
            _raise_fund_ballots,
        )
        services.vote_open_now(
            estate=estate,
            kind=Kind.USE_FUND,
            title="使用专项维修资金更换2栋两部电梯",
            closes_at=_at(today + datetime.timedelta(days=14), 18),
            is_demo=True,
        )
        del election
    statements = load_statements(estate, users, today)
    if stdout is not None:
        votes = AssemblyVote.objects.filter(estate=estate).count()
        stdout.write(f"Owners' assemblies: {votes} votes in {ESTATE}; {statements} statements.")
