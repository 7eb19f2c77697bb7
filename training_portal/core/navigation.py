"""What the navigation offers each user: entries filtered by permission predicates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    allowed: Callable[[Any], bool]

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_entries: list[NavEntry] = []


def register_nav(label: str | Promise, url_name: str, allowed: Callable[[Any], bool]) -> None:
    """Apps add their entries in AppConfig.ready(); order of registration is kept."""
    _entries.append(NavEntry(label, url_name, allowed))


def entries_for(user: Any) -> list[NavEntry]:
    return [entry for entry in _entries if entry.allowed(user)]


HOME_LABEL = _("Home")
