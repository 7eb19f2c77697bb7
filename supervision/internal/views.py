"""Pages of internal supervision: review meetings (list, page, record, edit), the students'
rating of their supervision, and the aggregates of the ratings.

Reads start from `visible_to(request.user)` (outside it: 404); actions are checked with the
predicates of `supervision.internal.permissions` (allowed read, forbidden action: 403) and done
by one service call, whose ValidationError is shown on the form of a page rendered with 200.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from accounts.typing import AuthenticatedHttpRequest
from programs.models import Program
from training_portal.core.attention import AttentionItem
from training_portal.core.history import history_url
from training_portal.core.pages import page_of, permitted, submit
from training_portal.core.permissions import is_active_user, require

from ..findings.services import message_of, rule_of
from ..models import Finding, ReviewMeeting
from . import aggregates, permissions, services
from .forms import RatingForm, RatingTermForm, ReviewMeetingForm

MEETINGS_PER_PAGE = 25


def visible_meetings(user: Any) -> QuerySet[ReviewMeeting]:
    """The meetings `user` sees, with what their rows and pages show (linked findings only
    those `user` sees)."""
    return (
        ReviewMeeting.objects.visible_to(user)
        .select_related("program", "chair", "action_owner", "created_by")
        .prefetch_related(
            Prefetch("participants", queryset=User.objects.order_by("full_name", "email")),
            Prefetch("organizations"),
            Prefetch(
                "findings",
                queryset=Finding.objects.visible_to(user).order_by("-last_seen_at", "-pk"),
                to_attr="visible_findings",
            ),
        )
    )


# ---- Review meetings -----------------------------------------------------------------------


@require(is_active_user)
def meeting_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The review meetings `request.user` may see, for everyone signed in (none for an
    account without a role); the menu offers it by `permissions.sees_meetings`."""
    user = request.user
    rows = (
        ReviewMeeting.objects.visible_to(user)
        .select_related("program", "chair", "action_owner")
        .annotate(participant_count=Count("participant_links"))
        .order_by("-held_on", "-pk")
    )
    page = page_of(request, rows, MEETINGS_PER_PAGE)
    open_programs = Program.objects.filter(
        pk__in=permissions.meeting_program_ids_open_to(user)
    ).order_by("code")
    return render(
        request,
        "supervision/internal/meeting_list.html",
        {"page": page, "open_programs": open_programs},
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = get_object_or_404(visible_meetings(user), pk=pk)
    findings = [
        {
            "finding": finding,
            "rule": rule.label if (rule := rule_of(finding)) else finding.rule,
            "message": message_of(finding),
        }
        for finding in meeting.visible_findings  # type: ignore[attr-defined]
    ]
    return render(
        request,
        "supervision/internal/meeting_detail.html",
        {
            "meeting": meeting,
            "findings": findings,
            "can_edit": permissions.can_edit_meeting(user, meeting),
            "history_url": history_url(user, meeting),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    program = permitted(
        Program.objects.visible_to(user), user, permissions.can_create_meeting, pk=pk
    )
    form = _meeting_form(request, program)
    return submit(
        request,
        form,
        lambda data: services.create_review_meeting(user=user, program=program, **data),
        success=_("The review meeting has been recorded."),
        redirect_to=lambda meeting: reverse(
            "internal-supervision:meeting-detail", args=[meeting.pk]
        ),
        page=lambda: render(
            request,
            "supervision/internal/meeting_form.html",
            {"form": form, "program": program, "meeting": None},
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    meeting = permitted(visible_meetings(user), user, permissions.can_edit_meeting, pk=pk)
    initial = ReviewMeetingForm.initial_of(meeting, meeting.visible_findings)  # type: ignore[attr-defined]
    form = _meeting_form(request, meeting.program, initial=initial)
    return submit(
        request,
        form,
        lambda data: services.update_review_meeting(user=user, meeting=meeting, **data),
        success=_("The review meeting has been updated."),
        redirect_to=reverse("internal-supervision:meeting-detail", args=[meeting.pk]),
        page=lambda: render(
            request,
            "supervision/internal/meeting_form.html",
            {"form": form, "program": meeting.program, "meeting": meeting},
        ),
    )


def _meeting_form(
    request: AuthenticatedHttpRequest, program: Program, initial: dict[str, Any] | None = None
) -> ReviewMeetingForm:
    """The form, offering the findings still to work on and those already linked."""
    linked = (initial or {}).get("findings", [])
    findings = services.linkable_findings(request.user, program).filter(
        Q(status__in=Finding.ACTIVE) | Q(pk__in=linked)
    )
    return ReviewMeetingForm(
        request.POST or None,
        initial=initial,
        people=services.eligible_participants(program),
        organizations=services.involved_organizations(program),
        findings=findings,
    )


# ---- Ratings -------------------------------------------------------------------------------


@require(permissions.rates_supervision)
@require_http_methods(["GET", "POST"])
def rating(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The student's rating of their supervision for the current term, once."""
    status = services.rating_status(request.user)
    form = None
    if status is not None and not status.answered:
        form = RatingForm(request.POST or None, status=status)
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_supervision_rating(user=request.user, **form.rating_fields())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request, _("Thank you: your answer has been recorded anonymously.")
                )
                return redirect("internal-supervision:rating")
    return render(
        request,
        "supervision/internal/rating_form.html",
        {
            "status": status,
            "form": form,
            "term_label": services.term_label(status.term if status else services.current_term()),
            "min_answers": services.MIN_ANSWERS,
        },
    )


@require(permissions.sees_rating_aggregates)
def rating_aggregates(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = RatingTermForm(request.GET or None, terms=aggregates.rating_terms(user))
    term = form.chosen_term()
    return render(
        request,
        "supervision/internal/rating_aggregates.html",
        {
            "form": form,
            "tutor_rows": aggregates.tutor_aggregates(user, term),
            "program_rows": aggregates.program_aggregates(user, term),
            "min_answers": services.MIN_ANSWERS,
        },
    )


RATING_DUE = gettext_lazy("Rate your supervision for this term")


def rating_due_attention(user: Any) -> list[AttentionItem]:
    """Home-page item for students who have not rated their supervision this term (one query,
    none for anyone without the student role)."""
    if not permissions.rates_supervision(user) or not services.has_rating_due(user):
        return []
    return [
        AttentionItem(
            label=RATING_DUE, count=1, url=reverse("internal-supervision:rating"), level="primary"
        )
    ]
