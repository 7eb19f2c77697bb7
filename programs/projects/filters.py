"""The filters of the lists of projects: one FilterSet per list, for the API and the pages alike."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from training_portal.core.forms import BootstrapForm

from ..models import Program, Project

ANY = pgettext_lazy("filter", "Any")
#: The filters the API has and the page does not show.
API_ONLY = ("lead_organization",)


def _visible_programs(request: Any) -> QuerySet[Program]:
    user = getattr(request, "user", None)
    if user is None:
        return Program.objects.none()
    return Program.objects.visible_to(user).order_by("code")


class ProjectFilter(filters.FilterSet):
    """Projects: `program`, `kind`, `size`, `status`; the API's `lead_organization` too."""

    kind = filters.ChoiceFilter(label=_("Kind"), choices=Project.Kind.choices, empty_label=ANY)
    size = filters.ChoiceFilter(label=_("Size"), choices=Project.Size.choices, empty_label=ANY)
    status = filters.ChoiceFilter(
        label=_("Status"), choices=Project.Status.choices, empty_label=ANY
    )

    class Meta:
        model = Project
        fields = ["program", "kind", "size", "status", "lead_organization"]
        form = BootstrapForm

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        """`page`: the list page's filter, whose program is chosen among those the viewer sees
        (another is shown as an error and ignored); the API takes any program."""
        super().__init__(*args, **kwargs)
        if page:
            program = filters.ModelChoiceFilter(
                field_name="program",
                label=_("Program"),
                queryset=_visible_programs,
                empty_label=ANY,
            )
            program.parent, program.model = self, Project
            self.filters["program"] = program
            for name in API_ONLY:
                del self.filters[name]
