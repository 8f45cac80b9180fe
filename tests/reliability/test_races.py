"""Races (issue 7, item 4): concurrent recomputations never put a unit's or a company's payout
above its cap; 50 parallel identical supports, votes or satisfaction ratings leave one row and
no 5xx.

The 50 requests go at once (a barrier) to a gunicorn server with 2 processes x 8 threads on the
test database, as in production: up to 16 handled at the same moment, the rest queued by the
server, none refused.
"""

import datetime
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.db.models import Sum
from rest_framework.authtoken.models import Token

from communities.factories import CommunityStaffFactory
from deliberation import services as delib
from deliberation.factories import CouncilFactory, ProposalFactory, representatives, resident_of
from deliberation.models import Proposal, Support, Vote
from property_rating.factories import AssessmentUnitFactory, SchemeFactory
from property_rating.models import AnnualResult, Payout, SatisfactionRating, Scheme
from property_rating.scoring import compute_all, compute_year
from tests.builders import YEAR, bulk_town, results_digest

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

PARALLEL = 50


def in_threads(n: int, fn) -> list:
    """Run fn() in n threads released together; each thread closes its database connection."""
    barrier = threading.Barrier(n)

    def run():
        barrier.wait()
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(n) as pool:
        return [f.result() for f in [pool.submit(run) for _ in range(n)]]


def test_concurrent_recomputations_never_exceed_unit_or_company_caps():
    town = bulk_town(200, cap_scope=Scheme.CapScope.COMPANY)
    compute_all(town_id=town.pk, year=YEAR)
    clean = results_digest(town)
    scheme = Scheme.objects.get(town=town, year=YEAR)
    cap = scheme.annual_cap

    jobs = iter([compute_all, compute_year] * 3)
    lock = threading.Lock()

    def recompute():
        with lock:
            job = next(jobs)
        return job(town_id=town.pk, year=YEAR)

    in_threads(6, recompute)

    annual = Payout.objects.filter(unit__town=town, quarter=0)
    assert (
        annual.count()
        == AnnualResult.objects.filter(unit__town=town)
        .exclude(status=AnnualResult.Status.PENDING)
        .count()
    )
    assert not annual.filter(amount__gt=cap).exists()
    assert (
        not Payout.objects.filter(unit__town=town)
        .exclude(quarter=0)
        .filter(amount__gt=cap / 4)
        .exists()
    )
    per_company = annual.values("unit__company").annotate(total=Sum("amount"))
    assert max(row["total"] for row in per_company) <= cap
    assert any(row["total"] == cap or row["total"] > cap - Decimal("1") for row in per_company), (
        "no company reached its cap: the test would not notice an overrun"
    )
    assert results_digest(town) == clean


def fire(method: str, url: str, **kwargs) -> list[int]:
    """PARALLEL identical requests released together; returns their status codes."""
    barrier = threading.Barrier(PARALLEL)

    def one():
        barrier.wait()
        return requests.request(method, url, timeout=60, allow_redirects=False, **kwargs)

    with ThreadPoolExecutor(PARALLEL) as pool:
        return [f.result().status_code for f in [pool.submit(one) for _ in range(PARALLEL)]]


def token_for(user) -> dict:
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


def test_fifty_parallel_identical_supports_leave_one_support(web_on_test_database):
    council = CouncilFactory()
    proposal = ProposalFactory(council=council, state=Proposal.State.SUBMITTED)
    neighbour = resident_of(council.estate, "2栋")

    statuses = fire(
        "POST",
        f"{web_on_test_database}/api/v1/proposals/{proposal.pk}/support/",
        headers=token_for(neighbour),
    )

    print(f"\n[races] supports: {dict(Counter(statuses))}")
    assert all(code < 500 for code in statuses)
    assert Counter(statuses)[201] == 1 and set(statuses) <= {200, 201}
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_fifty_parallel_identical_votes_leave_one_vote(web_on_test_database):
    council = CouncilFactory()
    staff = CommunityStaffFactory(community=council.estate.community)
    rep = representatives(council, 3)[0]
    proposal = ProposalFactory(council=council, state=Proposal.State.ACCEPTED)
    session = delib.session_create(council=council, date=datetime.date.today(), by=staff)
    item = delib.agenda_add(session=session, proposal=proposal, by=staff)
    delib.session_open(session=session, by=staff)

    statuses = fire(
        "POST",
        f"{web_on_test_database}/api/v1/sessions/{session.pk}/votes/",
        json={"agenda_item": item.pk, "choice": "for"},
        headers=token_for(rep.user),
    )

    print(f"\n[races] votes: {dict(Counter(statuses))}")
    assert all(code < 500 for code in statuses)
    assert Counter(statuses)[201] == 1 and set(statuses) <= {201, 400}
    assert Vote.objects.filter(agenda_item=item).count() == 1


def test_fifty_parallel_identical_satisfaction_ratings_leave_one_rating(
    web_on_test_database, login_cookie
):
    unit = AssessmentUnitFactory(year=datetime.date.today().year)
    SchemeFactory(town=unit.town, year=unit.year)
    resident = resident_of(unit.estate)
    url = f"{web_on_test_database}/rating/satisfaction/"
    cookies = login_cookie(resident)
    form = requests.get(url, cookies=cookies, timeout=30)
    assert form.status_code == 200, form.text[:500]
    cookies.update(form.cookies.get_dict())
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)

    statuses = fire(
        "POST",
        url,
        cookies=cookies,
        headers={"Referer": url},
        data={"csrfmiddlewaretoken": token, "rating": "4", "comment": ""},
    )

    print(f"\n[races] satisfaction: {dict(Counter(statuses))}")
    assert all(code < 500 for code in statuses)
    assert Counter(statuses)[302] == 1 and set(statuses) <= {302, 400}
    assert SatisfactionRating.objects.filter(household=resident.verified_household).count() == 1
