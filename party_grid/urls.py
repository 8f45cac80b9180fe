from django.urls import path

from . import views

app_name = "party_grid"
urlpatterns = [
    path("visits/new/", views.visit_new, name="visit-new"),
    path("visits/", views.visit_list, name="visit-list"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("ranking/", views.ranking, name="ranking"),
]
