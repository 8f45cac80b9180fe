from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from governance.api.docs import SwaggerView
from governance.notifications.views import preferences as notification_preferences
from governance.views import healthz, home, import_job

admin.site.site_header = admin.site.site_title = "住宅小区治理"
admin.site.index_title = "城市社区综合治理办公室"

api_v1 = [
    path("", include("communities.api.urls")),
    path("", include("property_rating.api.urls")),
    path("", include("deliberation.api.urls")),
    path("", include("party_grid.api.urls")),
]

urlpatterns = [
    path("", home, name="home"),
    path("healthz/", healthz, name="healthz"),
    path("accounts/", include("communities.urls")),
    path("security/", include("governance.security.urls")),
    path("admin/import-jobs/<int:pk>/", import_job, name="import-job"),
    path(
        "notifications/preferences/",
        notification_preferences,
        name="notification-preferences",
    ),
    path("admin/", include("communities.staff_urls")),  # before the admin site's catch-all
    path("admin/", admin.site.urls),
    path("rating/", include("property_rating.urls")),
    path("deliberation/assemblies/", include("deliberation.assemblies.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("party/", include("party_grid.urls")),
    path("regions/bulletins/", include("communities.bulletins.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include(api_v1)),
    path("open311/v2/", include("deliberation.cases.api.urls")),
    path("cases/", include("deliberation.cases.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# Under /api/ every error is JSON, unknown paths included (governance/api/errors.py).
handler400 = "governance.api.errors.bad_request"
handler403 = "governance.api.errors.permission_denied"
handler404 = "governance.api.errors.page_not_found"
handler500 = "governance.api.errors.server_error"
