from django.urls import path

from governance.notifications import views as notification_views

from . import views

app_name = "deliberation"
urlpatterns = [
    path("", views.proposal_list, name="proposal-list"),
    path("proposals/new/", views.proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/support/", views.proposal_support, name="proposal-support"),
    path("proposals/<int:pk>/follow/", views.proposal_follow, name="proposal-follow"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="proposal-withdraw"),
    path("proposals/<int:pk>/rate/", views.proposal_rate, name="proposal-rate"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("sessions/", views.session_list, name="session-list"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/items/<int:item_pk>/vote/", views.vote, name="vote"),
    path("inbox/", notification_views.inbox, name="inbox"),
    path("resolutions/", views.published_resolutions, name="resolutions"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("manage/", views.manage, name="manage"),
    path("manage/proposals/<int:pk>/", views.manage_proposal, name="manage-proposal"),
    path(
        "manage/proposals/<int:pk>/action/",
        views.manage_proposal_action,
        name="manage-proposal-action",
    ),
    path(
        "manage/councils/<int:council_pk>/sessions/new/",
        views.manage_session_create,
        name="manage-session-create",
    ),
    path("manage/sessions/<int:pk>/", views.manage_session, name="manage-session"),
    path(
        "manage/sessions/<int:pk>/action/",
        views.manage_session_action,
        name="manage-session-action",
    ),
    path("problem-estates/", views.problem_estates, name="problem-estates"),
    path("problem-estates/plans/<int:pk>/", views.remediation_update, name="remediation-update"),
]
