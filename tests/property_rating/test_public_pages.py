"""Public ratings pages, staff charts and publication (property_rating.md "Publication")."""

import pytest
from django.core.exceptions import ValidationError

from communities.factories import PropertyManagerFactory, ResidentFactory
from property_rating.models import PublicationEvent
from property_rating.publication import results_publish, results_reopen
from property_rating.selectors import (
    annual_results_for_manager,
    payouts_for_manager,
    quarter_scores_for_manager,
)

from .helpers import compute, give_inputs

pytestmark = pytest.mark.django_db


@pytest.fixture
def computed(scheme, make_unit):
    units = [give_inputs(make_unit(f"小区{i}"), quarters=(95 - i * 10,) * 4) for i in range(5)]
    compute(scheme.town)
    return units


def test_public_page_shows_nothing_before_publication(client, computed):
    response = client.get("/rating/public/")
    assert response.status_code == 200
    assert b'data-testid="no-results"' in response.content
    assert "小区0" not in response.content.decode()


def test_public_page_shows_lists_and_stars_after_publication(client, computed, scheme, staff):
    results_publish(scheme=scheme, by=staff)
    page = client.get("/rating/public/").content.decode()
    red = page.split('data-testid="red-list"')[1].split("</table>")[0]
    black = page.split('data-testid="black-list"')[1].split("</table>")[0]
    assert "小区0" in red and "小区1" in red and "小区2" not in red  # 95, 85 red; 75 not
    assert "小区4" in black  # 55
    assert 'data-estate="小区2"' in page and 'data-stars="3"' in page


def test_company_history_page_shows_only_published_years(client, computed, scheme, staff):
    company = computed[0].company
    assert client.get(f"/rating/public/companies/{company.pk}/").status_code == 404
    results_publish(scheme=scheme, by=staff)
    page = client.get(f"/rating/public/companies/{company.pk}/").content.decode()
    assert "2021" in page and "小区0" in page


def test_publish_freezes_and_reopen_records_who_when_why(computed, scheme, staff, make_unit):
    from property_rating.reports import veto_record

    results_publish(scheme=scheme, by=staff)
    with pytest.raises(ValidationError):
        veto_record(unit=computed[0], by=staff, reason="事故")
    with pytest.raises(ValidationError):
        results_reopen(scheme=scheme, by=staff, reason="  ")
    results_reopen(scheme=scheme, by=staff, reason="更正小区3的检查分")
    event = PublicationEvent.objects.filter(action="reopen").get()
    assert (event.by, event.reason) == (staff, "更正小区3的检查分") and event.at
    assert not scheme.__class__.objects.get(pk=scheme.pk).is_published
    veto_record(unit=computed[0], by=staff, reason="事故")  # open again


def test_publish_refuses_without_a_complete_computation(scheme, make_unit, staff):
    give_inputs(make_unit(), quarters=(90,) * 4)
    with pytest.raises(ValidationError):
        results_publish(scheme=scheme, by=staff)


def test_only_township_staff_publish(computed, scheme, assessor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        results_publish(scheme=scheme, by=assessor)


def test_manager_sees_own_quarter_scores_before_publication_but_not_others(computed, scheme, staff):
    manager = PropertyManagerFactory(company=computed[0].company, username="m0")
    scores = quarter_scores_for_manager(user=manager)
    assert {s.unit_id for s in scores} == {computed[0].pk}
    assert not annual_results_for_manager(user=manager).exists()
    assert not payouts_for_manager(user=manager).filter(quarter=0).exists()
    assert payouts_for_manager(user=manager).filter(quarter=1).exists()
    results_publish(scheme=scheme, by=staff)
    assert annual_results_for_manager(user=manager).get().unit == computed[0]
    assert payouts_for_manager(user=manager).filter(quarter=0).count() == 1


def test_staff_charts_page_shows_charts_to_staff_only(client, computed, staff):
    resident = ResidentFactory(username="r1")
    client.force_login(resident)
    assert client.get("/rating/staff/charts/").status_code == 404
    client.force_login(staff)
    page = client.get("/rating/staff/charts/", {"year": 2021}).content.decode()
    assert page.count('data-testid="chart"') == 3
    assert 'data-testid="trend"' in page and "小区4" in page
    assert client.get("/rating/staff/").status_code == 200


def test_home_pages_link_to_ratings(client, staff):
    assert "/rating/public/" in client.get("/").content.decode()
    client.force_login(staff)
    assert "/rating/staff/charts/" in client.get("/").content.decode()


def test_publication_reopen_and_payout_approval_are_in_the_audit_trail(
    computed, scheme, staff, staff2
):
    from governance.models import AuditEvent
    from property_rating.models import Payout
    from property_rating.payouts import payout_approve

    results_publish(scheme=scheme, by=staff)
    payout_approve(payout=Payout.objects.filter(quarter=0).first(), by=staff2)
    results_reopen(scheme=scheme, by=staff, reason="更正")
    events = AuditEvent.objects.filter(actor__in=[staff, staff2])
    assert events.filter(action="payout_changed", actor=staff2).exists()
    reopen = events.filter(action="publication_changed", summary__startswith="results reopened")
    assert reopen.get().details == {"reason": "更正"}


def test_year_selector_agrees_with_the_year_shown(client, computed, scheme, staff):
    """An unpublished year asked for shows the latest published one, selected and said so."""
    results_publish(scheme=scheme, by=staff)
    page = client.get("/rating/public/", {"year": "2099"}).content.decode()
    picker = page.split('data-testid="year-picker"')[1].split("</form>")[0]
    assert f'<option value="{scheme.year}" selected>' in picker
    assert 'data-testid="year-missing"' in page and "2099" in page
    assert "小区0" in page  # the shown year's lists, not "no results"


def test_a_published_year_asked_for_is_shown_and_selected(client, computed, scheme, staff):
    results_publish(scheme=scheme, by=staff)
    page = client.get(
        "/rating/public/", {"town": str(scheme.town_id), "year": str(scheme.year)}
    ).content.decode()
    assert f'<option value="{scheme.year}" selected>' in page
    assert 'data-testid="year-missing"' not in page
