from django.urls import path

from . import views

app_name = "assemblies"
urlpatterns = [
    path("", views.vote_list, name="assembly-list"),
    path("announce/", views.vote_announce, name="assembly-announce"),
    path("committees/", views.committee_list, name="assembly-committees"),
    path("<int:pk>/", views.vote_detail, name="assembly-detail"),
    path("<int:pk>/ballot/", views.ballot_cast, name="assembly-cast"),
    path("<int:pk>/close/", views.vote_close, name="assembly-close"),
    path("<int:pk>/paper/", views.paper_ballot, name="assembly-paper"),
    path("<int:pk>/ballots/<int:ballot_pk>/scan/", views.ballot_scan, name="assembly-scan"),
]
