"""Messages stored as an id and parameters, and rendered when read, in the reader's language.

A job finished by a worker running in English, read by someone using the portal in Chinese,
must read it in Chinese, not as "Audit complete: 4 findings.". So writers store
`text("audit.complete", count=4)` (the id and its JSON parameters) and readers render it with
`render_text()` in the language active at that moment. The rendered text is stored as well, as
a fallback for ids that are no longer in the catalogue.

The catalogue is one table here, so that every process (web, worker, e-mail) can render every
id without importing the module that wrote it. A parameter may itself be a `Text` (stored as
`{"$text": id, "params": {...}}`) or a job kind (`{"$job_kind": kind}`), rendered in turn.

An id `template:<name>` stands for the template `<name>.txt` (a notification's title or body),
rendered with the stored parameters as its context: plain JSON, where dates, times, amounts,
choices and rule names are kept as markers (see `stored_context()`) turned back into values
when read, so that their labels and formats follow the reader's language too.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import models
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

__all__ = [
    "CATALOGUE",
    "TEMPLATE_PREFIX",
    "Text",
    "choice",
    "job_kind",
    "render_text",
    "rendered",
    "stored_context",
    "text",
]

logger = logging.getLogger(__name__)

# id -> a lazy text; plural texts take their number from the parameter named "count".
CATALOGUE: dict[str, Promise] = {
    # Jobs in general
    "job.reading_file": _("Reading the file"),
    "job.checking_rows": _("Checking rows"),
    "job.saving": _("Saving"),
    "job.done": _("Done"),
    "job.too_long": _("The job took too long and was stopped."),
    "job.internal_error": _("The job failed because of an internal error. It has been logged."),
    "job.worker_lost": _(
        "The worker running this job stopped responding too many times; the job was given up."
    ),
    "job.requeued": _("The worker stopped responding; the job was queued again."),
    "job.ended": _("Your job “%(kind)s” (#%(number)s) has ended.\n%(outcome)s"),
    "job.succeeded_title": _("%(kind)s finished"),
    "job.failed_title": _("%(kind)s failed"),
    # Imports
    "import.rows_have_errors": ngettext_lazy(
        "%(count)d row has errors; nothing was imported.",
        "%(count)d rows have errors; nothing was imported.",
        "count",
    ),
    "import.accounts_created": ngettext_lazy(
        "%(count)d account created.", "%(count)d accounts created.", "count"
    ),
    "import.organizations_created": ngettext_lazy(
        "%(count)d organisation created.", "%(count)d organisations created.", "count"
    ),
    "import.tutors_created": ngettext_lazy(
        "%(count)d tutor created.", "%(count)d tutors created.", "count"
    ),
    "import.students_enrolled": ngettext_lazy(
        "%(count)d student enrolled.", "%(count)d students enrolled.", "count"
    ),
    "import.not_allowed": _("You may no longer make this import; nothing was saved."),
    # Imports: the file as a whole cannot be used (training_portal.core.tables.ImportFileError)
    "import.wrong_type": _("Upload an .xlsx or .csv file."),
    "import.too_large": _("The file is larger than %(size)d MB."),
    "import.not_text": _(
        "The file is neither UTF-8 nor GB18030 text. Save it as CSV UTF-8 and try again."
    ),
    "import.unreadable_xlsx": _("The file is not a readable Excel (.xlsx) workbook."),
    "import.empty": _("The file is empty."),
    "import.header_only": _("The file has a header but no data rows."),
    "import.missing_columns": ngettext_lazy(
        "Missing column: %(columns)s. The first row must name the columns %(expected)s.",
        "Missing columns: %(columns)s. The first row must name the columns %(expected)s.",
        "count",
    ),
    "import.too_many_rows": ngettext_lazy(
        "The file has %(count)d row; at most %(max)d can be imported at once.",
        "The file has %(count)d rows; at most %(max)d can be imported at once.",
        "count",
    ),
    # The program's status refuses new students (the sentences of programs.design.workflow.REFUSALS)
    "import.program_draft": _(
        "The program is still a draft; activate it before enrolling students."
    ),
    "import.program_closed": _("The program is closed; it takes no new students."),
    "import.owner_gone": _("The account that started the import is gone."),
    "import.program_gone": _("The program no longer exists."),
    # Audits
    "audit.progress": ngettext_lazy(
        "%(done)d of %(count)d rule check done.", "%(done)d of %(count)d rule checks done.", "count"
    ),
    "audit.complete": ngettext_lazy(
        "Audit complete: %(count)d finding.", "Audit complete: %(count)d findings.", "count"
    ),
    # Partner scores
    "scores.reading_evaluations": _("Reading the evaluations"),
    "scores.reading_responsibilities": _("Reading the responsibilities"),
    "scores.reading_findings": _("Reading the findings"),
    "scores.reading_expenditures": _("Reading the expenditures"),
    "scores.reading_points": _("Reading the reward points"),
    "scores.ranking": _("Ranking the partners"),
    "scores.done": ngettext_lazy(
        "%(count)d partner scored.", "%(count)d partners scored.", "count"
    ),
    # Reports
    "report.reading_data": _("Reading the data"),
    "report.making_pdf": _("Making the PDF"),
    "report.making_spreadsheet": _("Making the spreadsheet"),
    "report.making_csv": _("Making the CSV file"),
    "report.saving_files": _("Saving the files"),
    "report.ready": _("The report is ready."),
    "report.ready_without_pdf": _(
        "The data files are ready. This server cannot make PDF files: WeasyPrint's system "
        "libraries (Pango) are not installed."
    ),
}


@dataclass(frozen=True)
class Text:
    """A message id and its parameters; `str()` renders it in the active language."""

    id: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render_text(self.id, self.stored_params())

    def stored_params(self) -> dict[str, Any]:
        """The parameters as JSON (nested texts as `{"$text": ..., "params": ...}`)."""
        return {name: _store(value) for name, value in self.params.items()}


def text(message_id: str, /, **params: Any) -> Text:
    """A catalogued message with its parameters (JSON scalars, or other `Text`s)."""
    if message_id not in CATALOGUE:
        raise KeyError(f"unknown message id {message_id!r}")
    return Text(message_id, params)


def job_kind(kind: str) -> dict[str, str]:
    """A parameter rendered as the label of a job kind."""
    return {"$job_kind": kind}


# Template texts: "template:programs/notifications/plan_approved_title" is that template.
TEMPLATE_PREFIX = "template:"

# Parameters rendered by a function when read (`rendered()`), by name, so that the stored
# name keeps working whatever module the function moves to.
RENDERERS: dict[str, str] = {
    "rule_label": "supervision.rules.rule_label",
    "finding_message": "supervision.findings.services.stored_finding_message",
}


def choice(instance: models.Model, field_name: str) -> dict[str, Any]:
    """A parameter rendered as the label of the choice held by `instance.<field_name>`."""
    meta = instance._meta
    return {
        "$choice": f"{meta.app_label}.{meta.model_name}.{field_name}",
        "value": getattr(instance, field_name),
    }


def rendered(name: str, *args: Any) -> dict[str, Any]:
    """A parameter rendered when read by the function registered as `name` in `RENDERERS`
    (it must take JSON values and run no query)."""
    if name not in RENDERERS:
        raise KeyError(f"unknown renderer {name!r}")
    return {"$render": name, "args": [stored_context(arg) for arg in args]}


def stored_context(value: Any) -> Any:
    """A template context as JSON: dates, times and Decimals become markers, model instances
    and lazy texts are refused (store the values the template shows, `choice()`s, `Text`s
    or `rendered()` parameters: they must render in the reader's language)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Text):
        return _store(value)
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(key): stored_context(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [stored_context(item) for item in value]
    raise TypeError(f"{type(value).__name__} cannot be stored in a notification: {value!r}")


def render_text(message_id: str, params: Mapping[str, Any] | None, fallback: str = "") -> str:
    """The message in the active language; `fallback` if the id is unknown or its
    parameters no longer fit."""
    if message_id.startswith(TEMPLATE_PREFIX):
        return _render_template(message_id.removeprefix(TEMPLATE_PREFIX), params, fallback)
    entry = CATALOGUE.get(message_id)
    if entry is None:
        return fallback
    values = {name: _render(value) for name, value in (params or {}).items()}
    try:
        return str(entry % values) if values else str(entry)
    except (KeyError, TypeError, ValueError):
        logger.warning("message %s does not take the parameters %r", message_id, params)
        return fallback


def _store(value: Any) -> Any:
    if isinstance(value, Text):
        return {"$text": value.id, "params": value.stored_params()}
    if isinstance(value, Promise):
        return str(value)
    return value


def _render(value: Any) -> Any:
    if isinstance(value, dict) and "$text" in value:
        return render_text(value["$text"], value.get("params"))
    if isinstance(value, dict) and "$job_kind" in value:
        from .jobs import job_kind_label

        return job_kind_label(value["$job_kind"])
    return value


def _render_template(name: str, params: Mapping[str, Any] | None, fallback: str) -> str:
    try:
        return render_to_string(f"{name}.txt", _context(dict(params or {}))).strip()
    except TemplateDoesNotExist:
        logger.warning("notification template %s is gone", name)
        return fallback


def _context(value: Any) -> Any:
    """A stored context back as values (in the active language)."""
    if isinstance(value, list):
        return [_context(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$decimal" in value:
        return Decimal(value["$decimal"])
    if "$datetime" in value:
        return parse_datetime(value["$datetime"])
    if "$date" in value:
        return parse_date(value["$date"])
    if "$choice" in value:
        return _choice_label(value["$choice"], value.get("value"))
    if "$render" in value:
        function = import_string(RENDERERS[value["$render"]])
        return function(*(_context(arg) for arg in value.get("args", [])))
    if "$text" in value or "$job_kind" in value:
        return _render(value)
    return {key: _context(item) for key, item in value.items()}


def _choice_label(path: str, value: Any) -> Any:
    app_label, model_name, field_name = path.split(".")
    try:
        model_field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except LookupError:
        return value
    labels = dict(getattr(model_field, "flatchoices", None) or [])
    return str(labels.get(value, value))
