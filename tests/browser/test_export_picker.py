"""Township staff open an admin export in Chinese (issue 15.5): the field picker names every
column in Chinese, as the exported header will; the page fits 1366 px."""

import datetime

import pytest

from communities.factories import (
    CommunityFactory,
    EstateFactory,
    TownFactory,
    TownshipStaffFactory,
)
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


def test_export_picker_lists_chinese_column_names(page, live_server, screenshot_dir):
    town = TownFactory(name="里水镇")
    EstateFactory(
        community=CommunityFactory(town=town, name="海南洲社区"),
        name="糖果雅苑",
        delivery_date=datetime.date(2015, 3, 1),
    )
    TownshipStaffFactory(town=town, username="staff")
    log_in(page, live_server.url, "staff")
    page.goto(f"{live_server.url}/admin/communities/estate/export/")
    labels = page.locator("form label").all_inner_texts()
    page.screenshot(path=f"{screenshot_dir}/export_picker.png", full_page=True)
    text = " ".join(labels)
    assert "交付日期" in text and "规划户数" in text
    assert "Delivery Date" not in text and "Planned Households" not in text
    assert "Select all" not in text and "全选" in text
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
