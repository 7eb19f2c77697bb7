"""Forms of the audit pages: starting an audit, a rule's settings, the nightly schedule. They
read input; the services hold the rules (who may act, valid thresholds and schedules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programs.models import Program
from training_portal.core.forms import BootstrapForm

from ..models.audit import Severity
from ..rules import Rule, rule_choices


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
