"""Open accounts (双晒): the company files a period's statement with documents; it is published
to the estate's residents only; late filing is flagged; trust-based contracts file monthly."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from communities import accounts_services as services
from communities.factories import (
    CommunityStaffFactory,
    EstateFactory,
    HouseholdFactory,
    PropertyManagerFactory,
    ServiceContractFactory,
    verified_resident,
)
from communities.models import AccountStatement, ServiceContract
from governance.notifications.models import Notification

pytestmark = pytest.mark.django_db
LINES = [
    ("fee_income", "物业费", Decimal("120000.00")),
    ("fee_spending", "保洁", Decimal("40000.00")),
    ("public_revenue", "停车", Decimal("8000.00")),
    ("public_use", "电梯维修", Decimal("5000.00")),
]


@pytest.fixture
def contract(db):
    return ServiceContractFactory(
        estate=EstateFactory(name="糖果雅苑"), valid_from=datetime.date(2020, 1, 1)
    )


@pytest.fixture
def manager(contract):
    return PropertyManagerFactory(company=contract.company)


def png():
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buf, "PNG")
    return SimpleUploadedFile("收支表.png", buf.getvalue(), content_type="image/png")


def file(contract, manager, start=datetime.date(2026, 1, 1), now=None, **kw):
    return services.statement_file(
        estate=contract.estate,
        period_start=start,
        fund_balance=Decimal("1500000.00"),
        lines=LINES,
        by=manager,
        now=now or timezone.make_aware(datetime.datetime(2026, 4, 10, 9)),
        **kw,
    )


def test_company_files_a_quarter_on_time(contract, manager):
    statement = file(contract, manager, documents=[png()])
    assert statement.frequency == "quarterly" and statement.period_end == datetime.date(2026, 3, 31)
    assert statement.due_on == datetime.date(2026, 4, 30) and not statement.is_late
    assert statement.documents.count() == 1 and statement.filer == contract.company.name


def test_statement_filed_after_its_due_date_is_flagged_late(contract, manager):
    statement = file(contract, manager, now=timezone.make_aware(datetime.datetime(2026, 5, 2, 9)))
    assert statement.is_late


def test_trust_based_contract_files_monthly_and_names_a_supervisor(contract, manager):
    contract.kind = "trust"
    contract.supervisor = ""
    with pytest.raises(ValidationError):
        contract.full_clean()
    ServiceContract.objects.filter(pk=contract.pk).update(kind="trust", supervisor="业主监察人")
    with pytest.raises(ValidationError):  # a month starts on the 1st
        file(contract, manager, start=datetime.date(2026, 1, 15))
    statement = file(contract, manager, start=datetime.date(2026, 2, 1))
    assert statement.frequency == "monthly" and statement.period_end == datetime.date(2026, 2, 28)


def test_manager_of_another_company_cannot_file(contract):
    with pytest.raises(PermissionDenied):
        file(contract, PropertyManagerFactory())
    assert not AccountStatement.objects.exists()


def test_period_filed_twice_is_refused(contract, manager):
    file(contract, manager)
    with pytest.raises(ValidationError):
        file(contract, manager)


def test_statements_are_visible_to_the_estates_residents_only(client, contract, manager):
    statement = file(contract, manager, documents=[png()])
    document = statement.documents.get()
    resident = verified_resident(HouseholdFactory(building__estate=contract.estate))
    outsider = verified_resident(HouseholdFactory(building__estate=EstateFactory()))
    client.force_login(resident)
    assert "糖果雅苑" in client.get(reverse("statement-list")).content.decode()
    assert client.get(reverse("statement-detail", args=[statement.pk])).status_code == 200
    assert client.get(reverse("statement-document", args=[document.pk])).status_code == 200
    client.force_login(outsider)
    assert 'data-testid="statement"' not in client.get(reverse("statement-list")).content.decode()
    assert client.get(reverse("statement-detail", args=[statement.pk])).status_code == 404
    assert client.get(reverse("statement-document", args=[document.pk])).status_code == 404
    client.force_login(CommunityStaffFactory())
    assert client.get(reverse("statement-detail", args=[statement.pk])).status_code == 404


def test_manager_files_through_the_portal_and_bad_lines_are_refused(client, contract, manager):
    client.force_login(manager)
    url = reverse("statement-file")
    data = {
        "estate": contract.estate.pk,
        "period_start": "2026-01-01",
        "fund_balance": "1000.00",
        "lines": "fee_income,物业费,100\nnonsense line",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and not AccountStatement.objects.exists()
    data["lines"] = "fee_income,物业费,100.00\npublic_revenue,广告,20"
    assert client.post(url, data).status_code == 302
    assert AccountStatement.objects.get().lines.count() == 2
    client.force_login(verified_resident(HouseholdFactory(building__estate=contract.estate)))
    assert client.get(url).status_code == 403


def test_missing_statements_are_flagged_to_staff_once(contract, manager):
    staff = CommunityStaffFactory(community=contract.estate.community)
    on = datetime.date(2026, 5, 5)
    file(contract, manager, start=datetime.date(2025, 10, 1))
    sent = services.flag_missing_statements(on=on)
    keys = set(Notification.objects.filter(user=staff).values_list("key", flat=True))
    assert f"statement-late:{contract.estate.pk}:20260101" in keys  # Q1 2026, due 30 April
    assert f"statement-late:{contract.estate.pk}:20251001" not in keys  # filed
    assert sent >= 1 and services.flag_missing_statements(on=on) == 0
