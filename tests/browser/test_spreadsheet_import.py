"""Community staff import a large estates file in the admin (issue 15): the import page offers
the template, a file above the threshold becomes a background job and its page shows the result."""

import pytest

from communities.factories import CommunityFactory, CommunityStaffFactory, TownFactory
from communities.models import Estate
from tests.browser.helpers import log_in

HEADER = "社区,名称,状态,交付日期,规划户数,居民人数\n"


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 900}, "locale": "zh-CN"}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_download_the_template_and_a_large_file_runs_as_a_job(
    page, live_server, settings, tmp_path, screenshot_dir
):
    settings.IMPORT_JOB_THRESHOLD = 5
    community = CommunityFactory(town=TownFactory(name="里水镇"), name="海南洲社区")
    CommunityStaffFactory(username="hainanzhou", community=community)
    big = tmp_path / "小区.csv"
    body = "".join(f"海南洲社区,导入小区{i},delivered,2015-01-01,100,300\n" for i in range(12))
    big.write_bytes((HEADER + body).encode("gb18030"))

    log_in(page, live_server.url, "hainanzhou")
    page.goto(f"{live_server.url}/admin/communities/estate/import/")
    assert page.locator(".import-templates a").count() == 2
    page.screenshot(path=f"{screenshot_dir}/spreadsheet_import_page.png", full_page=True)
    with page.expect_download() as download:
        page.locator(".import-templates a").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    page.set_input_files("input[name=import_file]", str(big))
    page.select_option("select[name=format]", label="csv")
    page.click("input[type=submit]")
    page.wait_for_selector(".import-job[data-status=done]")
    page.screenshot(path=f"{screenshot_dir}/spreadsheet_import_job_done.png", full_page=True)
    assert "12" in page.inner_text(".import-job")
    assert Estate.objects.count() == 12
