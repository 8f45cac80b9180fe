"""Headers (issue 10, item 8): a strict Content-Security-Policy and a Permissions-Policy on every
page, attachments never cached; and the pages still work under the policy in a real browser
(no CSP violation on each portal, the admin's change form and the API docs)."""

import re

import pytest
from django.test import Client

from communities.factories import EstateFactory, PropertyManagerFactory
from deliberation.factories import CouncilFactory, resident_of

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_STYLE = re.compile(r"<style[\s>]|\sstyle=\"|\son[a-z]+=\"", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.fixture
def people(db):
    from django.contrib.auth import get_user_model

    estate = EstateFactory()
    CouncilFactory(estate=estate)
    return {
        "resident": resident_of(estate),
        "manager": PropertyManagerFactory(),
        "admin": get_user_model().objects.create_superuser("csp-admin", "a@example.com", "pw-1"),
        "estate": estate,
    }


def pages(people):
    estate = people["estate"]
    return [
        (None, "/"),
        (None, "/accounts/login/"),
        (None, "/rating/public/"),
        (None, "/api/docs/"),
        ("resident", "/"),
        ("resident", "/deliberation/"),
        ("resident", "/deliberation/proposals/new/"),
        ("manager", "/"),
        ("manager", "/rating/manager/"),
        ("manager", "/rating/manager/api-token/"),
        ("admin", "/admin/"),
        ("admin", f"/admin/communities/estate/{estate.pk}/change/"),
    ]


def test_every_page_has_a_strict_policy_and_no_inline_code(people):
    for role, path in pages(people):
        client = Client()
        if role:
            client.force_login(people[role])
        response = client.get(path)
        assert response.status_code == 200, (role, path, response.status_code)
        policy = directives(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], path  # no 'unsafe-inline', no nonce needed
        assert policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        assert "camera=()" in response["Permissions-Policy"]
        assert "geolocation=()" in response["Permissions-Policy"]
        html = response.content.decode()
        if not path.startswith("/admin/"):  # Django's admin: checked in the browser below
            assert not INLINE_SCRIPT.search(html), (path, INLINE_SCRIPT.search(html).group(0))
            found = INLINE_STYLE.search(html)
            assert not found, (path, html[found.start() - 80 : found.end() + 80])


def test_json_answers_carry_the_headers_too(client):
    response = client.get("/api/v1/ratings/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "Permissions-Policy" in response


def test_a_proposal_attachment_download_is_never_stored(people, settings, tmp_path):
    from django.core.files.base import ContentFile

    from deliberation.models import Attachment, Proposal

    client = Client()
    client.force_login(people["resident"])
    created = client.post(
        "/api/v1/proposals/",
        {"title": "外墙", "description": "瓷砖脱落", "category": "other"},
        content_type="application/json",
    )
    proposal = Proposal.objects.get(pk=created.json()["id"])
    attachment = Attachment(
        proposal=proposal, original_name="a.pdf", uploaded_by=people["resident"]
    )
    attachment.file.save("a.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    response = client.get(f"/deliberation/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_any_file_sent_as_an_attachment_is_never_stored(rf):
    """Exports (the admin's, import-export's) answer files as attachments too: whatever view
    sends one, the middleware marks it private, no-store."""
    from django.http import HttpResponse

    from governance.middleware import SecurityHeadersMiddleware

    def export_view(request):
        response = HttpResponse(b"a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="estates.csv"'
        response["Cache-Control"] = "max-age=600"
        return response

    response = SecurityHeadersMiddleware(export_view)(rf.get("/admin/x/export/"))
    assert response["Cache-Control"] == "private, no-store"
    page = SecurityHeadersMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert "Cache-Control" not in page


# ---------------------------------------------------------------------------------------------
# In a real browser
# ---------------------------------------------------------------------------------------------

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + e.sourceFile + ':' + e.lineNumber);
});
"""


@pytest.fixture
def browser_people(transactional_db):
    from django.contrib.auth import get_user_model

    estate = EstateFactory()
    CouncilFactory(estate=estate)
    return {
        "resident": resident_of(estate),
        "manager": PropertyManagerFactory(),
        "admin": get_user_model().objects.create_superuser("csp-admin", "a@example.com", "pw-1"),
        "estate": estate,
    }


def _as(page, live_server, user):
    page.context.clear_cookies()
    if user is None:
        return
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": live_server.url,
            }
        ]
    )


def _visit(page, url) -> list[str]:
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return console + page.evaluate("window.__csp")


@pytest.mark.browser
def test_pages_work_in_a_browser_without_any_csp_violation(
    page, live_server, browser_people, screenshot_dir
):
    page.add_init_script(WATCH)
    estate = browser_people["estate"]
    visits = [
        ("resident", "/deliberation/"),
        ("resident", "/deliberation/proposals/new/"),
        ("manager", "/rating/manager/"),
        ("manager", "/rating/manager/api-token/"),
        (None, "/rating/public/"),
        ("admin", f"/admin/communities/estate/{estate.pk}/change/"),
        (None, "/api/docs/"),
    ]
    for role, path in visits:
        _as(page, live_server, browser_people[role] if role else None)
        violations = _visit(page, live_server.url + path)
        assert violations == [], (path, violations)
        if path.startswith("/admin/"):
            # The change form's scripts ran: Django's admin namespace and its jQuery are there.
            assert page.evaluate(
                "typeof django === 'object' && typeof django.jQuery === 'function'"
            )
            assert page.locator("input[name=_save]").is_visible()
        if path == "/api/docs/":
            page.wait_for_selector(".swagger-ui .information-container .title", timeout=15000)
            assert page.locator(".opblock").count() > 5  # the operations rendered from the schema
        page.screenshot(path=f"{screenshot_dir}/csp{path.replace('/', '_')}.png")
    # The policy is enforced and the watcher sees it: an injected inline script is blocked.
    page.evaluate("window.__csp = []")
    with pytest.raises(Exception):  # noqa: B017,PT011  Playwright's error for a refused script
        page.add_script_tag(content="window.__injected = 1")
    assert page.evaluate("typeof window.__injected") == "undefined"
    assert page.evaluate("window.__csp.length") >= 1
    # The portal's behaviour moved from inline handlers to static/js/portal.js still works.
    _as(page, live_server, browser_people["resident"])
    page.goto(live_server.url + "/deliberation/")
    select = page.locator("select[data-autosubmit]").first
    if select.count():
        with page.expect_navigation():
            select.select_option(index=1)
        assert "state=" in page.url
