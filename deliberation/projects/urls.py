from django.urls import path

from . import views

urlpatterns = [
    path("projects/needs/<int:town_id>/", views.needs_public, name="needs-public"),
    path("projects/totals/", views.totals_page, name="project-totals"),
]
