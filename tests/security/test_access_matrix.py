"""Who may read what: every portal page and API endpoint, for every role, on the caller's own
objects and on another company's / estate's / council's / community's / town's objects.

The world is the Lishui demo (tests/builders.py attack_world): the resident and the representative live
in 糖果雅苑 (海南洲社区), the manager's company serves it, the community staff work for 海南洲社区,
the assessor and the township staff for 里水镇; a second town ("外镇") holds objects nobody of
Lishui may see. Statuses: 200 shown, 302 to the login page, 401/403 refused, 404 not visible
(an object outside the caller's scope is never distinguishable from a missing one), 405 GET not
allowed (POST-only routes: covered by the write matrix below).
"""

import hashlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.builders import ROLES

pytestmark = pytest.mark.django_db

#            anon  resident repr manager assessor community staff
MATRIX = {
    # communities and the home page
    "home": ("/", (200, 200, 200, 200, 200, 200, 200)),
    "verification-request": ("/accounts/verify/", (302, 200, 200, 403, 403, 403, 403)),
    # Assessors score companies; verifying residents is not theirs (fixed in communities/views.py).
    "verification-queue": ("/accounts/verifications/", (302, 403, 403, 403, 403, 200, 200)),
    # Sign-up and password reset are for everyone; signed-in users are sent home from sign-up.
    "signup": ("/accounts/signup/", (200, 302, 302, 302, 302, 302, 302)),
    "password-reset-choose": ("/accounts/password/reset/", (200,) * 7),
    "password-reset-phone": ("/accounts/password/reset/phone/", (200,) * 7),
    # Without a number asked for first (a session key), the code page sends back to it.
    "password-reset-phone-code": ("/accounts/password/reset/phone/code/", (302,) * 7),
    "password_reset": ("/accounts/password/reset/email/", (200,) * 7),
    "password_reset_done": ("/accounts/password/reset/email/sent/", (200,) * 7),
    "password_reset_complete": ("/accounts/password/reset/complete/", (200,) * 7),
    "staff-overview": ("/admin/overview/", (302, 403, 403, 403, 200, 200, 200)),
    # property_rating: public, staff, manager portal, review
    "public-ratings": ("/rating/public/", (200,) * 7),
    "public-company": ("/rating/public/companies/{company_own}/", (200,) * 7),
    "staff-overview/rating": ("/rating/staff/", (404, 404, 404, 404, 200, 200, 200)),
    "staff-charts": ("/rating/staff/charts/", (404, 404, 404, 404, 200, 200, 200)),
    "manager-home": ("/rating/manager/", (302, 403, 403, 200, 403, 403, 403)),
    "manager-api-token": ("/rating/manager/api-token/", (302, 403, 403, 200, 403, 403, 403)),
    "manager-unit": ("/rating/manager/units/{unit_own}/", (302, 403, 403, 200, 403, 403, 403)),
    "manager-unit/other-company": (
        "/rating/manager/units/{unit_other_company}/",
        (302, 403, 403, 404, 403, 403, 403),
    ),
    "manager-unit/other-town": (
        "/rating/manager/units/{unit_other_town}/",
        (302, 403, 403, 404, 403, 403, 403),
    ),
    "manager-report": (
        "/rating/manager/reports/{report_own}/",
        (302, 403, 403, 200, 403, 403, 403),
    ),
    "manager-report/other-company": (
        "/rating/manager/reports/{report_other_company}/",
        (302, 403, 403, 404, 403, 403, 403),
    ),
    "manager-report/other-town": (
        "/rating/manager/reports/{report_other_town}/",
        (302, 403, 403, 404, 403, 403, 403),
    ),
    "manager-submission/other-company": (
        "/rating/manager/reports/{report_other_company}/submissions/1/",
        (302, 403, 403, 404, 403, 403, 403),
    ),
    "evidence-download": ("/rating/evidence/{evidence_own}/", (302, 404, 404, 200, 200, 404, 200)),
    "evidence-download/other-company": (
        "/rating/evidence/{evidence_other_company}/",
        (302, 404, 404, 404, 200, 404, 200),
    ),
    "satisfaction": ("/rating/satisfaction/", (302, 200, 200, 403, 403, 403, 403)),
    "review-queue": ("/rating/review/", (302, 403, 403, 403, 200, 403, 200)),
    "review-report/other-town": (
        "/rating/review/reports/{report_other_town}/",
        (302, 403, 403, 403, 404, 403, 404),
    ),
    "review-inspections": ("/rating/review/inspections/", (302, 403, 403, 403, 403, 403, 403)),
    "review-inspection-score/other-town": (
        "/rating/review/inspections/{unit_other_town}/",
        (302, 403, 403, 403, 403, 403, 403),
    ),
    "review-vetoes": ("/rating/review/vetoes/", (302, 403, 403, 403, 403, 403, 200)),
    # deliberation portal. Assessors score property companies and have no part in councils.
    "proposal-list": ("/deliberation/", (302, 200, 200, 403, 403, 302, 302)),
    "proposal-create": ("/deliberation/proposals/new/", (302, 200, 200, 403, 403, 302, 302)),
    # proposal_own has a resolution its council publishes: public by design.
    "proposal-detail": ("/deliberation/proposals/{proposal_own}/", (200,) * 7),
    "proposal-detail/other-estate": (
        "/deliberation/proposals/{proposal_other_estate}/",
        (404, 404, 404, 404, 404, 200, 200),
    ),
    "proposal-detail/other-town": (
        "/deliberation/proposals/{proposal_other_town}/",
        (404,) * 7,
    ),
    # A published resolution does not publish residents' photos: the estate and staff only.
    "attachment": (
        "/deliberation/attachments/{attachment_own}/",
        (404, 200, 200, 404, 404, 200, 200),
    ),
    "session-list": ("/deliberation/sessions/", (302, 200, 200, 403, 403, 302, 302)),
    "session-detail": (
        "/deliberation/sessions/{session_own}/",
        (302, 200, 200, 404, 404, 200, 200),
    ),
    "session-detail/other-community": (
        "/deliberation/sessions/{session_other_community}/",
        (302, 404, 404, 404, 404, 404, 200),
    ),
    "session-detail/other-town": (
        "/deliberation/sessions/{session_other_town}/",
        (302, 404, 404, 404, 404, 404, 404),
    ),
    "inbox": ("/deliberation/inbox/", (302, 200, 200, 200, 200, 200, 200)),
    "resolutions": ("/deliberation/resolutions/", (200,) * 7),
    "dashboard": ("/deliberation/dashboard/", (302, 403, 403, 403, 403, 200, 200)),
    "manage": ("/deliberation/manage/", (302, 403, 403, 403, 403, 200, 200)),
    "manage-proposal": (
        "/deliberation/manage/proposals/{proposal_own}/",
        (302, 403, 403, 403, 403, 200, 200),
    ),
    "manage-proposal/other-community": (
        "/deliberation/manage/proposals/{proposal_other_community}/",
        (302, 403, 403, 403, 403, 404, 200),
    ),
    "manage-proposal/other-town": (
        "/deliberation/manage/proposals/{proposal_other_town}/",
        (302, 403, 403, 403, 403, 404, 404),
    ),
    "manage-session": (
        "/deliberation/manage/sessions/{session_own}/",
        (302, 403, 403, 403, 403, 200, 200),
    ),
    "manage-session/other-community": (
        "/deliberation/manage/sessions/{session_other_community}/",
        (302, 403, 403, 403, 403, 404, 200),
    ),
    "problem-estates": ("/deliberation/problem-estates/", (302, 403, 403, 403, 403, 200, 200)),
    # deliberation/projects: totals for township and community staff (and district and city
    # staff, tests/projects); everyone else, and another town's totals, 404.
    "project-totals": ("/deliberation/projects/totals/", (404, 404, 404, 404, 404, 200, 200)),
    "project-totals/other-town": ("/deliberation/projects/totals/?town=外镇", (404,) * 7),
    # party_grid portal (the demo resident is a party member who logs household visits)
    "visit-new": ("/party/visits/new/", (302, 200, 403, 403, 403, 403, 403)),
    "visit-list": ("/party/visits/", (302, 200, 403, 403, 403, 403, 403)),
    "party-dashboard": ("/party/dashboard/", (302, 403, 403, 403, 200, 200, 200)),
    # regions.md: towns ranked within a district or city; a town's staff have no region (404).
    "ranking": ("/party/ranking/", (302, 403, 403, 403, 404, 404, 404)),
    # Bulletins are read by district and city staff only (tests/communities/test_bulletins.py).
    "bulletin-list": ("/regions/bulletins/", (302, 403, 403, 403, 403, 403, 403)),
    # owners' assemblies (owners.md): residents of the estate and its staff; assessors have
    # no part in them; a vote of another community is not visible to its residents or staff.
    "assembly-list": ("/deliberation/assemblies/", (302, 200, 200, 403, 403, 200, 200)),
    "assembly-detail": (
        "/deliberation/assemblies/{assembly_vote_own}/",
        (302, 200, 200, 404, 404, 200, 200),
    ),
    "assembly-detail/other-community": (
        "/deliberation/assemblies/{assembly_vote_other_community}/",
        (302, 404, 404, 404, 404, 404, 200),
    ),
    "assembly-announce": (
        "/deliberation/assemblies/announce/",
        (302, 403, 403, 403, 403, 200, 200),
    ),
    "assembly-committees": (
        "/deliberation/assemblies/committees/",
        (302, 403, 403, 403, 403, 200, 200),
    ),
    # open accounts: the estate's residents, its company and staff read; the company files.
    "statement-list": ("/accounts/open-accounts/", (302, 200, 200, 200, 200, 200, 200)),
    "statement-detail": (
        "/accounts/open-accounts/{statement_own}/",
        (302, 200, 200, 200, 200, 200, 200),
    ),
    "statement-file": ("/accounts/open-accounts/file/", (302, 403, 403, 200, 403, 403, 403)),
    "verification-certificate": (
        "/accounts/verifications/{verification_own}/certificate/",
        (302, 403, 403, 403, 403, 200, 200),
    ),
    # API
    # Open311 (cases): public reads; this world has two towns, so jurisdiction_id is required
    # (400 in the standard's error format); tests/cases/test_open311.py covers keys and scope.
    "open311-services": ("/open311/v2/services.json", (400,) * 7),
    # cases pages (a case's own page, photos and actions: tests/cases/test_pages.py)
    "case-queue": ("/cases/", (302, 200, 200, 200, 200, 200, 200)),
    "case-file": ("/cases/new/", (302, 200, 200, 200, 403, 200, 200)),
    # Figures: a resident sees the estate's, a manager the company's, staff their scope.
    "case-figures": ("/cases/figures/", (302, 200, 200, 200, 403, 200, 200)),
    "case-detail": ("/cases/{case_own}/", (302, 200, 404, 200, 404, 200, 200)),
    "case-detail/department": ("/cases/{case_department}/", (302, 404, 404, 404, 404, 404, 200)),
    "case-detail/other-town": ("/cases/{case_other_town}/", (302, 404, 404, 404, 404, 404, 404)),
    "case-meetings": ("/cases/meetings/", (302, 403, 403, 403, 403, 403, 200)),
    "open311-service": ("/open311/v2/services/C01.json", (400,) * 7),
    "open311-requests": ("/open311/v2/requests.json", (400,) * 7),
    "open311-request": ("/open311/v2/requests/1.json", (400,) * 7),
    "api/towns": ("/api/v1/towns/", (200,) * 7),
    "api/communities": ("/api/v1/communities/", (200,) * 7),
    "api/estates": ("/api/v1/estates/", (200,) * 7),
    "api/companies": ("/api/v1/companies/", (200,) * 7),
    "api/company-ratings": ("/api/v1/companies/{company_own}/ratings/", (200,) * 7),
    "api/ratings": ("/api/v1/ratings/", (200,) * 7),
    "api/reports": ("/api/v1/reports/", (401, 403, 403, 200, 403, 403, 403)),
    "api/report": ("/api/v1/reports/{report_own}/", (401, 403, 403, 200, 403, 403, 403)),
    "api/report/other-company": (
        "/api/v1/reports/{report_other_company}/",
        (401, 403, 403, 404, 403, 403, 403),
    ),
    "api/report/other-town": (
        "/api/v1/reports/{report_other_town}/",
        (401, 403, 403, 404, 403, 403, 403),
    ),
    "api/report-evidence-file": (
        "/api/v1/reports/{report_own}/evidence/{evidence_own}/",
        (401, 403, 403, 200, 403, 403, 403),
    ),
    "api/report-evidence-file/other-company": (
        "/api/v1/reports/{report_other_company}/evidence/{evidence_other_company}/",
        (401, 403, 403, 404, 403, 403, 403),
    ),
    "api/report-evidence-file/other-company-via-own-report": (
        "/api/v1/reports/{report_own}/evidence/{evidence_other_company}/",
        (401, 403, 403, 404, 403, 403, 403),
    ),
    "api/report-units": ("/api/v1/report-units/", (401, 403, 403, 200, 403, 403, 403)),
    "api/report-unit": ("/api/v1/report-units/{unit_own}/", (401, 403, 403, 200, 403, 403, 403)),
    "api/report-unit/other-company": (
        "/api/v1/report-units/{unit_other_company}/",
        (401, 403, 403, 404, 403, 403, 403),
    ),
    "api/proposals": ("/api/v1/proposals/", (403, 200, 200, 200, 200, 200, 200)),
    "api/proposal": ("/api/v1/proposals/{proposal_own}/", (403, 200, 200, 404, 404, 200, 200)),
    "api/proposal/other-estate": (
        "/api/v1/proposals/{proposal_other_estate}/",
        (403, 404, 404, 404, 404, 200, 200),
    ),
    "api/proposal/other-community": (
        "/api/v1/proposals/{proposal_other_community}/",
        (403, 404, 404, 404, 404, 404, 200),
    ),
    "api/proposal/other-town": (
        "/api/v1/proposals/{proposal_other_town}/",
        (403, 404, 404, 404, 404, 404, 404),
    ),
    "api/sessions": ("/api/v1/sessions/", (403, 200, 200, 200, 200, 200, 200)),
    "api/session": ("/api/v1/sessions/{session_own}/", (403, 200, 200, 404, 404, 200, 200)),
    "api/session/other-community": (
        "/api/v1/sessions/{session_other_community}/",
        (403, 404, 404, 404, 404, 404, 200),
    ),
    "api/session/other-town": (
        "/api/v1/sessions/{session_other_town}/",
        (403, 404, 404, 404, 404, 404, 404),
    ),
    "api/resolutions": ("/api/v1/resolutions/", (200,) * 7),
    # The town's needs list is public; project totals as the page above.
    "api/needs": ("/api/v1/needs/?town=里水镇", (200,) * 7),
    "api/project-totals": ("/api/v1/project-totals/", (404, 404, 404, 404, 404, 200, 200)),
    "api/project-totals/other-town": ("/api/v1/project-totals/?town=外镇", (404,) * 7),
}

# Routes reached only by POST (or not pages at all), and where they are tested.
NOT_IN_GET_MATRIX = {
    "login",
    "logout",
    "password_change",
    "password_change_done",  # test_logins.py
    "otp-verify",
    "reveal-phone",  # test_two_factor.py, test_personal_data.py
    "healthz",
    "set_language",
    "javascript-catalog",
    "schema",
    "api-docs",
    "api-root",
    "verification-decide",
    "assembly-cast",
    "assembly-close",
    "assembly-paper",
    "assembly-scan",  # tests/deliberation/assemblies/test_portal.py
    "statement-document",  # tests/communities/test_open_accounts.py
    "password_reset_confirm",  # needs a token: tests/governance/test_sms_password_reset.py
    "comment-add",
    "comment-report",
    "comment-hide",  # POST only: tests/deliberation/test_comments.py
    # The world's attachment is a PNG Pillow cannot decode (its thumbnail is 404 for all); the
    # same access rule as "attachment", with a real photo: tests/deliberation/test_comments.py.
    "attachment-thumb",
    "manager-report-start",
    "manager-evidence-delete",
    "review-veto-revoke",
    "proposal-support",
    "proposal-follow",
    "proposal-withdraw",
    "proposal-rate",
    "vote",
    "manage-proposal-action",
    "manage-session-create",
    "manage-session-action",
    "remediation-update",  # WRITES below
    "party-statistics",  # needs parameters: tests/security/test_schema_fuzzing.py
    "report-evidence",
    "report-submit",
    "proposal-support-api",
    "session-votes",  # WRITES below
    # The assessment-year workspace per town and year: every role, another town and the writes
    # in tests/property_rating/test_workspace.py (its URLs need a town id the world lacks).
    "workspace",
    "workspace-preview",
    "workspace-compute",
    "workspace-payouts",
    "workspace-approve",
    "workspace-paid",
    "workspace-payout-paid",
    "workspace-publish",
    "workspace-ranking",
    "workspace-run",
    "workspace-run-status",
    "notification-preferences",  # tests/governance/test_notification_preferences.py
    # Need a region or a bulletin of one: tests/communities/test_bulletins.py.
    "bulletin-new",
    "bulletin-detail",
    "bulletin-pdf",
}


def _routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.name

    for route, name in walk(get_resolver().url_patterns):
        if route.startswith(("admin/", "static")) and not route.startswith("admin/overview"):
            continue  # the admin is covered by the apps' admin scoping tests
        if "(?P<format>" in route or "<drf_format_suffix" in route:
            continue  # the same views with a format suffix
        yield route, name


API_NAMES = {
    "towns": "town-list",
    "communities": "community-list",
    "estates": "estate-list",
    "companies": "company-list",
    "company-ratings": "company-rating-history",
    "ratings": "rating-list",
    "reports": "report-list",
    "report": "report-detail",
    "report-evidence-file": "report-evidence-file",
    "report-units": "report-unit-list",
    "report-unit": "report-unit-detail",
    "proposals": "proposal-list",
    "proposal": "proposal-detail",
    "sessions": "session-list",
    "session": "session-detail",
    "resolutions": "resolution-list",
    "needs": "need-list",
    "project-totals": "project-totals",
}
DETAIL_ALSO_COVERED = {  # detail routes whose list is in the matrix and detail via lists
    "case-photo",
    "case-action",  # POST only
    "case-meeting",  # township staff of the meeting's town: tests/cases/test_pages.py
    "town-detail",
    "community-detail",
    "estate-detail",
    "company-detail",
    "resolution-detail",
    "submission_detail",
    "manager-submission",
    "review-report",
    "review-inspection-score",
    "party-dashboard",
    "dashboard",
    "needs-public",  # the page of the needs list whose API is in the matrix (public, per town)
}


def test_every_route_is_in_the_matrix():
    covered = set()
    for key in MATRIX:
        if key.startswith("api/"):
            covered.add(API_NAMES[key.split("/")[1]])
        else:
            covered.add(key.split("/")[0])
    missing = sorted(
        f"{route} ({name})"
        for route, name in _routes()
        if name not in covered
        and name not in NOT_IN_GET_MATRIX
        and name not in DETAIL_ALSO_COVERED
        and name not in API_NAMES.values()
    )
    assert missing == [], "routes without a row in the access matrix:\n" + "\n".join(missing)


def _url(template, world):
    return template.format(**{k: getattr(v, "pk", v) for k, v in world.objects.items()})


def _client(world, role):
    client = Client()
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("key", list(MATRIX))
def test_get_matrix(world, key):
    template, expected = MATRIX[key]
    url = _url(template, world)
    got = tuple(_client(world, role).get(url).status_code for role in ROLES)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True)), url


# Department staff (issue 12): their department's cases and figures, nothing else of cases.
DEPARTMENT = {
    "/cases/": 200,
    "/cases/figures/": 200,
    "/cases/figures/?scope=town": 403,
    "/cases/new/": 403,
    "/cases/meetings/": 403,
    "/cases/{case_department}/": 200,
    "/cases/{case_own}/": 404,
    "/cases/{case_other_town}/": 404,
    "/deliberation/dashboard/": 403,
    "/deliberation/manage/": 403,
    "/rating/manager/": 403,
    "/accounts/verifications/": 403,
}


def test_department_staff_reach_their_departments_cases_only(world):
    client = Client()
    client.force_login(world.users["department"])
    got = {
        url: client.get(
            url.format(**{k: getattr(v, "pk", v) for k, v in world.objects.items()})
        ).status_code
        for url in DEPARTMENT
    }
    assert got == DEPARTMENT


def test_anonymous_is_sent_to_the_login_page(world):
    response = Client().get("/rating/manager/")
    assert response["Location"].startswith("/accounts/login/?next=")


# --- lists show only what the caller may see -------------------------------------------------


def _all(client, url):
    results, page = [], url + ("&" if "?" in url else "?") + "page_size=100"
    while page:
        data = client.get(page).json()
        results += data["results"]
        page = data.get("next")
    return results


def test_manager_report_lists_hold_only_their_company(world):
    from property_rating.models import AssessmentUnit, QuarterlyReport

    manager = world.users["manager"]
    client = _client(world, "manager")
    own = set(
        QuarterlyReport.objects.filter(unit__company=manager.company).values_list("pk", flat=True)
    )
    listed = {r["id"] for r in _all(client, "/api/v1/reports/")}
    assert listed == own
    assert world.objects["report_other_company"].pk not in listed
    units = {u["id"] for u in _all(client, "/api/v1/report-units/")}
    assert units <= set(
        AssessmentUnit.objects.filter(company=manager.company).values_list("pk", flat=True)
    )
    assert world.objects["unit_other_company"].pk not in units


@pytest.mark.parametrize("role", ["resident", "representative"])
def test_resident_proposal_and_session_lists_hold_only_their_estate(world, role):
    client = _client(world, role)
    estate = world.objects["home_estate"].name
    proposals = _all(client, "/api/v1/proposals/")
    assert proposals and {p["estate"] for p in proposals} == {estate}
    sessions = _all(client, "/api/v1/sessions/")
    assert sessions and {s["estate"] for s in sessions} == {estate}
    page = client.get("/deliberation/").content.decode()
    assert world.objects["proposal_other_estate"].title not in page
    assert world.objects["proposal_other_town"].title not in page


def test_community_staff_lists_hold_only_their_community(world):
    from deliberation.models import Proposal, Session

    staff = world.users["community"]
    client = _client(world, "community")
    own = set(
        Proposal.objects.filter(estate__community=staff.community).values_list("pk", flat=True)
    )
    listed = {p["id"] for p in _all(client, "/api/v1/proposals/")}
    assert listed and listed <= own
    sessions = {s["id"] for s in _all(client, "/api/v1/sessions/")}
    assert sessions <= set(
        Session.objects.filter(council__estate__community=staff.community).values_list(
            "pk", flat=True
        )
    )
    page = client.get("/deliberation/manage/").content.decode()
    assert world.objects["proposal_other_community"].title not in page
    queue = client.get("/accounts/verifications/").content.decode()
    assert "赵六" in queue and "钱七" not in queue


def test_township_staff_lists_hold_nothing_of_another_town(world):
    client = _client(world, "staff")
    proposals = {p["id"] for p in _all(client, "/api/v1/proposals/")}
    assert world.objects["proposal_other_estate"].pk in proposals
    assert world.objects["proposal_other_town"].pk not in proposals
    sessions = {s["id"] for s in _all(client, "/api/v1/sessions/")}
    assert world.objects["session_other_town"].pk not in sessions
    page = client.get("/deliberation/manage/").content.decode()
    assert world.objects["proposal_other_town"].title not in page


# --- writes: on other people's objects nothing happens -----------------------------------------

WATCHED = [
    "deliberation.Proposal",
    "deliberation.ProposalTransition",
    "deliberation.Support",
    "deliberation.Follow",
    "deliberation.Vote",
    "deliberation.OutcomeRating",
    "deliberation.Session",
    "deliberation.AgendaItem",
    "deliberation.RemediationPlan",
    "property_rating.QuarterlyReport",
    "property_rating.ReportItem",
    "property_rating.Evidence",
    "property_rating.Veto",
    "communities.ResidentVerification",
]


def _fingerprint():
    digest = {}
    for label in WATCHED:
        model = apps.get_model(label)
        rows = list(model.objects.order_by("pk").values_list())
        digest[label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digest


WRITES = [
    # (url, data) aimed at objects outside the caller's scope for most roles
    ("/accounts/verifications/{verification_other_community}/decide/", {"approve": "1"}),
    ("/rating/manager/units/{unit_other_company}/q4/start/", {}),
    ("/rating/manager/evidence/{evidence_other_company}/delete/", {}),
    ("/rating/review/vetoes/{veto_any}/revoke/", {"reason": "x"}),
    ("/deliberation/proposals/{proposal_other_estate}/support/", {}),
    ("/deliberation/proposals/{proposal_other_estate}/follow/", {}),
    ("/deliberation/proposals/{proposal_other_estate}/withdraw/", {"reason": "x"}),
    ("/deliberation/proposals/{proposal_other_community}/rate/", {"stars": "1"}),
    (
        "/deliberation/sessions/{session_other_community}/items/{agenda_other_community}/vote/",
        {"choice": "yes"},
    ),
    (
        "/deliberation/manage/proposals/{proposal_other_town}/action/",
        {"action": "reject", "reason": "x"},
    ),
    ("/deliberation/manage/councils/{council_other_town}/sessions/new/", {"date": "2030-01-01"}),
    ("/deliberation/manage/sessions/{session_other_town}/action/", {"action": "open"}),
    ("/api/v1/reports/{report_other_company}/submit/", {}),
    ("/api/v1/reports/{report_other_town}/", {"items": []}),
    ("/api/v1/proposals/{proposal_other_estate}/support/", {}),
    ("/api/v1/proposals/{proposal_other_estate}/withdraw/", {"reason": "x"}),
    ("/api/v1/sessions/{session_other_community}/votes/", {"agenda_item": 1, "choice": "yes"}),
]
# Every target above is outside the scope of every role but township staff (who see their whole
# town, so only the other-town targets apply to them).


@pytest.mark.parametrize("role", [r for r in ROLES if r != "staff"])
def test_writes_to_objects_out_of_scope_change_nothing(world, role):
    client = _client(world, role)
    before = _fingerprint()
    answers = {}
    for template, data in WRITES:
        url = _url(template, world)
        if url.startswith("/api/"):
            response = client.post(url, data, content_type="application/json")
        else:
            response = client.post(url, data)
        answers[url] = response.status_code
    assert _fingerprint() == before
    accepted = {url: code for url, code in answers.items() if code < 300 or code == 409}
    assert accepted == {}, accepted


def test_township_staff_cannot_write_to_another_town(world):
    client = _client(world, "staff")
    before = _fingerprint()
    for template, data in WRITES:
        if "other_town" not in template:
            continue
        url = _url(template, world)
        kwargs = {"content_type": "application/json"} if url.startswith("/api/") else {}
        assert client.post(url, data, **kwargs).status_code in {403, 404}, url
    assert _fingerprint() == before


def test_assessors_cannot_decide_resident_verifications(world):
    from communities.models import ResidentVerification

    verification = world.objects["verification_own"]
    response = _client(world, "assessor").post(
        f"/accounts/verifications/{verification.pk}/decide/", {"approve": "1"}
    )
    assert response.status_code == 403
    verification.refresh_from_db()
    assert verification.status == ResidentVerification.Status.PENDING


def test_community_staff_decide_their_own_communitys_verification(world):
    from communities.models import ResidentVerification

    verification = world.objects["verification_own"]
    client = _client(world, "community")
    response = client.post(f"/accounts/verifications/{verification.pk}/decide/", {"approve": "1"})
    assert response.status_code == 302
    verification.refresh_from_db()
    assert verification.status == ResidentVerification.Status.APPROVED


# --- issue 6 rules: no scoring by residents, frozen reports and published rules ---------------

HOME_WRITES = [
    ("/rating/review/reports/{report_own}/", {"action": "review", "T1-points": "15"}),
    ("/rating/review/inspections/{unit_own}/", {"score": "100"}),
    ("/rating/review/vetoes/", {"unit": "{unit_own}", "reason": "x"}),
    ("/rating/review/vetoes/{veto_any}/revoke/", {"reason": "x"}),
    ("/deliberation/manage/proposals/{proposal_own}/action/", {"action": "accept", "reason": "x"}),
    ("/deliberation/manage/sessions/{session_own}/action/", {"action": "close"}),
    ("/deliberation/manage/councils/{council_own}/sessions/new/", {"date": "2030-01-01"}),
    ("/admin/property_rating/scheme/", {"action": "publish", "_selected_action": "1"}),
]


@pytest.mark.parametrize("role", ["anonymous", "resident", "representative", "manager"])
def test_residents_and_managers_cannot_score_approve_or_publish(world, role):
    client = _client(world, role)
    before = _fingerprint()
    for template, data in HOME_WRITES:
        url = _url(template, world)
        data = {k: _url(v, world) for k, v in data.items()}
        code = client.post(url, data).status_code
        assert code in (302, 403, 404), (url, code)
        if code == 302:  # only ever to the login page, never a success redirect
            assert role == "anonymous" or url.startswith("/admin/"), url
    assert _fingerprint() == before


def test_manager_cannot_change_a_report_once_reviewed(world):
    from property_rating.models import QuarterlyReport

    report = (
        QuarterlyReport.objects.filter(
            unit__company=world.users["manager"].company, status=QuarterlyReport.Status.REVIEWED
        )
        .order_by("pk")
        .first()
    )
    client = _client(world, "manager")
    before = _fingerprint()
    code = report.items.first().task_item.code
    patch = client.patch(
        f"/api/v1/reports/{report.pk}/",
        {"items": [{"code": code, "description": "rewritten", "count": 99}]},
        content_type="application/json",
    )
    assert patch.status_code == 409
    assert client.post(f"/api/v1/reports/{report.pk}/submit/").status_code == 409
    assert _fingerprint() == before


def test_published_scoring_rules_cannot_change(world):
    from property_rating.models import Scheme

    scheme = Scheme.objects.filter(published_at__isnull=False).order_by("year").first()
    assert scheme is not None
    cap = scheme.annual_cap
    client = _client(world, "staff")
    page = client.get(f"/admin/property_rating/scheme/{scheme.pk}/change/")
    assert page.status_code == 200
    assert b'name="annual_cap"' not in page.content  # read-only once published
    client.post(
        f"/admin/property_rating/scheme/{scheme.pk}/change/",
        {"annual_cap": "999999", "year": scheme.year},
    )
    scheme.refresh_from_db()
    assert scheme.annual_cap == cap
