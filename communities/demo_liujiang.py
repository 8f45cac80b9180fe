"""Demo data above the town (regions.md "Demo"): 柳州市 > 柳江区 with 拉堡镇 and its estates, the
district's other seven towns as named placeholders, and the demo accounts `district` and `city`.

Facts: Liujiang is a district of Liuzhou with eight towns; Labao (拉堡镇) set up 83 owners'
committees and 44 self-management committees, and the district's three-without estates were
cleared to zero. Invented (is_demo=True): the communities and estates of Labao, their delivery
dates and buildings, and which estate has which committee; ten self-management committees date
from mid-2021, so on 2021-01-01 their estates were still three-without.

The party side (branches, stations, grid workers, building heads, lane stewards) is loaded by
party_grid.demo_liujiang. Idempotent: the tree is got or created by name, like the project's other
demo parts do, and the estates and committees are created only once. Rows are bulk-created.
"""

import datetime
import io

from django.db import transaction

from .models import Building, Community, Estate, OwnersCommittee, Region, Town, User

CITY = "柳州市"
DISTRICT = "柳江区"
TOWN = "拉堡镇"
PLACEHOLDER_TOWNS = ["里雍镇", "百朋镇", "成团镇", "三都镇", "里高镇", "进德镇", "穿山镇"]
COMMUNITIES = ["拉堡社区", "柳堡社区", "新兴社区", "城中社区", "基隆社区", "龙泉社区"]
OWNERS_COMMITTEES = 83
SELF_MANAGEMENT_COMMITTEES = 44
ESTATES = OWNERS_COMMITTEES + SELF_MANAGEMENT_COMMITTEES  # every estate has one committee
LATE_COMMITTEES = 10  # self-management committees set up in 2021: three-without before
COMMITTEES_FROM = datetime.date(2019, 6, 1)
LATE_COMMITTEES_FROM = datetime.date(2021, 6, 1)
BUILDINGS_PER_ESTATE = 12

ACCOUNTS = {
    # key: (username, role, display name, region name)
    "district": ("district", User.Role.DISTRICT_STAFF, "柳江区城管委 覃工", DISTRICT),
    "city": ("city", User.Role.CITY_STAFF, "柳州市城管委 韦工", CITY),
}


def estate_name(index: int) -> str:
    return f"拉堡{index + 1:03d}小区"


def load_tree() -> tuple[Region, Region, Town]:
    city, _ = Region.objects.get_or_create(name=CITY, city=None, kind=Region.Kind.CITY)
    district, _ = Region.objects.get_or_create(
        name=DISTRICT, city=city, defaults={"kind": Region.Kind.DISTRICT}
    )
    town, _ = Town.objects.get_or_create(district=district, name=TOWN)
    for name in PLACEHOLDER_TOWNS:
        Town.objects.get_or_create(district=district, name=name, defaults={"is_demo": True})
    return city, district, town


def load_estates(town: Town) -> list[Estate]:
    communities = []
    for name in COMMUNITIES:
        community, _ = Community.objects.get_or_create(
            town=town, name=name, defaults={"is_demo": True}
        )
        communities.append(community)
    Estate.objects.bulk_create(
        [
            Estate(
                community=communities[index % len(communities)],
                name=estate_name(index),
                status=Estate.Status.DELIVERED,
                delivery_date=datetime.date(2005 + index % 14, 1 + index % 12, 1),
                planned_households=300 + (index * 37) % 500,
                residents=900 + (index * 71) % 1500,
                is_old_estate=index % 3 == 0,
                management_form="self_managed" if index >= OWNERS_COMMITTEES else "none",
                is_demo=True,
            )
            for index in range(ESTATES)
        ],
        ignore_conflicts=True,
    )
    estates = {e.name: e for e in Estate.objects.filter(community__town=town, is_demo=True)}
    ordered = [estates[estate_name(index)] for index in range(ESTATES)]
    if not OwnersCommittee.objects.filter(estate__in=ordered).exists():
        OwnersCommittee.objects.bulk_create(
            [
                OwnersCommittee(
                    estate=estate,
                    kind=(
                        OwnersCommittee.Kind.OWNERS_COMMITTEE
                        if index < OWNERS_COMMITTEES
                        else OwnersCommittee.Kind.SELF_MANAGEMENT
                    ),
                    established_on=(
                        LATE_COMMITTEES_FROM
                        if index >= ESTATES - LATE_COMMITTEES
                        else COMMITTEES_FROM
                    ),
                )
                for index, estate in enumerate(ordered)
            ]
        )
    Building.objects.bulk_create(
        [
            Building(estate=estate, name=f"{n}栋", floors=7)
            for estate in ordered
            for n in range(1, BUILDINGS_PER_ESTATE + 1)
        ],
        ignore_conflicts=True,
    )
    return ordered


def load_accounts(template: User | None) -> dict[str, User]:
    """`district` and `city` staff; a new account takes the demo password of `template` (the
    demo's township staff account), so every demo account signs in with the same password."""
    users = {}
    for key, (username, role, display_name, region_name) in ACCOUNTS.items():
        region = Region.objects.get(name=region_name, kind__in=_kinds(role))
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "display_name": display_name,
                "region": region,
                "is_staff": True,
            },
        )
        if created and template is not None:
            user.password = template.password
            user.save(update_fields=["password"])
        users[key] = user
    return users


def _kinds(role) -> list[str]:
    if role == User.Role.CITY_STAFF:
        return [Region.Kind.CITY]
    return [kind for kind in Region.Kind.values if kind != Region.Kind.CITY]


def load(*, users: dict | None = None, stdout=None, **state) -> None:
    stdout = stdout or io.StringIO()
    with transaction.atomic():
        _city, district, town = load_tree()
        estates = load_estates(town)
        accounts = load_accounts((users or {}).get("staff"))
    if users is not None:
        users.update(accounts)
    stdout.write(
        f"Region: {district} ({Town.objects.filter(district=district).count()} towns), "
        f"{town}: {len(estates)} estates.\n"
    )
