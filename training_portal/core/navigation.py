"""What the navigation offers each user: entries filtered by permission predicates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Menus of the navigation bar that gather the entries of one area (a menu with a single
#: entry for someone is shown as that entry).
ADMINISTRATION_MENU = _("Administration")
TRAINING_MENU = _("Training")
SUPERVISION_MENU = _("Supervision")
EVALUATION_MENU = _("Evaluation")


@dataclass(frozen=True)
class NavEntry:
    label: str | Promise
    url_name: str
    allowed: Callable[[Any], bool]
    menu: str | Promise | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class NavMenu:
    label: str | Promise
    entries: list[NavEntry]

    @property
    def urls(self) -> list[str]:
        return [entry.url for entry in self.entries]


_entries: list[NavEntry] = []


def register_nav(
    label: str | Promise,
    url_name: str,
    allowed: Callable[[Any], bool],
    *,
    menu: str | Promise | None = None,
) -> None:
    """Apps add their entries in AppConfig.ready(); order of registration is kept. Entries
    with a `menu` are shown together in that menu, where the menu's first entry would be."""
    _entries.append(NavEntry(label, url_name, allowed, menu))


def register_menu(
    menu: str | Promise, *entries: tuple[str | Promise, str, Callable[[Any], bool]]
) -> None:
    """Register several (label, url_name, allowed) entries of one menu, in this order."""
    for label, url_name, allowed in entries:
        register_nav(label, url_name, allowed, menu=menu)


def entries_for(user: Any) -> list[NavEntry]:
    return [entry for entry in _entries if entry.allowed(user)]


def bar_for(user: Any) -> list[NavEntry | NavMenu]:
    """The navigation bar of `user`: their entries, those of a menu gathered in it."""
    bar: list[NavEntry | NavMenu] = []
    menus: dict[str, NavMenu] = {}
    for entry in entries_for(user):
        if entry.menu is None:
            bar.append(entry)
            continue
        key = str(entry.menu)
        if key not in menus:
            menus[key] = NavMenu(entry.menu, [])
            bar.append(menus[key])
        menus[key].entries.append(entry)
    return [
        item.entries[0] if isinstance(item, NavMenu) and len(item.entries) == 1 else item
        for item in bar
    ]


HOME_LABEL = _("Home")
