"""Sign-in, profile, language, user list and bulk import pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from training_portal.core.history import describe_history, events_about, history_enabled
from training_portal.core.models import Job
from training_portal.core.pages import page_of
from training_portal.core.permissions import require
from training_portal.core.tables import ImportFileError, template_workbook

from . import permissions, services
from .forms import EmailAuthenticationForm, ProfileForm, UserImportForm, UserSearchForm
from .imports import USERS
from .models import RoleMembership, User
from .typing import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def form_valid(self, form: Any) -> HttpResponse:
        # The link starts with the site's base URL, not with the Host of this request.
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.preferred_language)
        messages.success(request, _("Your profile has been saved."))
        return redirect("accounts:profile")
    memberships = RoleMembership.objects.filter(user=request.user).order_by("role")
    return render(request, "accounts/profile.html", {"form": form, "memberships": memberships})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in user's choice is also saved to their profile."""
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(
        User._meta.get_field("preferred_language").choices or []
    ):
        User.objects.filter(pk=user.pk).update(preferred_language=language)
        user.preferred_language = language
    return django_set_language(request)


@require(permissions.can_manage_users)
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    users = User.objects.visible_to(request.user).prefetch_related(
        Prefetch("role_memberships", queryset=RoleMembership.objects.order_by("role"))
    )
    if form.is_valid():
        if query := form.cleaned_data["q"]:
            users = users.filter(Q(email__icontains=query) | Q(full_name__icontains=query))
        if form.cleaned_data["active"] in ("0", "1"):
            users = users.filter(is_active=form.cleaned_data["active"] == "1")
    page = page_of(request, users, 50)
    return render(request, "accounts/user_list.html", {"page": page, "form": form})


@require(permissions.can_import_users)
def user_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(
        template_workbook(USERS),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="user-import-template.xlsx"'
    return response


@require(permissions.can_import_users)
def user_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.start_user_import(
                owner=request.user,
                upload=form.cleaned_data["file"],
                send_invitations=form.cleaned_data["send_invitations"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.info(request, _("The import has started. This page shows its progress."))
            return redirect("core:job-detail", pk=job.pk)
    return render(request, "accounts/user_import.html", {"form": form})


@require(permissions.can_manage_users)
def user_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An account: profile, roles, recent jobs and the history of its changes."""
    account = get_object_or_404(User.objects.visible_to(request.user), pk=pk)
    memberships = account.role_memberships.select_related("granted_by", "scope_type").order_by(
        "role"
    )
    jobs = Job.objects.visible_to(request.user).filter(owner=account)[:10]
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account": account,
            "memberships": memberships,
            "recent_jobs": jobs,
            "history": describe_history(account, events_about(account)),
            "history_enabled": history_enabled(),
        },
    )
