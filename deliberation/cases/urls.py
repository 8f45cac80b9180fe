"""Case pages, included at /cases/ by governance/urls.py."""

from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("", views.queue, name="case-queue"),
    path("new/", views.file_case, name="case-file"),
    path("figures/", views.figures, name="case-figures"),
    path("<int:pk>/", views.detail, name="case-detail"),
    path("<int:pk>/action/", views.action, name="case-action"),
    path("photos/<int:pk>/", views.photo, name="case-photo"),
    path("meetings/", views.meetings, name="case-meetings"),
    path("meetings/<int:pk>/", views.meeting, name="case-meeting"),
]
