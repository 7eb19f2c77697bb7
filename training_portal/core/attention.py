"""What needs a user's attention: the items of their home dashboard.

Apps register providers in ``AppConfig.ready()``; a provider takes the user and returns the
items for them (usually one aggregate query per provider, so the home page's query count
does not grow with the data). The home page shows the items with a count above zero.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class AttentionItem:
    label: str | Promise
    count: int
    url: str
    #: Bootstrap contextual colour of the badge: "danger" for overdue, "warning", "primary".
    level: str = "primary"


Provider = Callable[[Any], Iterable[AttentionItem]]

_providers: list[Provider] = []


def register_attention(provider: Provider) -> None:
    """Add a provider; registration order is the order on the page."""
    if provider not in _providers:
        _providers.append(provider)


def attention_for(user: Any) -> list[AttentionItem]:
    """The items that need `user`'s attention now, empty ones left out."""
    items: list[AttentionItem] = []
    for provider in _providers:
        items.extend(item for item in provider(user) if item.count > 0)
    return items
