"""Forms of the findings pages: they read input; the services hold the rules (who may act,
which moves a finding may make, who may take a finding)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from training_portal.core.forms import BootstrapForm, text_area

from ..models import Finding
from . import workflow
from .services import BULK_ACTIONS

DATE = {"type": "date"}


class PersonChoiceField(forms.ModelChoiceField):
    """Offers the people who can see the findings, but accepts any active account, so that
    the service (not a bare "invalid choice") says why someone cannot take a finding."""

    def to_python(self, value: Any) -> User | None:
        if value in self.empty_values:
            return None
        try:
            return User.objects.get(pk=int(value), is_active=True)
        except (TypeError, ValueError, User.DoesNotExist) as exc:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from exc


# ---- Findings list: bulk actions ------------------------------------------------------------


_BULK_LABELS = {
    "acknowledge": _("Acknowledge"),
    "resolve": _("Mark resolved"),
    "assign": _("Assign"),
    "dismiss": _("Dismiss"),
}


class BulkActionForm(BootstrapForm):
    """One action on the findings ticked in the list."""

    ACTIONS = [(code, _BULK_LABELS[code]) for code in BULK_ACTIONS]

    findings = forms.ModelMultipleChoiceField(
        label=_("Findings"),
        queryset=Finding.objects.none(),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Tick at least one finding.")},
    )
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    assignee = PersonChoiceField(label=_("Assign to"), queryset=User.objects.none(), required=False)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    justification = text_area(_("Justification (to dismiss)"), rows=2)

    def __init__(
        self, *args: Any, findings: QuerySet[Finding], candidates: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["findings"].queryset = findings  # type: ignore[attr-defined]
        self.fields["assignee"].queryset = candidates  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        wants_assignee = data.get("action") == "assign" and data.get("assignee") is None
        if wants_assignee and "assignee" not in self.errors:
            self.add_error("assignee", _("Choose whom to assign the findings to."))
        return data


# ---- One finding ---------------------------------------------------------------------------


class TransitionForm(BootstrapForm):
    """A move in a finding's life; each move's form shows the fields it takes."""

    ACTIONS = [(move.name, move.label) for move in workflow.MOVES]
    #: The fields each move shows (the others are ignored).
    FIELDS = {
        "acknowledge": (),
        "start_remediation": ("corrective_action",),
        "resolve": (),
        "reopen": (),
        "dismiss": ("justification",),
    }

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.HiddenInput)
    corrective_action = text_area(_("Corrective action"), rows=2)
    justification = text_area(_("Why is it dismissed?"), rows=2)
    #: Resolving a finding whose problem is still there, after the warning.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def shown_fields(self) -> list[forms.BoundField]:
        action = self.initial.get("action") or self.data.get("action")
        return [self[name] for name in self.FIELDS.get(str(action), ())]


class AssignForm(BootstrapForm):
    assignee = PersonChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=pgettext_lazy("assignee", "Nobody"),
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs=DATE)
    )

    def __init__(self, *args: Any, candidates: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = candidates  # type: ignore[attr-defined]


class CorrectiveActionForm(BootstrapForm):
    text = text_area(
        _("Corrective action"),
        rows=3,
        help_text=_("What is being done about the problem, by whom and by when."),
    )
