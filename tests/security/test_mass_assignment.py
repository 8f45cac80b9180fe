"""Mass assignment: fields a caller must not set (status, points, scores, payouts, another
company's unit, another estate, support counts) are ignored or refused, and nothing changes."""

import pytest

from communities.factories import EstateFactory, PropertyCompanyFactory, ServiceContractFactory
from communities.models import ResidentVerification
from deliberation.factories import CouncilFactory
from deliberation.models import Proposal
from property_rating.factories import AssessmentUnitFactory
from property_rating.models import QuarterlyReport, ReportItem

pytestmark = pytest.mark.django_db


def _snapshot(report):
    report.refresh_from_db()
    lines = list(
        ReportItem.objects.filter(report=report)
        .order_by("pk")
        .values_list("awarded_points", "reviewed_by", "review_note")
    )
    return report.status, report.unit_id, report.quarter, report.reviewed_by_id, lines


def test_manager_cannot_set_status_points_or_unit_through_the_report_api(client, report_setup):
    report, line, manager = report_setup
    other_unit = AssessmentUnitFactory(town=report.unit.town, year=report.unit.year)
    before = _snapshot(report)
    client.force_login(manager)
    for method in (client.patch, client.put):
        response = method(
            f"/api/v1/reports/{report.pk}/",
            {
                "status": "reviewed",
                "unit": other_unit.pk,
                "company": other_unit.company_id,
                "quarter": 4,
                "score": "100",
                "payout": "120000",
                "reviewed_by": manager.pk,
                "items": [
                    {
                        "code": line.task_item.code,
                        "description": "done",
                        "awarded_points": "99",
                        "score": "99",
                    }
                ],
            },
            content_type="application/json",
        )
        assert response.status_code in (200, 400), response.content
    status, unit_id, quarter, reviewed_by, lines = _snapshot(report)
    assert (status, unit_id, quarter, reviewed_by) == before[:4]
    assert lines == before[4]  # no points awarded by the manager
    assert status == QuarterlyReport.Status.DRAFT


def test_manager_cannot_create_a_report_for_another_companys_unit(client, report_setup):
    report, line, manager = report_setup
    other_unit = AssessmentUnitFactory(town=report.unit.town, year=report.unit.year)
    client.force_login(manager)
    response = client.post(
        "/api/v1/reports/",
        {"unit": other_unit.pk, "quarter": 2},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "unit" in response.json()
    assert not QuarterlyReport.objects.filter(unit=other_unit).exists()


def test_manager_cannot_submit_a_report_with_a_status_of_their_choosing(client, report_setup):
    report, line, manager = report_setup
    client.force_login(manager)
    client.post(
        f"/api/v1/reports/{report.pk}/submit/",
        {"status": "reviewed", "awarded_points": "15"},
        content_type="application/json",
    )
    report.refresh_from_db()
    assert report.status in (QuarterlyReport.Status.DRAFT, QuarterlyReport.Status.SUBMITTED)
    assert not ReportItem.objects.filter(report=report, awarded_points__isnull=False).exists()


def _hostile_proposal(other_estate, other_council, user):
    return {
        "title": "路灯",
        "description": "请维修",
        "category": "other",
        "state": "accepted",
        "estate": other_estate.pk,
        "council": other_council.pk,
        "proposer": user.pk,
        "support_count": 999,
        "outcome": "passed",
        "is_important": True,
        "closing_note": "done",
    }


@pytest.mark.parametrize("channel", ["api", "portal"])
def test_resident_cannot_choose_estate_state_or_counts_of_a_new_proposal(
    client, resident_setup, channel
):
    resident = resident_setup
    home = resident.verified_household.building.estate
    other_council = CouncilFactory()
    other_user = resident.__class__.objects.create(username="someone-else")
    data = _hostile_proposal(other_council.estate, other_council, other_user)
    client.force_login(resident)
    if channel == "api":
        response = client.post("/api/v1/proposals/", data, content_type="application/json")
        assert response.status_code == 201, response.content
    else:
        response = client.post("/deliberation/proposals/new/", data)
        assert response.status_code == 302, response.content
    proposal = Proposal.objects.get()
    assert proposal.estate == home
    assert proposal.council.estate == home
    assert proposal.proposer == resident
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.outcome == ""
    assert proposal.supports.count() <= 1  # at most the proposer's own household
    assert not proposal.is_important
    assert proposal.closing_note == ""


def test_resident_cannot_approve_their_own_verification_request(client, db):
    from communities.factories import BuildingFactory, HouseholdFactory, ResidentFactory
    from communities.models import Estate

    estate = EstateFactory(status=Estate.Status.DELIVERED)
    HouseholdFactory(building=BuildingFactory(estate=estate, name="1栋"), room="101")
    resident = ResidentFactory()
    client.force_login(resident)
    response = client.post(
        "/accounts/verify/",
        {
            "resident_name": "张三",
            "estate": estate.pk,
            "building": "1栋",
            "room": "101",
            "relation": "tenant",
            "status": "approved",
            "decided_by": resident.pk,
        },
    )
    assert response.status_code == 302
    verification = ResidentVerification.objects.get(user=resident)
    assert verification.status == ResidentVerification.Status.PENDING
    assert verification.decided_by is None


def test_company_cannot_be_switched_through_a_unit(client, report_setup):
    report, line, manager = report_setup
    other_company = PropertyCompanyFactory()
    ServiceContractFactory(estate=EstateFactory(), company=other_company)
    client.force_login(manager)
    response = client.patch(
        f"/api/v1/report-units/{report.unit_id}/",
        {"company": other_company.pk},
        content_type="application/json",
    )
    assert response.status_code == 405  # the unit API is read-only
    report.unit.refresh_from_db()
    assert report.unit.company_id == manager.company_id
