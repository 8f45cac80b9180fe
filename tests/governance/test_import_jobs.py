"""Large admin imports run as background jobs (issue 15): above IMPORT_JOB_THRESHOLD rows the
upload becomes an ImportJob imported by a Celery task, with a progress page and a result page
that only its owner (and superusers) can see; still all-or-nothing with line-numbered errors."""

import time

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.factories import (
    CommunityFactory,
    CommunityStaffFactory,
    TownFactory,
    UserFactory,
)
from communities.models import Estate
from governance.models import ImportJob
from governance.spreadsheets.jobs import progress_key, run_import_job

HEADER = "社区,名称,状态,交付日期,规划户数,居民人数\n"


def rows(n, community="海南洲社区", start=0):
    return "".join(
        f"{community},导入小区{i},delivered,2015-01-01,100,300\n" for i in range(start, start + n)
    )


@pytest.fixture
def staff(db):
    community = CommunityFactory(town=TownFactory(name="里水镇"), name="海南洲社区")
    return CommunityStaffFactory(username="hainanzhou", community=community)


def upload(client, text, encoding="gb18030"):
    url = reverse("admin:communities_estate_import")
    form = client.get(url).context["form"]
    csv_choice = next(
        v for v, label in form.fields["format"].choices if str(label).upper() == "CSV"
    )
    file = SimpleUploadedFile("小区.csv", text.encode(encoding))
    return client.post(url, {"import_file": file, "format": csv_choice})


@pytest.mark.django_db
def test_a_file_above_the_threshold_becomes_a_job_that_imports_everything(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD = 5
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, HEADER + rows(8))
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("import-job", args=[job.pk])
    assert (job.created_by, job.model_label, job.status) == (staff, "communities.estate", "done")
    assert Estate.objects.count() == 8
    assert (job.total_rows, job.processed_rows, job.counts) == (8, 8, {"new": 8})

    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert 'http-equiv="refresh"' not in body  # finished: no more refreshing
    assert job.get_status_display() in body


@pytest.mark.django_db
def test_a_job_with_a_bad_row_saves_nothing_and_names_the_line(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_JOB_THRESHOLD = 5
    client.force_login(staff)
    # Line 1 is the header; line 5 names a community the user may not use, line 8 a bad date.
    text = HEADER + rows(3) + rows(1, community="别的社区", start=3) + rows(2, start=4)
    text += "海南洲社区,坏日期小区,delivered,not-a-date,100,300\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, text)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert not Estate.objects.exists()  # all or nothing
    lines = sorted({error["line"] for error in job.errors})
    assert lines == [5, 8], job.errors
    body = client.get(response["Location"]).content.decode()
    assert "别的社区" in body
    assert "<td>5</td>" in body and "<td>8</td>" in body


@pytest.mark.django_db
def test_a_small_file_keeps_the_inline_preview(client, staff, settings):
    settings.IMPORT_JOB_THRESHOLD = 5
    client.force_login(staff)
    response = upload(client, HEADER + rows(5))
    assert response.status_code == 200
    assert response.context["confirm_form"]
    assert not ImportJob.objects.exists()


def make_job(user, text=None, **values):
    text = text or HEADER + rows(3)
    job = ImportJob(
        created_by=user, model_label="communities.estate", original_name="a.csv", file_format="csv"
    )
    job.file.save("a.csv", ContentFile(text.encode("gbk")), save=False)
    for key, value in values.items():
        setattr(job, key, value)
    job.save()
    return job


@pytest.mark.django_db
def test_the_progress_page_shows_the_rows_done_and_refreshes_itself(client, staff):
    job = make_job(staff, status="running", total_rows=10_000)
    cache.set(progress_key(job.pk), 2500)
    client.force_login(staff)
    body = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert '<progress max="100" value="25">' in body
    assert "2500" in body and "10000" in body
    assert '<meta http-equiv="refresh" content="2">' in body
    assert "<script>" not in body  # the strict CSP allows no inline script


@pytest.mark.django_db
def test_another_users_job_is_not_found(client, staff):
    job = make_job(staff)
    other = CommunityStaffFactory(username="other", community=staff.community)
    client.force_login(other)
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 404
    assert client.get(reverse("import-job", args=[job.pk + 1000])).status_code == 404
    client.logout()
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 302  # to log in
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 200


@pytest.mark.django_db
def test_a_job_delivered_twice_imports_once(staff):
    job = make_job(staff)
    assert run_import_job(job.pk) == "done"
    assert run_import_job(job.pk) == "skipped"
    assert Estate.objects.count() == 3


@pytest.mark.django_db
def test_a_job_whose_starter_lost_the_right_to_import_saves_nothing(staff):
    job = make_job(staff)
    staff.is_active = False
    staff.save()
    assert run_import_job(job.pk) == "failed"
    assert not Estate.objects.exists()


def test_a_real_celery_worker_runs_an_import_job(celery_worker, client, settings):
    settings.IMPORT_JOB_THRESHOLD = 5
    community = CommunityFactory(town=TownFactory(name="里水镇"), name="海南洲社区")
    staff = CommunityStaffFactory(username="hainanzhou", community=community)
    client.force_login(staff)
    response = upload(client, HEADER + rows(20))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.finished:
            break
        time.sleep(0.2)
    assert job.status == "done", job.errors
    assert Estate.objects.count() == 20
    assert "20" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_failed_after_an_hour_and_says_so(client, staff, settings):
    import datetime as dt

    settings.LANGUAGE_CODE = "en"  # asserts on the English source message

    import time_machine
    from django.utils import timezone

    from governance.spreadsheets.jobs import fail_stuck_jobs
    from governance.tasks import fail_stuck_import_jobs

    settings.IMPORT_JOB_STUCK_AFTER_MINUTES = 60
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
    stuck = make_job(staff, status="running", started_at=start, total_rows=5000)
    cache.set(progress_key(stuck.pk), 1200)
    recent = make_job(staff, status="running", started_at=start + dt.timedelta(minutes=30))
    waiting = make_job(staff)
    with time_machine.travel(start + dt.timedelta(minutes=59), tick=False):
        assert fail_stuck_jobs() == 0
    with time_machine.travel(start + dt.timedelta(minutes=61), tick=False):
        assert fail_stuck_import_jobs() == 1
        assert fail_stuck_jobs() == 0  # idempotent
    stuck.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert stuck.status == "failed" and stuck.processed_rows == 0
    assert "nothing was saved" in stuck.errors[0]["message"]
    assert cache.get(progress_key(stuck.pk)) is None
    assert (recent.status, waiting.status) == ("running", "pending")
    assert not Estate.objects.exists()
    client.force_login(staff)
    body = client.get(reverse("import-job", args=[stuck.pk])).content.decode()
    assert "worker running it ended" in body
    assert '<meta http-equiv="refresh"' not in body
    # The task is on the beat schedule.
    from governance.schedule import PERIODIC_TASKS

    assert any(t["task"] == "governance.fail_stuck_import_jobs" for t in PERIODIC_TASKS)


def household_job(user, body):
    job = ImportJob(
        created_by=user,
        model_label="communities.household",
        original_name="h.csv",
        file_format="csv",
    )
    job.file.save("h.csv", ContentFile(("小区,楼栋,房号\n" + body).encode("gb18030")), save=False)
    job.save()
    return job


@pytest.mark.django_db
def test_a_household_job_inserts_in_batches_and_still_saves_nothing_on_a_bad_row(staff):
    from communities.factories import BuildingFactory, EstateFactory
    from communities.models import Household

    estate = EstateFactory(community=staff.community, name="糖果雅苑")
    BuildingFactory(estate=estate, name="1栋")
    Household.objects.create(building=estate.buildings.get(), room="101")
    rows_ = "糖果雅苑,1栋,101\n糖果雅苑,1栋,102\n糖果雅苑,1栋,102\n"
    bad = household_job(staff, rows_ + "别的小区,1栋,103\n糖果雅苑,9栋,104\n")
    assert run_import_job(bad.pk) == "failed"
    bad.refresh_from_db()
    assert [e["line"] for e in bad.errors] == [5, 6]
    assert Household.objects.count() == 1
    good = household_job(staff, rows_)
    assert run_import_job(good.pk) == "done"
    # The room already there and the repeated room are unchanged rows, not second inserts.
    assert sorted(Household.objects.values_list("room", flat=True)) == ["101", "102"]
