"""Import, export and listing of debtor maps: whole documents in, whole documents out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from orgmap.domain.model import DebtorMap
from orgmap.domain.validation import Problem, ValidationError, check_change
from orgmap.interchange import dumps_document, graphml_bytes, parse_document
from orgmap.interchange.contacts_csv import ContactRow, parse_contact_rows
from orgmap.settings import DEFAULT_DATA_DIR, Settings
from orgmap.store import (
    DebtorSummary,
    NotFoundError,
    SaveReport,
    list_debtors,
    load_map,
    load_maps,
    save_maps,
    session_scope,
)

__all__ = [
    "DEMO_FILE",
    "ImportResult",
    "debtor_map",
    "debtor_summaries",
    "export_graphml",
    "export_json",
    "import_file",
    "load_demo",
]

DEMO_FILE = DEFAULT_DATA_DIR / "demo.json"

#: File endings ``import_file`` understands, and what it reads them as.
IMPORT_KINDS = {".json": "orgmap/1 JSON", ".csv": "contacts CSV"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    report: SaveReport
    warnings: tuple[Problem, ...]


def import_file(
    engine: Engine, *, filename: str, raw: bytes, settings: Settings, by: str
) -> ImportResult:
    """Validate and write a whole file in one transaction: everything or nothing.

    ``filename`` only decides the format (``.json`` or ``.csv``).  Raises
    :class:`ValidationError` naming every problem; nothing is written then.
    """
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_KINDS:
        known = ", ".join(f"{s} ({k})" for s, k in IMPORT_KINDS.items())
        raise ValidationError(
            (Problem("file", f"unknown file type {suffix or '(none)'!r}; use {known}"),)
        )
    if suffix == ".json":
        parsed = parse_document(
            raw, region=settings.phone_region, max_bytes=settings.max_import_bytes
        )
        with session_scope(engine) as session:
            report = save_maps(session, parsed.maps, by=by)
        return ImportResult(report, parsed.warnings)

    contacts_by_debtor = parse_contact_rows(
        raw, region=settings.phone_region, max_bytes=settings.max_import_bytes
    )
    with session_scope(engine) as session:
        maps = []
        problems: list[Problem] = []
        for debtor_key, contacts in sorted(contacts_by_debtor.items()):
            current = load_map(session, debtor_key)
            if current is None:
                problems.append(
                    Problem(
                        f"debtor_key={debtor_key}",
                        f"no debtor with key {debtor_key!r}; create it first",
                    )
                )
                continue
            merged = _merge_contacts(current, contacts)
            try:
                check_change(current, merged, region=settings.phone_region)
            except ValidationError as exc:
                problems.extend(exc.problems)
            maps.append(merged)
        if problems:
            raise ValidationError(tuple(problems))
        report = save_maps(session, maps, by=by)
    return ImportResult(report, ())


def _merge_contacts(current: DebtorMap, rows: Sequence[ContactRow]) -> DebtorMap:
    """``current`` with the CSV's contacts added, or updated where the key exists.

    An update takes the row's name, department and every non-blank cell; a blank
    cell or a missing column keeps what the map already knew, and so do the fields
    a CSV has no column for (notes, do-not-contact, archived).
    """
    by_key = {c.key: c for c in current.contacts}
    for row in rows:
        old = by_key.get(row.contact.key)
        by_key[row.contact.key] = row.contact if old is None else row.applied_to(old)
    return replace(current, contacts=tuple(by_key.values()))


def export_json(engine: Engine, *, debtor_key: str | None = None) -> str:
    """The ``orgmap/1`` document for one debtor, or for every debtor when ``debtor_key`` is None."""
    with session_scope(engine, read_only=True) as session:  # one snapshot, no write lock
        maps = load_maps(session, [debtor_key] if debtor_key else None)
    if debtor_key and not maps:
        raise NotFoundError(f"no debtor with key {debtor_key!r}")
    return dumps_document(maps)


def export_graphml(engine: Engine, *, debtor_key: str) -> bytes:
    return graphml_bytes(debtor_map(engine, debtor_key=debtor_key))


def debtor_map(engine: Engine, *, debtor_key: str) -> DebtorMap:
    """One debtor's map; raises :class:`NotFoundError` when there is no such debtor."""
    with session_scope(engine, read_only=True) as session:
        found = load_map(session, debtor_key)
    if found is None:
        raise NotFoundError(f"no debtor with key {debtor_key!r}")
    return found


def debtor_summaries(engine: Engine) -> list[DebtorSummary]:
    with session_scope(engine, read_only=True) as session:
        return list_debtors(session)


def load_demo(
    engine: Engine, *, settings: Settings, if_empty: bool = False, path: Path = DEMO_FILE
) -> ImportResult | None:
    """Load the demo debtors; with ``if_empty``, only into a database that has no debtor yet."""
    if if_empty and debtor_summaries(engine):
        return None
    return import_file(
        engine, filename=path.name, raw=path.read_bytes(), settings=settings, by="demo"
    )
