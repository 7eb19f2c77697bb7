"""Quick sign-off pages: a practice tutor confirms a record from an e-mailed link."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..services.signoff import find_signoff, redeem_signoff

NOT_YOURS = gettext_lazy("This link was sent to another tutor. Sign out, or ask for your own link.")


@never_cache
@require_http_methods(["GET", "POST"])
def signoff(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what will be confirmed (opening the link changes nothing); POST confirms."""
    record, problem = find_signoff(token)
    if request.method == "POST" and not problem:
        try:
            target = redeem_signoff(token=token, acting_user=request.user)
        except ValidationError as exc:
            problem = " ".join(exc.messages)
        except PermissionDenied:
            problem = str(NOT_YOURS)
        else:
            return render(
                request, "programs/signoff_done.html", {"target": target, "record": record}
            )
    shown = record.target if record is not None and not problem else None
    status = 200 if not problem else (404 if record is None else 410)
    return render(
        request,
        "programs/signoff.html",
        {"record": record, "target": shown, "problem": problem, "token": token},
        status=status,
    )
