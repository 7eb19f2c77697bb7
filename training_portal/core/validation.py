"""The checks every service shares: `validated_save` (errors attributed to fields,
duplicates included) and `upload_error` (file type and size)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.utils.translation import ngettext

from .uploads import upload_errors

__all__ = [
    "MAX_UPLOAD_BYTES",
    "PDF",
    "PDF_OR_IMAGE",
    "comment_length_errors",
    "upload_error",
    "validated_save",
]

M = TypeVar("M", bound=models.Model)

#: Largest accepted upload (agreements, receipts, evidence).
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
#: Accepted extensions and the bytes such a file starts with (the name alone proves nothing,
#: nor do the first bytes: each file is also parsed).
PDF: Mapping[str, bytes] = {".pdf": b"%PDF-"}
#: Scans and photos of documents are accepted too where a document proves something.
PDF_OR_IMAGE: Mapping[str, bytes] = {
    **PDF,
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
}


def comment_length_errors(comment: str, limit: int) -> list[str]:
    """The message for a comment longer than `limit` characters (none for a shorter one)."""
    if len(comment) <= limit:
        return []
    return [
        ngettext(
            "Keep the comment under %(count)d character.",
            "Keep the comment under %(count)d characters.",
            limit,
        )
        % {"count": limit}
    ]


def reject_unknown_fields(function: str, fields: Iterable[str], allowed: Iterable[str]) -> None:
    """A TypeError, as for an unexpected keyword argument, when `fields` (the `**fields` a
    service takes) name any field that is not `allowed`."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{function}() got unexpected fields: {', '.join(sorted(unknown))}")


def validated_save(
    instance: M,
    *,
    errors: Mapping[str, list[str]] | None = None,
    constraint_fields: Mapping[str, str] | None = None,
    exclude: Iterable[str] = (),
) -> M:
    """Validate `instance` as a form would, add `errors`, and save it if nothing is wrong.

    A violated constraint is reported on the field `constraint_fields` names for it (with the
    constraint's own message), so a duplicate reads "organization: already a partner" rather
    than an IntegrityError; a duplicate inserted meanwhile by someone else reads the same.
    Fields that already have an error in `errors`, and fields in `exclude`, are left to the
    caller, who has checked them with a clearer message.
    """
    where = dict(constraint_fields or {})
    found: dict[str, list[str]] = {field: list(texts) for field, texts in (errors or {}).items()}
    # Like full_clean(), check no constraint over a field already in error.
    in_error = set(found) | set(exclude)
    try:
        instance.full_clean(exclude=sorted(in_error), validate_constraints=False)
    except ValidationError as exc:
        for field, texts in exc.message_dict.items():
            in_error.add(field)
            found.setdefault(field, []).extend(texts)
    for constraint in instance._meta.constraints:
        try:
            constraint.validate(type(instance), instance, exclude=in_error)
        except ValidationError as exc:
            found.setdefault(where.get(constraint.name, NON_FIELD_ERRORS), []).extend(exc.messages)
    if found:
        raise ValidationError(found)
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        violated = next((c for c in instance._meta.constraints if c.name == name), None)
        if violated is None:
            raise
        raise ValidationError(
            {where.get(violated.name, NON_FIELD_ERRORS): [violated.get_violation_error_message()]}
        ) from exc
    return instance


def upload_error(
    upload: File[Any],
    *,
    signatures: Mapping[str, bytes],
    wrong_type: str,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> str:
    """Why an uploaded file is refused (its type by name and first bytes, its size, then
    whether it really is a file of that type: parsed, see `training_portal.core.uploads`),
    or "" if it is acceptable."""
    signature = signatures.get(PurePath((upload.name or "").lower()).suffix)
    if signature is None or _head(upload, len(signature)) != signature:
        return wrong_type
    problems = upload_errors(upload, accept=signatures, max_bytes=max_bytes, wrong_type=wrong_type)
    return problems[0] if problems else ""


def _head(upload: File[Any], length: int) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head if isinstance(head, bytes) else head.encode()
