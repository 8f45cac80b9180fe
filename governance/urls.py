from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from communities import views as community_views
from governance.views import healthz

handler500 = "governance.views.server_error"

admin.site.site_header = admin.site.site_title = "住宅小区治理"
admin.site.index_title = "城市社区综合治理办公室"

api_v1 = [
    path("", include("communities.api.urls")),
    path("", include("property_rating.api.urls")),
    path("", include("deliberation.api.urls")),
    path("", include("party_grid.api.urls")),
]

urlpatterns = [
    path("", community_views.home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("communities.urls")),
    path("security/", include("governance.security.urls")),
    path("admin/overview/", community_views.staff_overview, name="staff-overview"),
    path("admin/", admin.site.urls),
    path("rating/", include("property_rating.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("party/", include("party_grid.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]
