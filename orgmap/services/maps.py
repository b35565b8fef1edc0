"""Import, export and listing of debtor maps: whole documents in, whole documents out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import Engine

from orgmap.domain.model import DebtorMap
from orgmap.domain.validation import Problem, ValidationError, validate_map
from orgmap.interchange import dumps_document, graphml_bytes, parse_contacts_csv, parse_document
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

    contacts_by_debtor = parse_contacts_csv(
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
            problems.extend(validate_map(merged))
            maps.append(merged)
        if problems:
            raise ValidationError(tuple(problems))
        report = save_maps(session, maps, by=by)
    return ImportResult(report, ())


def _merge_contacts(current: DebtorMap, contacts: Sequence) -> DebtorMap:
    """``current`` with ``contacts`` added or replacing the contacts of the same key.

    A CSV row says nothing about notes, do-not-contact or archiving, so those keep
    what the map already knew.
    """
    by_key = {c.key: c for c in current.contacts}
    for new in contacts:
        old = by_key.get(new.key)
        if old is not None:
            new = replace(
                new, notes=old.notes, do_not_contact=old.do_not_contact, archived=old.archived
            )
        by_key[new.key] = new
    return replace(current, contacts=tuple(by_key.values()))


def export_json(engine: Engine, *, debtor_key: str | None = None) -> str:
    """The ``orgmap/1`` document for one debtor, or for every debtor when ``debtor_key`` is None."""
    with session_scope(engine) as session:
        maps = load_maps(session, [debtor_key] if debtor_key else None)
    if debtor_key and not maps:
        raise NotFoundError(f"no debtor with key {debtor_key!r}")
    return dumps_document(maps)


def export_graphml(engine: Engine, *, debtor_key: str) -> bytes:
    return graphml_bytes(debtor_map(engine, debtor_key=debtor_key))


def debtor_map(engine: Engine, *, debtor_key: str) -> DebtorMap:
    """One debtor's map; raises :class:`NotFoundError` when there is no such debtor."""
    with session_scope(engine) as session:
        found = load_map(session, debtor_key)
    if found is None:
        raise NotFoundError(f"no debtor with key {debtor_key!r}")
    return found


def debtor_summaries(engine: Engine) -> list[DebtorSummary]:
    with session_scope(engine) as session:
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
