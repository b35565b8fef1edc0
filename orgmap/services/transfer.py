"""Import and export: whole documents in (all or nothing), whole documents out.

Formats: the ``orgmap/1`` JSON document and the contacts CSV in; JSON, GraphML
and the standalone offline HTML map out.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Literal

from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.model import DebtorMap
from orgmap.domain.validation import Problem, ValidationError, check_change
from orgmap.file_input import read_limited, read_regular_file
from orgmap.interchange import dumps_document, graphml_bytes, parse_document
from orgmap.interchange.contacts_csv import ContactRow, parse_contact_rows
from orgmap.routing import Weights
from orgmap.services.debtors import open_debtor
from orgmap.settings import DEFAULT_DATA_DIR, Settings

__all__ = [
    "DEMO_FILE",
    "IMPORT_KINDS",
    "ImportResult",
    "export_graphml",
    "export_html",
    "export_json",
    "import_file",
    "load_demo",
    "read_import_file",
    "read_upload",
]

DEMO_FILE = DEFAULT_DATA_DIR / "demo.json"

#: File endings ``import_file`` understands, and what it reads them as.
IMPORT_KINDS = {".json": "orgmap/1 JSON", ".csv": "contacts CSV"}


@dataclass(frozen=True, slots=True)
class ImportResult:
    report: store.SaveReport
    warnings: tuple[Problem, ...]


def read_import_file(path: str | os.PathLike[str], *, settings: Settings) -> bytes:
    """The bytes of the file to import at ``path``: a regular file (symlinks followed)
    of at most ``settings.max_import_bytes``, never read beyond that.

    Raises :class:`orgmap.file_input.FileRefusedError` (or its
    :class:`~orgmap.file_input.FileTooLargeError`) naming ``path``.
    """
    return read_regular_file(path, max_bytes=settings.max_import_bytes)


def read_upload(stream: BinaryIO, *, name: str, size: int, settings: Settings) -> bytes:
    """The bytes of an uploaded file that says it holds ``size`` bytes, under the same
    limit as :func:`read_import_file`: refused unread when ``size`` is above it, and
    never read beyond it.
    """
    return read_limited(stream, max_bytes=settings.max_import_bytes, name=name, size=size)


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
        with store.transaction(engine) as connection:
            report = store.save_maps(connection, parsed.maps, by=by)
        return ImportResult(report, parsed.warnings)

    contacts_by_debtor = parse_contact_rows(
        raw, region=settings.phone_region, max_bytes=settings.max_import_bytes
    )
    with store.transaction(engine) as connection:
        maps = []
        problems: list[Problem] = []
        for debtor_key, contacts in sorted(contacts_by_debtor.items()):
            current = store.load_map(connection, debtor_key)
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
        report = store.save_maps(connection, maps, by=by)
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
    with store.snapshot(engine) as connection:  # one snapshot, no write lock
        maps = store.load_maps(connection, [debtor_key] if debtor_key else None)
    return dumps_document(maps)


def export_graphml(engine: Engine, *, debtor_key: str) -> bytes:
    return graphml_bytes(open_debtor(engine, debtor_key, k=0).map)


def export_html(
    engine: Engine,
    *,
    debtor_key: str,
    lang: str = "en",
    layout: Literal["hierarchical", "free"] = "hierarchical",
    weights: Weights | None = None,
    timezone: str = "Asia/Shanghai",
) -> str:
    """The standalone, offline HTML map of one debtor, with its best route (by the team's
    ``weights``; the packaged ones when None) highlighted, and beside it the debtor's
    calls (newest first), promises and facts, times shown in ``timezone``."""
    from orgmap.render import map_spec, render_html  # pyvis: only for this export
    from orgmap.render.panel import debtor_panel

    view = open_debtor(engine, debtor_key, k=1, lang=lang, weights=weights)
    routes = view.route.routes if view.route else ()
    best = [s.contact for s in routes[0].steps] if routes else []
    spec = map_spec(view.map, route_steps=best, layout=layout, lang=lang)
    m = view.map
    return render_html(
        spec,
        title=f"{m.debtor.name} ({m.debtor.key})",
        lang=lang,
        panel=debtor_panel(m, lang=lang, timezone=timezone),
    )


def load_demo(
    engine: Engine, *, settings: Settings, if_empty: bool = False, path: Path = DEMO_FILE
) -> ImportResult | None:
    """Load the demo debtors; with ``if_empty``, only into a database that has no debtor yet."""
    if if_empty:
        with store.snapshot(engine) as connection:
            if store.count_debtors(connection):  # one count, not every debtor's summary
                return None
    raw = read_import_file(path, settings=settings)
    return import_file(engine, filename=path.name, raw=raw, settings=settings, by="demo")
