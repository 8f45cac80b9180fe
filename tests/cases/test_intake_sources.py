"""Intake from household visits (party_grid) and the T9 evidence (deliberation.interface)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.factories import EstateFactory, ResidentFactory
from deliberation.cases.models import Case, CaseFollower
from deliberation.cases.services import (
    case_accept,
    case_rate,
    case_receive,
    case_reply,
    responsibility_list_ensure,
)
from deliberation.interface import company_case_figures
from deliberation.models import Council
from party_grid.factories import HouseholdAssignmentFactory, PartyMemberFactory
from party_grid.models import Visit

from .conftest import category, sh

NEW_VISIT = "/party/visits/new/"


def test_a_problem_logged_on_a_visit_in_an_estate_without_a_council_becomes_a_case(client, db):
    user = ResidentFactory()
    member = PartyMemberFactory(user=user)
    household = HouseholdAssignmentFactory(member=member).household
    estate = household.building.estate
    assert not Council.objects.filter(estate=estate).exists()
    responsibility_list_ensure(town=estate.community.town)
    client.force_login(user)
    assert client.get(NEW_VISIT).status_code == 200
    response = client.post(
        NEW_VISIT,
        {
            "household": household.pk,
            "visited_on": timezone.localdate().isoformat(),
            "channel": "door",
            "problem": "3栋电梯经常停运\n请尽快维修",
            "problem_category": "C03",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.estate, case.household, case.source) == (estate, household, "visit")
    assert case.category.code == "C03" and case.title == "3栋电梯经常停运"
    assert case.reporter == user and case.assignments.count() == 1


def test_a_visit_without_a_problem_files_no_case(client, db):
    user = ResidentFactory()
    member = PartyMemberFactory(user=user)
    household = HouseholdAssignmentFactory(member=member).household
    client.force_login(user)
    client.post(
        NEW_VISIT,
        {"household": household.pk, "visited_on": timezone.localdate().isoformat(),
         "channel": "door"},
    )  # fmt: skip
    assert not Case.objects.exists()


class TestVisitDuplicates:
    """A grid worker's problem is offered the estate's open cases of its category before it
    becomes a case, as the resident intake does (cases.md: a possible duplicate is offered)."""

    @pytest.fixture
    def visit_world(self, db):
        user = ResidentFactory()
        member = PartyMemberFactory(user=user)
        household = HouseholdAssignmentFactory(member=member).household
        estate = household.building.estate
        responsibility_list_ensure(town=estate.community.town)
        open_case = case_receive(estate=estate, category=category(estate.community.town, "C03"),
                                 title="2栋电梯停运", source="portal")  # fmt: skip
        return user, household, open_case

    def _post(self, client, household, **extra):
        data = {"household": household.pk, "visited_on": timezone.localdate().isoformat(),
                "channel": "door", "problem": "电梯又停了", "problem_category": "C03"}  # fmt: skip
        return client.post(NEW_VISIT, {**data, **extra})

    def test_an_open_case_of_the_same_estate_and_category_is_offered_before_saving(
        self, client, settings, visit_world
    ):
        settings.LANGUAGE_CODE = "en"
        user, household, open_case = visit_world
        client.force_login(user)
        response = self._post(client, household)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="duplicates"' in page and f"#{open_case.number}" in page
        assert f'name="same_case" value="{open_case.pk}"' in page
        assert not Visit.objects.exists() and Case.objects.count() == 1
        # Another category of the same estate has nothing to offer: the case is filed at once.
        assert self._post(client, household, problem_category="C01").status_code == 302
        assert Case.objects.count() == 2

    def test_choosing_the_offered_case_records_the_visit_and_follows_it_without_a_new_case(
        self, client, visit_world
    ):
        user, household, open_case = visit_world
        client.force_login(user)
        response = self._post(client, household, same_case=str(open_case.pk))
        assert response.status_code == 302
        assert Visit.objects.get().household == household
        assert Case.objects.count() == 1
        assert CaseFollower.objects.filter(case=open_case, user=user).exists()

    def test_filing_anyway_makes_a_new_case(self, client, visit_world):
        user, household, open_case = visit_world
        client.force_login(user)
        assert self._post(client, household, file_anyway="on").status_code == 302
        assert Case.objects.exclude(pk=open_case.pk).get().title == "电梯又停了"

    def test_a_case_not_offered_cannot_be_chosen_and_nothing_is_written(
        self, client, settings, visit_world
    ):
        settings.LANGUAGE_CODE = "en"
        user, household, _open_case = visit_world
        elsewhere = case_receive(
            estate=EstateFactory(community=household.building.estate.community),
            category=category(household.building.estate.community.town, "C03"),
            title="别的小区", source="portal",
        )  # fmt: skip
        client.force_login(user)
        response = self._post(client, household, same_case=str(elsewhere.pk))
        assert response.status_code == 200
        assert "Choose one of the open cases offered." in response.content.decode()
        response = self._post(client, household, same_case="x; drop table")
        assert response.status_code == 200
        assert not Visit.objects.exists() and not CaseFollower.objects.exists()


def test_company_case_figures_give_the_quarters_on_time_reply_rate_and_satisfaction(
    estate, town, company, manager, resident
):
    def filed(at, rating=None, late=False):
        case = case_receive(estate=estate, category=category(town, "C01"), title="漏水",
                            source="portal", reporter=resident, received_at=at)  # fmt: skip
        case_accept(case=case, by=manager, at=at + datetime.timedelta(hours=1))
        reply_at = at + datetime.timedelta(days=30 if late else 1)
        case_reply(case=case, by=manager, text="已修复", at=reply_at)
        if rating:
            case_rate(
                case=case, by=resident, rating=rating, at=reply_at + datetime.timedelta(hours=1)
            )
        return case

    filed(sh(2026, 4, 7, 10), rating=5)
    filed(sh(2026, 5, 12, 10), rating=2)  # reopened one level up: still the company's reply
    filed(sh(2026, 6, 9, 10), late=True)
    filed(sh(2026, 7, 7, 10), rating=5)  # the next quarter
    figures = company_case_figures(company_id=company.pk, estate_id=estate.pk, year=2026, quarter=2)
    assert (figures["cases"], figures["replied_on_time"]) == (3, 2)
    assert figures["on_time_reply_rate"] == Decimal("66.7")
    assert (figures["rated"], figures["satisfied"], figures["satisfaction"]) == (
        2,
        1,
        Decimal("50.0"),
    )
    empty = company_case_figures(company_id=company.pk, estate_id=estate.pk, year=2025, quarter=2)
    assert empty["cases"] == 0 and empty["on_time_reply_rate"] is None


def test_staff_enter_a_phone_call_and_a_double_submission_files_once(client, estate, town_staff):
    from governance.idempotency import FORM_FIELD

    client.force_login(town_staff)
    assert client.get("/cases/new/").status_code == 200
    data = {"estate": estate.pk, "category": category(estate.community.town, "C07").pk,
            "title": "夜间噪音", "description": "来电反映", "caller_name": "陈先生",
            "caller_phone": "13800001234", FORM_FIELD: "token-1"}  # fmt: skip
    first = client.post("/cases/new/", data)
    again = client.post("/cases/new/", data)
    assert first.status_code == 302 and again["Location"] == first["Location"]
    case = Case.objects.get()
    assert (case.source, case.caller_name, case.caller_phone) == ("staff", "陈先生", "13800001234")
    assert "13800001234" not in client.get(first["Location"]).content.decode()  # masked


def test_a_possible_duplicate_is_offered_before_staff_save(client, estate, town_staff):
    client.force_login(town_staff)
    data = {"estate": estate.pk, "category": category(estate.community.town, "C07").pk,
            "title": "夜间噪音"}  # fmt: skip
    assert client.post("/cases/new/", data).status_code == 302
    offered = client.post("/cases/new/", data)
    assert offered.status_code == 200 and 'data-testid="duplicates"' in offered.content.decode()
    assert Case.objects.count() == 1
    assert client.post("/cases/new/", {**data, "file_anyway": "on"}).status_code == 302
    assert Case.objects.count() == 2


def test_managers_file_estate_level_cases_of_their_companys_estates_only(
    client, estate, town, manager
):
    from communities.factories import EstateFactory

    other = EstateFactory(community=estate.community)
    client.force_login(manager)
    page = client.get("/cases/new/")
    assert list(page.context["form"].fields["estate"].queryset) == [estate]
    codes = {c.code for c in page.context["form"].fields["category"].queryset}
    assert codes == {"C01", "C02", "C03", "C06", "C08"}
    refused = client.post("/cases/new/", {"estate": other.pk,
                                          "category": category(town, "C01").pk, "title": "t"})  # fmt: skip
    assert refused.status_code == 200 and not Case.objects.exists()
    town_level = client.post("/cases/new/", {"estate": estate.pk,
                                             "category": category(town, "C05").pk, "title": "t"})  # fmt: skip
    assert town_level.status_code == 200 and not Case.objects.exists()
    filed = client.post("/cases/new/", {"estate": estate.pk,
                                        "category": category(town, "C01").pk, "title": "漏水"})  # fmt: skip
    assert filed.status_code == 302
    assert Case.objects.get().source == "company"
