"""The home page: what needs the user's attention, a summary per role they hold (sections the
apps register in `training_portal.core.views`), their recent jobs; for portal administrators,
counts of accounts and roles and the health of the portal."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render

from training_portal.core.attention import attention_for
from training_portal.core.health import readiness
from training_portal.core.models import Job
from training_portal.core.views import home_sections_for, other_roles_for

from .models import RoleMembership, User
from .permissions import is_portal_admin
from .roles import Role
from .typing import AuthenticatedHttpRequest

RECENT_JOBS = 10


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What needs the user's attention, a summary per role they hold, and their recent jobs."""
    user = request.user
    jobs = Job.objects.visible_to(user).select_related("owner")[:RECENT_JOBS]
    context: dict[str, object] = {
        "recent_jobs": jobs,
        "attention": attention_for(user),
        "sections": home_sections_for(user),
    }
    if is_portal_admin(user):
        context["user_counts"] = User.objects.aggregate(
            total=Count("id"), active=Count("id", filter=Q(is_active=True))
        )
        context["role_counts"] = [
            {"role_label": Role(row["role"]).label, "n": row["n"]}
            for row in RoleMembership.objects.current()
            .values("role")
            .annotate(n=Count("id"))
            .order_by("role")
        ]
        context["health"] = readiness()
        return render(request, "core/home_admin.html", context)
    context["memberships"] = RoleMembership.objects.filter(user=user).current().order_by("role")
    context["other_roles"] = other_roles_for(user)
    return render(request, "core/home.html", context)
