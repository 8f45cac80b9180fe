"""Excel/CSV import in the admin: natural names, full validation, all-or-nothing, scoped."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.factories import EstateFactory, PropertyCompanyFactory
from communities.models import Building, Estate, PropertyCompany, ServiceContract
from communities.resources import (
    BuildingResource,
    EstateResource,
    PropertyCompanyResource,
    ServiceContractResource,
)

pytestmark = pytest.mark.django_db

ESTATE_HEADERS = [
    "community",
    "name",
    "status",
    "delivery_date",
    "planned_households",
    "residents",
    "supervising_unit",
    "is_old_estate",
    "address",
]


def csv_file(headers, rows, name="data.csv"):
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(name, dataset.export("csv").encode("utf-8"), "text/csv")


def xlsx_file(headers, rows, name="data.xlsx"):
    dataset = tablib.Dataset(*rows, headers=headers)
    return SimpleUploadedFile(
        name,
        dataset.export("xlsx"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def format_index(client, url, label):
    """Index of a format in the import form (import-export chooses formats by index)."""
    form = client.get(url).context["form"]
    choices = {str(label).upper(): value for value, label in form.fields["format"].choices}
    return choices[label]


def admin_import(client, model, upload, fmt):
    url = reverse(f"admin:communities_{model}_import")
    return client.post(url, {"import_file": upload, "format": format_index(client, url, fmt)})


def confirm(client, model, response):
    confirm_form = response.context["confirm_form"]
    data = {
        name: field.initial if field.initial is not None else confirm_form.initial.get(name)
        for name, field in confirm_form.fields.items()
    }
    data.update(confirm_form.initial)
    return client.post(reverse(f"admin:communities_{model}_process_import"), data)


def test_township_staff_import_estates_from_csv_by_community_name(
    client, township_staff, two_communities
):
    client.force_login(township_staff)
    upload = csv_file(
        ESTATE_HEADERS,
        [
            [
                "海南洲社区",
                "新导入花园",
                "delivered",
                "2018-05-01",
                800,
                2400,
                "",
                "0",
                "里水大道1号",
            ],
            ["金溪社区", "在建小区", "under_construction", "", 1200, 0, "", "0", ""],
        ],
    )
    response = admin_import(client, "estate", upload, "CSV")
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert not Estate.objects.exists()  # the first step is a dry run
    done = confirm(client, "estate", response)
    assert done.status_code == 302
    assert Estate.objects.get(name="新导入花园").community == two_communities[0]
    assert Estate.objects.get(name="在建小区").community == two_communities[1]


def test_file_with_one_bad_row_saves_nothing_and_reports_that_row(
    client, township_staff, two_communities
):
    client.force_login(township_staff)
    upload = xlsx_file(
        ESTATE_HEADERS,
        [
            ["海南洲社区", "好小区一", "delivered", "2018-05-01", 800, 2400, "", "0", ""],
            # A delivered estate needs its delivery date.
            ["海南洲社区", "坏小区", "delivered", "", 800, 2400, "", "0", ""],
            ["金溪社区", "好小区二", "delivered", "2019-05-01", 800, 2400, "", "0", ""],
        ],
    )
    response = admin_import(client, "estate", upload, "XLSX")
    result = response.context["result"]
    assert result.has_validation_errors()
    invalid = result.invalid_rows
    assert [row.number for row in invalid] == [2]
    assert "delivery_date" in invalid[0].field_specific_errors
    assert "confirm_form" not in response.context
    body = response.content.decode()
    assert "坏小区" in body
    assert not Estate.objects.exists()


def test_resource_import_rolls_back_the_whole_file_on_a_bad_row(township_staff, two_communities):
    dataset = tablib.Dataset(
        ["海南洲社区", "好小区", "delivered", "2018-05-01", 1, 1, "", "0", ""],
        ["不存在社区", "坏小区", "delivered", "2018-05-01", 1, 1, "", "0", ""],
        headers=ESTATE_HEADERS,
    )
    result = EstateResource(user=township_staff).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    assert result.invalid_rows[0].number == 2
    assert "不存在社区" in str(result.invalid_rows[0].error)
    assert not Estate.objects.exists()


def test_community_staff_cannot_import_estates_into_another_community(
    client, community_staff, two_communities
):
    client.force_login(community_staff)
    upload = csv_file(
        ESTATE_HEADERS,
        [
            ["海南洲社区", "本社区小区", "planned", "", 10, 0, "", "0", ""],
            ["金溪社区", "越界小区", "planned", "", 10, 0, "", "0", ""],
        ],
    )
    response = admin_import(client, "estate", upload, "CSV")
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [2]
    assert "金溪社区" in str(result.invalid_rows[0].error)
    assert not Estate.objects.exists()


def test_community_staff_cannot_update_another_community_estate_by_import(
    community_staff, two_communities
):
    other = EstateFactory(community=two_communities[1], name="中恒海晖", residents=100)
    dataset = tablib.Dataset(
        ["金溪社区", "中恒海晖", "delivered", "2015-01-01", 1, 99999, "", "0", ""],
        headers=ESTATE_HEADERS,
    )
    result = EstateResource(user=community_staff).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    other.refresh_from_db()
    assert other.residents == 100


def test_buildings_import_by_estate_name_within_scope(community_staff, two_communities):
    EstateFactory(community=two_communities[0], name="糖果雅苑")
    EstateFactory(community=two_communities[1], name="中恒海晖")
    dataset = tablib.Dataset(
        ["糖果雅苑", "1栋", 18], ["中恒海晖", "1栋", 18], headers=["estate", "name", "floors"]
    )
    result = BuildingResource(user=community_staff).import_data(dataset, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [2]
    assert not Building.objects.exists()


def test_company_import_reports_a_bad_credit_code_with_its_row(township_staff):
    dataset = tablib.Dataset(
        ["甲物业服务有限公司", "91350100M000100Y43", ""],
        ["乙物业服务有限公司", "91350100M000100Y44", ""],
        ["丙物业服务有限公司", "", ""],
        headers=["name", "credit_code", "address"],
    )
    result = PropertyCompanyResource(user=township_staff).import_data(dataset, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [2]
    assert "credit_code" in result.invalid_rows[0].field_specific_errors
    assert not PropertyCompany.objects.exists()


def test_contract_import_resolves_company_by_credit_code_or_name_and_rejects_overlap(
    township_staff, two_communities
):
    estate = EstateFactory(community=two_communities[0], name="糖果雅苑")
    by_code = PropertyCompanyFactory(name="时代物业", credit_code="91350100M000100Y43")
    by_name = PropertyCompanyFactory(name="碧桂园物业", credit_code="")
    headers = ["estate", "company", "valid_from", "valid_to"]
    good = tablib.Dataset(
        ["糖果雅苑", "91350100M000100Y43", "2019-01-01", "2020-12-31"],
        ["糖果雅苑", "碧桂园物业", "2021-01-01", ""],
        headers=headers,
    )
    result = ServiceContractResource(user=township_staff).import_data(good, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert list(estate.contracts.order_by("valid_from").values_list("company", flat=True)) == [
        by_code.pk,
        by_name.pk,
    ]
    overlapping = tablib.Dataset(["糖果雅苑", "时代物业", "2022-01-01", ""], headers=headers)
    result = ServiceContractResource(user=township_staff).import_data(overlapping, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [1]
    assert ServiceContract.objects.count() == 2


def test_export_contains_natural_names_not_ids(client, township_staff, two_communities):
    EstateFactory(community=two_communities[0], name="糖果雅苑")
    EstateFactory(name="别镇小区")
    client.force_login(township_staff)
    url = reverse("admin:communities_estate_export")
    form = client.get(url).context["form"]
    csv_index = next(v for v, label in form.fields["format"].choices if str(label).upper() == "CSV")
    response = client.post(
        url,
        {
            "format": csv_index,
            "resource": 0,
            **{f"estateresource_{f}": "on" for f in ESTATE_HEADERS},
        },
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8-sig")
    data = tablib.Dataset().load(io.StringIO(text).read(), format="csv")
    # The admin's export names its columns in the user's language (the commands keep English).
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        community, name = gettext("community"), gettext("name")
    assert data[community] == ["海南洲社区"]
    assert data[name] == ["糖果雅苑"]


def test_households_import_by_estate_and_building_names_within_scope(
    community_staff, two_communities
):
    from communities.factories import BuildingFactory
    from communities.models import Household
    from communities.resources import HouseholdResource

    own = BuildingFactory(estate__community=two_communities[0], estate__name="糖果雅苑", name="1栋")
    BuildingFactory(estate__community=two_communities[1], estate__name="中恒海晖", name="1栋")
    headers = ["estate", "building", "room"]
    good = tablib.Dataset(["糖果雅苑", "1栋", "101"], ["糖果雅苑", "1栋", "102"], headers=headers)
    result = HouseholdResource(user=community_staff).import_data(good, dry_run=False)
    assert not result.has_validation_errors() and not result.has_errors()
    assert sorted(own.households.values_list("room", flat=True)) == ["101", "102"]

    bad = tablib.Dataset(["糖果雅苑", "1栋", "103"], ["中恒海晖", "1栋", "101"], headers=headers)
    result = HouseholdResource(user=community_staff).import_data(bad, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [2]
    assert "中恒海晖" in str(result.invalid_rows[0].error)
    assert Household.objects.count() == 2


def test_company_import_cannot_change_a_company_serving_only_another_town(township_staff):
    from communities.factories import ServiceContractFactory

    theirs = ServiceContractFactory(company__name="外镇物业有限公司").company  # another town
    ours = ServiceContractFactory(
        estate=EstateFactory(community__town=township_staff.town),
        company__name="本镇物业有限公司",
    ).company
    dataset = tablib.Dataset(
        ["本镇物业有限公司", ours.credit_code, "本镇新址"],
        ["外镇物业有限公司", theirs.credit_code, "被改的地址"],
        headers=["name", "credit_code", "address"],
    )
    result = PropertyCompanyResource(user=township_staff).import_data(dataset, dry_run=False)
    assert [row.number for row in result.invalid_rows] == [2]
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.address != "被改的地址"
    assert ours.address != "本镇新址"  # one bad row: nothing of the file is saved
