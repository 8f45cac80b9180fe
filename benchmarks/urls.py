"""The application's URLs plus /bench/bare/, a bare Django JSON view (same middleware, no
database work): the upper bound the load benchmark compares the real endpoints with. Only the
benchmark settings (benchmarks/settings.py) use this URLconf."""

from django.http import JsonResponse
from django.urls import path

from governance.urls import urlpatterns as app_urlpatterns


def bare(request):
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare, name="bench-bare"), *app_urlpatterns]
