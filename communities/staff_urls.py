"""Staff pages of the registry mounted beside the admin (included by governance/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("overview/", views.staff_overview, name="staff-overview"),
]
