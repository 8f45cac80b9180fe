from django.urls import path
from rest_framework.routers import SimpleRouter

from ..projects import api as projects_api
from .views import ProposalViewSet, PublicResolutionViewSet, SessionViewSet

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("sessions", SessionViewSet, basename="session")
router.register("resolutions", PublicResolutionViewSet, basename="resolution")
urlpatterns = [
    *router.urls,
    path("needs/", projects_api.PublicNeedList.as_view(), name="need-list"),
    path("project-totals/", projects_api.ProjectTotals.as_view(), name="project-totals"),
]
