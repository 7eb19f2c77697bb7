"""Django admin for the programs domain: for portal administrators' corrections and lookups.

Everyday work happens in the portal's pages; the admin shows everything with history links.
Each feature registers its models in its own admin module.
"""

from .design import admin as _design  # noqa: F401
from .funds import admin as _funds  # noqa: F401
from .partners import admin as _partners  # noqa: F401
from .people import admin as _people  # noqa: F401
from .placements import admin as _placements  # noqa: F401
from .projects import admin as _projects  # noqa: F401
from .records import admin as _records  # noqa: F401
from .training import admin as _training  # noqa: F401
