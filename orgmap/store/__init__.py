"""Storage: the debtor maps in SQLite or PostgreSQL, behind keyword-style data functions.

Everything here takes an engine or a session that the caller opened
(:func:`make_engine`, :func:`session_scope`) and speaks
:mod:`orgmap.domain.model` values; table classes and queries stay inside.
"""

from orgmap.store.contacts import (
    KnownElsewhere,
    archive_contact,
    find_same_person,
    merge_contacts,
    upsert_contact,
)
from orgmap.store.debtors import (
    DebtorSummary,
    create_debtor,
    get_versions,
    list_debtors,
    update_debtor,
)
from orgmap.store.engine import (
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    read_scope,
    session_scope,
    upgrade,
)
from orgmap.store.errors import AlreadyExistsError, NotFoundError, StaleVersionError, StoreError
from orgmap.store.interactions import append_interaction
from orgmap.store.loading import load_map, load_maps
from orgmap.store.relations import archive_relation, upsert_relation
from orgmap.store.rows import interaction_fingerprint
from orgmap.store.saving import ChangeCounts, SaveReport, save_maps

__all__ = [
    "AlreadyExistsError",
    "ChangeCounts",
    "DebtorSummary",
    "KnownElsewhere",
    "NotFoundError",
    "SaveReport",
    "StaleVersionError",
    "StoreError",
    "append_interaction",
    "archive_contact",
    "archive_relation",
    "create_debtor",
    "current_revision",
    "ensure_schema",
    "find_same_person",
    "get_versions",
    "head_revision",
    "interaction_fingerprint",
    "list_debtors",
    "load_map",
    "load_maps",
    "make_engine",
    "merge_contacts",
    "read_scope",
    "save_maps",
    "session_scope",
    "update_debtor",
    "upgrade",
    "upsert_contact",
    "upsert_relation",
]
