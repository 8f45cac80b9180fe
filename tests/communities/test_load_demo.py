"""load_demo: the demo town as the reports describe it, and a second run changes nothing."""

import hashlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from communities.models import Community, Estate, Household, PropertyCompany, Town, User

# Bookkeeping columns that legitimately move on every run and are not data.
VOLATILE = {"last_login"}


def _snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a digest of every row of every model, by model label."""
    result = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            f.attname
            for f in model._meta.concrete_fields
            if f.attname not in VOLATILE
            and not getattr(f, "auto_now", False)
            and not isinstance(f, models.BinaryField)
        ]
        digest = hashlib.sha256()
        rows = model._base_manager.order_by("pk").values_list(*fields)
        count = 0
        for row in rows.iterator(chunk_size=2000):
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.label] = (count, digest.hexdigest())
    return result


@pytest.mark.django_db
def test_load_demo_creates_lishui_as_the_reports_describe_it():
    call_command("load_demo", password="demo-pass-2021", stdout=io.StringIO())

    town = Town.objects.get(name="里水镇")
    assert sorted(Community.objects.filter(town=town).values_list("name", flat=True)) == sorted(
        ["金旗峰社区", "金峰洲社区", "同声社区", "海南洲社区", "新兴社区", "金溪社区"]
    )
    estates = Estate.objects.for_town(town)
    assert estates.filter(status=Estate.Status.DELIVERED).count() == 43
    assert estates.filter(status=Estate.Status.UNDER_CONSTRUCTION).count() == 21
    assert PropertyCompany.objects.count() >= 26
    assert estates.get(name="金沙里").community.name == "金峰洲社区"
    assert estates.get(name="中恒海晖").community.name == "金溪社区"
    assert estates.get(name="糖果雅苑").community.name == "海南洲社区"
    assert Household.objects.filter(building__estate__community__town=town).count() == 43 * 200
    for username in ["staff", "community", "assessor", "manager", "resident", "representative"]:
        assert User.objects.get(username=username).check_password("demo-pass-2021")


@pytest.mark.django_db
def test_load_demo_twice_leaves_the_same_rows():
    call_command("load_demo", password="demo-pass-2021", stdout=io.StringIO())
    first = _snapshot()

    call_command("load_demo", password="demo-pass-2021", stdout=io.StringIO())

    second = _snapshot()
    changed = {
        label: (first[label], second[label]) for label in first if first[label] != second[label]
    }
    assert changed == {}
