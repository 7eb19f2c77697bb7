from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Indicators, evaluations, reward ledger, partner ranking and reports."""

    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from training_portal.core.registry import register_features

        register_features(self, "evaluations", "ledger", "scores", "reports")
