"""Import and export: whole documents in (all or nothing), whole documents out.

Formats: the ``orgmap/1`` JSON document and the contacts CSV in; JSON, GraphML
and the standalone offline HTML map out.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap import store
from orgmap.domain.access import AccessDeniedError, Action, Actor, Decision, Role, decide
from orgmap.domain.model import DebtorMap
from orgmap.domain.validation import Problem, ValidationError, check_change
from orgmap.file_input import read_limited, read_regular_file
from orgmap.interchange import dumps_document, graphml_bytes, parse_document
from orgmap.interchange.contacts_csv import ContactRow, parse_contact_rows
from orgmap.routing import Weights
from orgmap.services.authz import authorize, not_found
from orgmap.services.debtors import DebtorView, may_create, read_view, visible_team
from orgmap.settings import DEFAULT_DATA_DIR, Settings
from orgmap.store.debtors import debtor_teams, record_exports
from orgmap.store.loading import load_debtor_by_id

__all__ = [
    "DEMO_ACTOR",
    "DEMO_FILE",
    "IMPORT_KINDS",
    "ImportResult",
    "export_graphml",
    "export_html",
    "export_json",
    "import_file",
    "load_demo",
    "may_export",
    "read_import_file",
    "read_upload",
]

DEMO_FILE = DEFAULT_DATA_DIR / "demo.json"
#: Who loads the demo debtors into an empty database (the app at its first start).
DEMO_ACTOR = Actor("demo", Role.ADMIN)

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
    engine: Engine, *, filename: str, raw: bytes, settings: Settings, actor: Actor
) -> ImportResult:
    """Validate and write a whole file in one transaction: everything or nothing.

    ``filename`` only decides the format (``.json`` or ``.csv``).  Raises
    :class:`ValidationError` naming every problem; nothing is written then.
    ``actor`` must be allowed to edit every debtor the file changes (a debtor
    they may not see is answered as missing, or its key as taken) and to add
    debtors: those created belong to their team.  Every record created or
    changed gets a history entry ``import`` by ``actor``.  A viewer is refused
    (:class:`AccessDeniedError`) before the file is read.
    """
    if not may_create(actor):
        raise AccessDeniedError()
    suffix = Path(filename).suffix.lower()
    if suffix not in IMPORT_KINDS:
        known = ", ".join(f"{s} ({k})" for s, k in IMPORT_KINDS.items())
        raise ValidationError(
            (Problem.coded("", "file.unknown_type", suffix=repr(suffix or "(none)"), known=known),)
        )
    if suffix == ".json":
        parsed = parse_document(
            raw, region=settings.phone_region, max_bytes=settings.max_import_bytes
        )
        with store.transaction(engine) as connection:
            hidden = _hidden_keys(connection, actor, [m.debtor.key for m in parsed.maps])
            if hidden:
                raise ValidationError(
                    tuple(
                        Problem.coded(f"debtor_key={key}", "debtor.key_taken", key=repr(key))
                        for key in hidden
                    )
                )
            report = store.save_maps(connection, parsed.maps, by=actor.name, team_id=actor.team_id)
        return ImportResult(report, parsed.warnings)

    contacts_by_debtor = parse_contact_rows(
        raw, region=settings.phone_region, max_bytes=settings.max_import_bytes
    )
    with store.transaction(engine) as connection:
        maps = []
        problems: list[Problem] = []
        hidden = _hidden_keys(connection, actor, contacts_by_debtor)
        for debtor_key, contacts in sorted(contacts_by_debtor.items()):
            current = None if debtor_key in hidden else store.load_map(connection, debtor_key)
            if current is None:
                problems.append(
                    Problem.coded(
                        f"debtor_key={debtor_key}",
                        "debtor.missing_create_first",
                        key=repr(debtor_key),
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
        report = store.save_maps(connection, maps, by=actor.name, team_id=actor.team_id)
    return ImportResult(report, ())


def _hidden_keys(connection: sa.Connection, actor: Actor, keys: Iterable[str]) -> list[str]:
    """Those of the existing debtors ``keys`` that ``actor`` may not know of, in order.

    Raises :class:`AccessDeniedError` when ``actor`` may see one but not edit it.
    One read of the debtors' teams, none for an admin.
    """
    if actor.role is Role.ADMIN:
        return []
    hidden = []
    for key, team_id in sorted(debtor_teams(connection, set(keys)).items()):
        decision = decide(actor, Action.EDIT, debtor_team_id=team_id)
        if decision is Decision.HIDDEN:
            hidden.append(key)
        elif decision is Decision.FORBIDDEN:
            raise AccessDeniedError()
    return hidden


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


def may_export(actor: Actor) -> bool:
    """Whether ``actor`` may export the debtors they see (admins and leads)."""
    return decide(actor, Action.EXPORT, debtor_team_id=actor.team_id) is Decision.ALLOWED


def export_json(engine: Engine, *, actor: Actor, debtor_key: str | None = None) -> str:
    """The ``orgmap/1`` document for one debtor, or for every debtor ``actor`` sees when
    ``debtor_key`` is None; each debtor exported gets a history entry ``export``.

    Raises :class:`NotFoundError` (a debtor missing or hidden from ``actor``) or
    :class:`AccessDeniedError` (``actor`` may not export), and records nothing then.
    """
    with store.transaction(engine) as connection:  # the export and its record, together
        if debtor_key is not None:
            debtor_id, _ = authorize(connection, actor, Action.EXPORT, debtor_key)
            loaded = load_debtor_by_id(connection, debtor_id)
            if loaded is None:
                raise not_found(debtor_key)
            maps = [loaded.map]
        else:
            if not may_export(actor):
                raise AccessDeniedError()
            maps = store.load_maps(connection, team_id=visible_team(actor))
        _record_exports(connection, actor, [m.debtor.key for m in maps], what="json")
    return dumps_document(maps)


def _record_exports(connection: sa.Connection, actor: Actor, keys: list[str], *, what: str) -> None:
    record_exports(connection, keys, by=actor.name, what=what, now=store.now_utc())


def _exported(
    engine: Engine,
    debtor_key: str,
    *,
    actor: Actor,
    what: str,
    k: int = 0,
    lang: str = "en",
    weights: Weights | None = None,
) -> DebtorView:
    """Debtor ``debtor_key``'s map (and its ``k`` best routes) to export as ``what``,
    with the export recorded in the history in the same transaction."""
    with store.transaction(engine) as connection:
        view = read_view(
            connection,
            debtor_key,
            actor=actor,
            action=Action.EXPORT,
            k=k,
            lang=lang,
            now=None,
            weights=weights,
        )
        _record_exports(connection, actor, [debtor_key], what=what)
    return view


def export_graphml(engine: Engine, *, debtor_key: str, actor: Actor) -> bytes:
    """One debtor's map as GraphML (recorded in its history)."""
    return graphml_bytes(_exported(engine, debtor_key, actor=actor, what="graphml").map)


def export_html(
    engine: Engine,
    *,
    debtor_key: str,
    actor: Actor,
    lang: str = "en",
    layout: Literal["hierarchical", "free"] = "hierarchical",
    weights: Weights | None = None,
    timezone: str = "Asia/Shanghai",
) -> str:
    """The standalone, offline HTML map of one debtor, with its best route (by the team's
    ``weights``; the packaged ones when None) highlighted, and beside it the debtor's
    calls (newest first), promises and facts, times shown in ``timezone``.  Recorded in
    the debtor's history."""
    from orgmap.render import map_spec, render_html  # pyvis: only for this export
    from orgmap.render.panel import debtor_panel

    view = _exported(engine, debtor_key, actor=actor, what="html", k=1, lang=lang, weights=weights)
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
    engine: Engine,
    *,
    settings: Settings,
    if_empty: bool = False,
    path: Path = DEMO_FILE,
    actor: Actor = DEMO_ACTOR,
) -> ImportResult | None:
    """Load the demo debtors (as ``actor``: :data:`DEMO_ACTOR` when the app starts); with
    ``if_empty``, only into a database that has no debtor yet."""
    if if_empty:
        with store.snapshot(engine) as connection:
            if store.count_debtors(connection):  # one count, not every debtor's summary
                return None
    raw = read_import_file(path, settings=settings)
    return import_file(engine, filename=path.name, raw=raw, settings=settings, actor=actor)
