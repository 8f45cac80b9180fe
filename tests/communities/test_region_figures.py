"""The apps' figures for region reports (governance.figures; regions.md "Figures across a
region"): ratings, cases and projects per town, and a region's rates taken over all its towns'
records, not averaged over towns; each computed in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.factories import (
    BuildingFactory,
    CommunityFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    RegionFactory,
    ServiceContractFactory,
    TownFactory,
)
from communities.models import Region
from deliberation.cases import services as cases
from deliberation.cases.deadlines import SHANGHAI
from deliberation.cases.models import CaseCategory
from deliberation.projects.factories import completed_project
from governance import figures as registry
from property_rating.factories import AnnualResultFactory, AssessmentUnitFactory, SchemeFactory
from property_rating.models import AnnualResult

pytestmark = pytest.mark.django_db

START, END = datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)


def _at(month, day, hour=9):
    return datetime.datetime(2022, month, day, hour, tzinfo=SHANGHAI)


def _town(district, name, *, scores, households, replied, unreplied, outputs, published=True):
    """A town of `district` with rated units of `scores` (the first on the red list, scores under
    70 on the black list), `households`, cases replied on time and cases left unreplied in 2022,
    and one project completed in 2022 with `outputs`."""
    town = TownFactory(name=name, district=district)
    estate = EstateFactory(community=CommunityFactory(town=town))
    SchemeFactory(town=town, year=2022, published_at=timezone.now() if published else None)
    for i, score in enumerate(scores):
        unit = AssessmentUnitFactory(estate=estate, year=2022)
        listed = AnnualResult.ListName.RED if i == 0 else ""
        if score < 70:
            listed = AnnualResult.ListName.BLACK
        AnnualResultFactory(
            unit=unit,
            annual_score=Decimal(score),
            stars=5 if listed == AnnualResult.ListName.RED else 0,
            list_name=listed,
        )
    building = BuildingFactory(estate=estate)
    for _ in range(households):
        HouseholdFactory(building=building)
    cases.responsibility_list_ensure(town=town)
    company = PropertyCompanyFactory()
    ServiceContractFactory(estate=estate, company=company, valid_from=datetime.date(2020, 1, 1))
    manager = PropertyManagerFactory(company=company)
    category = CaseCategory.objects.get(town=town, code="C01")
    for i in range(replied + unreplied):
        case = cases.case_receive(
            estate=estate, category=category, title="问题", source="staff", received_at=_at(3, 1)
        )
        if i < replied:
            cases.case_reply(case=case, by=manager, text="已处理", at=_at(3, 1, 15))
    completed_project(town, outputs, datetime.date(2022, 6, 1), estate=estate)
    return town


@pytest.fixture
def district(db):
    city = RegionFactory(name="测试市", kind=Region.Kind.CITY, city=None)
    return RegionFactory(name="甲区", city=city)


def _values(town_ids):
    return {
        f.key: (f.compute(town_ids, START, END), f.region_value(town_ids, START, END))
        for f in registry.figures()
    }


def test_the_region_rates_are_taken_over_its_records_not_averaged_over_towns(district):
    north = _town(district, "北镇", scores=[90, 90, 90], households=1, replied=1, unreplied=0,
                  outputs={"cameras": 5})  # fmt: skip
    south = _town(district, "南镇", scores=[60], households=9, replied=0, unreplied=3,
                  outputs={"cameras": 2, "walls": 1})  # fmt: skip
    values = _values([north.pk, south.pk])

    towns, region = values["rating_average_score"]
    assert towns == {north.pk: Decimal("90.00"), south.pk: Decimal("60.00")}
    assert region == Decimal("82.50")  # (3 x 90 + 60) / 4, not (90 + 60) / 2
    assert values["rating_starred_units"] == ({north.pk: 1, south.pk: 0}, 1)
    assert values["rating_red_list"] == ({north.pk: 1, south.pk: 0}, 1)
    assert values["rating_black_list"] == ({north.pk: 0, south.pk: 1}, 1)

    towns, region = values["cases_per_thousand_households"]
    assert towns == {north.pk: Decimal("1000.00"), south.pk: Decimal("333.33")}
    assert region == Decimal("400.00")  # 4 cases over 10 households
    towns, region = values["cases_on_time_reply_rate"]
    assert towns == {north.pk: Decimal("1.0000"), south.pk: Decimal("0.0000")}
    assert region == Decimal("0.2500")  # 1 of 4 cases, not (100 % + 0 %) / 2

    assert values["projects_completed"] == ({north.pk: 1, south.pk: 1}, 2)
    assert values["project_output_items"] == ({north.pk: 5, south.pk: 3}, 8)
    assert values["project_budget_government"][1] == Decimal("400.00")


def test_unpublished_ratings_are_not_reported(district):
    town = _town(district, "东镇", scores=[88], households=1, replied=0, unreplied=0,
                 outputs={"cameras": 1}, published=False)  # fmt: skip
    towns, region = _values([town.pk])["rating_average_score"]
    assert towns == {} and region is None


def test_every_figure_of_a_region_runs_the_same_queries_at_two_sizes(district):
    def count(town_ids):
        with CaptureQueriesContext(connection) as ctx:
            _values(town_ids)
        return len(ctx)

    ids = [
        _town(
            district,
            "一镇",
            scores=[80],
            households=2,
            replied=1,
            unreplied=1,
            outputs={"cameras": 1},
        ).pk  # fmt: skip
    ]
    small = count(ids)
    for name in ("二镇", "三镇", "四镇"):
        ids.append(
            _town(
                district,
                name,
                scores=[70, 85, 95],
                households=5,
                replied=2,
                unreplied=2,
                outputs={"cameras": 3, "walls": 2},
            ).pk  # fmt: skip
        )
    assert count(ids) == small
