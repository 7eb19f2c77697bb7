"""The pages of the `core` namespace: jobs, notifications, record history.

The project URLconf (training_portal/urls.py) mounts them under the `core` namespace together
with the home page (`core:home`), which is the accounts app's view (accounts.home).
"""

from django.urls import URLPattern, path

from . import views, views_history
from .routes import record_pages, record_routes

urlpatterns: list[URLPattern] = [
    *record_routes("jobs", "job", views, ("list", "detail", "progress")),
    *record_pages("jobs", views, {"download/<str:which>": "job_download"}),
    *record_routes("notifications", "notification", views, ("list", "read")),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path(
        "history/<str:app_label>/<str:model_name>/<str:pk>/",
        views_history.record_history,
        name="history",
    ),
]
