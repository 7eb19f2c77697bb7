"""What students and tutors plug into the portal."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from training_portal.core.navigation import register_nav
from training_portal.core.views import register_home_section

from .attention import tutor_summary
from .permissions import is_tutor


def register() -> None:
    from . import tasks  # noqa: F401 -- the worker knows the tasks

    register_nav(_("My students"), "programs:my-students", is_tutor)
    register_home_section("programs/attention/home_tutor.html", tutor_summary)
