from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("towns", views.TownViewSet, basename="town")
router.register("communities", views.CommunityViewSet, basename="community")
router.register("estates", views.EstateViewSet, basename="estate")
router.register("companies", views.PropertyCompanyViewSet, basename="company")

urlpatterns = router.urls
