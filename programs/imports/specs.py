"""What each import reads: its job kind, labels and columns (with the other headers each
column may have); e-mail, name and language are spelled as in the user import."""

from __future__ import annotations

from dataclasses import replace

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from accounts.imports import USERS
from training_portal.core.jobs import register_job_kind
from training_portal.core.tables import Column, ImportSpec

#: Other headers each column may have (besides its key), "|"-separated.
_ALIASES = {
    "name": "organisation|organization|organisation name|organization name|名称|单位名称",
    "short_name": "abbreviation|简称",
    "kind": "type|tutor kind|类型|类别|导师类型",
    "city": "城市",
    "website": "url|网站|网址",
    "description": "描述|简介",
    "organization": "organisation|institution|所在单位|单位|机构",
    "professional_title": "职称",
    "specialty": "speciality|专业|研究方向",
    "qualifications": "资质|资格",
    "practice_experience": "experience|实践经验",
    "capacity": "max students|指导名额|名额",
    "student_number": "student no|student id|学号",
    "cohort": "year of entry|intake|年级|入学年份",
    "enrolled_on": "enrolment date|enrollment date|enrolled|入学日期",
    "academic_tutor": "academic tutor email|学术导师|校内导师",
    "practice_tutor": "practice tutor email|实践导师|校外导师",
}


def _column(key: str, help: Promise, required: bool = False) -> Column:
    """A column with the other headers `_ALIASES` gives it."""
    return Column(
        key, help, required, aliases=tuple(filter(None, _ALIASES.get(key, "").split("|")))
    )


_PERSON = (
    replace(
        USERS.column("email"),
        help=gettext_lazy("E-mail address (required, one row per person)"),
        required=True,
    ),
    replace(
        USERS.column("full_name"),
        help=gettext_lazy("Full name (required; an existing account keeps its name)"),
        required=True,
    ),
)
_LANGUAGE = replace(
    USERS.column("preferred_language"),
    help=gettext_lazy("Language of a new account: en or zh-hans"),
)

ORGANIZATIONS = ImportSpec(
    kind="programs.organization_import",
    label=gettext_lazy("Organisation import"),
    title=gettext_lazy("Import organisations"),
    sheet="organisations",
    columns=(
        _column("name", gettext_lazy("Full name of the organisation (required, unique)"), True),
        _column("short_name", gettext_lazy("Short name")),
        _column(
            "kind",
            gettext_lazy(
                "Kind (required): university, hospital, enterprise, research institute, "
                "government body, S&T service intermediary or financial institution, "
                "in English or Chinese"
            ),
            True,
        ),
        _column("city", gettext_lazy("City")),
        _column("website", gettext_lazy("Website address")),
        _column("description", gettext_lazy("Description")),
    ),
)

TUTORS = ImportSpec(
    kind="programs.tutor_import",
    label=gettext_lazy("Tutor import"),
    title=gettext_lazy("Import tutors"),
    sheet="tutors",
    columns=(
        *_PERSON,
        _column(
            "kind", gettext_lazy("academic or practice, in English or Chinese (required)"), True
        ),
        _column(
            "organization", gettext_lazy("Organisation, by its name or short name (required)"), True
        ),
        _column("professional_title", gettext_lazy("Professional title")),
        _column("specialty", gettext_lazy("Specialty")),
        _column("qualifications", gettext_lazy("Qualifications")),
        _column("practice_experience", gettext_lazy("Practice experience")),
        _column("capacity", gettext_lazy("Most students at a time, 1 to 100 (default 6)")),
        _LANGUAGE,
    ),
)

STUDENTS = ImportSpec(
    kind="programs.student_import",
    label=gettext_lazy("Student import"),
    title=gettext_lazy("Import students"),
    sheet="students",
    columns=(
        *_PERSON,
        _column("student_number", gettext_lazy("Student number (required, unique)"), True),
        _column("cohort", gettext_lazy("Cohort: year of entry, e.g. 2025 (required)"), True),
        _column(
            "enrolled_on",
            gettext_lazy("Enrolment date, YYYY-MM-DD or a date cell (required)"),
            True,
        ),
        _column("academic_tutor", gettext_lazy("E-mail address of the academic tutor")),
        _column("practice_tutor", gettext_lazy("E-mail address of a practice tutor")),
        _LANGUAGE,
    ),
)

KINDS = (ORGANIZATIONS, TUTORS, STUDENTS)


def register_job_kinds() -> None:
    for spec in KINDS:
        register_job_kind(spec.kind, task_name=spec.kind, label=spec.label)
