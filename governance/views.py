from django.db import connection
from django.http import Http404, JsonResponse
from django.views.decorators.cache import never_cache

from governance import registry


@never_cache
def healthz(request):
    """Liveness and database reachability for the container health check."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def home(request):
    """The portal's home page, as the app that owns it registered it (governance.registry)."""
    view = registry.home_view()
    if view is None:
        raise Http404
    return view(request)
