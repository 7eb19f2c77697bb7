"""Job pages, notifications, error pages and health probes; the registries of the home page
(its sections and role labels), whose view is the accounts app's (accounts.home)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from .files import serve_file
from .health import readiness
from .jobs import job_result_link
from .models import Job, Notification
from .notifications import mark_read
from .pages import page_of


class AuthenticatedHttpRequest(HttpRequest):
    """What @login_required views receive (the user model is the accounts app's)."""

    user: Any


@dataclass(frozen=True)
class HomeSection:
    """A block of the home page: its template and what it shows to a user (None: nothing)."""

    template: str
    context: Callable[[Any], dict[str, Any] | None]


_home_sections: list[HomeSection] = []


def register_home_section(template: str, context: Callable[[Any], dict[str, Any] | None]) -> None:
    """Apps add their role summaries in AppConfig.ready(); registration order is page order."""
    section = HomeSection(template, context)
    if section not in _home_sections:
        _home_sections.append(section)


RoleLabels = Callable[[Any], list[Any]]

_role_label_providers: list[RoleLabels] = []


def register_role_labels(provider: RoleLabels) -> None:
    """Apps whose roles are not role memberships (e.g. inspectors, who have a profile) add
    the labels of the roles a user holds to the home page's "Your roles"."""
    if provider not in _role_label_providers:
        _role_label_providers.append(provider)


def other_roles_for(user: Any) -> list[Any]:
    """The labels of the roles `user` holds outside role memberships."""
    return [label for provider in _role_label_providers for label in provider(user)]


def home_sections_for(user: Any) -> list[dict[str, Any]]:
    """The sections that concern `user`, each as {"template": ..., "data": ...}."""
    sections = []
    for section in _home_sections:
        data = section.context(user)
        if data is not None:
            sections.append({"template": section.template, "data": data})
    return sections


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No I/O."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the broker are reachable."""
    report = readiness()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)


@login_required
def job_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    jobs = Job.objects.visible_to(request.user).select_related("owner")
    status = request.GET.get("status")
    if status in Job.Status.values:
        jobs = jobs.filter(status=status)
    page = page_of(request, jobs, 25)
    return render(
        request,
        "core/job_list.html",
        {"page": page, "statuses": Job.Status.choices, "status": status},
    )


@login_required
def job_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _job_page(request, pk, "core/job_detail.html")


@login_required
@never_cache
def job_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress fragment, polled by htmx until the job has finished."""
    return _job_page(request, pk, "core/job_detail.html#progress")


def _job_page(request: AuthenticatedHttpRequest, pk: int, template: str) -> HttpResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user).select_related("owner"), pk=pk)
    return render(
        request, template, {"job": job, "result_link": job_result_link(job, request.user)}
    )


@login_required
def job_download(request: AuthenticatedHttpRequest, pk: int, which: str) -> FileResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user), pk=pk)
    field = {"input": job.input_file, "result": job.result_file}.get(which)
    return serve_file(field, filename=job.input_name if which == "input" else "")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the failure may be in them.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render(), status=500)


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user)
    if request.GET.get("unread") == "1":
        notifications = notifications.unread()
    page = page_of(request, notifications, 25)
    return render(request, "core/notification_list.html", {"page": page})


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points (or back to the list)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.link if url_has_allowed_host_and_scheme(notification.link, None) else ""
    return redirect(target or "core:notification-list")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = mark_read(user=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("core:notification-list")
