"""Forms of placements and their confirmation."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from training_portal.core.forms import BootstrapForm, text_area

from ..design.forms import DATE, OrganizationChoiceField
from ..models import Organization, Placement, TutorProfile
from .services import practice_tutor_errors


class ConfirmPlacementForm(BootstrapForm):
    """No fields: carries the service's errors when a confirmation is refused."""


OVERRIDE_HELP = _("Only needed when the host has no place left in this period.")


class PracticeTutorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.user} ({obj.organization})"


class PlacementForm(BootstrapForm):
    """Plan a placement (with a host) or edit a planned one (without: the host stays).

    The date order and the practice tutor's host are checked with the field errors, so that
    one submission shows them all; the services check them again."""

    checked_model = Placement

    host = OrganizationChoiceField(label=_("Host"), queryset=Organization.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=forms.DateInput(attrs=DATE))
    end_date = forms.DateField(label=_("End date"), widget=forms.DateInput(attrs=DATE))
    practice_tutor = PracticeTutorChoiceField(
        label=_("Practice tutor"), queryset=TutorProfile.objects.none(), required=False
    )
    objectives = text_area(_("Objectives"), rows=3, required=True)
    capacity_override_reason = text_area(
        _("Reason for exceeding capacity"), rows=2, help_text=OVERRIDE_HELP
    )

    def __init__(
        self,
        *args: Any,
        hosts: QuerySet[Organization] | None,
        tutors: QuerySet[TutorProfile],
        host: Organization | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fixed_host = host
        if hosts is None:
            del self.fields["host"]
        else:
            cast(forms.ModelChoiceField, self.fields["host"]).queryset = hosts
        cast(forms.ModelChoiceField, self.fields["practice_tutor"]).queryset = tutors

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        host = data.get("host", self.fixed_host)
        if host is not None and data.get("practice_tutor") is not None:
            for name, messages in practice_tutor_errors(data["practice_tutor"], host).items():
                for message in messages:
                    self.add_error(name, message)
        return data


class StartPlacementForm(BootstrapForm):
    capacity_override_reason = text_area(
        _("Reason for exceeding capacity"), rows=2, help_text=OVERRIDE_HELP
    )


class CompletePlacementForm(BootstrapForm):
    rating = forms.TypedChoiceField(
        label=_("Rating"),
        coerce=int,
        choices=[("", "—"), *((n, str(n)) for n in range(5, 0, -1))],
        help_text=_("5 is the best."),
    )
    evaluation = text_area(_("Short evaluation"), rows=3, required=True)


class CancelPlacementForm(BootstrapForm):
    reason = text_area(_("Reason for cancelling"), rows=2, required=True)
