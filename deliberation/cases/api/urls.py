"""Open311 GeoReport v2 routes, included at /open311/v2/ by governance/urls.py."""

from django.urls import path

from . import open311

app_name = "open311"

urlpatterns = [
    path("services.<str:fmt>", open311.services, name="open311-services"),
    path("services/<str:code>.<str:fmt>", open311.service_definition, name="open311-service"),
    path("requests.<str:fmt>", open311.requests_view, name="open311-requests"),
    path("requests/<int:pk>.<str:fmt>", open311.request_detail, name="open311-request"),
]
