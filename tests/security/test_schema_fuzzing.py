"""Schema fuzzing: schemathesis drives every GET operation of /api/schema/ through the WSGI app,
anonymously and as a signed-in township staff member: no 5xx, no status code the schema does not
document, bodies that match the schema. Writes with a wrong content type get 415."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from communities.factories import (
    EstateFactory,
    PropertyCompanyFactory,
    PropertyManagerFactory,
    ServiceContractFactory,
    verified_resident,
)

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))  # scripts/fuzz_api.sh runs it long
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db, town, community):
    from governance.wsgi import application

    # Some data, so detail endpoints and lists have something to serialise.
    estate = EstateFactory(community=community)
    contract = ServiceContractFactory(estate=estate, company=PropertyCompanyFactory())
    PropertyManagerFactory(username="fuzz-manager", company=contract.company)
    # Like Django's test client: the WSGI handler must not close the test's connection (and its
    # transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(township_staff):
    return Token.objects.create(user=township_staff).key


def _fuzz_get_operations(schema, headers=None) -> list[str]:
    """Run every GET operation with a few generated cases; return the failures found."""
    failures, operations = [], 0
    for result in schema.include(method="GET").get_all_operations():
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
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    assert operations >= 20, operations  # the whole API was fuzzed, not an empty schema
    return failures


def test_get_operations_anonymously(api_schema):
    assert _fuzz_get_operations(api_schema) == []


def test_get_operations_as_property_manager(api_schema):
    from communities.models import User

    token = Token.objects.create(user=User.objects.get(username="fuzz-manager")).key
    assert _fuzz_get_operations(api_schema, {"Authorization": f"Token {token}"}) == []


def test_get_operations_as_township_staff(api_schema, staff_token):
    failures = _fuzz_get_operations(api_schema, {"Authorization": f"Token {staff_token}"})
    assert failures == []


@pytest.mark.parametrize(
    ("path", "make_user"),
    [
        ("/api/v1/proposals/", lambda: verified_resident()),
        ("/api/v1/reports/", lambda: PropertyManagerFactory()),
    ],
)
def test_a_write_with_a_wrong_content_type_gets_415(client, path, make_user):
    # Given a user who may write there (so the refusal is about the body, not the permission),
    client.force_login(make_user())
    client.cookies.pop("csrftoken", None)
    response = client.post(path, data="<xml>not json</xml>", content_type="application/xml")
    assert response.status_code == 415
    assert "detail" in response.json()
