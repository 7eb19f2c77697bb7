"""What other apps add to a program's page: links to their pages about the program.

The program's page shows its four elements (objectives, training process, curriculum, quality
assessment); apps that build on programs (evaluation, for one) have pages about a program of
their own: its indicators, its rounds, its dashboard. They register them here, from their
`AppConfig.ready()`, as the navigation entries are registered (`register_nav`); programs
imports none of them (they depend on programs, not the reverse).

Each section names a URL that takes the program's pk (or, with `query_param`, a list page
that takes it in its query string, e.g. `?program=<pk>`) and a predicate
`allowed(user, program)`:
the link shows to those it returns True for, who should then be able to open the page. The
predicates run on every program page, so they should need no query beyond the user's cached
roles (`user.role_names`, `user.has_role(role, program)`): the page's count stays flat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class ProgramSection:
    label: str | Promise
    url_name: str
    allowed: Callable[[Any, Any], bool]
    query_param: str | None = None

    def url_for(self, program: Any) -> str:
        if self.query_param:
            return f"{reverse(self.url_name)}?{urlencode({self.query_param: program.pk})}"
        return reverse(self.url_name, args=[program.pk])


@dataclass(frozen=True)
class SectionLink:
    label: str | Promise
    url: str


_sections: list[ProgramSection] = []


def register_program_section(
    label: str | Promise,
    url_name: str,
    allowed: Callable[[Any, Any], bool],
    *,
    query_param: str | None = None,
) -> None:
    """Apps add their sections in AppConfig.ready(); order of registration is kept, and a
    URL name registered again replaces nothing (the first registration stays)."""
    if any(section.url_name == url_name for section in _sections):
        return
    _sections.append(ProgramSection(label, url_name, allowed, query_param))


def sections_for(user: Any, program: Any) -> list[SectionLink]:
    """The links of the program's page that `user` may follow, in registration order."""
    return [
        SectionLink(section.label, section.url_for(program))
        for section in _sections
        if section.allowed(user, program)
    ]
