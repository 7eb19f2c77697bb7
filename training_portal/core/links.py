"""Absolute links, for what leaves the portal (e-mails, API answers read elsewhere).

They start with `settings.SITE_URL`, the scheme, host and path prefix that users reach the
portal at (`make run` sets it from HOST and PORT; production sets it explicitly), never with
the host of whatever request or worker happens to build them.
"""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """`path` (as `reverse()` gives it, from the site's root) on the site's base URL."""
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")
