"""WSGI entry point (gunicorn training_portal.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")

application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with an unsafe configuration (core.E001 …).
from training_portal.core.checks import refuse_unsafe_configuration  # noqa: E402

refuse_unsafe_configuration()
