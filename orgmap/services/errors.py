"""What a use case raises when it cannot do what was asked; the CLI and the pages catch these.

The store's errors are re-exported here so that the UI and the CLI never import
:mod:`orgmap.store` (a layer rule the architecture test holds).
"""

from orgmap.domain.access import AccessDeniedError
from orgmap.domain.validation import Problem, ValidationError
from orgmap.store.errors import AlreadyExistsError, NotFoundError, StaleVersionError, StoreError

__all__ = [
    "AccessDeniedError",
    "AlreadyExistsError",
    "NotFoundError",
    "Problem",
    "StaleVersionError",
    "StoreError",
    "ValidationError",
]
