"""Plain sentences instead of Django's and DRF's developer-style validation messages.

"This field cannot be null.", "Value 'xray' is not a valid choice." or "Enter a valid “slug”
consisting of letters, numbers, underscores or hyphens." reach users through model validation
in the services, through forms and through the API. `install()` (called once, from the core
app's `ready()`) replaces them everywhere in one place, with translated sentences a
coordinator would write; messages a field or form sets itself are left alone.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.apps import apps
from django.core import validators
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import fields as drf_fields
from rest_framework import relations as drf_relations
from rest_framework import validators as drf_validators

__all__ = ["FORM_MESSAGES", "MODEL_MESSAGES", "SLUG_MESSAGE", "install"]

FILL_IN = _("Please fill in this field.")
SLUG_MESSAGE = _("Use only letters, digits, hyphens (-) and underscores (_), without spaces.")
IN_USE = _("This is already in use; choose another one.")

#: Model fields (validated by the services with full_clean()).
MODEL_MESSAGES: dict[str, Any] = {
    "null": FILL_IN,
    "blank": FILL_IN,
    "invalid_choice": _("“%(value)s” is not one of the choices."),
    "unique": IN_USE,
}

#: Form fields (the pages).
FORM_MESSAGES: dict[type[forms.Field], dict[str, Any]] = {
    forms.ChoiceField: {
        "invalid_choice": _("“%(value)s” is not one of the choices; pick one from the list.")
    },
    forms.ModelChoiceField: {
        "invalid_choice": _("This choice is not available (any more); pick one from the list.")
    },
    forms.ModelMultipleChoiceField: {
        "invalid_choice": _("“%(value)s” is not available (any more); pick from the list."),
        "invalid_pk_value": _("“%(pk)s” is not one of the choices."),
    },
}

#: API fields (DRF formats its messages with str.format, hence the braces).
API_MESSAGES: dict[type[drf_fields.Field], dict[str, Any]] = {
    drf_fields.Field: {"null": FILL_IN},
    drf_fields.CharField: {"blank": FILL_IN},
    drf_fields.ChoiceField: {"invalid_choice": _("“{input}” is not one of the choices.")},
    drf_fields.SlugField: {"invalid": SLUG_MESSAGE},
    drf_relations.PrimaryKeyRelatedField: {
        "does_not_exist": _("Nothing with the id “{pk_value}” exists here."),
        "incorrect_type": _("Give the id as a whole number, not {data_type}."),
    },
}


def install() -> None:
    """Put the plain messages in place (idempotent)."""
    validators.validate_slug.message = SLUG_MESSAGE
    validators.validate_unicode_slug.message = SLUG_MESSAGE
    for code in ("null", "blank", "invalid_choice", "unique"):
        models.Field.default_error_messages[code] = MODEL_MESSAGES[code]
    for form_field, messages in FORM_MESSAGES.items():
        form_field.default_error_messages.update(messages)
    for api_field, messages in API_MESSAGES.items():
        api_field.default_error_messages.update(messages)
    drf_validators.UniqueValidator.message = IN_USE
    drf_validators.UniqueTogetherValidator.message = _("This combination is already in use.")
    # The models were built before this ran: their fields copied Django's messages already.
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            _replace_defaults(field)


def _replace_defaults(field: Any) -> None:
    own = getattr(field, "_error_messages", None) or {}
    messages = getattr(field, "error_messages", None)
    if not isinstance(messages, dict):
        return
    for code, message in MODEL_MESSAGES.items():
        if code in messages and code not in own:
            messages[code] = message
