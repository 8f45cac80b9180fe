"""Region defaults for cases (regions.md): district and city staff set the categories and
deadlines a new town of their region starts from, and each town then edits them as its own."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from communities.factories import CityStaffFactory, DistrictStaffFactory, TownshipStaffFactory
from communities.models import Region, Town
from deliberation.cases import services
from deliberation.cases.defaults import DEFAULT_CATEGORIES
from deliberation.cases.models import CaseCategory, CaseSettings
from deliberation.cases.region_defaults import RegionCaseCategory, RegionCaseSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    city = Region.objects.create(name="柳州市", kind=Region.Kind.CITY)
    district = Region.objects.create(name="柳江区", kind=Region.Kind.DISTRICT, city=city)
    bare = Region.objects.create(name="柳北区", kind=Region.Kind.DISTRICT, city=city)
    return {"city": city, "district": district, "bare": bare}


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _codes(town):
    return dict(CaseCategory.objects.filter(town=town).values_list("code", "name"))


def test_a_new_town_starts_from_its_districts_categories_and_its_citys_deadlines(tree):
    RegionCaseCategory.objects.create(
        region=tree["district"], code="L01", name="小区物业", first_level="estate",
        department_name="区住建局驻镇办",
    )  # fmt: skip
    RegionCaseCategory.objects.create(
        region=tree["city"], code="S01", name="市级类别", first_level="town", department_name="x"
    )
    RegionCaseSettings.objects.create(region=tree["city"], reply_days_estate=2, accept_days=2)
    labao = Town.objects.create(name="拉堡镇", district=tree["district"])

    services.responsibility_list_ensure(town=labao)

    assert _codes(labao) == {"L01": "小区物业"}
    category = CaseCategory.objects.get(town=labao, code="L01")
    assert category.department.name == "区住建局驻镇办" and category.department.town == labao
    settings = services.settings_for(labao.pk)
    assert (settings.reply_days_estate, settings.accept_days, settings.reply_days_town) == (
        2,
        2,
        10,
    )


def test_a_town_of_a_district_without_defaults_starts_from_its_citys(tree):
    RegionCaseCategory.objects.create(
        region=tree["city"], code="S01", name="市级类别", first_level="town", department_name="x"
    )
    town = Town.objects.create(name="石碑坪镇", district=tree["bare"])
    services.responsibility_list_ensure(town=town)
    assert _codes(town) == {"S01": "市级类别"}


def test_a_town_outside_any_region_with_defaults_starts_from_the_built_in_list(tree):
    town = Town.objects.create(name="无区镇")
    plain = Town.objects.create(name="柳北镇", district=tree["bare"])
    for each in (town, plain):
        services.responsibility_list_ensure(town=each)
        assert set(_codes(each)) == {row[0] for row in DEFAULT_CATEGORIES}
        assert not CaseSettings.objects.filter(town=each).exists()  # built-in deadlines


def test_a_towns_own_edits_stay_when_the_region_changes_its_defaults(tree):
    default = RegionCaseCategory.objects.create(
        region=tree["district"], code="L01", name="小区物业", first_level="estate",
        department_name="住建办",
    )  # fmt: skip
    defaults = RegionCaseSettings.objects.create(region=tree["district"], reply_days_estate=2)
    town = Town.objects.create(name="拉堡镇", district=tree["district"])
    services.responsibility_list_ensure(town=town)
    CaseCategory.objects.filter(town=town, code="L01").update(name="镇里改的名")
    CaseSettings.objects.filter(town=town).update(reply_days_estate=4)

    default.name = "区里新名"
    default.save()
    defaults.reply_days_estate = 1
    defaults.save()
    services.responsibility_list_ensure(town=town)

    assert _codes(town) == {"L01": "镇里改的名"}
    assert services.settings_for(town.pk).reply_days_estate == 4


def test_case_defaults_command_starts_a_town_from_its_district(tree):
    RegionCaseCategory.objects.create(
        region=tree["district"], code="L01", name="小区物业", first_level="estate",
        department_name="住建办",
    )  # fmt: skip
    Town.objects.create(name="拉堡镇", district=tree["district"])
    out = io.StringIO()
    call_command("case_defaults", town="柳江区/拉堡镇", stdout=out)
    assert "1 categories" in out.getvalue()
    assert _codes(Town.objects.get(name="拉堡镇")) == {"L01": "小区物业"}


def _category_form(region, code="L01"):
    return {
        "region": region.pk,
        "code": code,
        "name": "小区物业",
        "first_level": "estate",
        "department_name": "住建办",
    }


def test_district_staff_keep_their_districts_defaults_in_the_admin(tree):
    staff = DistrictStaffFactory(region=tree["district"])
    client = _client(staff)
    response = client.post(
        "/admin/deliberation/regioncasecategory/add/", _category_form(tree["district"])
    )
    assert response.status_code == 302
    row = RegionCaseCategory.objects.get(region=tree["district"], code="L01")
    assert row.updated_by == staff
    response = client.post(
        "/admin/deliberation/regioncasesettings/add/",
        {"region": tree["district"].pk, "accept_days": 1, "reply_days_estate": 2,
         "reply_days_community": 5, "reply_days_town": 10, "urgent_accept_hours": 2,
         "urgent_reply_hours": 24, "rating_days": 3, "duplicate_days": 30},
    )  # fmt: skip
    assert response.status_code == 302
    assert RegionCaseSettings.objects.get(region=tree["district"]).reply_days_estate == 2
    assert client.post(_admin_delete(row), {"post": "yes"}).status_code == 302
    assert not RegionCaseCategory.objects.filter(pk=row.pk).exists()


def _admin_delete(row):
    return f"/admin/deliberation/regioncasecategory/{row.pk}/delete/"


def test_region_staff_neither_see_nor_set_another_regions_defaults(tree, settings):
    settings.LANGUAGE_CODE = "en"
    other = RegionCaseCategory.objects.create(
        region=tree["bare"], code="B01", name="别区的", first_level="estate", department_name="x"
    )
    client = _client(DistrictStaffFactory(region=tree["district"]))
    listed = client.get("/admin/deliberation/regioncasecategory/")
    assert listed.status_code == 200 and "别区的" not in listed.content.decode()
    change = f"/admin/deliberation/regioncasecategory/{other.pk}/change/"
    assert client.get(change).status_code == 302  # the admin's "not found"
    response = client.post(
        "/admin/deliberation/regioncasecategory/add/", _category_form(tree["bare"], "B02")
    )
    assert response.status_code == 200  # the form again, with the region refused
    assert "region" in response.context["adminform"].form.errors
    assert not RegionCaseCategory.objects.filter(code="B02").exists()
    assert client.post(_admin_delete(other), {"post": "yes"}).status_code in (302, 403)
    assert RegionCaseCategory.objects.filter(pk=other.pk).exists()


def test_city_staff_set_their_citys_defaults_and_township_staff_none(tree):
    city_staff = _client(CityStaffFactory(region=tree["city"]))
    response = city_staff.post(
        "/admin/deliberation/regioncasecategory/add/", _category_form(tree["city"], "S01")
    )
    assert response.status_code == 302
    town = Town.objects.create(name="拉堡镇", district=tree["district"])
    township = _client(TownshipStaffFactory(town=town))
    assert township.get("/admin/deliberation/regioncasecategory/").status_code == 403
    response = township.post(
        "/admin/deliberation/regioncasecategory/add/", _category_form(tree["district"], "T01")
    )
    assert response.status_code == 403
    assert not RegionCaseCategory.objects.filter(code="T01").exists()
