"""Issue 15 part 5: the main pages of every role, rendered in Chinese on the demo town, carry no
untranslated message. A text node (or a placeholder, title, label or alt) that equals an English
msgid the catalogue translates is a message that reached the page without going through gettext
in the request's language (a string translated at import time, a missing {% translate %}, a raw
choice value)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from communities.models import User
from deliberation.models import Proposal, Session

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ROLES = ("resident", "representative", "manager", "assessor", "community", "staff")
PAGES = {
    None: ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
           "/rating/public/", "/deliberation/resolutions/"],
    "resident": ["/", "/deliberation/", "/deliberation/sessions/", "/deliberation/inbox/",
                 "/deliberation/proposals/{proposal}/", "/rating/satisfaction/",
                 "/deliberation/proposals/new/"],
    "representative": ["/", "/deliberation/sessions/", "/deliberation/sessions/{session}/"],
    "manager": ["/", "/rating/manager/"],
    "assessor": ["/", "/rating/review/", "/party/dashboard/"],
    "community": ["/", "/accounts/verifications/", "/deliberation/manage/",
                  "/deliberation/dashboard/", "/deliberation/proposals/{proposal}/",
                  "/deliberation/manage/proposals/{proposal}/",
                  "/deliberation/manage/sessions/{session}/", "/party/dashboard/",
                  "/admin/overview/"],
    "staff": ["/", "/rating/staff/", "/rating/staff/charts/", "/party/dashboard/",
              "/deliberation/problem-estates/", "/deliberation/dashboard/",
              "/deliberation/manage/"],
}  # fmt: skip
ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
# The top bar's switch to English is named in English on purpose.
ALLOWED = {"English"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "svg"):
            self._skip += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style", "svg") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _english_msgids() -> set[str]:
    """Translated msgids that are plain English words (no placeholders): what would show as is."""
    ids = set()
    for entry in polib.pofile(str(PO)):
        text = entry.msgid.strip()
        if (
            entry.translated()
            and re.search(r"[A-Za-z]{3}", text)
            and "%" not in text
            and text not in ALLOWED
        ):
            ids.add(text)
    return ids


def _fragments(text: str):
    for part in re.split(r"\s*[·|:：•]\s*|\n", text):
        part = part.strip(" ()（）.,;")
        if part:
            yield part


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo", password="demo-pass-for-i18n-1", verbosity=0)
            yield {
                "proposal": Proposal.objects.filter(estate__name="糖果雅苑")
                .exclude(state="draft")
                .order_by("pk")
                .first()
                .pk,
                "session": Session.objects.filter(council__estate__name="糖果雅苑")
                .order_by("-date")
                .first()
                .pk,
            }
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_main_page_of_the_role_is_chinese(demo, role):
    msgids = _english_msgids()
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    if role:
        client.force_login(User.objects.get(username=role))
    found = {}
    for template in PAGES[role]:
        url = template.format(**demo)
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        parser = _Text()
        parser.feed(response.content.decode())
        leftovers = sorted(
            {part for text in parser.texts for part in _fragments(text) if part in msgids}
        )
        if leftovers:
            found[url] = leftovers
    assert not found, f"untranslated messages in Chinese pages: {found}"
