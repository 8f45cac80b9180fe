import pytest
from django.db import transaction
from django.test import override_settings

from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    EstateFactory,
    PropertyManagerFactory,
    ResidentFactory,
    ServiceContractFactory,
    TownFactory,
    TownshipStaffFactory,
)
from deliberation.factories import CouncilFactory, resident_of
from property_rating.factories import (
    AssessmentUnitFactory,
    QuarterlyReportFactory,
    ReportItemFactory,
    SchemeFactory,
)
from property_rating.models import QuarterlyReport

PASSWORD = "pw-for-tests-1"  # communities.factories.UserFactory's password


@pytest.fixture(scope="module")
def world_media(tmp_path_factory):
    return tmp_path_factory.mktemp("world-media")


@pytest.fixture(autouse=True)
def _media_root(request, settings, tmp_path):
    # The attack world's files live in one directory for its whole module; other tests get a
    # fresh, empty one each (as tests/conftest.py does).
    if "world" in request.fixturenames:
        settings.MEDIA_ROOT = request.getfixturevalue("world_media")
    else:
        settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, world_media):
    """tests/builders.py's attack world, built once per module inside a transaction rolled back at the
    module's end; each test runs in a savepoint inside it."""
    from tests.builders import attack_world

    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=world_media):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield attack_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _english(settings):
    # Tests assert on the English source messages; the site itself defaults to zh-hans.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def town(db):
    return TownFactory(name="里水镇")


@pytest.fixture
def community(town):
    return CommunityFactory(town=town, name="海南洲社区")


@pytest.fixture
def township_staff(town):
    return TownshipStaffFactory(username="township", town=town)


@pytest.fixture
def community_staff(community):
    return CommunityStaffFactory(username="hainanzhou", community=community)


@pytest.fixture
def resident(db):
    return ResidentFactory(username="resident1", phone="13812345678")


def login(client, username, password=PASSWORD, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


@pytest.fixture
def report_setup(db):
    """A draft quarterly report with one line, and a manager of its company."""
    town = TownFactory()
    estate = EstateFactory(community=CommunityFactory(town=town))
    contract = ServiceContractFactory(estate=estate)
    SchemeFactory(town=town, year=2021)
    unit = AssessmentUnitFactory(estate=estate, company=contract.company, town=town, year=2021)
    report = QuarterlyReportFactory(unit=unit, quarter=1, status=QuarterlyReport.Status.DRAFT)
    line = ReportItemFactory(report=report)
    manager = PropertyManagerFactory(company=contract.company)
    return report, line, manager


@pytest.fixture
def resident_setup(db):
    """A verified resident of an estate with a council."""
    council = CouncilFactory()
    return resident_of(council.estate)
