"""Figures per scope and period (cases.md "Figures"), in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.factories import EstateFactory, ResidentFactory
from communities.models import ResidentVerification
from deliberation.cases import services
from deliberation.cases.figures import case_figures

from .conftest import category, sh

pytestmark = pytest.mark.django_db


def _case(estate, code="C01", at=None, **kw):
    return services.case_receive(estate=estate, category=category(estate.community.town, code),
                                 title="问题", source="staff", received_at=at, **kw)  # fmt: skip


def test_figures_per_estate_and_month_count_what_the_spec_lists(estate, town, company, manager):
    a = _case(estate, at=sh(2026, 6, 1, 9))  # Monday
    services.case_accept(case=a, by=manager, at=sh(2026, 6, 1, 10))
    services.case_reply(case=a, by=manager, text="ok", at=sh(2026, 6, 3, 10))  # 2 working days
    services.case_rate(case=a, by=manager, rating=5, at=sh(2026, 6, 3, 11))
    b = _case(estate, at=sh(2026, 6, 2, 9))
    services.case_reply(case=b, by=manager, text="ok", at=sh(2026, 6, 2, 15))  # same day: 0
    services.case_rate(case=b, by=manager, rating=2, at=sh(2026, 6, 2, 16))  # reopened
    _case(estate, at=sh(2026, 7, 1, 9))
    data = case_figures(scope="estate", period="month", start=datetime.date(2026, 6, 1),
                        end=datetime.date(2026, 7, 31), town_id=town.pk,
                        now=sh(2026, 7, 1, 10))  # fmt: skip
    june = data[(estate.pk, datetime.date(2026, 6, 1))]
    assert (june["received"], june["accepted_on_time"], june["replied_on_time"]) == (2, 2, 2)
    assert (june["rated"], june["satisfied"], june["reopened"]) == (2, 1, 1)
    assert june["satisfaction_pct"] == Decimal("50.0") and june["mean_days"] == Decimal("1.0")
    assert data[(estate.pk, datetime.date(2026, 7, 1))]["received"] == 1
    quarters = case_figures(scope="company", period="quarter", start=datetime.date(2026, 4, 1),
                            end=datetime.date(2026, 9, 30), town_id=town.pk)  # fmt: skip
    assert quarters[(company.pk, datetime.date(2026, 4, 1))]["received"] == 2


def test_the_figures_page_runs_constant_queries_at_two_sizes(client, estate, town, town_staff):
    client.force_login(town_staff)
    _case(estate)
    client.get("/cases/figures/?scope=estate")
    counts = []
    for extra in (1, 8):
        for i in range(extra):
            _case(EstateFactory(community=estate.community), code=("C05", "C04", "C01")[i % 3])
        for scope in ("estate", "community", "department", "company", "town"):
            with CaptureQueriesContext(connection) as ctx:
                page = client.get(f"/cases/figures/?scope={scope}&period=quarter")
            assert page.status_code == 200
            counts.append((scope, len(ctx)))
    assert counts[:5] == counts[5:]


def test_a_resident_sees_the_figures_of_their_estate_only(client, estate, household):
    resident = ResidentFactory()
    ResidentVerification.objects.create(user=resident, household=household, resident_name="张",
                                        status=ResidentVerification.Status.APPROVED)  # fmt: skip
    _case(estate)
    other = EstateFactory(community=estate.community, name="别的小区")
    _case(other)
    client.force_login(resident)
    page = client.get("/cases/figures/")
    assert page.status_code == 200
    names = {row["name"] for row in page.context["rows"]}
    assert names == {estate.name}
    assert client.get("/cases/figures/?scope=town").status_code == 403
