"""History of changes, kept by PostgreSQL triggers (django-pghistory).

Requests record who changed what through pghistory's middleware; background work records
its job and owner through `history_context`. On the embedded SQLite database (make run)
no history is kept, and these helpers do nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


def history_enabled() -> bool:
    return bool(settings.HISTORY_ENABLED)


@contextlib.contextmanager
def history_context(**metadata: Any) -> Iterator[None]:
    """Attach metadata (e.g. user=, job=) to every history event written inside."""
    if not history_enabled():
        yield
        return
    import pghistory

    with pghistory.context(**metadata):
        yield


def events_about(obj: models.Model, limit: int = 100) -> list[Any]:
    """The latest events of `obj` and of the rows that reference it, newest first."""
    if not history_enabled():
        return []
    from pghistory.models import Events

    return list(Events.objects.references(obj).order_by("-pgh_created_at", "-pgh_id")[:limit])


def tracked(**kwargs: Any) -> Any:
    """Class decorator: keep every insert, update and delete of the model, with context."""
    import pghistory

    return pghistory.track(
        pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs
    )


# ---- Record history pages: who may read whose history, and readable events -------------------

AccessRule = Callable[[Any, Any], bool]
RecordUrl = Callable[[Any], str]

#: Never shown on a history page, whatever the model tracks.
HIDDEN_FIELDS = frozenset({"id", "password"})
#: Context keys that say why a change was made.
REASON_KEYS = ("reason", "why", "comment")


@dataclass(frozen=True)
class HistoryRegistration:
    allowed: AccessRule | None = None
    url: RecordUrl | None = None
    #: What an event of the model is called in a list of several kinds (default: its name).
    subject: Any = None
    #: The summary of each action ("insert", "update", "delete"; default: `ACTIONS`).
    phrases: dict[str, Any] = field(default_factory=dict)


_registry: dict[type[models.Model], HistoryRegistration] = {}
_full_readers: list[Callable[[Any], bool]] = []


def _detail_url(route: str) -> RecordUrl:
    return lambda obj: reverse(route, args=[obj.pk])


def history_phrases(insert: Any, update: Any, delete: Any) -> dict[str, Any]:
    """How a model's events are called, for `register_history(phrases=...)`."""
    return {"insert": insert, "update": update, "delete": delete}


def register_history(
    model: type[models.Model],
    *,
    allowed: AccessRule | None = None,
    url: RecordUrl | str | None = None,
    subject: Any = None,
    phrases: dict[str, Any] | None = None,
) -> None:
    """Say who besides the readers of every history may read `model`'s history, where it
    lives, and (optionally) how its events are called.

    `allowed(user, obj)` is called for signed-in users who do not read every history;
    without it only those read the history (deny by default). `url` is a function of the
    record, or the name of a route that takes the record's pk.
    """
    if isinstance(url, str):
        url = _detail_url(url)
    _registry[model] = HistoryRegistration(
        allowed=allowed, url=url, subject=subject, phrases=dict(phrases or {})
    )


def register_history_reader(predicate: Callable[[Any], bool]) -> None:
    """Say who reads the history of every tracked record (the accounts app: portal
    administrators)."""
    if predicate not in _full_readers:
        _full_readers.append(predicate)


def reads_all_history(user: Any) -> bool:
    return any(predicate(user) for predicate in _full_readers)


def is_tracked(model: type[models.Model]) -> bool:
    return bool(getattr(model, "pgh_event_models", None))


def tracked_model(app_label: str, model_name: str) -> type[models.Model] | None:
    """The tracked model named so, or None for an unknown or untracked one."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None
    return model if is_tracked(model) else None


def may_see_history(user: Any, obj: models.Model) -> bool:
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    model = type(obj)
    if not is_tracked(model):
        return False
    if reads_all_history(user):
        return True
    rule = _registry.get(model, HistoryRegistration()).allowed
    return bool(rule is not None and rule(user, obj))


def history_url(user: Any, obj: Any) -> str:
    """The record's history page, or '' when `user` may not read it."""
    if not isinstance(obj, models.Model) or obj.pk is None or not may_see_history(user, obj):
        return ""
    meta = obj._meta
    return reverse("core:history", args=[meta.app_label, meta.model_name, obj.pk])


def record_url(obj: models.Model) -> str:
    """The page where the record is shown, if its app registered one."""
    rule = _registry.get(type(obj), HistoryRegistration()).url
    return rule(obj) if rule is not None else ""


def events_of(obj: models.Model) -> Any:
    """The record's own events (not those of rows referencing it), newest first."""
    from pghistory.models import Events

    return Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")


@dataclass
class FieldChange:
    name: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    when: datetime
    action: str
    summary: str
    changes: list[FieldChange]
    actor: str
    actor_email: str
    why: str
    context: list[tuple[str, str]] = field(default_factory=list)
    #: The kind of record the event is about (events of related rows may be listed too).
    subject: str = ""


ACTIONS = {
    "insert": _("Created"),
    "update": _("Changed"),
    "delete": _("Deleted"),
}


def describe_history(obj: models.Model, events: Iterable[Any]) -> list[HistoryEntry]:
    """Readable entries for some events of `obj` (and of rows referencing it, as
    `events_about` gives them): field labels, display values, actors, reasons.

    People (the actors and every field pointing at an account) are read with one query; other
    references are shown by kind and id, so that the count of queries does not grow with the
    events shown.
    """
    events = list(events)
    user_model = get_user_model()
    raw = []
    for event in events:
        model = _tracked_model(event, type(obj))
        fields = {f.attname: f for f in model._meta.concrete_fields}
        raw.append((event, model, fields, _raw_changes(event)))
    user_ids = {
        int(value)
        for _event, _model, fields, changes in raw
        for name, old, new in changes
        if name in fields and fields[name].is_relation and fields[name].related_model is user_model
        for value in (old, new)
        if value not in (None, "")
    }
    user_ids |= {int(event.pgh_context["user"]) for event in events if _context(event).get("user")}
    people = {
        pk: (full_name or email, email)
        for pk, full_name, email in user_model._default_manager.filter(pk__in=user_ids).values_list(
            "pk", "full_name", "email"
        )
    }
    entries = []
    for event, model, fields, changes in raw:
        context = _context(event)
        actor, actor_email = _actor(context, people)
        why = next((str(context[key]) for key in REASON_KEYS if context.get(key)), "")
        registration = _registry.get(model, HistoryRegistration())
        summary = registration.phrases.get(event.pgh_label) or ACTIONS.get(
            event.pgh_label, event.pgh_label
        )
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                action=event.pgh_label,
                summary=str(summary),
                changes=[
                    FieldChange(
                        name=name,
                        label=_label(fields.get(name), name),
                        old=_display(fields.get(name), old, people),
                        new=_display(fields.get(name), new, people),
                    )
                    for name, old, new in changes
                ],
                actor=actor,
                actor_email=actor_email,
                why=why,
                context=_context_lines(context),
                subject=str(registration.subject or capfirst(str(model._meta.verbose_name))),
            )
        )
    return entries


def _tracked_model(event: Any, default: type[models.Model]) -> type[models.Model]:
    """The model whose row the event is about (an aggregate event names its event model)."""
    label = getattr(event, "pgh_model", None)
    if not label:
        return default
    try:
        event_model = apps.get_model(label)
    except (LookupError, ValueError):
        return default
    return getattr(event_model, "pgh_tracked_model", None) or default


def _context(event: Any) -> dict[str, Any]:
    return event.pgh_context if isinstance(event.pgh_context, dict) else {}


def _raw_changes(event: Any) -> list[tuple[str, Any, Any]]:
    """(field, old, new): the diff of an update; the values of a creation or deletion."""
    if event.pgh_diff:
        items = [(name, old, new) for name, (old, new) in event.pgh_diff.items()]
    elif event.pgh_label == "update":
        items = []
    else:
        items = [
            (name, None, value)
            for name, value in (event.pgh_data or {}).items()
            if value not in (None, "")
        ]
    return sorted(
        (item for item in items if item[0] not in HIDDEN_FIELDS and not item[0].startswith("pgh_")),
        key=lambda item: item[0],
    )


def _actor(context: dict[str, Any], people: dict[int, tuple[str, str]]) -> tuple[str, str]:
    if context.get("user"):
        name, email = people.get(int(context["user"]), (f"#{context['user']}", ""))
    else:
        name, email = str(_("system")), ""
    return name, email


def _context_lines(context: dict[str, Any]) -> list[tuple[str, str]]:
    """What else the change recorded about where it came from."""
    labels = {
        "url": _("Page"),
        "job": _("Job"),
        "signoff_link": _("Sign-off link"),
    }
    lines = []
    for key, value in sorted(context.items()):
        if key == "user" or key in REASON_KEYS or value in (None, ""):
            continue
        shown = f"#{value}" if key in ("job", "signoff_link") else str(value)
        lines.append((str(labels.get(key, key)), shown))
    return lines


def _label(model_field: Any, name: str) -> str:
    return capfirst(str(model_field.verbose_name)) if model_field is not None else name


def _display(model_field: Any, value: Any, people: dict[int, tuple[str, str]]) -> Any:
    """A value as people read it: choice labels, names, dates, Decimal money, file names."""
    if value is None or value == "" or model_field is None:
        return None if value == "" else value
    try:
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.BooleanField):
            return str(_("yes") if value else _("no"))
        if model_field.is_relation:
            if model_field.related_model is get_user_model() and int(value) in people:
                return people[int(value)][0]
            related = model_field.related_model._meta.verbose_name
            return _("%(kind)s #%(id)s") % {"kind": capfirst(str(related)), "id": value}
        if isinstance(model_field, models.DecimalField):
            places = Decimal(1).scaleb(-model_field.decimal_places)
            return Decimal(str(value)).quantize(places)
        if isinstance(model_field, models.DateTimeField):
            return parse_datetime(str(value)) or value
        if isinstance(model_field, models.DateField):
            return parse_date(str(value)) or value
        if isinstance(model_field, models.FileField):
            return str(value).rsplit("/", 1)[-1]
    except (TypeError, ValueError, ArithmeticError):
        return value
    return value
