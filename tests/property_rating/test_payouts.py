"""Reward payouts: caps, cap scope, the approval workflow and discrepancies."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communities.factories import PropertyCompanyFactory
from property_rating.models import Payout, PayoutDiscrepancy, Scheme
from property_rating.payouts import payout_adjust, payout_approve, payout_mark_paid
from property_rating.scoring import apply_company_cap

from .helpers import compute, give_inputs, publish, reopen


@pytest.fixture(autouse=True)
def _english(settings):
    # These tests assert on the English source messages; the site itself defaults to zh-hans.
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.django_db
D = Decimal


def test_payout_is_sum_of_accruals_and_capped(scheme, make_unit):
    # 95, 85, 75, 65 -> 30000 + 24000 + 18000 + 12000 = 84000
    unit = give_inputs(make_unit(), quarters=(95, 85, 75, 65))
    result = compute(scheme.town)[unit.pk]
    assert result.accrual_total == D("84000.00")
    assert Payout.objects.get(unit=unit, quarter=0).amount == D("84000.00")
    scheme.annual_cap = D("80000")  # quarter cap 20000: 20000 + 16000 + 12000 + 8000 = 56000
    scheme.save()
    assert compute(scheme.town)[unit.pk].payout_amount == D("56000.00")


def test_black_listed_unit_gets_no_payout(scheme, make_unit):
    unit = give_inputs(make_unit(), quarters=(95, 95, 0, 0))  # A = 47.5 -> black
    result = compute(scheme.town)[unit.pk]
    assert result.list_name == "black"
    assert result.accrual_total == D("60000.00")
    assert result.payout_amount == D("0")


def test_company_cap_scope_scales_and_rounds_down_to_the_cent(scheme, make_unit):
    scheme.cap_scope = Scheme.CapScope.COMPANY
    scheme.annual_cap = D("100000")
    scheme.save()
    company = PropertyCompanyFactory()
    # Each unit accrues 25000 * (1 + 1 + 1) = 75000 (three quarters at 100 %); 3 units: 225000.
    units = [
        give_inputs(make_unit(f"u{i}", company=company), quarters=(95, 95, 95, None))
        for i in range(3)
    ]
    results = compute(scheme.town)
    # 75000 * 100000 / 225000 = 33333.333.. -> 33333.33 each (down), sum 99999.99 <= 100000
    assert [results[u.pk].payout_amount for u in units] == [D("33333.33")] * 3
    assert sum(Payout.objects.filter(quarter=0).values_list("amount", flat=True)) <= D("100000")


def test_company_cap_rounds_down_even_when_half_up_would_round_up():
    scaled, _ = apply_company_cap({1: D("2.00"), 2: D("1.00")}, {1: 7, 2: 7}, D("2.00"))
    # 2 * 2/3 = 1.3333 -> 1.33 ; 1 * 2/3 = 0.6666 -> 0.66 (half-up would give 0.67)
    assert scaled == {1: D("1.33"), 2: D("0.66")}


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cap=st.decimals(min_value=D("0"), max_value=D("500000"), places=2),
    amounts=st.lists(
        st.tuples(
            st.integers(0, 3), st.decimals(min_value=D("0"), max_value=D("500000"), places=2)
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_payouts_never_exceed_the_cap(cap, amounts):
    payouts = {i: min(cap, amount) for i, (_company, amount) in enumerate(amounts)}
    company_of = {i: company for i, (company, _amount) in enumerate(amounts)}
    scaled, _ = apply_company_cap(payouts, company_of, cap)
    for company in set(company_of.values()):
        assert sum(v for k, v in scaled.items() if company_of[k] == company) <= cap
    for k, v in scaled.items():
        assert D("0") <= v <= payouts[k] <= cap
        assert v == v.quantize(D("0.01"))


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    quarters=st.lists(
        st.decimals(min_value=D("0"), max_value=D("100"), places=2), min_size=4, max_size=4
    )
)
def test_computed_payout_never_exceeds_the_unit_cap(scheme, make_unit, quarters):
    Payout.objects.all().delete()
    from property_rating.models import AssessmentUnit

    unit = AssessmentUnit.objects.filter(town=scheme.town).first() or make_unit()
    give_inputs(unit, quarters=quarters)
    scheme.refresh_from_db()
    result = compute(scheme.town)[unit.pk]
    assert D("0") <= result.payout_amount <= scheme.annual_cap
    assert result.payout_amount <= result.accrual_total


def test_approval_needs_another_person_than_who_computed(scheme, make_unit, staff, staff2):
    from property_rating.scoring import compute_all

    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute_all(town_id=scheme.town_id, year=2021, by=staff)
    publish(scheme.town)
    payout = Payout.objects.get(unit=unit, quarter=0)
    with pytest.raises(ValidationError):
        payout_approve(payout=payout, by=staff)
    payout = payout_approve(payout=payout, by=staff2)
    assert (payout.status, payout.approved_by) == ("approved", staff2)
    with pytest.raises(ValidationError):
        payout_mark_paid(payout=payout, by=staff, reference="")
    payout = payout_mark_paid(payout=payout, by=staff, reference="BANK-2022-001")
    assert payout.status == "paid"
    with pytest.raises(ValidationError):
        payout_adjust(payout=payout, by=staff, amount="1", note="x")


def test_editor_of_a_payout_cannot_approve_it(scheme, make_unit, staff, staff2):
    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    payout = Payout.objects.get(unit=unit, quarter=0)
    payout = payout_adjust(payout=payout, by=staff2, amount="100000", note="核减")
    publish(scheme.town)
    with pytest.raises(ValidationError):
        payout_approve(payout=payout, by=staff2)
    assert payout_approve(payout=payout, by=staff).status == "approved"


def test_approved_payout_unchanged_by_recomputation_records_a_discrepancy(
    scheme, make_unit, staff, staff2
):
    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    publish(scheme.town)
    payout = payout_approve(payout=Payout.objects.get(unit=unit, quarter=0), by=staff)
    assert payout.amount == D("120000.00")
    reopen(scheme.town, by=staff2)  # a correction after approval
    give_inputs(unit, quarters=(85,) * 4)  # now 4 * 24000 = 96000
    compute(scheme.town)
    compute(scheme.town)  # a rerun does not pile up duplicates
    payout.refresh_from_db()
    assert (payout.amount, payout.status) == (D("120000.00"), "approved")
    discrepancy = PayoutDiscrepancy.objects.get()
    assert (discrepancy.recorded_amount, discrepancy.computed_amount) == (
        D("120000.00"),
        D("96000.00"),
    )


def test_payout_of_an_unpublished_year_cannot_be_approved(scheme, make_unit, staff, staff2):
    # property_rating.md: payouts of a year are approved only after its results are published.
    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    payout = Payout.objects.get(unit=unit, quarter=0)
    with pytest.raises(ValidationError, match="only after its results are published"):
        payout_approve(payout=payout, by=staff)
    payout.refresh_from_db()
    assert payout.status == "calculated"


def test_admin_refuses_to_approve_payouts_of_an_unpublished_year(client, scheme, make_unit, staff):
    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    payout = Payout.objects.get(unit=unit, quarter=0)
    client.force_login(staff)
    response = client.post(
        "/admin/property_rating/payout/",
        {"action": "approve", "_selected_action": [payout.pk], "index": 0},
        follow=True,
    )
    assert "only after its results are published" in response.content.decode()
    assert Payout.objects.get(pk=payout.pk).status == "calculated"


def test_marking_payouts_paid_in_admin_confirms_with_a_message(
    client, scheme, make_unit, staff, staff2
):
    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    publish(scheme.town)
    payout = payout_approve(payout=Payout.objects.get(unit=unit, quarter=0), by=staff)
    client.force_login(staff2)
    response = client.post(
        "/admin/property_rating/payout/",
        {"action": "mark_paid", "_selected_action": [payout.pk], "confirm": "1", "text": "BANK-7"},
        follow=True,
    )
    assert "1 payouts marked paid (reference BANK-7)." in response.content.decode()
    assert Payout.objects.get(pk=payout.pk).status == "paid"


def test_resolving_a_discrepancy_is_recorded_once_in_the_audit_trail(
    scheme, make_unit, staff, staff2
):
    from governance.models import AuditEvent
    from property_rating.payouts import discrepancy_resolve

    unit = give_inputs(make_unit(), quarters=(95,) * 4)
    compute(scheme.town)
    publish(scheme.town)
    payout_approve(payout=Payout.objects.get(unit=unit, quarter=0), by=staff)
    reopen(scheme.town, by=staff2)
    give_inputs(unit, quarters=(85,) * 4)
    compute(scheme.town)
    discrepancy = PayoutDiscrepancy.objects.get()

    discrepancy_resolve(discrepancy=discrepancy, by=staff2, resolution="差额次年抵扣")

    discrepancy.refresh_from_db()
    assert (discrepancy.resolved_by, discrepancy.resolution) == (staff2, "差额次年抵扣")
    event = AuditEvent.objects.get(actor=staff2, summary__startswith="payout discrepancy resolved")
    assert event.details["resolution"] == "差额次年抵扣"
    with pytest.raises(ValidationError):
        discrepancy_resolve(discrepancy=discrepancy, by=staff, resolution="again")
