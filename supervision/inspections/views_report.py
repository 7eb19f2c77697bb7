"""The inspection workspace's report tabs: the draft's sections, the right of reply (the
inspected side comments per section while the window is open; the team answers and may revise),
and publication (request, approval by a second person or sending back, corrections, and the
published versions with their hash chain).

The draft is the team's until the reply window opens; from then on the inspected side reads
it on the reply tab (with every comment and answer, kept whatever happens to the draft).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.typing import AuthenticatedHttpRequest
from training_portal.core.pages import RecordPage, act, submit

from ..models import Inspection, PublishedReport, ReplyComment, ReportSection
from . import permissions, publication, services
from .forms import ReasonForm
from .forms_workspace import (
    AnswerForm,
    CommentForm,
    OpenReplyForm,
    PublicationRequestForm,
    ReportSectionForm,
    SectionEditForm,
)
from .views import Workspace, tab_page, workspace
from .workflow import CLOSED, CONDUCTING, WRITING

# ---- The draft -------------------------------------------------------------------------------


def _section_prefix(section: ReportSection) -> str:
    return f"section-{section.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The draft's sections; a POST adds a section."""
    space = workspace(request, pk, "report")
    if request.method != "POST":
        return _render_report(request, space)
    _may_edit_or_403(space)
    form = ReportSectionForm(request.POST, prefix="new")
    return _save_section(
        request,
        space,
        form,
        key=None,
        redirect_to=reverse("inspections:report", args=[pk]),
        page=lambda: _render_report(request, space, new_form=form),
    )


@login_required
@require_POST
def report_section(request: AuthenticatedHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    """Saves an existing section (its key stays)."""
    space = workspace(request, pk, "report")
    section = get_object_or_404(space.inspection.report_sections, pk=section_pk)
    _may_edit_or_403(space)
    form = SectionEditForm(request.POST, prefix=_section_prefix(section))
    return _save_section(
        request,
        space,
        form,
        key=section.key,
        redirect_to=reverse("inspections:report", args=[pk]) + f"#section-{section.pk}",
        page=lambda: _render_report(request, space, bound=(section.pk, form)),
    )


def _save_section(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    form: Any,
    *,
    key: str | None,
    redirect_to: str,
    page: Callable[[], HttpResponse],
) -> HttpResponse:
    """Saves a section of the draft from `form` (a new section's key is on the form)."""
    return submit(
        request,
        form,
        lambda data: services.save_report_section(
            by=request.user,
            inspection=space.inspection,
            key=data["key"] if key is None else key,
            title=data["title"],
            body=data["body"],
            position=data["position"],
        ),
        success=_("The section has been saved."),
        redirect_to=redirect_to,
        page=page,
    )


def _may_edit(space: Workspace) -> bool:
    """`permissions.can_write_report`, without asking again whether they are on the team."""
    return space.team_member and space.inspection.status in WRITING


def _may_edit_or_403(space: Workspace) -> None:
    if not _may_edit(space):
        raise PermissionDenied


def _render_report(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    *,
    new_form: Any = None,
    bound: tuple[int, Any] | None = None,
    open_form: Any = None,
) -> HttpResponse:
    inspection = space.inspection
    editable = _may_edit(space)
    sections = list(inspection.report_sections.all())
    rows = []
    for section in sections:
        form = bound[1] if bound and bound[0] == section.pk else None
        if form is None and editable:
            form = SectionEditForm(
                initial={
                    "title": section.title,
                    "body": section.body,
                    "position": section.position,
                },
                prefix=_section_prefix(section),
            )
        rows.append({"section": section, "form": form})
    if new_form is None and editable:
        new_form = ReportSectionForm(prefix="new", initial={"position": len(sections)})
    may_open = space.author and inspection.status in CONDUCTING
    if open_form is None and may_open:
        open_form = OpenReplyForm(initial={"days": inspection.reply_days})
    return render(
        request,
        "supervision/inspections/report.html",
        {
            "space": space,
            "inspection": inspection,
            "rows": rows,
            "new_form": new_form,
            "open_form": open_form if may_open else None,
        },
    )


@login_required
@require_POST
def reply_open(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The author sends the draft to the inspected side for the factual-accuracy window."""
    space = workspace(request, pk, "report")
    if not space.author:
        raise PermissionDenied
    form = OpenReplyForm(request.POST)
    return submit(
        request,
        form,
        lambda data: services.open_reply_window(
            by=request.user, inspection=space.inspection, days=data["days"]
        ),
        success=_("The reply window is open."),
        redirect_to=reverse("inspections:reply", args=[pk]),
        page=lambda: _render_report(request, space, open_form=form),
    )


# ---- The right of reply ----------------------------------------------------------------------


def _comment_prefix(section: ReportSection) -> str:
    return f"comment-{section.pk}"


def _answer_prefix(comment: ReplyComment) -> str:
    return f"answer-{comment.pk}"


def _sections_with_comments(inspection: Inspection) -> QuerySet[ReportSection]:
    return inspection.report_sections.prefetch_related(
        Prefetch(
            "comments",
            queryset=ReplyComment.objects.select_related("author", "answered_by").order_by(
                "created_at", "pk"
            ),
        )
    )


def _posted_or_blank(posted: Any, form_class: type[Any], prefix: str) -> Any:
    """The form posted under `prefix` (showing its errors), else a blank one."""
    return posted if posted is not None and posted.prefix == prefix else form_class(prefix=prefix)


def _reply_page(request: AuthenticatedHttpRequest, space: Workspace, section_id: int) -> RecordPage:
    """The reply page, as the comment and answer forms are posted from it: back at the
    section they are about."""
    return RecordPage(
        lambda **shown: _render_reply(request, space, **shown),
        reverse("inspections:reply", args=[space.inspection.pk]) + f"#section-{section_id}",
    )


def _render_reply(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    *,
    comment_bound: Any = None,
    answer_bound: Any = None,
) -> HttpResponse:
    """The draft as sent, per section its comments and answers; comment forms for the
    inspected side while the window is open, answer forms for the team (a posted form with
    errors in place of its blank one)."""
    inspection = space.inspection
    # The inspected side reads the draft only once it has been sent to them.
    sent = inspection.reply_opens_at is not None
    shows_draft = space.works_on or sent
    may_comment = space.inspected_side and permissions.can_reply(request.user, inspection)
    may_answer = _may_edit(space)
    rows = []
    for section in _sections_with_comments(inspection) if shows_draft else []:
        comment_form = None
        if may_comment:
            comment_form = _posted_or_blank(comment_bound, CommentForm, _comment_prefix(section))
        comments = []
        for comment in section.comments.all():
            answer_form = None
            if may_answer and not comment.answered_at:
                answer_form = _posted_or_blank(answer_bound, AnswerForm, _answer_prefix(comment))
            comments.append({"comment": comment, "answer_form": answer_form})
        rows.append({"section": section, "comments": comments, "comment_form": comment_form})
    return render(
        request,
        "supervision/inspections/reply.html",
        {
            "space": space,
            "inspection": inspection,
            "rows": rows,
            "sent": sent,
            "shows_draft": shows_draft,
            "window_open": inspection.reply_window_open(),
            "may_comment": may_comment,
        },
    )


reply = tab_page("reply", _render_reply)


@login_required
@require_POST
def reply_comment(request: AuthenticatedHttpRequest, pk: int, section_pk: int) -> HttpResponse:
    space = workspace(request, pk, "reply")
    section = get_object_or_404(space.inspection.report_sections, pk=section_pk)
    if not (space.inspected_side and permissions.can_reply(request.user, space.inspection)):
        raise PermissionDenied
    form = CommentForm(request.POST, prefix=_comment_prefix(section))
    return _reply_page(request, space, section.pk).submit(
        request,
        "comment_bound",
        form,
        lambda data: services.comment_on_section(
            by=request.user, section=section, text=data["text"]
        ),
        _("Your comment has been sent to the inspectors."),
    )


@login_required
@require_POST
def reply_answer(request: AuthenticatedHttpRequest, pk: int, comment_pk: int) -> HttpResponse:
    space = workspace(request, pk, "reply")
    comment = get_object_or_404(
        ReplyComment.objects.filter(section__inspection=space.inspection).select_related("section"),
        pk=comment_pk,
    )
    if not space.team_member:
        raise PermissionDenied
    form = AnswerForm(request.POST, prefix=_answer_prefix(comment))
    return _reply_page(request, space, comment.section_id).submit(
        request,
        "answer_bound",
        form,
        lambda data: services.answer_comment(
            by=request.user,
            comment=comment,
            answer=data["answer"],
            revised_body=data["revised_body"] if data["revised_body"].strip() else None,
        ),
        _("Your answer has been recorded."),
    )


# ---- Publication -----------------------------------------------------------------------------


def public_report_url(inspection: Inspection, version: int | None = None) -> str:
    """The public page of the published report (or of one version of it), when the public
    portal has one."""
    try:
        if version is None:
            return reverse("public:report-detail", args=[inspection.pk])
        return reverse("public:report-version", args=[inspection.pk, version])
    except NoReverseMatch:
        return ""


def _render_publication(
    request: AuthenticatedHttpRequest,
    space: Workspace,
    *,
    request_form: Any = None,
    return_form: Any = None,
    errors: list[str] | None = None,
) -> HttpResponse:
    user = request.user
    inspection = space.inspection
    versions: list[PublishedReport] = list(
        inspection.published_versions.select_related("published_by", "approved_by").order_by(
            "version"
        )
    )
    may_request = space.author and permissions.can_request_publication(user, inspection)
    may_approve = permissions.can_approve_publication(user, inspection)
    if may_request and request_form is None:
        request_form = PublicationRequestForm(
            initial={"correction_note": inspection.correction_note}
        )
    if may_approve and return_form is None:
        return_form = ReasonForm()
    return render(
        request,
        "supervision/inspections/publication.html",
        {
            "space": space,
            "inspection": inspection,
            "versions": list(reversed(versions)),
            "version_rows": [
                {"version": item, "public_url": public_report_url(inspection, item.version)}
                for item in reversed(versions)
            ],
            "chain_problems": publication.verify_report_chain(inspection) if versions else [],
            "public_url": public_report_url(inspection) if versions else "",
            # The people who published are shown to those who work on the inspection only.
            "shows_people": space.works_on,
            "is_correction": bool(versions),
            "request_form": request_form if may_request else None,
            "may_approve": may_approve,
            "return_form": return_form if may_approve else None,
            "may_correct": permissions.can_start_correction(user, inspection),
            "closed": inspection.status in CLOSED,
            "errors": errors or [],
        },
    )


publication_page = tab_page("publication", _render_publication)


def _publication_space(
    request: AuthenticatedHttpRequest, pk: int, allowed: Callable[[Any, Workspace], bool]
) -> Workspace:
    """The publication tab's workspace, when `allowed` lets the user take the step (else 403)."""
    space = workspace(request, pk, "publication")
    if not allowed(request.user, space):
        raise PermissionDenied
    return space


def _author(user: Any, space: Workspace) -> bool:
    return space.author


def _approver(user: Any, space: Workspace) -> bool:
    return permissions.can_approve_publication(user, space.inspection)


def _publication_view(
    allowed: Callable[[Any, Workspace], bool],
    service: Callable[..., Any],
    success: str | Promise,
    *,
    form: tuple[str, type[Any]] | None = None,
    then: str = "inspections:publication",
) -> Callable[..., HttpResponse]:
    """A step of the publication tab, for those `allowed` (else 403):
    `service(by=, inspection=)`, given the data of `form` when the step has one (its key in
    the tab and its class). A button leads on to `then`, or back to the tab with the refusal's
    reasons; a form back to the tab, or the tab with the form's errors."""

    @login_required
    @require_POST
    def view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        space = _publication_space(request, pk, allowed)

        def step(**data: Any) -> Any:
            return service(by=request.user, inspection=space.inspection, **data)

        if form is None:
            return act(
                request,
                step,
                refused=lambda exc: _render_publication(request, space, errors=exc.messages),
                success=str(success),
                redirect_to=reverse(then, args=[space.inspection.pk]),
            )
        form_key, form_class = form
        page = RecordPage(
            lambda **shown: _render_publication(request, space, **shown),
            reverse("inspections:publication", args=[space.inspection.pk]),
        )
        bound = form_class(request.POST)
        return page.submit(request, form_key, bound, lambda data: step(**data), str(success))

    return view


publication_request = _publication_view(
    _author,
    services.request_publication,
    gettext_lazy("Publication has been requested; a second person approves it."),
    form=("request_form", PublicationRequestForm),
)
publication_approve = _publication_view(
    _approver, services.approve_publication, gettext_lazy("The report has been published.")
)
publication_return = _publication_view(
    _approver,
    services.return_for_changes,
    gettext_lazy("The report has been sent back to its author."),
    form=("return_form", ReasonForm),
)
publication_correction = _publication_view(
    lambda user, space: space.author or space.manages,
    services.start_correction,
    gettext_lazy("A correction has been started: revise the draft, then request its publication."),
    then="inspections:report",
)
