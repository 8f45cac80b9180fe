"""Issue 15 part 5: 403, 404 and 500 answer in Chinese in the site layout; the 500 page renders
without a request context (no session, user or database), which may be what failed."""

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from communities.factories import UserFactory
from governance.views import FALLBACK_500, server_error

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom), path("", include("governance.urls"))]
handler500 = "governance.views.server_error"


def test_404_is_chinese_in_the_site_layout(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-404"' in page and "找不到该页面" in page and 'class="topbar"' in page


def test_403_is_chinese_in_the_site_layout(client):
    client.force_login(UserFactory())
    response = client.get("/accounts/verifications/")  # residents verify no one
    page = response.content.decode()
    assert response.status_code == 403
    assert "您无权打开此页面" in page and 'class="topbar"' in page


@override_settings(ROOT_URLCONF=__name__)
def test_500_is_chinese_in_the_site_layout():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器出错了" in page and 'class="topbar"' in page and "boom" not in page


def test_500_falls_back_to_plain_chinese_when_the_layout_cannot_render(settings, rf):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [], "APP_DIRS": False, "OPTIONS": {"loaders": []}}
    ]
    response = server_error(rf.get("/"))
    assert response.status_code == 500 and response.content.decode() == FALLBACK_500
