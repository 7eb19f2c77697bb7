"""The filters of the lists of tutors and students: one FilterSet per list, for the API and the
pages alike."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_filters import rest_framework as filters

from training_portal.core.api.filters import model_filter
from training_portal.core.forms import BootstrapForm

from ..models import Student, TutorProfile

ANY = pgettext_lazy("filter", "Any")

TutorFilter = model_filter(TutorProfile, "kind", "organization", "is_active", doc="Tutors.")

StudentFilter = model_filter(Student, "program", "cohort", "status", doc="Students.")


class _YearFilter(filters.NumberFilter):
    """A year: an integer (not the decimal number of `NumberFilter`)."""

    field_class = forms.IntegerField


class ProgramStudentFilter(filters.FilterSet):
    """The students table of a program's page: the search `q` (name, e-mail address or
    student number), `cohort` and `status`."""

    q = filters.CharFilter(
        method="filter_q",
        label=_("Search"),
        max_length=100,
        help_text=_("Name, e-mail address or student number."),
    )
    cohort = _YearFilter(label=_("Cohort"), min_value=1990, max_value=2100)
    status = filters.ChoiceFilter(
        label=_("Status"), choices=Student.Status.choices, empty_label=ANY
    )

    class Meta:
        model = Student
        fields = ["q", "cohort", "status"]
        form = BootstrapForm

    def filter_q(self, queryset: Any, name: str, value: str) -> Any:
        text = value.strip()
        return queryset.filter(
            Q(user__full_name__icontains=text)
            | Q(user__email__icontains=text)
            | Q(student_number__icontains=text)
        )
