"""Schema fuzzing of the write operations (POST, PUT, PATCH, DELETE) of /api/schema/, as each
role (issue 10, item 6): no 5xx, and every error body is a JSON object. A bounded run here
(FUZZ_EXAMPLES per operation, default 5); scripts/fuzz_api.sh runs it long."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from communities.factories import CommunityStaffFactory, TownshipStaffFactory
from deliberation.factories import CouncilFactory, ProposalFactory, SessionFactory, resident_of

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
WRITES = ["POST", "PUT", "PATCH", "DELETE"]


@pytest.fixture
def fuzz_world(db, report_setup):
    """Objects for each role to write to: a manager's draft report, a resident's council with a
    proposal, a session."""
    report, _line, manager = report_setup
    council = CouncilFactory()
    resident = resident_of(council.estate)
    ProposalFactory(council=council, proposer=resident, household=resident.verified_household)
    SessionFactory(council=council)
    return {
        "anonymous": None,
        "resident": resident,
        "manager": manager,
        "community_staff": CommunityStaffFactory(community=council.estate.community),
        "township_staff": TownshipStaffFactory(town=council.estate.community.town),
    }


@pytest.fixture
def api_schema(fuzz_world):
    from governance.wsgi import application

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _json_body(response):
    content_type = response.headers.get("content-type") or response.headers.get("Content-Type")
    if isinstance(content_type, list):
        content_type = content_type[0] if content_type else ""
    if not content_type or "json" not in content_type:
        return None
    return response.json()


def fuzz_writes(schema, headers=None) -> list[str]:
    failures, operations = [], 0
    for result in schema.include(method=WRITES).get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case):
            response = case.call_and_validate(headers=headers, checks=[not_a_server_error])
            if response.status_code >= 400:
                body = _json_body(response)
                assert isinstance(body, dict), (
                    f"{case.method} {case.formatted_path}: {response.status_code} body is "
                    f"{type(body).__name__}, not a JSON object: {str(body)[:300]}"
                )

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations >= 8, operations  # the API's writes were fuzzed, not an empty schema
    return failures


@pytest.mark.parametrize(
    "role", ["anonymous", "resident", "manager", "community_staff", "township_staff"]
)
def test_write_operations_never_answer_5xx(api_schema, fuzz_world, role):
    user = fuzz_world[role]
    headers = None
    if user is not None:
        headers = {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    assert fuzz_writes(api_schema, headers) == []
