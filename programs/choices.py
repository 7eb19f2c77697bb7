"""The choice sets of programs' models (one home for every enumeration, NetBox-style).

The models keep them under their old nested names (`Project.Status` is `ProjectStatus`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# models/funds.py
class FundCategory(models.TextChoices):
    EQUIPMENT = "equipment", _("Equipment")
    MATERIALS = "materials", _("Materials and consumables")
    TRAVEL = "travel", _("Travel")
    STIPENDS = "stipends", _("Student stipends")
    TUTOR_FEES = "tutor_fees", _("Tutor fees")
    TRAINING = "training", _("Training and courses")
    PUBLICATION = "publication", _("Publication and patents")
    OTHER = "other", _("Other")


class ExpenditureStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# models/organizations.py
class OrganizationKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    HOSPITAL = "hospital", _("Hospital")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    GOVERNMENT = "government", _("Government body")
    INTERMEDIARY = "intermediary", _("S&T service intermediary")
    FINANCIAL_INSTITUTION = "financial_institution", _("Financial institution")


class OrganizationStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("organisation status", "Active")
    PROBATION = "probation", _("Probation")
    SUSPENDED = "suspended", pgettext_lazy("organisation status", "Suspended")
    EXITED = "exited", _("Exited")


# models/people.py
class TutorKind(models.TextChoices):
    ACADEMIC = "academic", _("Academic tutor")
    PRACTICE = "practice", _("Practice tutor")


class StudentStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("student status", "Active")
    SUSPENDED = "suspended", pgettext_lazy("student status", "Suspended")
    GRADUATED = "graduated", _("Graduated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# models/programs.py
class ProgramDegreeType(models.TextChoices):
    ACADEMIC = "academic", _("Academic master")
    PROFESSIONAL = "professional", _("Professional master")


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", pgettext_lazy("program status", "Active")
    CLOSED = "closed", _("Closed")


class StageKind(models.TextChoices):
    COURSEWORK = "coursework", _("Coursework")
    LAB_ROTATION = "lab_rotation", _("Lab rotation")
    CLINICAL_PLACEMENT = "clinical_placement", _("Clinical placement")
    ENTERPRISE_PLACEMENT = "enterprise_placement", _("Enterprise placement")
    THESIS_RESEARCH = "thesis_research", _("Thesis research")
    DEFENCE = "defence", _("Defence")
    OTHER = "other", _("Other")


class MilestoneTemplateKind(models.TextChoices):
    PROPOSAL_DEFENCE = "proposal_defence", _("Proposal defence")
    MID_TERM_REVIEW = "mid_term_review", _("Mid-term review")
    PRACTICE_COMPLETION = "practice_completion", _("Practice completion")
    THESIS_SUBMISSION = "thesis_submission", _("Thesis submission")
    ORIGINALITY_CHECK = "originality_check", _("Originality check passed")
    DEFENCE = "defence", _("Defence")
    OTHER = "other", _("Other")


class CourseCategory(models.TextChoices):
    CORE = "core", _("Core")
    SPECIALTY = "specialty", _("Specialty")
    INNOVATION_ENTREPRENEURSHIP = "innovation_entrepreneurship", _("Innovation & entrepreneurship")
    PRACTICE = "practice", _("Practice")
    ELECTIVE = "elective", pgettext_lazy("course category", "Elective")


class ProgramCourseRequirement(models.TextChoices):
    REQUIRED = "required", _("Required")
    ELECTIVE = "elective", pgettext_lazy("course requirement", "Elective")


class Responsibility(models.TextChoices):
    CURRICULUM_SETTING = "curriculum_setting", _("Curriculum setting")
    TEACHING = "teaching", _("Teaching")
    TUTOR_SUPERVISION = "tutor_supervision", _("Tutor supervision")
    RESEARCH_TRAINING = "research_training", _("Research training")
    PRACTICAL_TRAINING = "practical_training", _("Practical training")
    CLINICAL_PRACTICE = "clinical_practice", _("Clinical practice")
    KNOWLEDGE_TRANSFER = "knowledge_transfer", _("Knowledge transfer (results into products)")
    FUNDING = "funding", _("Funding")
    MENTAL_HEALTH_SERVICE = "mental_health_service", _("Mental health service")
    SUPERVISION_EXTERNAL = "supervision_external", _("External supervision")


# models/projects.py
class ProjectKind(models.TextChoices):
    RESEARCH = "research", _("Research")
    CLINICAL = "clinical", _("Clinical")
    ENGINEERING = "engineering", _("Engineering")
    INNOVATION = "innovation", _("Innovation")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")


class ProjectSize(models.TextChoices):
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    BIG = "big", _("Big")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    ACTIVE = "active", pgettext_lazy("project status", "Active")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed")
    REFUSED = "refused", _("Refused")


class ProjectMemberRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    MEMBER = "member", _("Member")
    ADVISOR = "advisor", _("Advisor")


class ProjectOutputKind(models.TextChoices):
    PAPER = "paper", _("Paper")
    PATENT = "patent", _("Patent")
    SOFTWARE = "software", _("Software")
    PROTOTYPE = "prototype", _("Prototype")
    CLINICAL_PROTOCOL = "clinical_protocol", _("Clinical protocol")
    COMPANY = "company", _("Company")


# models/status.py
class StatusChangeKind(models.TextChoices):
    SUSPENSION = "suspension", _("Suspension of study")
    RESUMPTION = "resumption", _("Resumption of study")
    EXTENSION = "extension", _("Extension of study")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    TUTOR_CHANGE = "tutor_change", _("Change of tutor")
    GRADUATION = "graduation", _("Graduation")


class Decision(models.TextChoices):
    PENDING = "pending", pgettext_lazy("status request", "Awaiting decision")
    APPROVED = "approved", pgettext_lazy("status request", "Approved")
    REFUSED = "refused", pgettext_lazy("status request", "Refused")


class DestinationKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital or clinic")
    ENTERPRISE = "enterprise", _("Enterprise")
    RESEARCH = "research", _("Research institute")
    FURTHER_STUDY = "further_study", _("Further study")
    GOVERNMENT = "government", _("Government or public body")
    OTHER = "other", pgettext_lazy("destination kind", "Other")


class Relevance(models.TextChoices):
    DIRECT = "direct", _("In the field of study")
    RELATED = "related", _("Related to the field")
    UNRELATED = "unrelated", _("Unrelated to the field")


# models/training.py
class TrainingPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    TUTOR_APPROVED = "tutor_approved", _("Approved by tutor")
    APPROVED = "approved", _("Approved")
    SUPERSEDED = "superseded", _("Superseded")


class TrainingPlanCareerGoal(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    RESEARCH = "research", _("Research")
    INDUSTRY = "industry", _("Industry")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship")


class Modality(models.TextChoices):
    CT = "ct", _("CT")
    MR = "mr", _("MR")
    DR = "dr", _("DR / X-ray")
    ULTRASOUND = "us", _("Ultrasound")
    NUCLEAR = "nm", _("Nuclear medicine / PET-CT")
    DSA = "dsa", _("DSA / interventional")
    OTHER = "other", _("Other")


class PlacementStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", pgettext_lazy("placement status", "Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class ProgressLogKind(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    LAB = "lab", _("Lab")
    CLINICAL = "clinical", _("Clinical")
    FEEDBACK = "feedback", _("Feedback")


class CaseLogRole(models.TextChoices):
    OBSERVED = "observed", _("Observed")
    ASSISTED = "assisted", _("Assisted")
    PERFORMED = "performed", _("Performed")
