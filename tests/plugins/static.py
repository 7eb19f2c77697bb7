"""Static files scanned once per test process, not once per test client.

Each `django.test.Client` builds its own middleware chain, and `WhiteNoiseMiddleware`
reads every file under STATIC_ROOT when it is built (a stat and a content type per file,
about 260 files): some 13 ms of CPU for every client, which most tests create. A web
process builds the chain once, so only the tests pay for it.

This plugin keeps what WhiteNoise made of a folder and hands it to the next middleware of
the same configuration, as long as the folder has the same files (path, size and mtime):
a test that changes a WhiteNoise setting or a static file still gets a fresh scan, and the
middleware serves exactly what it would have served.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from whitenoise.base import WhiteNoise, scantree

_scanned: dict[tuple[Any, ...], dict[str, Any]] = {}
_update_files_dictionary = WhiteNoise.update_files_dictionary


def _configuration(whitenoise: WhiteNoise) -> tuple[Any, ...]:
    """What WhiteNoise builds a file's response from, besides the file itself (the
    middleware's test for versioned names asks the static files storage)."""
    immutable = getattr(whitenoise, "immutable_file_test", None)
    return (
        type(whitenoise),
        getattr(whitenoise, "static_prefix", None),
        settings.STATIC_URL,
        repr(settings.STORAGES.get("staticfiles")),
        whitenoise.max_age,
        whitenoise.allow_all_origins,
        whitenoise.charset,
        whitenoise.add_headers_function,
        whitenoise.index_file,
        getattr(immutable, "__func__", immutable),
        tuple(sorted(whitenoise.media_types.types_map.items())),
    )


def update_files_dictionary(self: WhiteNoise, root: str, prefix: str) -> None:
    files = tuple(sorted((path, st.st_size, st.st_mtime_ns) for path, st in scantree(root)))
    key = (_configuration(self), root, prefix, files)
    if key not in _scanned:
        scratch = copy.copy(self)
        scratch.files = {}
        _update_files_dictionary(scratch, root, prefix)
        _scanned[key] = scratch.files
    self.files.update(_scanned[key])


WhiteNoise.update_files_dictionary = update_files_dictionary
