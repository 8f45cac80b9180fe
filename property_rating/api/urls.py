from django.urls import path

from . import ratings

# Ratings API (property_rating.md). The reports API (/api/v1/reports/) is added below by its
# own module.
urlpatterns: list = [
    path("ratings/", ratings.RatingListView.as_view(), name="rating-list"),
    path(
        "companies/<int:pk>/ratings/",
        ratings.CompanyRatingHistoryView.as_view(),
        name="company-rating-history",
    ),
]

# Quarterly-reports API for property companies (property_rating/api/reports.py).
from rest_framework.routers import SimpleRouter  # noqa: E402

from . import reports  # noqa: E402

_reports_router = SimpleRouter()
_reports_router.register("reports", reports.ReportViewSet, basename="report")
_reports_router.register("report-units", reports.ManagerUnitViewSet, basename="report-unit")
urlpatterns += _reports_router.urls
