"""ASGI entry point."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")

application = get_asgi_application()

# gunicorn runs no system checks: refuse to serve with an unsafe configuration (core.E001 …).
from training_portal.core.checks import refuse_unsafe_configuration  # noqa: E402

refuse_unsafe_configuration()
