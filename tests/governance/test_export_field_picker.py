"""The admin export's field picker names each column as the export will (the model's verbose
name, translated), not import-export's title-cased attribute names ("Delivery Date")."""

import re

import pytest
from django.urls import reverse

from communities.factories import UserFactory

pytestmark = pytest.mark.django_db
LATIN = re.compile(r"[A-Za-z]")


@pytest.fixture
def superuser_client(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def picker_labels(client, admin_name):
    response = client.get(reverse(f"admin:{admin_name}_export"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    form = response.context["form"]
    labels = [str(f.label) for f in form.fields.values() if getattr(f, "is_selectable_field", 0)]
    assert labels, "the export page offers its fields to pick"
    return labels, response.content.decode()


def test_estate_export_picker_shows_chinese_labels(superuser_client):
    labels, page = picker_labels(superuser_client, "communities_estate")
    assert labels[:4] == ["社区", "名称", "状态", "交付日期"]
    assert "Delivery Date" not in page and "Planned Households" not in page
    assert "Select all" not in page and "全选" in page  # import-export's own template word
    assert [label for label in labels if LATIN.search(label)] == []


@pytest.mark.parametrize(
    "admin_name",
    ["communities_household", "communities_ownerscommittee", "property_rating_payout"],
)
def test_other_export_pickers_carry_no_english_label(superuser_client, admin_name):
    labels, _page = picker_labels(superuser_client, admin_name)
    assert [label for label in labels if LATIN.search(label)] == []


def test_picker_in_english_uses_the_english_verbose_names(client, settings):
    settings.LANGUAGE_CODE = "en"
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    response = client.get(reverse("admin:communities_estate_export"), HTTP_ACCEPT_LANGUAGE="en")
    labels = [
        str(f.label)
        for f in response.context["form"].fields.values()
        if getattr(f, "is_selectable_field", 0)
    ]
    assert "delivery date" in labels
