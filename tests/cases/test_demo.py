"""The demo town's year of cases: every category, source and delivered estate, every state."""

import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from communities.departments import Department
from communities.models import Estate, Town, User
from deliberation.cases.models import Assignment, Case, CaseCategory, JointMeeting, Reply


@pytest.mark.django_db
def test_the_demo_has_a_year_of_cases_through_every_level():
    call_command("load_demo", password="demo-pass-2021", stdout=io.StringIO())
    town = Town.objects.get(name="里水镇")
    cases = Case.objects.filter(town=town, is_demo=True)
    assert cases.count() >= 1500
    assert set(cases.values_list("category__code", flat=True)) == set(
        CaseCategory.objects.filter(town=town).values_list("code", flat=True)
    )
    assert set(Case.Source.values) <= set(cases.values_list("source", flat=True))
    delivered = Estate.objects.for_town(town).filter(status=Estate.Status.DELIVERED)
    assert set(cases.values_list("estate", flat=True)) >= set(
        delivered.values_list("pk", flat=True)
    )
    assert cases.filter(reopened_count__gt=0).exists()
    assert Assignment.objects.filter(case__in=cases, end="auto_escalated").exists()
    assert Assignment.objects.filter(case__in=cases, misroute=True).exists()
    overdue = Assignment.objects.filter(
        case__in=cases, ended_at__isnull=True, overdue_flagged_at__isnull=False
    )
    assert overdue.exists()
    assert JointMeeting.objects.filter(town=town).count() >= 3
    # Consistent with the services: every reply is on an assignment of its case, replied and
    # closed cases have a reply, and no case has two open assignments.
    assert not Reply.objects.filter(case__in=cases).exclude(assignment__case=models_f()).exists()
    assert not cases.filter(state__in=["replied"], replies__isnull=True).exists()
    assert not (
        Assignment.objects.filter(case__in=cases, ended_at__isnull=True)
        .values("case").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )  # fmt: skip
    # The hourly pass would find nothing of the generated year to move: below the joint meeting
    # no open assignment is past its deadline (the deliberation demo's escalated proposal is
    # meant to be overdue: the pass takes it up).
    from django.utils import timezone

    assert not Assignment.objects.filter(
        case__in=cases.exclude(source="proposal"), ended_at__isnull=True,
        reply_due__lt=timezone.now(),
    ).exclude(level="joint_meeting").exists()  # fmt: skip
    department = User.objects.get(username="department")
    assert department.check_password("demo-pass-2021")
    assert Department.objects.filter(town=town, staff=department).exists()


def models_f():
    from django.db.models import F

    return F("case")
