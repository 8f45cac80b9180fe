from django.urls import path

from . import views

app_name = "assemblies"
urlpatterns = [
    path("", views.vote_list, name="list"),
    path("<int:pk>/", views.vote_detail, name="detail"),
    path("<int:pk>/ballot/", views.ballot_cast, name="cast"),
    path("<int:pk>/close/", views.vote_close, name="close"),
    path("<int:pk>/paper/", views.paper_ballot, name="paper"),
    path("<int:pk>/ballots/<int:ballot_pk>/scan/", views.ballot_scan, name="scan"),
]
