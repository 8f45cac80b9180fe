from django.urls import path

from .views import PartyStatisticsView

urlpatterns = [
    path("party-statistics/", PartyStatisticsView.as_view(), name="party-statistics"),
]
