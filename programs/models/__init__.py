"""Programs: partner subjects, the four elements of a program, people, training, funds."""

from .funds import BudgetLine, Expenditure
from .organizations import Organization, OrganizationStatusChange
from .people import Student, TutorAssignment, TutorProfile
from .programs import (
    Course,
    MilestoneTemplate,
    PartnerResponsibility,
    Program,
    ProgramCourse,
    ProgramPartner,
    ProgramStatusChange,
    Stage,
    TrainingObjective,
)
from .projects import Project, ProjectMember, ProjectOutput
from .signoff import SignOffToken
from .status import GraduateDestination, StudentRecordView, StudentStatusChange
from .training import (
    CaseLog,
    Milestone,
    Placement,
    PlanCaseTarget,
    PlanTransition,
    ProgressLog,
    ProgressLogCorrection,
    TrainingPlan,
)

__all__ = [
    "BudgetLine",
    "CaseLog",
    "Course",
    "Expenditure",
    "GraduateDestination",
    "Milestone",
    "MilestoneTemplate",
    "Organization",
    "OrganizationStatusChange",
    "PartnerResponsibility",
    "Placement",
    "PlanCaseTarget",
    "PlanTransition",
    "Program",
    "ProgramCourse",
    "ProgramPartner",
    "ProgramStatusChange",
    "ProgressLog",
    "ProgressLogCorrection",
    "Project",
    "ProjectMember",
    "ProjectOutput",
    "SignOffToken",
    "Stage",
    "Student",
    "StudentRecordView",
    "StudentStatusChange",
    "TrainingObjective",
    "TrainingPlan",
    "TutorAssignment",
    "TutorProfile",
]
