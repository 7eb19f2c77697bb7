"""System checks on the portal's configuration: `manage.py check` (and `--deploy`, `migrate`,
`runserver`) fail on them, and the WSGI/ASGI application refuses to serve (gunicorn runs no
checks of its own)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

#: The tag of the checks that the WSGI/ASGI application runs before serving.
CONFIGURATION = "portal_configuration"


@checks.register(CONFIGURATION)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production needs the address users reach: every link in e-mails starts with it."""
    if settings.DEBUG or settings.TESTING or settings.OFFLINE_COMMAND or settings.SITE_URL:
        return []  # development, the tests, and commands that serve nothing need no address
    return [
        checks.Error(
            "SITE_URL is not set.",
            hint=(
                "With DEBUG off set SITE_URL to the scheme, host (and path prefix) users reach, "
                "e.g. SITE_URL=https://portal.example.edu: every link in e-mails, invitations "
                "and API download URLs starts with it."
            ),
            id="core.E001",
        )
    ]


def refuse_unsafe_configuration() -> None:
    """Raise ImproperlyConfigured with every configuration error (for the server's start)."""
    errors = [e for e in checks.run_checks(tags=[CONFIGURATION]) if e.is_serious()]
    if errors:
        raise ImproperlyConfigured("\n".join(str(e) for e in errors))
