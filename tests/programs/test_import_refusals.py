"""An import of students into a program whose status refuses them says so with the sentence of
the program's status (programs.design.workflow), stored as a catalogued text for the reader."""

from __future__ import annotations

import pytest
from django.utils import translation

from programs import models as m
from programs.design import workflow as workflows
from programs.imports import validation
from tests.cast import Cast
from training_portal.core.tables import ImportFileError
from training_portal.core.texts import text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", [m.Program.Status.DRAFT, m.Program.Status.CLOSED])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_import_refusal_is_the_programs_own_sentence(
    cast: Cast, status: str, language: str
) -> None:
    cast.program.status = status
    with translation.override(language):
        assert str(text(validation.ENROL_REFUSALS[status])) == workflows.refusal(
            cast.program, "enrol"
        )


def test_a_closed_program_refuses_the_students_of_an_import(cast: Cast) -> None:
    m.Program.objects.filter(pk=cast.program.pk).update(status=m.Program.Status.CLOSED)
    cast.program.refresh_from_db()
    with pytest.raises(ImportFileError) as error:
        validation.validate_students(
            [["email"], ["a@b.cn"]], user=cast.program_admin, program=cast.program
        )
    assert error.value.message.id == "import.program_closed"  # type: ignore[union-attr]
    with translation.override("zh-hans"):
        assert str(error.value) != "The program is closed; it takes no new students."
