from django.urls import path

from .views import portal as views_portal
from .views import public as views_public
from .views import review as views_review
from .views import staff as views_staff
from .views import workspace as views_ws

app_name = "property_rating"
urlpatterns: list = []

# Public ratings pages (views/public.py) and staff overview / charts (views/staff.py).
urlpatterns += [
    path("public/", views_public.public_ratings, name="public-ratings"),
    path("public/companies/<int:pk>/", views_public.public_company, name="public-company"),
    path("staff/", views_staff.staff_overview, name="staff-overview"),
    path("staff/charts/", views_staff.staff_charts, name="staff-charts"),
]

# Manager portal, evidence downloads, residents' satisfaction (views/portal.py) and review pages
# for assessors and staff (views/review.py).
urlpatterns += [
    path("manager/", views_portal.manager_home, name="manager-home"),
    path(
        "manager/units/<int:unit_pk>/q<int:quarter>/start/",
        views_portal.report_start,
        name="manager-report-start",
    ),
    path("manager/units/<int:pk>/", views_portal.unit_detail, name="manager-unit"),
    path("manager/reports/<int:pk>/", views_portal.report_detail, name="manager-report"),
    path(
        "manager/reports/<int:pk>/submissions/<int:number>/",
        views_portal.submission_detail,
        name="manager-submission",
    ),
    path(
        "manager/evidence/<int:pk>/delete/",
        views_portal.evidence_delete,
        name="manager-evidence-delete",
    ),
    path("evidence/<int:pk>/", views_portal.evidence_download, name="evidence-download"),
    path("manager/api-token/", views_portal.api_token, name="manager-api-token"),
    path("satisfaction/", views_portal.satisfaction, name="satisfaction"),
    path("review/", views_review.queue, name="review-queue"),
    path("review/reports/<int:pk>/", views_review.report_review, name="review-report"),
    path("review/inspections/", views_review.inspections, name="review-inspections"),
    path(
        "review/inspections/<int:unit_pk>/",
        views_review.inspection_score,
        name="review-inspection-score",
    ),
    path("review/vetoes/", views_review.vetoes, name="review-vetoes"),
    path("review/vetoes/<int:pk>/revoke/", views_review.veto_revoke, name="review-veto-revoke"),
]

# The assessment year as one staff workspace (views/workspace.py, issue 15.1).
_ws = "staff/towns/<int:town_pk>/years/<int:year>/"
urlpatterns += [
    path(_ws, views_ws.year_workspace, name="workspace"),
    path(_ws + "preview/", views_ws.compute_preview, name="workspace-preview"),
    path(_ws + "compute/", views_ws.compute_start, name="workspace-compute"),
    path(_ws + "runs/<int:pk>/", views_ws.run_detail, name="workspace-run"),
    path(_ws + "runs/<int:pk>/status.json", views_ws.run_status, name="workspace-run-status"),
    path(_ws + "ranking/", views_ws.ranking, name="workspace-ranking"),
    path(_ws + "publish/", views_ws.publish, name="workspace-publish"),
    path(_ws + "payouts/", views_ws.payout_list, name="workspace-payouts"),
    path(_ws + "payouts/<int:pk>/approve/", views_ws.payout_approve, name="workspace-approve"),
    path(_ws + "payouts/<int:pk>/paid/", views_ws.payout_paid, name="workspace-paid"),
    path(
        _ws + "payouts/<int:pk>/paid/confirmation/",
        views_ws.payout_paid_confirmation,
        name="workspace-payout-paid",
    ),
]
