"""Forms of partner performance: they validate input; the services hold the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from training_portal.core.forms import BootstrapForm, text_area

from ..models import ProbationDecision
from . import formula

DATE = {"type": "date"}


def weight_field(key: str) -> str:
    return f"weight_{key}"


def _points_field(
    label: Any, initial: Decimal | int, *, max_value: int = 100, **kwargs: Any
) -> forms.DecimalField:
    """A decimal from 0 to `max_value` with two decimal places (scores, weights, shares)."""
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_value=max_value,
        decimal_places=2,
        initial=initial,
        **kwargs,
    )


class StartRunForm(BootstrapForm):
    """A period to score, with the formula's weights and the probation thresholds."""

    label = forms.CharField(label=_("Period"), max_length=40, help_text=_("For example “2026”."))
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE))
    threshold = _points_field(
        _("Probation threshold"),
        formula.DEFAULT_THRESHOLD,
        help_text=_("Partners scoring below it are recommended for probation."),
    )
    bottom_share = _points_field(
        _("Bottom share (%)"),
        formula.DEFAULT_BOTTOM_SHARE,
        max_value=99,
        help_text=_(
            "Partners in the bottom share of their kind in two periods running are "
            "recommended for probation."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for component in formula.COMPONENTS:
            self.fields[weight_field(component.key)] = _points_field(
                _("Weight: %(component)s") % {"component": component.label},
                formula.DEFAULT_WEIGHTS[component.key],
            )
        self.style_widgets()

    def run_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        weights: dict[str, Decimal] = {c.key: data[weight_field(c.key)] for c in formula.COMPONENTS}
        return {
            "label": data["label"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "threshold": data["threshold"],
            "bottom_share": data["bottom_share"],
            "weights": weights,
        }

    def add_run_errors(self, exc: Any) -> None:
        """Weights errors go on the first weight field; the rest where they belong."""
        self.add_service_errors(exc, aliases={"weights": weight_field(formula.COMPONENTS[0].key)})


class DecisionForm(BootstrapForm):
    decision = forms.ChoiceField(label=_("Decision"), choices=ProbationDecision.Decision.choices)
    reason = text_area(
        _("Reason"),
        rows=3,
        help_text=_("Recorded with the decision and in the organisation's status history."),
    )
