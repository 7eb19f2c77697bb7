"""The choice sets of evaluation' models (one home for every enumeration, NetBox-style).

The models keep them under their old nested names (`Project.Status` is `ProjectStatus`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# models/evaluations.py
class Source(models.TextChoices):
    """Who evaluates (DOMAIN.md, "Evaluation")."""

    TUTOR = "tutor", _("Academic tutor")
    PRACTICE_TUTOR = "practice_tutor", _("Practice tutor")
    COORDINATOR = "coordinator", _("Partner coordinator")
    SELF = "self", _("Student self-assessment")
    STUDENT_ON_TUTOR = "student_on_tutor", _("Student on tutor")
    STUDENT_ON_PLACEMENT = "student_on_placement", _("Student on placement")
    INSPECTOR = "inspector", _("Inspector")


class SubjectKind(models.TextChoices):
    STUDENT = "student", _("Student")
    TUTOR = "tutor", _("Tutor")
    PLACEMENT = "placement", _("Placement")
    PARTNER = "partner", _("Partner")
    PROGRAM = "program", _("Program")


class EvaluationRoundStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("evaluation round status", "Open")
    CLOSED = "closed", _("Closed")


class EvaluationRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUBMITTED = "submitted", _("Submitted")


# models/indicators.py
class IndicatorCategory(models.TextChoices):
    OBJECTIVE_ATTAINMENT = "objective_attainment", _("Objective attainment")
    COURSE_RESULTS = "course_results", _("Course results")
    PRACTICE_ABILITY = "practice_ability", _("Practice ability")
    RESEARCH_OUTPUT = "research_output", _("Research output")
    INNOVATION_ENTREPRENEURSHIP = (
        "innovation_entrepreneurship",
        _("Innovation and entrepreneurship"),
    )
    SUPERVISION_QUALITY = "supervision_quality", _("Supervision quality")
    OTHER = "other", _("Other")


# models/ledger.py
class RewardEntryKind(models.TextChoices):
    AWARD = "award", _("Award")
    REVERSAL = "reversal", _("Reversal")


# models/reports.py
class ReportKind(models.TextChoices):
    PROGRAM_ANNUAL = "program_annual", _("Program annual report")
    PARTNER_SCORECARD = "partner_scorecard", _("Partner scorecard")
    STUDENT_RECORD = "student_record", _("Student training record")


# models/scores.py
class PartnerScoreRecommendation(models.TextChoices):
    NONE = "", _("None")
    BELOW_THRESHOLD = "below_threshold", _("Below the threshold")
    BOTTOM_TWICE = "bottom_twice", _("In the bottom share two periods running")


class ProbationOutcome(models.TextChoices):
    PROBATION = "probation", _("Probation")
    SUSPEND_PLACEMENTS = "suspend_placements", _("Suspend new placements")
    EXIT = "exit", _("Exit")
    NO_ACTION = "no_action", _("No action")
