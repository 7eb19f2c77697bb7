"""The pages of the `core` namespace: jobs, notifications, record history.

The project URLconf (training_portal/urls.py) mounts them under the `core` namespace together
with the home page (`core:home`), which is the accounts app's view (accounts.home).
"""

from django.urls import URLPattern, path

from . import views, views_history

urlpatterns: list[URLPattern] = [
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
