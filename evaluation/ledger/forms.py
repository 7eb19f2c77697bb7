"""Forms of the reward ledger: they validate input; the services hold the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from programs.models import Program, Project
from training_portal.core.forms import BootstrapForm, text_area

from .services import MAX_POINTS, Period

DATE = {"type": "date"}
KIND_CHOICES = [("person", _("Per person")), ("organisation", _("Per organisation"))]


class RewardRulesForm(BootstrapForm):
    """A program's points for a completed project of each size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for size, label in Project.Size.choices:
            self.fields[size] = forms.IntegerField(
                label=label, min_value=1, max_value=MAX_POINTS, widget=forms.NumberInput()
            )
        self.style_widgets()

    def points(self) -> dict[str, int]:
        return {size: self.cleaned_data[size] for size in Project.Size.values}


class ReverseEntryForm(BootstrapForm):
    reason = text_area(
        _("Reason"),
        rows=3,
        help_text=_("Why the award is cancelled: the reversing entry keeps it."),
    )


class LedgerFilterForm(BootstrapForm):
    """Which entries count: a program, a year or dates, per person or per organisation."""

    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), required=False
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs=DATE))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs=DATE))
    kind = forms.ChoiceField(label=_("Totals"), choices=KIND_CHOICES, required=False)

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The period must end on or after its start."))
        return data

    def _value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None

    def period(self) -> Period:
        start: dt.date | None = self._value("start")
        end: dt.date | None = self._value("end")
        year: int | None = self._value("year")
        if start or end:
            return Period(start, end)
        if year:
            return Period.year(year)
        return Period()

    def chosen_program(self) -> Program | None:
        return self._value("program")

    def chosen_kind(self) -> str:
        return self._value("kind") or "person"
