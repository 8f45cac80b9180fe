"""Bulletins (通报, regions.md): numbered region reports with each town's figures, ranked, marked,
frozen once issued, as a page and a PDF."""

import datetime
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from communities.bulletins.models import Bulletin
from communities.bulletins.services import bulletin_issue
from communities.factories import (
    CityStaffFactory,
    CommunityFactory,
    DistrictStaffFactory,
    EstateFactory,
    RegionFactory,
    TownFactory,
    TownshipStaffFactory,
)
from communities.models import Region
from party_grid.factories import BranchFactory, CommitteeFactory

D = datetime.date


@pytest.fixture
def district(db):
    """甲区 of 测试市: 北镇 (2 estates, both single-built), 南镇 (2 estates, one), 西镇 (none)."""
    city = RegionFactory(name="测试市", kind=Region.Kind.CITY, city=None)
    district = RegionFactory(name="甲区", city=city)
    for name, single in (("北镇", 2), ("南镇", 1), ("西镇", 0)):
        community = CommunityFactory(town=TownFactory(name=name, district=district))
        committee = CommitteeFactory(community=community)
        for i in range(2):
            estate = EstateFactory(community=community)
            if i < single:
                BranchFactory(parent=committee, estates=[estate])
    return district


def _issue(district, by, **overrides):
    towns = {t.name: t.pk for t in district.towns()}
    args = {
        "region": district,
        "title": "2022年度小区党建工作通报",
        "period_start": D(2022, 1, 1),
        "period_end": D(2022, 12, 31),
        "comment": "北镇成效明显，予以表扬；西镇尚无小区党支部，予以批评。",
        "praise": [towns["北镇"]],
        "criticism": [towns["西镇"]],
        "by": by,
    }
    return bulletin_issue(**{**args, **overrides})


def test_a_bulletin_ranks_the_towns_by_their_figures_and_carries_the_marks(district):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    rows = bulletin.table["rows"]
    assert [(r["town"], r["rank"], r["mark"]) for r in rows] == [
        ("北镇", 1, "praise"),
        ("南镇", 2, ""),
        ("西镇", 3, "criticism"),
    ]
    assert rows[0]["values"]["party_coverage"] == "1.0000"
    assert rows[1]["values"]["single_built_rate"] == "0.5000"


def test_bulletins_are_numbered_per_region_and_year(district):
    staff = DistrictStaffFactory(region=district)
    first, second = _issue(district, staff), _issue(district, staff)
    assert (first.number, second.number) == (1, 2)
    assert second.reference.startswith("甲区〔")


def test_an_issued_bulletin_cannot_change(district):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    bulletin.comment = "改过的意见"
    with pytest.raises(ValidationError):
        bulletin.save()
    with pytest.raises(ValidationError):
        Bulletin.objects.filter(pk=bulletin.pk).update(comment="改过的意见")
    with pytest.raises(ValidationError):
        bulletin.delete()
    with pytest.raises(ValidationError):
        Bulletin.objects.filter(pk=bulletin.pk).delete()
    assert Bulletin.objects.get(pk=bulletin.pk).comment.startswith("北镇成效明显")


def test_an_issued_bulletin_keeps_its_figures_when_the_records_change(district):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    west = district.towns().get(name="西镇")
    committee = CommitteeFactory(community=west.communities.get())
    for estate in west.communities.get().estates.all():
        BranchFactory(parent=committee, estates=[estate])
    stored = Bulletin.objects.get(pk=bulletin.pk).table
    assert stored["rows"][2]["values"]["party_coverage"] == "0.0000"


def test_only_the_regions_own_staff_issue_its_bulletins(district):
    for outsider in (
        TownshipStaffFactory(town=district.towns().first()),
        DistrictStaffFactory(region=RegionFactory(name="乙区", city=None)),
        CityStaffFactory(region=district.city),  # the city issues the city's bulletins
    ):
        with pytest.raises(ValidationError):
            _issue(district, outsider)
    assert not Bulletin.objects.exists()


def test_staff_issue_a_bulletin_from_the_page_and_read_it(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    towns = {t.name: t.pk for t in district.towns()}
    response = client.post(
        reverse("bulletins:bulletin-new", args=[district.pk]),
        {
            "title": "年度通报",
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
            "comment": "意见",
            "praise": [towns["北镇"]],
            "criticism": [towns["西镇"]],
        },
    )
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("bulletins:bulletin-detail", args=[bulletin.pk]))
    assert page.status_code == 200
    assert "北镇" in page.content.decode() and bulletin.reference in page.content.decode()


def test_a_town_praised_and_criticised_at_once_is_a_form_error(client, district):
    client.force_login(DistrictStaffFactory(region=district))
    north = district.towns().get(name="北镇").pk
    response = client.post(
        reverse("bulletins:bulletin-new", args=[district.pk]),
        {
            "title": "通报",
            "period_start": "2022-01-01",
            "period_end": "2022-12-31",
            "comment": "意见",
            "praise": [north],
            "criticism": [north],
        },
    )
    assert response.status_code == 200
    assert "criticism" in response.context["form"].errors
    assert not Bulletin.objects.exists()


def test_staff_of_another_district_cannot_read_a_bulletin(client, district):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    client.force_login(DistrictStaffFactory(region=RegionFactory(name="乙区", city=None)))
    assert client.get(reverse("bulletins:bulletin-detail", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("bulletins:bulletin-pdf", args=[bulletin.pk])).status_code == 404
    assert client.get(reverse("bulletins:bulletin-new", args=[district.pk])).status_code == 404
    client.force_login(CityStaffFactory(region=district.city))
    assert client.get(reverse("bulletins:bulletin-detail", args=[bulletin.pk])).status_code == 200


def test_the_bulletin_pdf_is_rendered_with_its_figures(client, district, tmp_path):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    client.force_login(DistrictStaffFactory(region=district))
    response = client.get(reverse("bulletins:bulletin-pdf", args=[bulletin.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pdf = tmp_path / "bulletin.pdf"
    pdf.write_bytes(response.content)
    # pdftotext (poppler-utils, installed by .ci/run) reads back what a reader would see.
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "北镇" in text and "2022年度小区党建工作通报" in text


def test_a_bulletin_carries_every_apps_figures_and_the_regions_own_row(client, district):
    bulletin = _issue(district, DistrictStaffFactory(region=district))
    keys = [f["key"] for f in bulletin.table["figures"]]
    assert {"rating_average_score", "cases_on_time_reply_rate", "project_output_items"} <= set(keys)
    # 3 of the region's 6 estates have a single-built branch: taken over the region's estates.
    assert bulletin.table["region"]["single_built_rate"] == "0.5000"
    assert bulletin.table["region"]["three_without_estates"] is not None
    client.force_login(DistrictStaffFactory(region=district))
    page = client.get(reverse("bulletins:bulletin-detail", args=[bulletin.pk])).content.decode()
    assert 'data-testid="region-row"' in page and "50.00%" in page
