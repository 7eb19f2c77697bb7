"""Stored files, served to those who may see their record: never from a public media URL.

Every download view fetches its record through `visible_to(request.user)` (others: 404) and
answers with `serve_file`; API serializers show `download_url`, an absolute link to it.
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

__all__ = ["content_disposition", "download_url", "serve_file", "stored_name", "uploaded_name"]


def stored_name(field_file: FieldFile) -> str:
    """The file's name without its folders (as stored, with any prefix the path added)."""
    return PurePosixPath(str(field_file.name or "")).name


def uploaded_name(field_file: FieldFile) -> str:
    """The name the file was uploaded under, where its path put a number before it
    (``<student id>-report.pdf``, ``<timestamp>-agreement.pdf``)."""
    name = stored_name(field_file)
    return re.sub(r"^\d+-", "", name, count=1) or name


def content_disposition(filename: str) -> str:
    """An attachment header that names the file in any script (RFC 6266 / RFC 5987): a plain
    ASCII name for old clients, and the exact name as UTF-8 for the others."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_")
    fallback = fallback.replace("\\", "_").replace('"', "_") or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def serve_file(
    field_file: FieldFile | None, *, filename: str = "", content_type: str = ""
) -> FileResponse:
    """The file as an attachment, typed by its name (else application/octet-stream), never
    sniffed nor cached by shared caches; 404 when there is no file or storage lost it."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    name = filename or stored_name(field_file) or "download"
    guessed, encoding = mimetypes.guess_type(name)
    if encoding:  # .csv.gz and the like: the bytes are not of the named type
        guessed = None
    response = FileResponse(
        handle, content_type=content_type or guessed or "application/octet-stream"
    )
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def download_url(
    viewname: str, *args: Any, request: HttpRequest | None = None, present: Any = True
) -> str | None:
    """The absolute URL of a download view (None when there is no file, `present` false):
    from the request the caller used, else from SITE_URL (e-mails, tasks)."""
    if not present:
        return None
    path = reverse(viewname, args=args)
    if request is not None:
        return request.build_absolute_uri(path)
    return settings.SITE_URL.rstrip("/") + path
