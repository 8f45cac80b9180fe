"""issue 15.2 on the assessment upload page: a template to start from, and Chinese column
headers accepted (the import_assessment command keeps its English contract columns)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from communities.factories import EstateFactory, PropertyCompanyFactory
from property_rating.models import AssessmentUnit

pytestmark = pytest.mark.django_db
ROW = "海南洲社区,糖果雅苑,时代物业,90,91,92,93,80,85,\n"


@pytest.fixture
def known(community):
    EstateFactory(community=community, name="糖果雅苑")
    PropertyCompanyFactory(name="时代物业")


def test_staff_download_the_upload_template_with_every_column(client, staff, scheme):
    client.force_login(staff)
    page = client.get(reverse("admin:property_rating_scheme_import", args=[scheme.pk]))
    url = reverse("admin:property_rating_scheme_import_template", args=[scheme.pk, "csv"])
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    # Labels in the user's language (Chinese by default), one per column of the contract.
    assert header.startswith("社区,小区,物业服务企业,")
    assert len(header.split(",")) == 10
    xlsx = client.get(
        reverse("admin:property_rating_scheme_import_template", args=[scheme.pk, "xlsx"])
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_upload_page_accepts_chinese_headers(client, staff, scheme, known):
    client.force_login(staff)
    # Chinese labels, English labels and English column names may be mixed.
    header = (
        "社区,小区,物业服务企业,Q1 score,q2,q3,q4,satisfaction score,年终检查评分,veto_reason\n"
    )
    response = client.post(
        reverse("admin:property_rating_scheme_import", args=[scheme.pk]),
        {"file": SimpleUploadedFile("考核.csv", (header + ROW).encode("gb18030"))},
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    unit = AssessmentUnit.objects.get(year=2021, estate__name="糖果雅苑")
    assert unit.company.name == "时代物业"


def test_the_command_keeps_its_english_columns(tmp_path, scheme, known):
    path = tmp_path / "a.csv"
    path.write_text("社区,小区,物业服务企业,q1,q2,q3,q4,满意度,年终检查评分,veto_reason\n" + ROW)
    with pytest.raises(CommandError):
        call_command("import_assessment", str(path), "--town", "里水镇", "--year", "2021")
    assert not AssessmentUnit.objects.exists()
