"""Excel/CSV import of members, assignments and visits: scoped lookups, row errors, all or nothing."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.factories import CommunityStaffFactory, TownshipStaffFactory
from party_grid.models import HouseholdAssignment, PartyMember, Visit
from party_grid.resources import HouseholdAssignmentResource, PartyMemberResource, VisitResource

MEMBER_HEADERS = [
    "id",
    "organization",
    "name",
    "phone",
    "is_registered_in_service",
    "employer",
    "is_building_head",
    "joined_on",
    "left_on",
]


def upload(headers, rows, fmt="csv"):
    data = tablib.Dataset(*rows, headers=headers)
    if fmt == "xlsx":
        return SimpleUploadedFile(
            "members.xlsx",
            data.export("xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    return SimpleUploadedFile("members.csv", data.export("csv").encode(), "text/csv")


def format_index(client, url, label):
    form = client.get(url).context["form"]
    return {str(lbl).upper(): value for value, lbl in form.fields["format"].choices}[label]


def test_member_import_with_a_bad_row_saves_nothing_and_lists_the_row_errors(client, crafted_town):
    t = crafted_town
    client.force_login(TownshipStaffFactory(town=t.town))
    before = PartyMember.objects.count()
    url = reverse("admin:party_grid_partymember_import")
    rows = [
        ["", t.g1.pk, "新党员甲", "13900001111", "0", "", "1", "2021-05-01", ""],
        ["", 999999, "新党员乙", "13900002222", "0", "", "0", "2021-05-01", ""],  # no such org
        ["", t.g1.pk, "新党员丙", "", "1", "", "0", "2021-05-01", ""],  # in-service, no employer
        ["", t.g1.pk, "新党员丁", "", "0", "", "0", "2021-05-01", "2021-01-01"],  # left early
    ]
    response = client.post(
        url,
        {
            "import_file": upload(MEMBER_HEADERS, rows, "xlsx"),
            "format": format_index(client, url, "XLSX"),
        },
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    assert sorted(row.number for row in result.invalid_rows) == [2, 3, 4]
    html = response.content.decode()
    assert "999999" in html  # the bad organisation is named in the row's error
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert PartyMember.objects.count() == before


def test_resource_rolls_back_good_rows_when_one_row_is_bad(crafted_town):
    t = crafted_town
    user = TownshipStaffFactory(town=t.town)
    dataset = tablib.Dataset(
        [
            "",
            t.m1.pk,
            "",
            f"{t.h1.building.estate.name} {t.h1.building.name} 102",
            "2021-05-01",
            "",
        ],
        ["", t.m1.pk, "", "不存在的小区 1栋 101", "2021-05-01", ""],
        headers=["id", "member", "member_name", "household", "valid_from", "valid_to"],
    )
    t.h1.building.households.create(room="102")
    before = HouseholdAssignment.objects.count()
    result = HouseholdAssignmentResource(user=user).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [2]
    assert HouseholdAssignment.objects.count() == before


def test_good_assignment_file_is_saved_with_who_created_it(crafted_town):
    t = crafted_town
    user = TownshipStaffFactory(town=t.town)
    household = t.h1.building.households.create(room="103")
    dataset = tablib.Dataset(
        ["", t.m1.pk, f"{t.e1.name} {t.h1.building.name} 103", "2021-05-01", ""],
        headers=["id", "member", "household", "valid_from", "valid_to"],
    )
    result = HouseholdAssignmentResource(user=user).import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assignment = HouseholdAssignment.objects.get(household=household)
    assert assignment.member == t.m1 and assignment.created_by == user


def test_community_staff_cannot_import_into_another_community(crafted_town):
    t = crafted_town
    user = CommunityStaffFactory(community=t.a)
    dataset = tablib.Dataset(
        ["", t.m5.pk, "", t.h5.pk, "2021-12-01", "door", "走访", ""],  # m5, h5 are community B's
        headers=[
            "id",
            "member",
            "grid_worker",
            "household",
            "visited_on",
            "channel",
            "note",
            "problem",
        ],
    )
    before = Visit.objects.count()
    result = VisitResource(user=user).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    errors = result.invalid_rows[0].field_specific_errors
    assert {"member", "household"} <= set(errors)
    assert Visit.objects.count() == before


def test_community_staff_cannot_overwrite_another_communitys_member_by_id(crafted_town):
    t = crafted_town
    user = CommunityStaffFactory(community=t.a)
    dataset = tablib.Dataset(
        [t.m5.pk, t.g1.pk, "改名", "", "0", "", "0", "2021-05-01", ""], headers=MEMBER_HEADERS
    )
    result = PartyMemberResource(user=user).import_data(dataset, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    t.m5.refresh_from_db()
    assert t.m5.name != "改名"


def test_visit_import_records_who_imported_it(crafted_town):
    t = crafted_town
    user = TownshipStaffFactory(town=t.town)
    dataset = tablib.Dataset(
        ["", t.m1.pk, "", t.h2.pk, "2021-10-08", "phone", "电话回访", "楼道灯坏了"],
        headers=[
            "id",
            "member",
            "grid_worker",
            "household",
            "visited_on",
            "channel",
            "note",
            "problem",
        ],
    )
    result = VisitResource(user=user).import_data(dataset, dry_run=False)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    visit = Visit.objects.get(visited_on="2021-10-08")
    assert visit.recorded_by == user and visit.problem == "楼道灯坏了"


def test_export_lists_only_the_staffs_community(client, crafted_town):
    t = crafted_town
    client.force_login(CommunityStaffFactory(community=t.a))
    url = reverse("admin:party_grid_partymember_export")
    form = client.get(url).context["form"]
    csv_value = {str(lbl).upper(): v for v, lbl in form.fields["format"].choices}["CSV"]
    data = {"format": csv_value, "export_items": [t.m1.pk, t.m5.pk]}
    for name in form.fields:
        if name.startswith("partymemberresource_"):
            data[name] = "on"
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200, body[:500]
    assert t.m1.name in body and t.m5.name not in body


@pytest.fixture(autouse=True)
def _db(db):
    return db


def test_exported_phones_are_masked_and_reimporting_them_keeps_the_numbers(crafted_town):
    t = crafted_town
    user = TownshipStaffFactory(town=t.town)
    resource = PartyMemberResource(user=user)
    exported = resource.export(queryset=PartyMember.objects.filter(pk=t.m1.pk))
    assert exported.dict[0]["phone"] == "138****1234"
    result = PartyMemberResource(user=user).import_data(exported, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    t.m1.refresh_from_db()
    assert t.m1.phone == "13812341234"
