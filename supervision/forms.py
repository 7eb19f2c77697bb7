"""Forms of the audit pages: they read input; the services hold the rules (who may act, which
moves a finding may make, who may take a finding, valid thresholds and schedules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User
from programs.models import Organization, Program
from training_portal.core.forms import BootstrapForm

from .models import Finding
from .models.audit import Severity
from .rules import Rule, finding_rule_choices, rule_choices
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


# ---- Dashboard -----------------------------------------------------------------------------


class StartAuditForm(BootstrapForm):
    """One program (or, for portal administrators, the whole portal), all rules or some."""

    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )
    rules = forms.MultipleChoiceField(
        label=_("Rules"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("None ticked: every rule that is switched on."),
    )

    def __init__(
        self, *args: Any, programs: QuerySet[Program], whole_portal: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        field.queryset = programs  # type: ignore[attr-defined]
        field.required = not whole_portal
        field.empty_label = _("The whole portal") if whole_portal else "---------"  # type: ignore[attr-defined]
        self.fields["rules"].choices = rule_choices()  # type: ignore[attr-defined]


# ---- Findings list -------------------------------------------------------------------------


class FindingFilterForm(BootstrapForm):
    ACTIVE = "active"
    ALL = "all"
    SORTS = (
        ("severity", _("Most severe first")),
        ("last_seen", _("Last found first")),
        ("-last_seen", _("Last found longest ago first")),
        ("-severity", _("Least severe first")),
    )

    q = forms.CharField(label=_("Student"), required=False, max_length=100)
    rule = forms.ChoiceField(label=_("Rule"), required=False)
    severity = forms.MultipleChoiceField(
        label=_("Severity"),
        required=False,
        choices=Severity.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organization.objects.none(), required=False
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORTS)

    def __init__(
        self,
        *args: Any,
        programs: QuerySet[Program],
        organizations: QuerySet[Organization],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("Any rule")), *finding_rule_choices()]  # type: ignore[attr-defined]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (self.ACTIVE, _("Needing work (open, acknowledged, in remediation)")),
            *Finding.Status.choices,
            (self.ALL, pgettext_lazy("statuses", "All")),
        ]
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["program"].empty_label = _("Any program")  # type: ignore[attr-defined]
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]
        self.fields["organization"].empty_label = _("Any organisation")  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Name or student number")


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
    justification = forms.CharField(
        label=_("Justification (to dismiss)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

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

    ACTIONS = (
        ("acknowledge", _("Acknowledge")),
        ("start_remediation", _("Start remediation")),
        ("resolve", _("Mark resolved")),
        ("reopen", _("Reopen")),
        ("dismiss", _("Dismiss")),
    )
    #: The fields each move shows (the others are ignored).
    FIELDS = {
        "acknowledge": (),
        "start_remediation": ("corrective_action",),
        "resolve": (),
        "reopen": (),
        "dismiss": ("justification",),
    }

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, widget=forms.HiddenInput)
    corrective_action = forms.CharField(
        label=_("Corrective action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    justification = forms.CharField(
        label=_("Why is it dismissed?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
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
    text = forms.CharField(
        label=_("Corrective action"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What is being done about the problem, by whom and by when."),
    )


# ---- Rule settings and the schedule ---------------------------------------------------------


class RuleSettingForm(BootstrapForm):
    """A rule's switch, severity and thresholds, portal-wide or for one program; blank values
    keep the portal-wide value (for a program) or the rule's default."""

    enabled = forms.BooleanField(label=_("Switched on"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), required=False)

    def __init__(self, *args: Any, rule: Rule, inherited_severity: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        keep = _("As inherited (%(severity)s)") % {"severity": Severity(inherited_severity).label}
        self.fields["severity"].choices = [("", keep), *Severity.choices]  # type: ignore[attr-defined]
        for name, threshold in rule.thresholds.items():
            field: forms.Field
            if threshold.decimal:
                field = forms.DecimalField(
                    min_value=threshold.minimum,
                    max_value=threshold.maximum,
                    decimal_places=2,
                    widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                )
            else:
                field = forms.IntegerField(
                    min_value=int(threshold.minimum),
                    max_value=int(threshold.maximum),
                    widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                )
            field.label = str(threshold.label)  # forms are made per request, in its language
            field.required = False
            self.fields[f"threshold_{name}"] = field
        self.style_widgets()

    def threshold_fields(self) -> list[forms.BoundField]:
        return [self[f"threshold_{name}"] for name in self.rule.thresholds]

    def setting_fields(self) -> dict[str, Any]:
        """The cleaned data in the shape `change_rule_setting` takes."""
        data = self.cleaned_data
        return {
            "enabled": data["enabled"],
            "severity": data["severity"],
            "thresholds": {
                name: data.get(f"threshold_{name}")
                for name in self.rule.thresholds
                if data.get(f"threshold_{name}") is not None
            },
        }


class ScheduleForm(BootstrapForm):
    hour = forms.IntegerField(label=_("Hour"), min_value=0, max_value=23)
    minute = forms.IntegerField(label=_("Minute"), min_value=0, max_value=59)
    enabled = forms.BooleanField(label=_("Run every night"), required=False)
