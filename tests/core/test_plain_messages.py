"""Django's and DRF's developer-style messages are replaced by plain, translated sentences."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from rest_framework import serializers

from programs.models import BudgetLine, CaseLog
from programs.models.training import Modality


class ChoiceAndSlugForm(forms.Form):
    modality = forms.ChoiceField(choices=Modality.choices)
    key = forms.SlugField()


class NameSerializer(serializers.Serializer[dict[str, str]]):
    name = serializers.CharField()
    number = serializers.IntegerField()
    modality = serializers.ChoiceField(choices=Modality.choices)


def model_errors(instance: object, language: str) -> dict[str, list[str]]:
    with translation.override(language):
        with pytest.raises(ValidationError) as caught:
            instance.full_clean()  # type: ignore[attr-defined]
        return caught.value.message_dict


# Model validation legitimately asks the database: Django checks a CheckConstraint whose fields
# passed field validation by having the database evaluate its condition (`SELECT 1 WHERE …`,
# no table read). CaseLog's `programs_case_verified_or_rejected` (verified_at, rejected_at: both
# empty and valid here) is such a constraint, so `full_clean()` runs one query.
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "fill_in", "not_a_choice"),
    [
        ("en", "Please fill in this field.", "“xray” is not one of the choices."),
        ("zh-hans", "请填写此项。", "“xray”不是可选的值。"),
    ],
)
def test_model_validation_speaks_plainly(language: str, fill_in: str, not_a_choice: str) -> None:
    errors = model_errors(CaseLog(modality="xray", procedure=""), language)
    assert errors["procedure"] == [fill_in]
    assert errors["modality"] == [not_a_choice]
    assert model_errors(BudgetLine(title=""), language)["title"] == [fill_in]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "“xray” is not one of the choices; pick one from the list.",
                "Use only letters, digits, hyphens (-) and underscores (_), without spaces.",
                "Please fill in this field.",
                "Please fill in this field.",
                "“xray” is not one of the choices.",
            ],
        ),
        (
            "zh-hans",
            [
                "“xray”不是可选的值，请从列表中选择。",  # noqa: RUF001
                "只能使用字母、数字、连字符（-）和下划线（_），不能有空格。",  # noqa: RUF001
                "请填写此项。",
                "请填写此项。",
                "“xray”不是可选的值。",
            ],
        ),
    ],
)
def test_no_developer_style_message_is_left_in_forms_or_the_api(
    language: str, expected: list[str]
) -> None:
    with translation.override(language):
        form = ChoiceAndSlugForm(data={"modality": "xray", "key": "not a slug"})
        assert not form.is_valid()
        serializer = NameSerializer(data={"name": "", "number": None, "modality": "xray"})
        assert not serializer.is_valid()
        texts = [str(m) for ms in form.errors.values() for m in ms]
        texts += [str(m) for ms in serializer.errors.values() for m in ms]
    assert texts == expected
    for developer_style in ("cannot be null", "cannot be blank", "“slug”", "may not be"):
        assert all(developer_style not in text for text in texts)


def test_a_field_keeps_a_message_it_sets_itself() -> None:
    class Own(forms.Form):
        modality = forms.ChoiceField(
            choices=Modality.choices, error_messages={"invalid_choice": "Pick a modality."}
        )

    form = Own(data={"modality": "xray"})
    assert not form.is_valid()
    assert form.errors["modality"] == ["Pick a modality."]
