"""The one filter of the findings list, read by the page and by the API alike.

Both take `rule`, `severity`, `status`, `program`, `organization` (on the page: among those
of the findings the viewer sees), `q` (a student's name or number), `mine` (assigned to the
caller), `sort` (the page's orders) and `ordering` (the API's); the API's `student`, `tutor`,
`assignee`, `unassigned` and `active` work on the page's URL too. `status` also takes
`active` (needing work) and `all`; the page asks for `status=active` and `sort=severity` when
its URL names neither.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.permissions import is_portal_admin
from programs.models import Organization, Program
from training_portal.core.api.filters import IdFilter, StableOrderingFilter
from training_portal.core.forms import BootstrapForm

from ..models import Finding
from ..models.audit import Severity
from ..rules import finding_rule_choices

ACTIVE = "active"
ALL = "all"
#: The page's orders (`sort`), most severe first by default.
SORTS = (
    ("severity", _("Most severe first")),
    ("last_seen", _("Last found first")),
    ("-last_seen", _("Last found longest ago first")),
    ("-severity", _("Least severe first")),
)
_SORT_FIELDS = {
    "severity": ("-severity_rank", "-last_seen_at", "-id"),
    "-severity": ("severity_rank", "-last_seen_at", "-id"),
    "last_seen": ("-last_seen_at", "-id"),
    "-last_seen": ("last_seen_at", "id"),
}
#: What the page asks for when its URL does not say.
PAGE_DEFAULTS = {"status": ACTIVE, "sort": "severity"}
#: The filters the page shows, in its order (`severity` and `mine` are drawn apart).
PAGE_FILTERS = ("q", "rule", "severity", "status", "program", "organization", "mine", "sort")


class OneOrMore(forms.Select):
    """A select of one value (the page) whose field takes several (`?rule=a&rule=b`, the API)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        getter = getattr(data, "getlist", None)
        return getter(name) if getter is not None else data.get(name)


class OneOrMoreField(django_filters.fields.MultipleChoiceField):
    widget = OneOrMore

    def clean(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            value = [item for item in value if item not in self.empty_values]
        return super().clean(value)


class OneOrMoreFilter(django_filters.MultipleChoiceFilter):
    field_class = OneOrMoreField


class TickFilter(django_filters.Filter):
    """A checkbox (`on` on the page, `true` in the API)."""

    field_class = forms.BooleanField


def _rule_choices() -> list[tuple[str, Any]]:
    return [("", _("Any rule")), *finding_rule_choices()]


def _status_choices() -> list[tuple[str, Any]]:
    return [
        (ACTIVE, _("Needing work (open, acknowledged, in remediation)")),
        *Finding.Status.choices,
        (ALL, pgettext_lazy("statuses", "All")),
    ]


def _visible(request: HttpRequest | None) -> QuerySet[Finding]:
    user = getattr(request, "user", None)
    return Finding.objects.visible_to(user) if user is not None else Finding.objects.none()


def _scopes(request: HttpRequest | None) -> tuple[Any, Any]:
    """The ids of the programs and of the organisations of the findings the caller sees, for
    the two dropdowns. A portal administrator's are subqueries the planner answers with one
    probe of the finding indexes per program or organisation; anybody else's are read in one
    pass over their own findings (from the indexes of their scope, see `finding_filter`),
    once per request, rather than once per program or organisation."""
    if request is not None and is_portal_admin(request.user):
        every = Finding.objects.all()
        return every.values("program_id"), every.exclude(organization=None).values(
            "organization_id"
        )
    cached = getattr(request, "_finding_scopes", None)
    if cached is None:
        pairs = set(_visible(request).order_by().values_list("program_id", "organization_id"))
        cached = ({p for p, _o in pairs}, {o for _p, o in pairs if o is not None})
        if request is not None:
            request._finding_scopes = cached  # type: ignore[attr-defined]
    return cached


def _programs(request: HttpRequest | None) -> QuerySet[Program]:
    """The programs of the findings the caller sees."""
    return Program.objects.filter(pk__in=_scopes(request)[0]).order_by("code")


def _organizations(request: HttpRequest | None) -> QuerySet[Organization]:
    return Organization.objects.filter(pk__in=_scopes(request)[1]).order_by("name")


class FindingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Student"), max_length=100)
    rule = OneOrMoreFilter(label=_("Rule"), choices=_rule_choices)
    severity = django_filters.MultipleChoiceFilter(
        label=_("Severity"),
        choices=Severity.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    status = OneOrMoreFilter(label=_("Status"), choices=_status_choices, method="filter_status")
    program = IdFilter(field_name="program_id", label=_("Program"))
    organization = IdFilter(field_name="organization_id", label=_("Organisation"))
    mine = TickFilter(method="filter_mine", label=_("Assigned to me"))
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORTS, method="filter_sort", empty_label=None
    )
    student = IdFilter(field_name="student_id")
    tutor = IdFilter(field_name="tutor_id")
    assignee = IdFilter(field_name="assignee_id")
    unassigned = django_filters.BooleanFilter(field_name="assignee", lookup_expr="isnull")
    active = django_filters.BooleanFilter(method="filter_active", label=_("Still needs work"))
    ordering = StableOrderingFilter(
        fields=(
            ("severity_rank", "severity"),
            ("status", "status"),
            ("rule", "rule"),
            ("program", "program"),
            ("first_seen_at", "first_seen_at"),
            ("last_seen_at", "last_seen_at"),
            ("due_date", "due_date"),
        )
    )

    class Meta:
        model = Finding
        fields: list[str] = []
        form = BootstrapForm

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        """`page`: the list page's filter, whose program and organisation are chosen among
        those of the findings the viewer sees (another is refused); the API takes any id (an
        unknown one finds nothing)."""
        super().__init__(*args, **kwargs)
        if page:
            for name, label, queryset, empty_label in (
                ("program", _("Program"), _programs, _("Any program")),
                ("organization", _("Organisation"), _organizations, _("Any organisation")),
            ):
                chosen = django_filters.ModelChoiceFilter(
                    field_name=name, label=label, queryset=queryset, empty_label=empty_label
                )
                chosen.parent, chosen.model = self, Finding
                self.filters[name] = chosen

    @property
    def form(self) -> forms.Form:
        form = super().form
        form.fields["q"].widget.attrs["placeholder"] = _("Name or student number")
        return form

    def page_fields(self) -> list[forms.BoundField]:
        """The filters the page shows, in its order."""
        return [self.form[name] for name in PAGE_FILTERS]

    def filter_q(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(student__user__full_name__icontains=text) | Q(student__student_number__icontains=text)
        )

    def filter_status(
        self, queryset: QuerySet[Finding], name: str, value: list[str]
    ) -> QuerySet[Finding]:
        if not value or ALL in value:
            return queryset
        statuses = {status for status in value if status != ACTIVE}
        if ACTIVE in value:
            statuses |= set(Finding.ACTIVE)
        return queryset.filter(status__in=statuses)

    def filter_mine(self, queryset: QuerySet[Finding], name: str, value: bool) -> QuerySet[Finding]:
        return queryset.filter(assignee=self.request.user) if value and self.request else queryset

    def filter_sort(self, queryset: QuerySet[Finding], name: str, value: str) -> QuerySet[Finding]:
        return queryset.order_by(*_SORT_FIELDS[value]) if value else queryset

    def filter_active(
        self, queryset: QuerySet[Finding], name: str, value: bool
    ) -> QuerySet[Finding]:
        active = Q(status__in=Finding.ACTIVE)
        return queryset.filter(active if value else ~active)


def page_data(request: HttpRequest) -> Any:
    """The page's query, with its defaults where it names none."""
    data = request.GET.copy()
    for name, value in PAGE_DEFAULTS.items():
        if not data.get(name):
            data[name] = value
    return data
