"""The API of funds: budget lines (with what is approved and pending against them) and the
expenditures submitted, approved or rejected on them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.routers import SimpleRouter

from accounts.models import User
from programs.funds import services as funds
from training_portal.core.api.serializers import optional_ref, optional_text
from training_portal.core.api.viewsets import ScopedViewSet
from training_portal.core.files import serve_file

from .. import models as m
from ..api_common import (
    FILE,
    VISIBLE_INPUTS,
    DownloadUrlsMixin,
    ReasonSerializer,
    creates,
    step,
)
from .filters import BudgetLineFilter, ExpenditureFilter

# ---- Serializers ------------------------------------------------------------------------------


class BudgetLineSerializer(serializers.ModelSerializer[m.BudgetLine]):
    holder_name = serializers.CharField(source="holder.name", read_only=True)
    approved_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    pending_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = m.BudgetLine
        fields = [
            "id",
            "program",
            "holder",
            "holder_name",
            "category",
            "title",
            "amount",
            "start_date",
            "end_date",
            "approver",
            "approved_total",
            "pending_total",
        ]


#: What the submission and its decision record: kept by the workflow, read-only.
DECISION_FIELDS = [
    "submitted_by",
    "submitted_at",
    "status",
    "approved_by",
    "decided_at",
    "override_reason",
    "rejection_reason",
]


class ExpenditureSerializer(DownloadUrlsMixin, serializers.ModelSerializer[m.Expenditure]):
    submitted_by = serializers.EmailField(source="submitted_by.email", read_only=True)
    approved_by = serializers.EmailField(source="approved_by.email", read_only=True, default=None)
    receipt_url = serializers.SerializerMethodField()

    class Meta:
        model = m.Expenditure
        fields = [
            "id",
            "line",
            "amount",
            "spent_on",
            "category",
            "payee",
            "description",
            *DECISION_FIELDS,
            "receipt_url",
        ]
        read_only_fields = DECISION_FIELDS

    def get_receipt_url(self, expenditure: m.Expenditure) -> str | None:
        return self._download(
            "api:expenditure-receipt", expenditure.pk, present=expenditure.receipt
        )


# ---- Inputs -----------------------------------------------------------------------------------


class BudgetLineInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    holder = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    category = serializers.ChoiceField(choices=m.BudgetLine.Category.choices)
    title = serializers.CharField(max_length=200)
    # Any sign: the service answers a zero or negative amount with its own field error.
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    approver = optional_ref(User.objects.all())


class ExpenditureInputSerializer(serializers.Serializer[Any]):
    line = serializers.PrimaryKeyRelatedField(queryset=m.BudgetLine.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    spent_on = serializers.DateField()
    category = serializers.ChoiceField(choices=m.BudgetLine.Category.choices)
    payee = serializers.CharField(max_length=200)
    description = serializers.CharField()
    receipt = serializers.FileField(required=False, allow_null=True, default=None)


class OverrideSerializer(serializers.Serializer[Any]):
    override_reason = optional_text()


# ---- Viewsets ---------------------------------------------------------------------------------


class BudgetLineViewSet(ScopedViewSet):
    model = m.BudgetLine
    serializer_class = BudgetLineSerializer
    related = ("holder",)
    filterset_class = BudgetLineFilter
    ordering_fields = ["start_date", "end_date", "amount"]

    def get_queryset(self) -> QuerySet[Any]:
        return (
            m.BudgetLine.objects.visible_to(self.request.user)
            .with_spending()
            .select_related(*self.related)
            .order_by("program", "-start_date", "title")
        )


class ExpenditureViewSet(ScopedViewSet):
    model = m.Expenditure
    serializer_class = ExpenditureSerializer
    related = ("submitted_by", "approved_by")
    filterset_class = ExpenditureFilter
    ordering_fields = ["spent_on", "amount", "submitted_at"]

    @extend_schema(responses={200: FILE})
    @action(detail=True, methods=["get"], url_path="receipt", url_name="receipt")
    def receipt(self, request: Request, pk: str | None = None) -> FileResponse:
        """The receipt, with the name it was uploaded under."""
        expenditure = self.get_object()
        return serve_file(expenditure.receipt, filename=expenditure.receipt_name)


class BudgetLineWrites(BudgetLineViewSet, viewsets.GenericViewSet[Any]):
    create = creates(funds.create_budget_line, BudgetLineInputSerializer)


class ExpenditureWrites(ExpenditureViewSet, viewsets.GenericViewSet[Any]):
    """Submitted by administrators or the holder's coordinators; decided by someone else."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    create = creates(funds.submit_expenditure, ExpenditureInputSerializer, scoped=VISIBLE_INPUTS)

    approve = step(funds.approve_expenditure, "expenditure", input=OverrideSerializer)
    reject = step(funds.reject_expenditure, "expenditure", input=ReasonSerializer)


router = SimpleRouter()
router.register("budget-lines", BudgetLineWrites, basename="budget-line")
router.register("expenditures", ExpenditureWrites, basename="expenditure")

urlpatterns = list(router.urls)
