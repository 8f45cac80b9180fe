"""Admin: scheme validation, copy in one click, frozen once published, starting computations,
payout approval and export, the assessment import page."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from property_rating.models import ComputationRun, Payout, Scheme

from .helpers import compute, give_inputs, publish

pytestmark = pytest.mark.django_db


def _scheme_post(scheme, **overrides):
    data = {
        "town": scheme.town_id,
        "year": scheme.year,
        "report_due_days": 15,
        "late_penalty_per_day": "1.00",
        "late_penalty_cap": "10.00",
        "weight_quarterly": "0.5",
        "weight_satisfaction": "0.2",
        "weight_inspection": "0.3",
        "min_satisfaction_responses": 10,
        "red_list_size": 9,
        "red_list_min_score": "80",
        "black_list_below": "60",
        "four_star_min": "80",
        "three_star_min": "70",
        "annual_cap": "120000.00",
        "cap_scope": "unit",
    }
    items = list(scheme.task_items.all())
    tiers = list(scheme.tiers.all())
    data.update(
        {
            "task_items-TOTAL_FORMS": len(items),
            "task_items-INITIAL_FORMS": len(items),
            "tiers-TOTAL_FORMS": len(tiers),
            "tiers-INITIAL_FORMS": len(tiers),
            "publication_events-TOTAL_FORMS": 0,
            "publication_events-INITIAL_FORMS": 0,
        }
    )
    for i, item in enumerate(items):
        data.update(
            {
                f"task_items-{i}-id": item.pk,
                f"task_items-{i}-scheme": scheme.pk,
                f"task_items-{i}-order": item.order,
                f"task_items-{i}-code": item.code,
                f"task_items-{i}-title": item.title,
                f"task_items-{i}-max_points": str(item.max_points),
            }
        )
    for i, tier in enumerate(tiers):
        data.update(
            {
                f"tiers-{i}-id": tier.pk,
                f"tiers-{i}-scheme": scheme.pk,
                f"tiers-{i}-min_score": str(tier.min_score),
                f"tiers-{i}-percent": str(tier.percent),
            }
        )
    data.update(overrides)
    return data


def test_scheme_admin_saves_a_valid_scheme(client, scheme, staff):
    client.force_login(staff)
    url = f"/admin/property_rating/scheme/{scheme.pk}/change/"
    response = client.post(url, _scheme_post(scheme, annual_cap="100000.00"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Scheme.objects.get(pk=scheme.pk).annual_cap == Decimal("100000.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"task_items-0-max_points": "16"}, "101"),  # the points add up to 101
        ({"weight_inspection": "0.4"}, "1.1"),  # the weights add up to 1.1
        ({"tiers-0-percent": "50"}, "50"),  # 90 pays 50 % < 80 % paid from 80
    ],
)
def test_scheme_admin_rejects_points_weights_and_tiers_with_clear_messages(
    client, scheme, staff, overrides, message, settings
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(staff)
    url = f"/admin/property_rating/scheme/{scheme.pk}/change/"
    response = client.post(url, _scheme_post(scheme, **overrides), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors) + "".join(
        str(fs.formset.non_form_errors()) for fs in response.context["inline_admin_formsets"]
    )
    assert message in errors
    assert Scheme.objects.get(pk=scheme.pk).annual_cap == Decimal("120000.00")


def test_copy_last_years_scheme_in_one_click(client, scheme, staff):
    client.force_login(staff)
    client.post(
        "/admin/property_rating/scheme/",
        {"action": "copy_to_next_year", "_selected_action": [scheme.pk]},
    )
    copy = Scheme.objects.get(town=scheme.town, year=2022)
    assert copy.copied_from == scheme
    assert list(copy.task_items.values_list("code", "max_points")) == list(
        scheme.task_items.values_list("code", "max_points")
    )
    assert copy.tiers.count() == 5


def test_published_scheme_is_read_only_in_admin(client, scheme, staff, make_unit):
    from property_rating.publication import results_publish

    give_inputs(make_unit(), quarters=(90,) * 4)
    compute(scheme.town)
    results_publish(scheme=scheme, by=staff)
    client.force_login(staff)
    url = f"/admin/property_rating/scheme/{scheme.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="annual_cap"' not in page
    client.post(url, _scheme_post(scheme, annual_cap="1.00"))
    assert Scheme.objects.get(pk=scheme.pk).annual_cap == Decimal("120000.00")


def test_admin_action_starts_a_computation_and_shows_its_outcome(
    client, scheme, staff, make_unit, django_capture_on_commit_callbacks
):
    give_inputs(make_unit(), quarters=(90,) * 4)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/property_rating/scheme/",
            {"action": "start_annual", "_selected_action": [scheme.pk]},
        )
    run = ComputationRun.objects.get()
    assert (run.status, run.progress, run.started_by) == ("succeeded", 100, staff)
    page = client.get(f"/admin/property_rating/computationrun/{run.pk}/change/").content.decode()
    assert run.outcome_text() in page and "个单位" in page


def test_payout_approval_in_admin_and_excel_export(client, scheme, staff, staff2, make_unit):
    from property_rating.scoring import compute_all

    unit = give_inputs(make_unit(), quarters=(90,) * 4)
    compute_all(town_id=scheme.town_id, year=2021, by=staff)
    publish(scheme.town)
    payout = Payout.objects.get(unit=unit, quarter=0)
    client.force_login(staff)
    client.post(
        "/admin/property_rating/payout/", {"action": "approve", "_selected_action": [payout.pk]}
    )
    assert Payout.objects.get(pk=payout.pk).status == "calculated"  # computed it himself
    client.force_login(staff2)
    client.post(
        "/admin/property_rating/payout/", {"action": "approve", "_selected_action": [payout.pk]}
    )
    assert Payout.objects.get(pk=payout.pk).status == "approved"
    client.post(
        "/admin/property_rating/payout/",
        {
            "action": "mark_paid",
            "_selected_action": [payout.pk],
            "confirm": "1",
            "text": "BANK-001",
        },
    )
    assert Payout.objects.get(pk=payout.pk).payment_reference == "BANK-001"
    response = client.post(
        "/admin/property_rating/payout/export/",
        {
            "format": "0",
            "resource": "0",
            **{
                f"payoutresource_{f}": "on"
                for f in (
                    "year",
                    "estate",
                    "company",
                    "period",
                    "amount",
                    "status",
                    "payment_reference",
                )
            },
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )


def test_admin_import_page_reports_every_bad_row(client, scheme, staff, community):
    client.force_login(staff)
    content = (
        "community,estate,company,q1,q2,q3,q4,satisfaction,inspection,veto_reason\n"
        ",没有的小区,某公司,90,90,90,90,,,\n,另一个,某公司,200,,,,,,\n"
    ).encode()
    response = client.post(
        f"/admin/property_rating/scheme/{scheme.pk}/import/",
        {"file": SimpleUploadedFile("in.csv", content, content_type="text/csv")},
    )
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page
    assert "没有的小区" in page and "200" in page


def test_manager_cannot_open_the_rating_admin(client, make_unit, manager_for):
    manager = manager_for(make_unit())
    client.force_login(manager)
    assert client.get("/admin/property_rating/payout/").status_code in (302, 403)
