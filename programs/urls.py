from django.urls import path

from . import views_signoff

app_name = "programs"

urlpatterns = [
    path("signoff/<str:token>/", views_signoff.signoff, name="signoff"),
]
