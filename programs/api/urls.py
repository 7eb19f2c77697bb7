from rest_framework.routers import SimpleRouter

from ..imports import api as imports
from . import views

router = SimpleRouter()
router.register("organizations", views.OrganizationWrites, basename="organization")
router.register("programs", views.ProgramWrites, basename="program")
router.register("program-partners", views.ProgramPartnerWrites, basename="program-partner")
router.register("courses", views.CourseWrites, basename="course")
router.register("objectives", views.ObjectiveWrites, basename="objective")
router.register("stages", views.StageWrites, basename="stage")
router.register("milestone-templates", views.MilestoneTemplateWrites, basename="milestone-template")
router.register("curriculum", views.CurriculumWrites, basename="curriculum")
router.register("tutors", views.TutorWrites, basename="tutor")
router.register("students", views.StudentWrites, basename="student")
router.register("training-plans", views.TrainingPlanWrites, basename="training-plan")
router.register("milestones", views.MilestoneWrites, basename="milestone")
router.register("placements", views.PlacementCreateWrites, basename="placement")
router.register("projects", views.ProjectWrites, basename="project")
router.register("progress-logs", views.ProgressLogWrites, basename="progress-log")
router.register("case-logs", views.CaseLogWrites, basename="case-log")
router.register("budget-lines", views.BudgetLineWrites, basename="budget-line")
router.register("expenditures", views.ExpenditureWrites, basename="expenditure")
router.register("counsellor-postings", views.CounsellorPostingWrites, basename="counsellor-posting")

urlpatterns = [*imports.urlpatterns, *router.urls]
