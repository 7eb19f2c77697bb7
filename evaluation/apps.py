from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Indicators, evaluations, reward ledger, partner ranking and reports."""

    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from .evaluations import setup as evaluations
        from .ledger import setup as ledger
        from .reports import setup as reports
        from .scores import setup as scores

        for part in (evaluations, ledger, scores, reports):
            part.register()
