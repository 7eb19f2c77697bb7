"""The project's lifecycle: the one table of the statuses a project may move to, read by the
services (and through `next_statuses` by the project page and the API)."""

from __future__ import annotations

from ..models import Project

Status = Project.Status

#: The statuses a project may move to from each status by `update_project_status`. Refusing
#: a proposal (with a reason) and completing (asked, then confirmed by someone else) have
#: their own services: `refuse_project`, `request_completion` and `confirm_completion`.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.APPROVED, Status.FAILED),
    Status.APPROVED: (Status.ACTIVE,),
    Status.ACTIVE: (Status.FAILED,),
    Status.COMPLETED: (),
    Status.FAILED: (),
    Status.REFUSED: (),
}
CLOSED = (Status.COMPLETED, Status.FAILED, Status.REFUSED)
