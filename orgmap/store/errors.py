"""What the store raises when a request cannot be carried out.

Messages are written for the person at the keyboard: the CLI prints them as they
are and the app shows them, so they name the debtor, contact or relation at fault.
"""

from __future__ import annotations

__all__ = ["AlreadyExistsError", "NotFoundError", "StaleVersionError", "StoreError"]


class StoreError(Exception):
    """The store refused a change; nothing of the transaction should be kept."""


class NotFoundError(StoreError):
    """A debtor, contact or relation named by key does not exist."""


class AlreadyExistsError(StoreError):
    """Something to be created already exists under that key."""


class StaleVersionError(StoreError):
    """Someone else changed the record since it was read (optimistic locking)."""

    def __init__(self, what: str, *, expected: int | None = None, actual: int | None = None):
        detail = ""
        if expected is not None and actual is not None:
            detail = f" (you had version {expected}, it is now version {actual})"
        super().__init__(
            f"someone else changed {what} since you opened it{detail}; "
            "reload it and make your change again"
        )
        self.expected = expected
        self.actual = actual
