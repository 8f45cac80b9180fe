from django.urls import path

from . import views

app_name = "bulletins"
urlpatterns = [
    path("", views.bulletin_list, name="bulletin-list"),
    path("new/<int:region_id>/", views.bulletin_new, name="bulletin-new"),
    path("<int:pk>/", views.bulletin_detail, name="bulletin-detail"),
    path("<int:pk>/pdf/", views.bulletin_pdf, name="bulletin-pdf"),
]
