"""The base of every portal form: Bootstrap's classes on the widgets, the model's check
constraints checked with the fields, and a service's ValidationError shown on the fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["BootstrapForm"]


def text_area(label: Any, *, rows: int, required: bool = False, **kwargs: Any) -> forms.CharField:
    """A free-text field shown as a text area of `rows` lines (optional unless told)."""
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), **kwargs
    )


#: The empty choice of an optional choice field.
NO_CHOICE = _("None")


def optional_choice(
    label: Any, model: type[models.Model], *, empty_label: Any = NO_CHOICE, **kwargs: Any
) -> forms.ModelChoiceField[Any]:
    """An optional choice of one of `model`'s rows: none to choose from until the form's
    `__init__` sets the queryset."""
    return forms.ModelChoiceField(
        label=label,
        queryset=model._default_manager.none(),
        required=False,
        empty_label=empty_label,
        **kwargs,
    )


def optional_choices(
    label: Any, model: type[models.Model], *, size: int | None = None, **kwargs: Any
) -> forms.ModelMultipleChoiceField[Any]:
    """An optional choice of several of `model`'s rows, as check boxes (or as a list `size`
    rows high): none to choose from until the form's `__init__` sets the queryset."""
    widget = (
        forms.SelectMultiple(attrs={"size": size})
        if size
        else forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )
    return forms.ModelMultipleChoiceField(
        label=label,
        queryset=model._default_manager.none(),
        required=False,
        widget=widget,
        **kwargs,
    )


class BootstrapForm(forms.Form):
    """Gives each widget Bootstrap's class, since `includes/form.html` renders widgets as is.

    A form that names `checked_model` also checks that model's check constraints (date order,
    amounts more than zero) on the fields that are valid, so that one submission shows the
    field errors and the cross-field errors together instead of in rounds; the services check
    the same constraints again when they save. `model_field_names` maps form fields to model
    fields where the names differ.
    """

    checked_model: type[models.Model] | None = None
    model_field_names: Mapping[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style_widgets()

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        if self.checked_model is not None:
            self.check_model_constraints(self.checked_model)
        return cleaned

    def check_model_constraints(self, model: type[models.Model]) -> None:
        """Add the messages of `model`'s check constraints that the valid fields break; a
        constraint over a missing or invalid field is left for later."""
        to_form = {self.model_field_names.get(name, name): name for name in self.fields}
        concrete = {field.name for field in model._meta.concrete_fields}
        values = {
            model_name: self.cleaned_data[form_name]
            for model_name, form_name in to_form.items()
            if model_name in concrete and form_name in self.cleaned_data
        }
        instance = model(**values)
        for constraint in model._meta.constraints:
            if not isinstance(constraint, models.CheckConstraint):
                continue
            referenced = set(constraint.condition.referenced_base_fields)  # type: ignore[union-attr]
            if not referenced or not referenced <= set(values):
                continue
            try:
                constraint.validate(model, instance)
            except ValidationError as exc:
                # On the field typed last of those it compares (the end date, the amount).
                order = [to_form[name] for name in to_form if name in referenced]
                target = order[-1] if order else None
                for message in exc.messages:
                    if message not in self.errors.get(target or "__all__", []):
                        self.add_error(target, message)

    def style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def add_service_errors(
        self, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> None:
        """Show a service's ValidationError on the fields it names (renamed by `aliases`),
        the rest on the form."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for name, messages in exc.message_dict.items():
            field = (aliases or {}).get(name, name)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
