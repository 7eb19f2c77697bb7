"""The filters of the reports' list, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import Report

ReportFilter = model_filter(Report, "kind", "program", "organization", "student")
