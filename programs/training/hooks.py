"""What plans, milestones, logs and case logs plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.attention import register_attention
from training_portal.core.navigation import register_nav
from training_portal.core.views import register_home_section

from .attention import (
    case_logs_to_verify_attention,
    student_actions,
    student_summary,
    students_work,
)
from .permissions import is_student


def register() -> None:
    register_nav(_("My plan"), "programs:my-plan", is_student)
    register_attention(case_logs_to_verify_attention)
    register_attention(students_work)
    register_attention(student_actions)
    register_home_section("programs/attention/home_student.html", student_summary)
