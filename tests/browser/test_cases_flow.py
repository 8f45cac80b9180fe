"""A real browser: a resident files a case with a photo on a phone, the responsible department
replies in its queue, and the resident's rating closes the case. Screenshots at each step."""

import io
import os

import pytest
from PIL import Image

from communities.departments import Department
from communities.factories import (
    BuildingFactory,
    HouseholdFactory,
    ResidentVerificationFactory,
    UserFactory,
)
from communities.models import User
from deliberation.cases.models import Case
from deliberation.cases.services import responsibility_list_ensure
from tests.browser.helpers import log_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.mark.browser
def test_resident_files_department_replies_and_rating_closes(
    page, live_server, screenshot_dir, tmp_path
):
    household = HouseholdFactory(building=BuildingFactory(name="2栋"), room="301")
    estate = household.building.estate
    town = estate.community.town
    responsibility_list_ensure(town=town)
    resident = UserFactory(username="resident", role=User.Role.RESIDENT)
    ResidentVerificationFactory(user=resident, household=household)
    department = Department.objects.get(town=town, name="综合行政执法办")
    officer = UserFactory(username="department", role=User.Role.DEPARTMENT_STAFF, town=town)
    department.staff.add(officer)
    base = live_server.url
    shot = lambda name: page.screenshot(  # noqa: E731
        path=os.path.join(screenshot_dir, f"cases_{name}.png"), full_page=True
    )
    photo = tmp_path / "shed.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "gray").save(buf, "PNG")
    photo.write_bytes(buf.getvalue())

    page.set_viewport_size(PHONE)
    log_in(page, base, "resident")
    page.click("[data-testid=cases-link]")
    page.click("[data-testid=file-case]")
    page.select_option("select[name=category]", label="C05 违章搭建")
    page.fill("input[name=title]", "楼顶违章搭建")
    page.fill("textarea[name=description]", "2栋楼顶新建铁皮房")
    page.set_input_files("input[name=photos]", str(photo))
    shot("1_resident_files")
    page.click("[data-testid=case-form] button[type=submit]")
    page.wait_for_selector("[data-testid=case-state]")
    shot("2_resident_case")
    case = Case.objects.get(title="楼顶违章搭建")
    assert case.photos.count() == 1
    assert "综合行政执法办" in page.inner_text("[data-testid=current-assignment]")

    log_in(page, base, "department")
    page.click("[data-testid=cases-link]")
    page.click("text=楼顶违章搭建")
    page.click("[data-testid=accept]")
    page.fill("[data-testid=reply-form] textarea[name=text]", "已责令拆除，现场已恢复")
    page.set_input_files("[data-testid=reply-form] input[name=evidence]", str(photo))
    shot("3_department_replies")
    page.click("[data-testid=reply-form] button[name=action]")
    page.wait_for_selector("[data-testid=reply]")
    case.refresh_from_db()
    assert case.state == Case.State.REPLIED

    log_in(page, base, "resident")
    page.goto(f"{base}/cases/{case.pk}/")
    page.select_option("[data-testid=rate-form] select[name=rating]", "5")
    page.click("[data-testid=rate-form] button[name=action]")
    page.wait_for_selector("[data-testid=case-state]")
    shot("4_resident_rated")
    case.refresh_from_db()
    assert (case.state, case.rating) == (Case.State.CLOSED, 5)
