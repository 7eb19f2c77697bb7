"""Forms of external inspections: they validate input and shape it for the services of
`supervision.inspections.services` and `supervision.inspections.draw`, which hold the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from programs.models import Organization, Program
from training_portal.core.forms import BootstrapForm, optional_choices, text_area

from ..models import (
    ConflictOfInterest,
    Draw,
    InspectionType,
    InspectorProfile,
)
from ..models.inspections import DEFAULT_REPLY_DAYS
from .services import inspection_date_errors

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
#: The largest sample and draw sizes a form accepts (the services may refuse smaller ones).
MAX_SAMPLE = 200
MAX_TARGETS = 50
MAX_TEAM = 10
#: The prefixes of a target's choice value ("program:12", "organization:3").
PROGRAM, ORGANIZATION = "program", "organization"


def person_label(person: User) -> str:
    return f"{person.full_name or person.email} <{person.email}>"


def inspector_label(person: User) -> str:
    profile = getattr(person, "inspector_profile", None)
    lead = gettext(" (lead inspector)") if profile is not None and profile.is_lead else ""
    return person_label(person) + lead


def pool_users() -> QuerySet[User]:
    """The inspectors who may be put on a team or assigned (their profile joined)."""
    return (
        User.objects.filter(inspector_profile__in=InspectorProfile.objects.in_pool())
        .select_related("inspector_profile")
        .order_by("full_name", "email")
    )


class DateTimeLocalField(forms.DateTimeField):
    """A date and time typed in the browser's `datetime-local` input (the portal's zone)."""

    widget = forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", [DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"])
        super().__init__(**kwargs)


class TargetField(forms.ChoiceField):
    """One program or one organisation, as "program:<id>" or "organization:<id>"; cleaned to
    {"program": Program} or {"organization": Organization}."""

    def __init__(
        self,
        *,
        programs: QuerySet[Program] | None = None,
        organizations: QuerySet[Organization] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._programs: dict[str, Program] = {}
        self._organizations: dict[str, Organization] = {}
        if programs is not None or organizations is not None:
            self.set_targets(
                programs if programs is not None else Program.objects.none(),
                organizations if organizations is not None else Organization.objects.none(),
            )

    def set_targets(
        self, programs: QuerySet[Program], organizations: QuerySet[Organization]
    ) -> None:
        """Offer these programs and organisations (one query each)."""
        self._programs = {str(p.pk): p for p in programs}
        self._organizations = {str(o.pk): o for o in organizations}
        choices: list[Any] = [("", "—")]
        if self._programs:
            choices.append(
                (
                    _("Programs"),
                    [(f"{PROGRAM}:{pk}", str(p)) for pk, p in self._programs.items()],
                )
            )
        if self._organizations:
            choices.append(
                (
                    _("Organisations"),
                    [(f"{ORGANIZATION}:{pk}", str(o)) for pk, o in self._organizations.items()],
                )
            )
        self.choices = choices

    def clean(self, value: Any) -> dict[str, Any]:
        value = super().clean(value)
        if not value:
            return {}
        kind, _sep, pk = str(value).partition(":")
        if kind == PROGRAM and pk in self._programs:
            return {"program": self._programs[pk]}
        if kind == ORGANIZATION and pk in self._organizations:
            return {"organization": self._organizations[pk]}
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")


# ---- The list and the calendar ---------------------------------------------------------------


class MonthForm(forms.Form):
    """The calendar's month, as ?month=YYYY-MM."""

    month = forms.CharField(required=False, max_length=7)

    def clean_month(self) -> dt.date:
        value = self.cleaned_data.get("month") or ""
        if not value:
            return timezone.localdate().replace(day=1)
        try:
            return dt.datetime.strptime(value, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(
                _("Give the month as YYYY-MM, for example 2026-03."), code="invalid"
            ) from None


# ---- Scheduling, cancelling ------------------------------------------------------------------


class TargetedForm(BootstrapForm):
    """A form about one program or organisation (its `target` field, chosen among the given
    ones), whose `inspector_fields` choose among the pool's inspectors."""

    inspector_fields: tuple[str, ...] = ()

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        organizations: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        target: Any = self.fields["target"]
        target.set_targets(programs, organizations)
        pool = pool_users()
        for name in self.inspector_fields:
            field: Any = self.fields[name]
            field.queryset = pool
            field.label_from_instance = inspector_label


class ScheduleInspectionForm(TargetedForm):
    """A portal administrator schedules an inspection of a program or an organisation."""

    title = forms.CharField(label=_("Title"), max_length=200)
    inspection_type = forms.ChoiceField(label=_("Type"), choices=InspectionType.choices)
    target = TargetField(label=_("Program or organisation inspected"))
    unannounced = forms.BooleanField(
        label=_("Unannounced (hidden from the inspected side until it starts)"), required=False
    )
    starts_at = DateTimeLocalField(label=_("Starts at"))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs=DATE))
    inspectors = forms.ModelMultipleChoiceField(
        label=_("Team"),
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("Inspectors of the pool. Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    author = forms.ModelChoiceField(
        label=_("Writes the report"),
        queryset=User.objects.none(),
        help_text=_("One of the team."),
    )
    sample_size = forms.IntegerField(
        label=_("Students to sample at random"),
        min_value=0,
        max_value=MAX_SAMPLE,
        initial=0,
    )
    reply_days = forms.IntegerField(
        label=_("Reply window (days)"), min_value=1, max_value=60, initial=DEFAULT_REPLY_DAYS
    )
    scope_note = text_area(_("Scope"), rows=3)

    inspector_fields = ("inspectors", "author")

    def clean(self) -> dict[str, Any] | None:
        # The date rules in the same round as the other fields' errors.
        cleaned = super().clean()
        starts_at, ends_on = self.cleaned_data.get("starts_at"), self.cleaned_data.get("ends_on")
        if starts_at is not None and ends_on is not None:
            errors: dict[str, list[str]] = {}
            inspection_date_errors(starts_at, ends_on, errors)
            for field, messages in errors.items():
                for message in messages:
                    self.add_error(field, message)
        return cleaned

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "inspection_type": data["inspection_type"],
            **data["target"],
            "unannounced": data["unannounced"],
            "starts_at": data["starts_at"],
            "ends_on": data["ends_on"],
            "inspectors": list(data["inspectors"]),
            "author": data["author"],
            "sample_size": data["sample_size"],
            "reply_days": data["reply_days"],
            "scope_note": data["scope_note"],
        }


class ReasonForm(BootstrapForm):
    """A reason, for cancelling an inspection or sending a report back."""

    reason = text_area(_("Reason"), rows=3, required=True)


# ---- Assignments, inspectors, conflicts ------------------------------------------------------


class AssignmentForm(TargetedForm):
    """An inspector may see one program or organisation from one date to another."""

    inspector = forms.ModelChoiceField(label=_("Inspector"), queryset=User.objects.none())
    target = TargetField(label=_("Program or organisation"))
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs=DATE))
    valid_until = forms.DateField(label=_("Until"), widget=forms.DateInput(attrs=DATE))

    inspector_fields = ("inspector",)

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "inspector": data["inspector"],
            **data["target"],
            "valid_from": data["valid_from"],
            "valid_until": data["valid_until"],
        }


class ConflictForm(BootstrapForm):
    """An organisation the inspector belongs to or is linked with."""

    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none()
    )
    kind = forms.ChoiceField(label=_("Kind of link"), choices=ConflictOfInterest.Kind.choices)
    explanation = text_area(_("Explanation"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.order_by("name")  # type: ignore[attr-defined]


# ---- Checklist templates ---------------------------------------------------------------------


class ChecklistTemplateForm(BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)


class TemplateItemForm(BootstrapForm):
    """One question of a checklist template; a row left empty is ignored."""

    section = forms.CharField(label=_("Section"), max_length=120, required=False)
    text = forms.CharField(label=_("Question"), max_length=500, required=False)
    guidance = text_area(_("Guidance"), rows=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("section") or data.get("guidance")) and not data.get("text"):
            self.add_error("text", _("A question needs a text."))
        if data.get("text") and not data.get("section"):
            self.add_error("section", _("Say which section the question belongs to."))
        return data

    def is_empty(self) -> bool:
        data = self.cleaned_data
        return not (data.get("section") or data.get("text") or data.get("guidance"))


TemplateItemFormSet = forms.formset_factory(
    TemplateItemForm, extra=3, can_delete=True, max_num=200, absolute_max=200
)


def template_items(formset: Any) -> list[dict[str, str]]:
    """The questions of a valid formset, in order, without deleted or empty rows."""
    return [
        {
            "section": form.cleaned_data["section"],
            "text": form.cleaned_data["text"],
            "guidance": form.cleaned_data.get("guidance", ""),
        }
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and not form.is_empty()
    ]


# ---- Draws -----------------------------------------------------------------------------------


class DrawForm(BootstrapForm):
    """A double random draw: targets (with students within them) and inspectors, in one step."""

    target_kind = forms.ChoiceField(label=_("Draw"), choices=Draw.TargetKind.choices)
    inspection_type = forms.ChoiceField(label=_("Inspection type"), choices=InspectionType.choices)
    unannounced = forms.BooleanField(
        label=_("Unannounced (hidden from the inspected side until it starts)"), required=False
    )
    targets = forms.IntegerField(
        label=_("Targets to draw"), min_value=1, max_value=MAX_TARGETS, initial=1
    )
    students_per_target = forms.IntegerField(
        label=_("Students to draw in each target"), min_value=0, max_value=MAX_SAMPLE, initial=5
    )
    inspectors_per_target = forms.IntegerField(
        label=_("Inspectors to draw for each target"), min_value=1, max_value=MAX_TEAM, initial=2
    )
    candidate_programs = optional_choices(
        _("Candidate programs"),
        Program,
        size=6,
        help_text=_("When drawing programs: leave empty to draw among all active programs."),
    )
    candidate_organizations = optional_choices(
        _("Candidate organisations"),
        Organization,
        size=6,
        help_text=_("When drawing organisations: leave empty to draw among all of them."),
    )
    seed = forms.CharField(
        label=_("Seed"),
        max_length=64,
        required=False,
        help_text=_("Leave empty for a fresh random seed (recommended)."),
    )
    starts_at = DateTimeLocalField(label=_("The inspections start at"))
    ends_on = forms.DateField(label=_("They end on"), widget=forms.DateInput(attrs=DATE))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["candidate_programs"].queryset = Program.objects.order_by("code")  # type: ignore[attr-defined]
        self.fields["candidate_organizations"].queryset = Organization.objects.order_by("name")  # type: ignore[attr-defined]

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["target_kind"]
        chosen = (
            data["candidate_programs"]
            if kind == Draw.TargetKind.PROGRAM
            else data["candidate_organizations"]
        )
        return {
            "target_kind": kind,
            "inspection_type": data["inspection_type"],
            "unannounced": data["unannounced"],
            "targets": data["targets"],
            "students_per_target": data["students_per_target"],
            "inspectors_per_target": data["inspectors_per_target"],
            "candidate_ids": sorted(item.pk for item in chosen) or None,
            "seed": data["seed"] or None,
            "starts_at": data["starts_at"],
            "ends_on": data["ends_on"],
        }


class RedoDrawForm(DrawForm):
    """Drawing again, replacing a draw: the reason is required and kept."""

    replace_reason = text_area(_("Why draw again"), rows=3, required=True)

    def service_arguments(self) -> dict[str, Any]:
        return {
            **super().service_arguments(),
            "replace_reason": self.cleaned_data["replace_reason"],
        }
