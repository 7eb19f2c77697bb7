"""Forms of internal supervision: they validate input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from programs.models import Organization, TutorProfile
from training_portal.core.forms import BootstrapForm, optional_choice, optional_choices, text_area

from ..findings.services import message_of, rule_of
from ..models import Finding, ReviewMeeting
from ..models.internal import COMMENT_MAX_LENGTH
from .services import RatingStatus, term_label

DATE = {"type": "date"}
SCORES = [
    (1, _("1 — poor")),
    (2, _("2 — weak")),
    (3, _("3 — adequate")),
    (4, _("4 — good")),
    (5, _("5 — excellent")),
]


def person_label(person: User) -> str:
    return f"{person.full_name or person.email} <{person.email}>"


def finding_label(finding: Finding) -> str:
    rule = rule_of(finding)
    return gettext("#%(id)s %(rule)s: %(message)s (%(status)s)") % {
        "id": finding.pk,
        "rule": rule.label if rule else finding.rule,
        "message": message_of(finding),
        "status": finding.get_status_display(),
    }


class ReviewMeetingForm(BootstrapForm):
    """A review meeting: planned, or held with its criticism, record and corrective actions."""

    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ReviewMeeting.Kind.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ReviewMeeting.Status.choices,
        help_text=_("Record and corrective actions are written once the meeting is held."),
    )
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs=DATE))
    chair = forms.ModelChoiceField(label=_("Chair"), queryset=User.objects.none())
    participants = optional_choices(
        _("Participants"),
        User,
        size=10,
        help_text=_(
            "The program's administrators, coordinators, tutors and students. "
            "Hold Ctrl (⌘ on a Mac) to choose several."
        ),
    )
    organizations = optional_choices(_("Organisations involved"), Organization)
    findings = optional_choices(
        _("Findings discussed"),
        Finding,
        size=6,
        help_text=_("Audit findings of this program that the meeting takes up."),
    )
    criticism = text_area(_("Criticism (problems raised)"), rows=4)
    review_record = text_area(_("Review record (minutes)"), rows=6)
    corrective_actions = text_area(_("Corrective actions agreed"), rows=4)
    action_owner = optional_choice(
        _("Responsible for the actions"), User, empty_label=_("Nobody yet")
    )
    actions_due_on = forms.DateField(
        label=_("Actions due on"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[User],
        organizations: QuerySet[Organization],
        findings: QuerySet[Finding],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        people = people.order_by("full_name", "email")
        for name in ("chair", "participants", "action_owner"):
            field: Any = self.fields[name]
            field.queryset = people
            field.label_from_instance = person_label
        self.fields["organizations"].queryset = organizations.order_by("name")  # type: ignore[attr-defined]
        finding_field: Any = self.fields["findings"]
        finding_field.queryset = findings.order_by("-last_seen_at", "-pk")
        finding_field.label_from_instance = finding_label

    @classmethod
    def initial_of(cls, meeting: ReviewMeeting, visible_findings: list[Finding]) -> dict[str, Any]:
        """The form's values for an existing meeting (only the findings the editor sees)."""
        return {
            "title": meeting.title,
            "kind": meeting.kind,
            "status": meeting.status,
            "held_on": meeting.held_on,
            "chair": meeting.chair_id,
            "participants": [person.pk for person in meeting.participants.all()],
            "organizations": [org.pk for org in meeting.organizations.all()],
            "findings": [finding.pk for finding in visible_findings],
            "criticism": meeting.criticism,
            "review_record": meeting.review_record,
            "corrective_actions": meeting.corrective_actions,
            "action_owner": meeting.action_owner_id,
            "actions_due_on": meeting.actions_due_on,
        }


class RatingForm(BootstrapForm):
    """A student's anonymous rating of their supervision for the current term."""

    def __init__(self, *args: Any, status: RatingStatus, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if status.academic_tutor is not None:
            self.fields["academic_tutor_score"] = _score_field(
                gettext("Your academic tutor, %(name)s")
                % {"name": status.academic_tutor.user.full_name}
            )
        tutors = status.practice_tutors
        if len(tutors) > 1:
            self.fields["practice_tutor"] = forms.ModelChoiceField(
                label=_("The practice tutor you rate"),
                queryset=TutorProfile.objects.filter(pk__in=[t.pk for t in tutors]).select_related(
                    "user"
                ),
                widget=forms.Select(attrs={"class": "form-select"}),
            )
        if tutors:
            label = (
                gettext("Your practice tutor, %(name)s") % {"name": tutors[0].user.full_name}
                if len(tutors) == 1
                else gettext("That practice tutor")
            )
            self.fields["practice_tutor_score"] = _score_field(label)
        self.fields["program_support_score"] = _score_field(
            gettext("The support of the program (%(code)s)") % {"code": status.student.program.code}
        )
        self.fields["comment"] = forms.CharField(
            label=pgettext_lazy("supervision rating", "Comment"),
            required=False,
            max_length=COMMENT_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
            help_text=_(
                "Read only by the program's administrators, among at least five answers and "
                "never with your name. Do not name yourself."
            ),
        )
        self.term_label = term_label(status.term)

    def rating_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        return {
            "academic_tutor_score": data.get("academic_tutor_score"),
            "practice_tutor_score": data.get("practice_tutor_score"),
            "practice_tutor": data.get("practice_tutor"),
            "program_support_score": data.get("program_support_score"),
            "comment": data.get("comment", ""),
        }


def _score_field(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )


class RatingTermForm(BootstrapForm):
    """The term filter of the aggregates page (a GET form)."""

    term = forms.ChoiceField(label=_("Term"), required=False)

    def __init__(self, *args: Any, terms: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [  # type: ignore[attr-defined]
            ("", pgettext_lazy("filter", "Any")),
            *((term, term_label(term)) for term in terms),
        ]

    def chosen_term(self) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data.get("term") or "")
