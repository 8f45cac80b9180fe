from django.urls import path

from governance.notifications import views as notification_views

from . import views
from .councils import comment_views
from .councils import views as councils
from .escalation import views as escalation
from .projects import urls as projects_urls
from .sessions import views as sessions

app_name = "deliberation"
urlpatterns = [
    path("", councils.proposal_list, name="proposal-list"),
    path("proposals/new/", councils.proposal_create, name="proposal-create"),
    path("proposals/<int:pk>/", councils.proposal_detail, name="proposal-detail"),
    path("proposals/<int:pk>/support/", councils.proposal_support, name="proposal-support"),
    path("proposals/<int:pk>/follow/", councils.proposal_follow, name="proposal-follow"),
    path("proposals/<int:pk>/withdraw/", councils.proposal_withdraw, name="proposal-withdraw"),
    path("proposals/<int:pk>/rate/", councils.proposal_rate, name="proposal-rate"),
    path("proposals/<int:pk>/comments/", comment_views.comment_add, name="comment-add"),
    path("comments/<int:pk>/report/", comment_views.comment_report, name="comment-report"),
    path("comments/<int:pk>/hide/", comment_views.comment_hide, name="comment-hide"),
    path("attachments/<int:pk>/", councils.attachment_download, name="attachment"),
    path(
        "attachments/<int:pk>/thumbnail/",
        councils.attachment_thumbnail,
        name="attachment-thumb",
    ),
    path("sessions/", sessions.session_list, name="session-list"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session-detail"),
    path("sessions/<int:pk>/items/<int:item_pk>/vote/", sessions.vote, name="vote"),
    # The inbox is governance's (notifications of every app); the URL and its name stay.
    path("inbox/", notification_views.inbox, name="inbox"),
    path("resolutions/", sessions.published_resolutions, name="resolutions"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("manage/", councils.manage, name="manage"),
    path("manage/proposals/<int:pk>/", councils.manage_proposal, name="manage-proposal"),
    path(
        "manage/proposals/<int:pk>/action/",
        councils.manage_proposal_action,
        name="manage-proposal-action",
    ),
    path(
        "manage/councils/<int:council_pk>/sessions/new/",
        sessions.manage_session_create,
        name="manage-session-create",
    ),
    path("manage/sessions/<int:pk>/", sessions.manage_session, name="manage-session"),
    path(
        "manage/sessions/<int:pk>/action/",
        sessions.manage_session_action,
        name="manage-session-action",
    ),
    path("problem-estates/", escalation.problem_estates, name="problem-estates"),
    path(
        "problem-estates/plans/<int:pk>/", escalation.remediation_update, name="remediation-update"
    ),
    *projects_urls.urlpatterns,
]
