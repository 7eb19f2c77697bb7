"""Forms of evaluations: they validate input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programs.models import TrainingObjective
from training_portal.core.forms import BootstrapForm, text_area

from ..models import Indicator, Source
from .services import COMMENT_MAX_LENGTH

DATE = {"type": "date"}


class IndicatorForm(BootstrapForm):
    """One row of the program's indicators."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    category = forms.ChoiceField(label=_("Category"), choices=Indicator.Category.choices)
    objective = forms.ModelChoiceField(
        label=_("Training objective"), queryset=TrainingObjective.objects.none(), required=False
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    description = text_area(_("Description"), rows=2)
    weight = forms.DecimalField(
        label=_("Weight (%)"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    scale_min = forms.IntegerField(label=_("Lowest score"), min_value=0, max_value=100, initial=1)
    scale_max = forms.IntegerField(label=_("Highest score"), min_value=0, max_value=100, initial=5)

    def __init__(
        self,
        *args: Any,
        objectives: QuerySet[TrainingObjective],
        objective_choices: list[tuple[Any, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["objective"]
        field.queryset = objectives  # type: ignore[attr-defined]
        # Read once for the whole formset, not once per row.
        field.choices = objective_choices  # type: ignore[attr-defined]


class BaseIndicatorFormSet(forms.BaseFormSet[IndicatorForm]):
    def rows(self) -> list[dict[str, Any]]:
        """The rows kept (not marked for deletion, not left empty), with their position."""
        rows: list[dict[str, Any]] = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append({**data, "position": len(rows)})
        return rows

    def add_service_errors(self, exc: ValidationError) -> None:
        """Errors keyed "<row>.<field>" (rows counted among those kept) go on their form."""
        kept = [
            form
            for form in self.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        self._service_errors: list[str] = []
        for key, messages in exc.message_dict.items():
            index, _sep, name = key.partition(".")
            if name and index.isdigit() and int(index) < len(kept):
                form = kept[int(index)]
                for message in messages:
                    form.add_error(name if name in form.fields else None, message)
            else:
                self._service_errors.extend(messages)

    def service_errors(self) -> list[str]:
        return getattr(self, "_service_errors", [])


IndicatorFormSet = forms.formset_factory(
    IndicatorForm, formset=BaseIndicatorFormSet, extra=2, can_delete=True, max_num=50
)


class RoundForm(BootstrapForm):
    """Opening an evaluation round."""

    title = forms.CharField(label=_("Title"), max_length=200)
    period_start = forms.DateField(label=_("Period start"), widget=forms.DateInput(attrs=DATE))
    period_end = forms.DateField(label=_("Period end"), widget=forms.DateInput(attrs=DATE))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs=DATE))
    sources = forms.MultipleChoiceField(
        label=_("Sources"),
        choices=Source.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_(
            "Who evaluates. Students on their tutors and on their placements answer "
            "anonymously; their answers are shown only as aggregates."
        ),
    )


class EvaluationForm(BootstrapForm):
    """A score per indicator of the program, and a comment."""

    def __init__(self, *args: Any, indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[f"score_{indicator.pk}"] = forms.TypedChoiceField(
                label=indicator.name,
                help_text=indicator.description,
                coerce=int,
                choices=[(v, str(v)) for v in range(indicator.scale_min, indicator.scale_max + 1)],
                widget=forms.RadioSelect,
            )
        self.fields["comment"] = text_area(_("Comment"), rows=4, max_length=COMMENT_MAX_LENGTH)
        self.style_widgets()

    def style_widgets(self) -> None:
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-control")
            else:
                field.widget.attrs.setdefault("class", "form-check-input")

    def scores(self) -> dict[int, int]:
        return {i.pk: self.cleaned_data[f"score_{i.pk}"] for i in self.indicators}
