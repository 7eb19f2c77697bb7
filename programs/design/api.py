"""The API of program design: programs (created, corrected, moved through their lifecycle),
their elements (objectives, stages, milestone templates, curriculum) and the courses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.models import User
from programs.design import services as elements
from programs.partners.services import partners
from training_portal.core.api.filters import model_filter
from training_portal.core.api.serializers import optional_ref, optional_text
from training_portal.core.api.viewsets import ScopedViewSet, actor, answer, read_input

from .. import models as m
from ..api_common import VISIBLE_INPUTS, Removable, creates, merged, read_partial, read_scoped_input
from .filters import CourseFilter, ProgramFilter

# ---- Serializers ------------------------------------------------------------------------------


class ObjectiveSerializer(serializers.ModelSerializer[m.TrainingObjective]):
    class Meta:
        model = m.TrainingObjective
        fields = ["id", "order", "title", "description", "retired_at"]


class StageSerializer(serializers.ModelSerializer[m.Stage]):
    class Meta:
        model = m.Stage
        fields = ["id", "order", "kind", "title", "expected_months", "retired_at"]


class MilestoneTemplateSerializer(serializers.ModelSerializer[m.MilestoneTemplate]):
    class Meta:
        model = m.MilestoneTemplate
        fields = ["id", "stage", "kind", "title", "due_offset_days", "retired_at"]


class CurriculumSerializer(serializers.ModelSerializer[m.ProgramCourse]):
    code = serializers.CharField(source="course.code", read_only=True)
    title = serializers.CharField(source="course.title", read_only=True)

    class Meta:
        model = m.ProgramCourse
        fields = ["id", "course", "code", "title", "requirement", "semester", "retired_at"]


def with_program(base: Any) -> Any:
    """The element's serializer with its program first, for the element's own endpoints (the
    program's detail nests its elements without it)."""
    meta = type("Meta", (base.Meta,), {"fields": ["program", *base.Meta.fields]})
    return type(f"Program{base.__name__}", (base,), {"Meta": meta, "__module__": base.__module__})


ProgramObjectiveSerializer = with_program(ObjectiveSerializer)
ProgramStageSerializer = with_program(StageSerializer)
ProgramMilestoneTemplateSerializer = with_program(MilestoneTemplateSerializer)
ProgramCurriculumSerializer = with_program(CurriculumSerializer)


class ProgramSerializer(serializers.ModelSerializer[m.Program]):
    lead_university_name = serializers.CharField(source="lead_university.name", read_only=True)

    class Meta:
        model = m.Program
        fields = [
            "id",
            "code",
            "title",
            "discipline",
            "degree_type",
            "lead_university",
            "lead_university_name",
            "start_date",
            "end_date",
            "status",
            "description",
            "quality_criteria",
            "min_contacts_academic",
            "min_contacts_practice",
        ]


class ProgramDetailSerializer(ProgramSerializer):
    objectives = ObjectiveSerializer(many=True, read_only=True)
    stages = StageSerializer(many=True, read_only=True)
    milestone_templates = MilestoneTemplateSerializer(many=True, read_only=True)
    curriculum = CurriculumSerializer(many=True, read_only=True)

    class Meta(ProgramSerializer.Meta):
        fields = [
            *ProgramSerializer.Meta.fields,
            "objectives",
            "stages",
            "milestone_templates",
            "curriculum",
        ]


class CourseSerializer(serializers.ModelSerializer[m.Course]):
    delivering_organization_name = serializers.CharField(
        source="delivering_organization.name", read_only=True
    )

    class Meta:
        model = m.Course
        fields = [
            "id",
            "code",
            "title",
            "credits",
            "category",
            "integrates_ie",
            "delivering_organization",
            "delivering_organization_name",
            "description",
        ]


# ---- Inputs -----------------------------------------------------------------------------------


class ProgramInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    discipline = serializers.CharField(max_length=120)
    degree_type = serializers.ChoiceField(choices=m.Program.DegreeType.choices)
    lead_university = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    description = optional_text()
    quality_criteria = optional_text()


class ProgramUpdateSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32, required=False)
    title = serializers.CharField(max_length=200, required=False)
    discipline = serializers.CharField(max_length=120, required=False)
    degree_type = serializers.ChoiceField(choices=m.Program.DegreeType.choices, required=False)
    lead_university = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all(), required=False
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    description = serializers.CharField(required=False, allow_blank=True)
    quality_criteria = serializers.CharField(required=False, allow_blank=True)


class ProgramTransitionSerializer(serializers.Serializer[Any]):
    transition = serializers.CharField(max_length=32)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Why the step is taken; required to reopen a closed program."),
    )
    confirm = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "Required (true) to close the program: closing stops new students, placements and "
            "projects and makes its elements read-only. Without it, closing is refused (400)."
        ),
    )


class ObjectiveInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    title = serializers.CharField(max_length=200)
    description = serializers.CharField()


class StageInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    kind = serializers.ChoiceField(choices=m.Stage.Kind.choices)
    title = serializers.CharField(max_length=200)
    expected_months = serializers.IntegerField(min_value=1, max_value=60)


class MilestoneTemplateInputSerializer(serializers.Serializer[Any]):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    kind = serializers.ChoiceField(choices=m.MilestoneTemplate.Kind.choices)
    title = serializers.CharField(max_length=200)
    due_offset_days = serializers.IntegerField(min_value=0, max_value=3650)
    stage = optional_ref(m.Stage.objects.all())


class CourseInputSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(max_length=32)
    title = serializers.CharField(max_length=200)
    credits = serializers.DecimalField(max_digits=4, decimal_places=1)
    category = serializers.ChoiceField(choices=m.Course.Category.choices)
    integrates_ie = serializers.BooleanField(required=False, default=False)
    delivering_organization = serializers.PrimaryKeyRelatedField(
        queryset=m.Organization.objects.all()
    )
    description = optional_text()


class CurriculumInputSerializer(serializers.Serializer[Any]):
    """An existing `course`, or a `new_course` described here, attached to the curriculum."""

    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    course = optional_ref(m.Course.objects.all())
    new_course = CourseInputSerializer(required=False, allow_null=True, default=None)
    requirement = serializers.ChoiceField(choices=m.ProgramCourse.Requirement.choices)
    semester = serializers.IntegerField(min_value=1, max_value=12)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        course, new_course = attrs.get("course"), attrs.get("new_course")
        if course is not None and new_course is not None:
            raise serializers.ValidationError(
                {"course": [_("Choose an existing course or describe a new one, not both.")]}
            )
        if course is None and new_course is None:
            raise serializers.ValidationError(
                {"course": [_("Choose a course, or describe a new one.")]}
            )
        return attrs


class CurriculumUpdateSerializer(serializers.Serializer[Any]):
    requirement = serializers.ChoiceField(
        choices=m.ProgramCourse.Requirement.choices, required=False
    )
    semester = serializers.IntegerField(min_value=1, max_value=12, required=False)


class MoveSerializer(serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=[("up", _("up")), ("down", _("down"))])


# ---- Programs and courses ---------------------------------------------------------------------


class ProgramViewSet(ScopedViewSet):
    model = m.Program
    related = ("lead_university",)
    filterset_class = ProgramFilter
    ordering_fields = ["code", "title", "start_date"]

    def get_serializer_class(self) -> Any:
        return ProgramDetailSerializer if self.action == "retrieve" else ProgramSerializer

    def get_queryset(self) -> QuerySet[Any]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related(
                "objectives", "stages", "milestone_templates", "curriculum__course"
            )
        return queryset


class CourseViewSet(ScopedViewSet):
    model = m.Course
    serializer_class = CourseSerializer
    related = ("delivering_organization",)
    filterset_class = CourseFilter
    ordering_fields = ["code", "title", "credits"]

    def get_queryset(self) -> QuerySet[Any]:
        # The course catalogue is shared by programs and readable by every signed-in user.
        return m.Course.objects.select_related(*self.related)


class ProgramWrites(ProgramViewSet, viewsets.GenericViewSet[Any]):
    create = creates(
        partners.create_program, ProgramInputSerializer, responses={201: ProgramSerializer}
    )

    @extend_schema(request=ProgramUpdateSerializer, responses={200: ProgramSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        program = self.get_object()
        data = read_partial(request, ProgramUpdateSerializer)
        elements.update_program(user=actor(request), program=program, **data)
        return answer(self, program)

    @extend_schema(request=ProgramTransitionSerializer, responses={200: ProgramSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk: str | None = None) -> Response:
        """Activate, close or reopen the program (see `programs.design.workflow`); closing takes
        `"confirm": true`."""
        program = self.get_object()
        data = read_input(request, ProgramTransitionSerializer, scoped=VISIBLE_INPUTS)
        elements.transition_program(
            user=actor(request),
            program=program,
            name=data["transition"],
            reason=data["reason"],
            confirmed=data["confirm"],
        )
        return answer(self, program)


# ---- Program elements: edit, remove (delete or retire), reinstate, reorder --------------------


@dataclass(frozen=True)
class ElementServices:
    """The services of an element: `add(user=, **data)` and `update(user=, <argument>=element,
    **values)`."""

    add: Callable[..., Any]
    update: Callable[..., Any]
    argument: str


class ElementWrites(Removable, ScopedViewSet):
    """An element of a program: read by whoever sees the program, written by its
    administrators through the `elements` services (403 for others, 404 outside the program's
    visibility, 400 for bad input or a status that forbids the change)."""

    input_serializer: Any
    update_serializer: Any = None
    services: ElementServices
    filterset_class: Any
    ordering_fields = ["id"]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "model" in cls.__dict__:  # an element's list is filtered by its program
            cls.filterset_class = model_filter(cls.model, "program")

    @property
    def editable(self) -> list[str]:
        """What a partial update changes: the fields of its input, the program aside."""
        fields = (self.update_serializer or self.input_serializer)().fields
        return [name for name in fields if name != "program"]

    def get_queryset(self) -> QuerySet[Any]:
        programs = m.Program.objects.visible_to(self.request.user)
        return self.model.objects.filter(program__in=programs).select_related("program")

    def add_element(self, user: User, **data: Any) -> Any:
        return self.services.add(user=user, **data)

    def update_element(self, user: User, element: Any, **values: Any) -> Any:
        return self.services.update(user=user, **{self.services.argument: element}, **values)

    def create(self, request: Request) -> Response:
        data = read_scoped_input(request, self.input_serializer)
        return answer(self, self.add_element(actor(request), **data), status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        element = self.get_object()
        data = read_partial(request, self.update_serializer or self.input_serializer)
        self.update_element(actor(request), element, **merged(element, data, self.editable))
        return answer(self, element)


class OrderedElementWrites(ElementWrites):
    @extend_schema(request=MoveSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        direction = read_input(request, MoveSerializer, scoped=VISIBLE_INPUTS)["direction"]
        element = elements.move_element(
            user=actor(request), element=self.get_object(), direction=direction
        )
        return answer(self, element)


class ObjectiveWrites(OrderedElementWrites):
    model = m.TrainingObjective
    serializer_class = ProgramObjectiveSerializer
    input_serializer = ObjectiveInputSerializer
    services = ElementServices(partners.add_objective, elements.update_objective, "objective")


class StageWrites(OrderedElementWrites):
    model = m.Stage
    serializer_class = ProgramStageSerializer
    input_serializer = StageInputSerializer
    services = ElementServices(partners.add_stage, elements.update_stage, "stage")


class MilestoneTemplateWrites(ElementWrites):
    model = m.MilestoneTemplate
    serializer_class = ProgramMilestoneTemplateSerializer
    input_serializer = MilestoneTemplateInputSerializer
    services = ElementServices(
        partners.add_milestone_template, elements.update_milestone_template, "template"
    )


class CurriculumWrites(ElementWrites):
    """A course in a program's curriculum; created from an existing course or a new one."""

    model = m.ProgramCourse
    serializer_class = ProgramCurriculumSerializer
    input_serializer = CurriculumInputSerializer
    update_serializer = CurriculumUpdateSerializer
    services = ElementServices(
        partners.add_course_to_curriculum, elements.update_curriculum_entry, "entry"
    )

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().select_related("course")

    def add_element(self, user: User, **data: Any) -> Any:
        new_course = data.pop("new_course")
        if new_course is None:
            return partners.add_course_to_curriculum(user=user, **data)
        data["course"] = m.Course(**new_course)
        return partners.create_course_in_curriculum(user=user, **data)


class CourseWrites(CourseViewSet, viewsets.GenericViewSet[Any]):
    """A course is changed by a portal administrator or by an administrator of every program
    that teaches it (`can_edit_course`)."""

    @extend_schema(request=CourseInputSerializer, responses={200: CourseSerializer})
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        course = self.get_object()
        data = read_partial(request, CourseInputSerializer)
        names = CourseInputSerializer().fields.keys()
        elements.update_course(user=actor(request), course=course, **merged(course, data, names))
        return answer(self, course)


router = SimpleRouter()
router.register("programs", ProgramWrites, basename="program")
router.register("courses", CourseWrites, basename="course")
router.register("objectives", ObjectiveWrites, basename="objective")
router.register("stages", StageWrites, basename="stage")
router.register("milestone-templates", MilestoneTemplateWrites, basename="milestone-template")
router.register("curriculum", CurriculumWrites, basename="curriculum")

urlpatterns = list(router.urls)
