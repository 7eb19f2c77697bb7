"""The filters of partner scores, shared by the pages and the API
(the API's flavour of FilterSet: booleans read "true"/"false")."""

from __future__ import annotations

from training_portal.core.api.filters import model_filter

from ..models import PartnerScore

PartnerScoreFilter = model_filter(
    PartnerScore, "run", "kind", "organization", "recommendation", "in_bottom_share"
)
