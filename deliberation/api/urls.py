from rest_framework.routers import SimpleRouter

from .views import ProposalViewSet, PublicResolutionViewSet, SessionViewSet

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
router.register("sessions", SessionViewSet, basename="session")
router.register("resolutions", PublicResolutionViewSet, basename="resolution")
urlpatterns = router.urls
