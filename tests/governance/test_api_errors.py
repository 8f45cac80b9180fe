"""Every answer under /api/ is JSON and every error body an object (issue 10, item 6): unknown
paths, bad ids, and validation errors that were bare lists."""

import pytest
from rest_framework import exceptions

from governance.api.errors import exception_handler

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/no-such-thing/",
        "/api/v1/proposals/1/no-such-action/",
        "/api/v2/ratings/",
    ],
)
def test_an_unknown_api_path_answers_a_json_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


def test_an_unknown_portal_path_still_answers_an_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_validation_error_raised_as_a_list_answers_an_object():
    response = exception_handler(exceptions.ValidationError(["one", "two"]), {})
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["one", "two"]}


def test_a_validation_error_raised_as_a_string_answers_an_object():
    response = exception_handler(exceptions.ValidationError("bad"), {})
    assert response.data == {"non_field_errors": ["bad"]}


def test_a_django_validation_error_reaching_a_view_is_a_400_with_messages():
    from django.core.exceptions import ValidationError

    response = exception_handler(ValidationError({"title": ["too long"]}), {})
    assert response.status_code == 400
    assert response.data == {"title": ["too long"]}


def test_field_errors_are_kept_as_they_are():
    response = exception_handler(exceptions.ValidationError({"title": ["required"]}), {})
    assert response.data == {"title": ["required"]}


def test_a_server_error_under_the_api_is_json_and_elsewhere_html(rf):
    from governance.api.errors import server_error

    api = server_error(rf.get("/api/v1/proposals/"))
    assert api.status_code == 500
    assert api["Content-Type"] == "application/json"
    page = server_error(rf.get("/deliberation/"))
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
