"""Indicators: the program's fourth element, quality assessment."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Program, TrainingObjective
from training_portal.core.history import tracked
from training_portal.core.model_fields import check, optional_fk, unique

from ..choices import IndicatorCategory


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def visible_to(self, user: Any) -> IndicatorQuerySet:
        """An indicator is read by whoever may see its program."""
        return self.filter(program__in=Program.objects.visible_to(user))


@tracked()
class Indicator(models.Model):
    """One measure of a program's quality, tied to a training objective, with a weight (the
    weights of a program's indicators sum to 100 %) and a scale (e.g. 1-5)."""

    Category = IndicatorCategory

    program = models.ForeignKey(
        Program, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("program")
    )
    objective = optional_fk(
        TrainingObjective,
        _("training objective"),
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    category = models.CharField(_("category"), max_length=32, choices=IndicatorCategory.choices)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight (%)"), max_digits=5, decimal_places=2)
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["program", "position", "pk"]
        constraints = [
            unique(
                ["program", "name"],
                "evaluation_indicator_name_unique",
                _("This program already has an indicator of this name."),
            ),
            check(
                Q(weight__gt=0, weight__lte=100),
                "evaluation_indicator_weight_range",
                _("A weight is more than 0 % and at most 100 %."),
            ),
            check(
                Q(scale_min__lt=models.F("scale_max")),
                "evaluation_indicator_scale_order",
                _("The highest score must be above the lowest."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
