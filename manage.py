#!/usr/bin/env python
"""Django's command-line utility for the Training Portal."""

import os
import sys

# Commands that neither serve requests nor use the secret key: they may run on a checkout
# with no configuration at all (CI checks, a packager's build step).
OFFLINE_COMMANDS = {"makemigrations", "makemessages", "compile_translations", "collectstatic"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "training_portal.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ["PORTAL_OFFLINE_COMMAND"] = "1"
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # Unsafe or missing configuration: say what to set, without a traceback.
        sys.stderr.write(f"Configuration error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
