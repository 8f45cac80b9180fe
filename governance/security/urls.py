from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("otp/", views.otp_verify, name="otp-verify"),
    path(
        "reveal-phone/<str:model_label>/<int:pk>/",
        views.reveal_phone_view,
        name="reveal-phone",
    ),
]
