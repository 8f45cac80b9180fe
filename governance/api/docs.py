from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI (from the sidecar package) with its start-up script served as a file and its
    style as a static file: the page runs under the site's CSP with no inline code."""

    template_name = "governance/swagger_ui.html"
