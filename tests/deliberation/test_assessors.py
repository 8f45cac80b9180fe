"""Assessors score property companies; they have no part in councils (domain.md)."""

import pytest
from rest_framework.test import APIClient

from communities.factories import AssessorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/deliberation/manage/", "/deliberation/dashboard/", "/deliberation/problem-estates/"]
)
def test_assessor_cannot_open_deliberation_staff_pages(client, path):
    client.force_login(AssessorFactory())
    assert client.get(path).status_code in (403, 404)


@pytest.mark.parametrize("path", ["/api/v1/proposals/", "/api/v1/sessions/"])
def test_assessor_lists_no_proposals_or_sessions(path):
    api = APIClient()
    api.force_authenticate(AssessorFactory())
    response = api.get(path)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.json()["count"] == 0


def test_assessor_does_not_see_deliberation_in_the_admin(client):
    client.force_login(AssessorFactory())
    assert client.get("/admin/deliberation/proposal/").status_code == 403
