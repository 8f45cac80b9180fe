"""The region tree above the towns (regions.md "The tree"): cities, districts and counties,
towns unique within their district, naming a town or region, and the region staff roles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities import roles, scoping
from communities.factories import CommunityFactory, TownFactory, UserFactory
from communities.models import Region, RoleGrant, Town, User
from communities.regions import area_from_params, region_from_argument, town_from_argument

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    liuzhou = Region.objects.create(name="柳州市", kind=Region.Kind.CITY)
    liujiang = Region.objects.create(name="柳江区", kind=Region.Kind.DISTRICT, city=liuzhou)
    liubei = Region.objects.create(name="柳北区", kind=Region.Kind.DISTRICT, city=liuzhou)
    labao = Town.objects.create(name="拉堡镇", district=liujiang)
    baipeng = Town.objects.create(name="白沙镇", district=liujiang)
    other = Town.objects.create(name="白沙镇", district=liubei)
    return {"city": liuzhou, "liujiang": liujiang, "liubei": liubei, "labao": labao,
            "baipeng": baipeng, "other": other}  # fmt: skip


def test_a_town_name_repeats_across_districts_but_not_within_one(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Town.objects.create(name="拉堡镇", district=tree["liujiang"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Town.objects.create(name="无区镇")
        Town.objects.create(name="无区镇")


def test_a_city_lies_in_no_other_region(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="市中市", kind=Region.Kind.CITY, city=tree["city"])


def test_a_town_in_a_city_directly_is_refused(tree):
    with pytest.raises(ValidationError) as error:
        Town(name="直属镇", district=tree["city"]).full_clean()
    assert "district" in error.value.message_dict


def test_a_regions_towns_are_its_own_or_its_districts(tree):
    assert set(tree["liujiang"].towns()) == {tree["labao"], tree["baipeng"]}
    assert set(tree["city"].towns()) == {tree["labao"], tree["baipeng"], tree["other"]}
    assert list(tree["liubei"].towns()) == [tree["other"]]


def test_a_repeated_town_name_needs_its_district_or_id(tree, settings):
    settings.LANGUAGE_CODE = "en"
    with pytest.raises(ValidationError, match="district/town"):
        town_from_argument("白沙镇")
    assert town_from_argument("柳北区/白沙镇") == tree["other"]
    assert town_from_argument(str(tree["baipeng"].pk)) == tree["baipeng"]
    assert town_from_argument("拉堡镇") == tree["labao"]
    with pytest.raises(ValidationError, match="no town"):
        town_from_argument("柳北区/拉堡镇")


def test_regions_are_named_by_name_city_and_name_or_id(tree):
    assert region_from_argument("柳江区", city=False) == tree["liujiang"]
    assert region_from_argument("柳州市/柳北区", city=False) == tree["liubei"]
    assert region_from_argument(str(tree["city"].pk), city=True) == tree["city"]
    with pytest.raises(ValidationError):
        region_from_argument("柳江区", city=True)  # a district is not a city
    with pytest.raises(ValidationError):
        region_from_argument(str(tree["liujiang"].pk), city=True)


def test_query_parameters_name_one_area_and_bad_ones_say_which(tree):
    area = area_from_params({"district": "柳江区"})
    assert set(area.town_ids()) == {tree["labao"].pk, tree["baipeng"].pk}
    assert area_from_params({"city": "柳州市"}).label == "柳州市"
    assert area_from_params({}) is None
    with pytest.raises(ValidationError) as error:
        area_from_params({"district": "无此区"})
    assert list(error.value.message_dict) == ["district"]
    with pytest.raises(ValidationError) as error:
        area_from_params({"town": "拉堡镇", "city": "柳州市"})
    assert list(error.value.message_dict) == ["city"]


def test_district_staff_read_the_towns_of_their_district_only(tree):
    staff = UserFactory(role=User.Role.DISTRICT_STAFF, town=None, region=tree["liujiang"])
    assert roles.region_town_ids(staff) == {tree["labao"].pk, tree["baipeng"].pk}
    assert scoping.reader_town_ids(staff) == {tree["labao"].pk, tree["baipeng"].pk}
    assert roles.is_region_staff(staff) and not roles.is_staff(staff)
    city_staff = UserFactory(role=User.Role.CITY_STAFF, town=None, region=tree["city"])
    assert roles.region_town_ids(city_staff) == {t.pk for t in Town.objects.all()}
    township = UserFactory(role=User.Role.TOWNSHIP_STAFF, town=tree["labao"])
    assert roles.region_town_ids(township) == set()


def test_region_roles_need_a_region_of_their_level(tree, settings):
    settings.LANGUAGE_CODE = "en"
    cases = [
        (User.Role.DISTRICT_STAFF, {"region": tree["city"]}),
        (User.Role.DISTRICT_STAFF, {}),
        (User.Role.CITY_STAFF, {"region": tree["liujiang"]}),
        (User.Role.CITY_STAFF, {"region": tree["city"], "town": tree["labao"]}),
        (User.Role.TOWNSHIP_STAFF, {"region": tree["liujiang"], "town": tree["labao"]}),
    ]
    user = UserFactory()
    for role, scope in cases:
        with pytest.raises(ValidationError) as error:
            RoleGrant(user=user, role=role, **scope).full_clean()
        assert "region" in error.value.message_dict, (role, scope)
    RoleGrant(user=user, role=User.Role.CITY_STAFF, region=tree["city"]).full_clean()


def test_a_further_region_grant_widens_what_the_user_reads(tree):
    staff = UserFactory(role=User.Role.DISTRICT_STAFF, town=None, region=tree["liubei"])
    RoleGrant.objects.create(user=staff, role=User.Role.DISTRICT_STAFF, region=tree["liujiang"])
    staff = User.objects.get(pk=staff.pk)
    assert roles.region_town_ids(staff) == {t.pk for t in Town.objects.all()}


def test_the_town_api_names_district_and_city(tree, client):
    CommunityFactory(town=tree["labao"])
    rows = {row["id"]: row for row in client.get("/api/v1/towns/").json()["results"]}
    assert rows[tree["labao"].pk]["district"] == "柳江区"
    assert rows[tree["labao"].pk]["city"] == "柳州市"
    TownFactory(name="无区镇")
    rows = {row["name"]: row for row in client.get("/api/v1/towns/").json()["results"]}
    assert rows["无区镇"]["district"] == "" and rows["无区镇"]["city"] == ""
