"""Storage: the debtor maps in SQLite or PostgreSQL, behind keyword-style data functions.

Everything here takes an engine or a connection that the caller opened
(:func:`make_engine`, then :func:`transaction` to write or :func:`snapshot` to
read) and speaks :mod:`orgmap.domain.model` values; the SQLModel tables and
the statements over them stay inside.

Modules by job: :mod:`~orgmap.store.tables` (the SQLModel tables),
:mod:`~orgmap.store.mapping` (rows to domain values and back),
:mod:`~orgmap.store.versions` (the versioned update), one module per noun
(:mod:`~orgmap.store.debtors`, :mod:`~orgmap.store.contacts`,
:mod:`~orgmap.store.relations`, :mod:`~orgmap.store.interactions`,
:mod:`~orgmap.store.same_person`), :mod:`~orgmap.store.merge` (two contacts
into one), :mod:`~orgmap.store.loading` (whole maps out) and
:mod:`~orgmap.store.bulk_import` (whole maps in).
"""

from orgmap.store.bulk_import import ChangeCounts, SaveReport, save_maps
from orgmap.store.contacts import (
    StoredContact,
    archive_contact,
    contacts_named,
    find_contact,
    find_contact_at,
    find_contact_with_team,
    hold_name,
    insert_contact_once,
    set_disposition,
    stored_contacts,
    update_contact,
    upsert_contact,
)
from orgmap.store.debtors import (
    DebtorFilters,
    DebtorSort,
    DebtorSummary,
    SortColumn,
    StoredDebtor,
    count_debtors,
    create_debtor,
    debtor_names,
    find_debtor,
    find_debtor_id,
    list_collectors,
    list_debtor_page,
    list_debtors,
    update_debtor,
)
from orgmap.store.engine import (
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
    snapshot,
    transaction,
    upgrade,
)
from orgmap.store.errors import AlreadyExistsError, NotFoundError, StaleVersionError, StoreError
from orgmap.store.group_commit import write_together
from orgmap.store.interactions import (
    ListedCall,
    StoredCall,
    SupersededError,
    append_call,
    append_correction,
    append_interaction,
    call_ancestors,
    count_current_calls,
    find_call,
    list_current_calls,
    refresh_fingerprints,
)
from orgmap.store.keys import contact_keys_starting, debtor_keys_starting, hold_debtor_key_base
from orgmap.store.loading import LoadedMap, RecordVersions, load_debtor, load_map, load_maps
from orgmap.store.mapping import interaction_fingerprint
from orgmap.store.merge import merge_contacts
from orgmap.store.relations import (
    add_or_restore_relation,
    archive_relation,
    insert_relation_once,
    upsert_relation,
)
from orgmap.store.same_person import KnownElsewhere, find_same_person
from orgmap.store.search import Matched, TeamMatch, find_by_name, find_by_number
from orgmap.store.versions import check_expected, now_utc

__all__ = [
    "AlreadyExistsError",
    "ChangeCounts",
    "DebtorFilters",
    "DebtorSort",
    "DebtorSummary",
    "KnownElsewhere",
    "ListedCall",
    "LoadedMap",
    "Matched",
    "NotFoundError",
    "RecordVersions",
    "SaveReport",
    "SortColumn",
    "StaleVersionError",
    "StoreError",
    "StoredCall",
    "StoredContact",
    "StoredDebtor",
    "SupersededError",
    "TeamMatch",
    "add_or_restore_relation",
    "append_call",
    "append_correction",
    "append_interaction",
    "archive_contact",
    "archive_relation",
    "call_ancestors",
    "check_expected",
    "contact_keys_starting",
    "contacts_named",
    "count_current_calls",
    "count_debtors",
    "create_debtor",
    "current_revision",
    "debtor_keys_starting",
    "debtor_names",
    "ensure_schema",
    "find_by_name",
    "find_by_number",
    "find_call",
    "find_contact",
    "find_contact_at",
    "find_contact_with_team",
    "find_debtor",
    "find_debtor_id",
    "find_same_person",
    "head_revision",
    "hold_debtor_key_base",
    "hold_name",
    "insert_contact_once",
    "insert_relation_once",
    "interaction_fingerprint",
    "list_collectors",
    "list_current_calls",
    "list_debtor_page",
    "list_debtors",
    "load_debtor",
    "load_map",
    "load_maps",
    "make_engine",
    "merge_contacts",
    "now_utc",
    "refresh_fingerprints",
    "save_maps",
    "set_disposition",
    "snapshot",
    "stored_contacts",
    "transaction",
    "update_contact",
    "update_debtor",
    "upgrade",
    "upsert_contact",
    "upsert_relation",
    "write_together",
]
