"""Serializers of the people API: tutors and students (what is answered, then the inputs of
the writes)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from training_portal.core.api.serializers import optional_text

from ... import models as m
from ...api_common import AccountEmailMixin


class TutorSerializer(serializers.ModelSerializer[m.TutorProfile]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    active_students = serializers.IntegerField(read_only=True)

    class Meta:
        model = m.TutorProfile
        fields = [
            "id",
            "user",
            "email",
            "name",
            "kind",
            "organization",
            "organization_name",
            "professional_title",
            "specialty",
            "qualifications",
            "practice_experience",
            "capacity",
            "active_students",
            "is_active",
        ]


class AssignmentSerializer(serializers.ModelSerializer[m.TutorAssignment]):
    tutor_name = serializers.CharField(source="tutor.user.full_name", read_only=True)

    class Meta:
        model = m.TutorAssignment
        fields = ["id", "tutor", "tutor_name", "role", "started_on", "ended_on"]


class StudentSerializer(serializers.ModelSerializer[m.Student]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.full_name", read_only=True)
    program_code = serializers.CharField(source="program.code", read_only=True)
    tutors = serializers.SerializerMethodField()

    class Meta:
        model = m.Student
        fields = [
            "id",
            "user",
            "email",
            "name",
            "program",
            "program_code",
            "student_number",
            "cohort",
            "enrolled_on",
            "status",
            "status_since",
            "expected_end_on",
            "tutors",
        ]

    def get_tutors(self, student: m.Student) -> list[dict[str, Any]]:
        return AssignmentSerializer(getattr(student, "current_assignments", []), many=True).data  # type: ignore[return-value]


# ---- Inputs -----------------------------------------------------------------------------------


class TutorInputSerializer(AccountEmailMixin):
    kind = serializers.ChoiceField(choices=m.TutorProfile.Kind.choices)
    organization = serializers.PrimaryKeyRelatedField(queryset=m.Organization.objects.all())
    capacity = serializers.IntegerField(min_value=0, max_value=1000)
    professional_title = optional_text(max_length=100)
    specialty = optional_text(max_length=200)
    qualifications = optional_text()
    practice_experience = optional_text()


class StudentInputSerializer(AccountEmailMixin):
    program = serializers.PrimaryKeyRelatedField(queryset=m.Program.objects.all())
    student_number = serializers.CharField(max_length=32)
    cohort = serializers.IntegerField(min_value=0, max_value=32767)
    enrolled_on = serializers.DateField()


class AssignTutorInputSerializer(serializers.Serializer[Any]):
    tutor = serializers.PrimaryKeyRelatedField(queryset=m.TutorProfile.objects.all())
    role = serializers.ChoiceField(choices=m.TutorProfile.Kind.choices)
    over_capacity_reason = optional_text()
    replace = serializers.BooleanField(required=False, default=False)
