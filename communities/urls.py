from django.contrib.auth import views as auth_views
from django.urls import path

from . import accounts_views, views, views_password, views_signup

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(success_url="/accounts/password/done/"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("open-accounts/", accounts_views.statement_list, name="statement-list"),
    path("open-accounts/file/", accounts_views.statement_file, name="statement-file"),
    path("open-accounts/<int:pk>/", accounts_views.statement_detail, name="statement-detail"),
    path(
        "open-accounts/documents/<int:pk>/",
        accounts_views.statement_document,
        name="statement-document",
    ),
    path("signup/", views_signup.signup, name="signup"),
    path("password/reset/", views_password.reset_choose, name="password-reset-choose"),
    path("password/reset/phone/", views_password.reset_phone, name="password-reset-phone"),
    path(
        "password/reset/phone/code/",
        views_password.reset_phone_code,
        name="password-reset-phone-code",
    ),
    path(
        "password/reset/email/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password/reset/email/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("verify/", views.verification_request, name="verification-request"),
    path("verifications/", views.verification_queue, name="verification-queue"),
    path(
        "verifications/<int:pk>/certificate/",
        views.verification_certificate,
        name="verification-certificate",
    ),
    path("verifications/<int:pk>/decide/", views.verification_decide, name="verification-decide"),
]
