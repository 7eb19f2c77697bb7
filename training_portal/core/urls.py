from django.urls import path

from . import views, views_history

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/download/<str:which>/", views.job_download, name="job-download"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path(
        "history/<str:app_label>/<str:model_name>/<str:pk>/",
        views_history.record_history,
        name="history",
    ),
]
