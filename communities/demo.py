"""Demo data for the registry: Lishui town (里水镇) from the public reports, plus invented pieces
that are marked `is_demo`.

Facts: the town, its six urban communities, the 39 assessment units' estates and their companies
(communities/data/lishui_2021_property_ratings.csv, a copy of the project's shared seed data), 43 delivered estates, over 200,000 residents,
21 estates under construction with 90,000+ planned households; 金沙里 is in 金峰洲社区, 中恒海晖 in
金溪社区, 糖果雅苑 in 海南洲社区. Invented (is_demo=True): which community the other 36 estates
belong to, the 4 further delivered estates, the 21 estates under construction, delivery dates,
buildings and households.
"""

import csv
import datetime
import secrets
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .models import (
    Building,
    Community,
    Estate,
    Household,
    OwnersCommittee,
    PropertyCompany,
    Region,
    ResidentVerification,
    ServiceContract,
    Town,
    User,
)
from .services import refresh_estate_households_on_commit

TOWN_NAME = "里水镇"
COMMUNITIES = ["金旗峰社区", "金峰洲社区", "同声社区", "海南洲社区", "新兴社区", "金溪社区"]
KNOWN_COMMUNITY = {"金沙里": "金峰洲社区", "中恒海晖": "金溪社区", "糖果雅苑": "海南洲社区"}
RATINGS_CSV = Path(__file__).resolve().parent / "data" / "lishui_2021_property_ratings.csv"
CONTRACT_START = datetime.date(2021, 1, 1)
BUILDINGS_PER_ESTATE = 8
ROOMS = [f"{floor}{unit:02d}" for floor in range(1, 6) for unit in range(1, 6)]  # 25 per building

# (name, community, old estate, supervising unit, owners' committee kind) for the 4 extra
# delivered estates: together they show each way an estate can escape "three-without".
EXTRA_DELIVERED = [
    ("旧圩街坊", "金旗峰社区", True, "", None),
    ("和顺新村", "同声社区", True, "", OwnersCommittee.Kind.SELF_MANAGEMENT),
    ("沙涌花园", "新兴社区", True, "里水镇房管所", None),
    ("北沙雅居", "金溪社区", False, "", OwnersCommittee.Kind.OWNERS_COMMITTEE),
]
UNDER_CONSTRUCTION = [f"湾区名苑{n:02d}期" for n in range(1, 22)]

DEMO_ACCOUNTS = {
    # key: (username, role, display name)
    "staff": ("staff", User.Role.TOWNSHIP_STAFF, "镇城治办 李工"),
    "community": ("community", User.Role.COMMUNITY_STAFF, "海南洲社区 陈工"),
    "assessor": ("assessor", User.Role.ASSESSOR, "房管所 黄工"),
    "expert": ("expert", User.Role.ASSESSOR, "协会专家 梁工"),
    "manager": ("manager", User.Role.PROPERTY_MANAGER, "时代物业 何经理"),
    "resident": ("resident", User.Role.RESIDENT, "居民 张女士"),
    "representative": ("representative", User.Role.RESIDENT, "议事代表 王先生"),
}
MANAGER_COMPANY = "广州市时代物业管理有限公司佛山分公司"
DEMO_HOUSEHOLDS = {
    "resident": ("糖果雅苑", "1栋", "101"),
    "representative": ("糖果雅苑", "2栋", "101"),
}


def ratings_rows() -> list[dict]:
    with RATINGS_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _estate_defaults(index: int) -> dict:
    # 43 delivered estates averaging ~4,700 residents: over 200,000 in all, as the reports say.
    return {
        "status": Estate.Status.DELIVERED,
        "delivery_date": datetime.date(2008 + index % 12, 1 + index % 12, 1),
        "planned_households": 1200 + (index * 137) % 900,
        "residents": 3800 + (index * 211) % 1800,
    }


def load_registry() -> Town:
    foshan, _ = Region.objects.get_or_create(name="佛山市", city=None, kind=Region.Kind.CITY)
    nanhai, _ = Region.objects.get_or_create(
        name="南海区", city=foshan, defaults={"kind": Region.Kind.DISTRICT}
    )
    town, _ = Town.objects.get_or_create(name=TOWN_NAME, defaults={"district": nanhai})
    if town.district_id is None:
        town.district = nanhai
        town.save(update_fields=["district"])
    communities = {
        name: Community.objects.get_or_create(town=town, name=name)[0] for name in COMMUNITIES
    }
    rows = ratings_rows()
    spread = list(COMMUNITIES)
    for index, row in enumerate(rows):
        known = KNOWN_COMMUNITY.get(row["estate"])
        community = communities[known or spread[index % len(spread)]]
        estate = Estate.objects.filter(community__town=town, name=row["estate"]).first()
        if estate is None:
            estate = Estate.objects.create(
                community=community,
                name=row["estate"],
                is_demo=known is None,
                **_estate_defaults(index),
            )
        company, _ = PropertyCompany.objects.get_or_create(name=row["company"])
        ServiceContract.objects.get_or_create(
            estate=estate, company=company, valid_from=CONTRACT_START, defaults={"valid_to": None}
        )
    for offset, (name, community, old, supervising, committee_kind) in enumerate(EXTRA_DELIVERED):
        estate = Estate.objects.filter(community__town=town, name=name).first()
        if estate is None:
            estate = Estate.objects.create(
                community=communities[community],
                name=name,
                is_demo=True,
                is_old_estate=old,
                supervising_unit=supervising,
                **_estate_defaults(len(rows) + offset),
            )
        if committee_kind:
            OwnersCommittee.objects.get_or_create(
                estate=estate,
                kind=committee_kind,
                defaults={"established_on": datetime.date(2019, 6, 1)},
            )
    for index, name in enumerate(UNDER_CONSTRUCTION):
        if not Estate.objects.filter(community__town=town, name=name).exists():
            Estate.objects.create(
                community=communities[COMMUNITIES[index % len(COMMUNITIES)]],
                name=name,
                is_demo=True,
                status=Estate.Status.UNDER_CONSTRUCTION,
                delivery_date=datetime.date(2023 + index % 3, 6, 30),
                # 21 estates with 90,000+ planned households, as the reports say.
                planned_households=4300 + (index * 53) % 200,
                residents=0,
            )
    _load_buildings_and_households(town)
    return town


def _load_buildings_and_households(town: Town) -> None:
    delivered = list(Estate.objects.for_town(town).filter(status=Estate.Status.DELIVERED))
    Building.objects.bulk_create(
        [
            Building(estate=estate, name=f"{n}栋", floors=18)
            for estate in delivered
            for n in range(1, BUILDINGS_PER_ESTATE + 1)
        ],
        ignore_conflicts=True,
    )
    buildings = Building.objects.filter(estate__in=delivered)
    Household.objects.bulk_create(
        [Household(building=building, room=room) for building in buildings for room in ROOMS],
        ignore_conflicts=True,
    )
    # bulk_create passes the signals that keep each estate's household count.
    refresh_estate_households_on_commit(estate_ids=[estate.pk for estate in delivered])


def load_accounts(town: Town, password: str | None) -> dict[str, User]:
    """One account per role. The password is set only when given and not already the same, so a
    second run changes nothing."""
    community = Community.objects.get(town=town, name="海南洲社区")
    company = PropertyCompany.objects.get(name=MANAGER_COMPANY)
    users = {}
    for key, (username, role, display_name) in DEMO_ACCOUNTS.items():
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "display_name": display_name,
                "town": town,
                "community": community if role == User.Role.COMMUNITY_STAFF else None,
                "company": company if role == User.Role.PROPERTY_MANAGER else None,
                "assessor_kind": (
                    User.AssessorKind.EXPERT_PANEL
                    if key == "expert"
                    else User.AssessorKind.HOUSING_OFFICE
                    if role == User.Role.ASSESSOR
                    else ""
                ),
                "is_staff": role
                in (User.Role.TOWNSHIP_STAFF, User.Role.COMMUNITY_STAFF, User.Role.ASSESSOR),
            },
        )
        if password and (created or not user.check_password(password)):
            user.set_password(password)
            user.save(update_fields=["password"])
        users[key] = user
    for key, (estate_name, building, room) in DEMO_HOUSEHOLDS.items():
        household = Household.objects.get(
            building__estate__community__town=town,
            building__estate__name=estate_name,
            building__name=building,
            room=room,
        )
        ResidentVerification.objects.get_or_create(
            user=users[key],
            household=household,
            defaults={
                "status": ResidentVerification.Status.APPROVED,
                "resident_name": DEMO_ACCOUNTS[key][2].split()[-1],
                "decided_by": users["community"],
                "decided_at": timezone.now(),
                "reason": "demo",
            },
        )
    return users


def new_password() -> str:
    return secrets.token_urlsafe(9)


@transaction.atomic
def load_base(password: str | None) -> tuple[Town, dict[str, User]]:
    town = load_registry()
    return town, load_accounts(town, password)


def load_demo_base(*, password: str | None, stdout) -> tuple[dict, list[str]]:
    """The base of `load_demo` (governance.registry): the registry and the demo accounts; new
    accounts get `password` or, without one, a random one printed in the summary."""
    fresh = not User.objects.filter(username__in=[u for u, *_ in DEMO_ACCOUNTS.values()]).exists()
    if not password and fresh:
        password = new_password()
    town, users = load_base(password)
    stdout.write(f"Registry: {town.name}, {town.communities.count()} communities.")
    summary = [f"  {user.username:<15} {user.get_role_display()}" for user in users.values()]
    if password:
        summary.append(f"  password: {password}")
    else:
        summary.append("  (existing accounts keep their passwords)")
    return {"town": town, "users": users}, summary
