"""Admin registrations of the evaluation app, one module per area."""

from .evaluations import admin as _evaluations  # noqa: F401
from .ledger import admin as _ledger  # noqa: F401
from .reports import admin as _reports  # noqa: F401
from .scores import admin as _scores  # noqa: F401
