"""The read services: one read per page, in one snapshot, never waiting for a writer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from orgmap.domain.access import Actor, Role
from orgmap.services import debtors
from orgmap.services.errors import NotFoundError
from orgmap.store import save_maps, transaction
from tests.factories import classic_contacts, make_contact, make_map

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)


def test_pages_that_only_read_do_not_wait_for_a_writer(sqlite_engine):
    # The map and the debtor list read in a deferred (snapshot) transaction: a writer
    # holding SQLite's write lock must not hold them up.  (An export is recorded in the
    # debtor's history, so it writes: see test_authorization.py.)
    with transaction(sqlite_engine) as session:
        save_maps(session, [make_map("acme")], by="li")
    writer = sqlite_engine.connect()
    with writer, writer.begin(), ThreadPoolExecutor(max_workers=1) as pool:  # BEGIN IMMEDIATE
        reads = pool.submit(
            lambda: (
                debtors.open_debtor(sqlite_engine, "acme", k=1, actor=ADMIN),
                debtors.debtor_summaries(sqlite_engine, actor=ADMIN),
            )
        )
        view, summaries = reads.result(timeout=5)
    assert view.map.debtor.key == "acme" and [s.key for s in summaries] == ["acme"]


def test_open_debtor_gives_the_map_its_versions_and_its_route_together(engine):
    with transaction(engine) as session:
        save_maps(session, [make_map("acme")], by="li")
    view = debtors.open_debtor(engine, "acme", k=2, lang="en", actor=ADMIN)
    assert {c.key for c in view.map.contacts} == set(view.versions.contacts)
    assert view.versions.debtor == 1
    assert view.route is not None and 1 <= len(view.route.routes) <= 2
    assert view.route == debtors.route_debtor(
        engine, debtor_key="acme", k=2, lang="en", actor=ADMIN
    )
    assert debtors.open_debtor(engine, "acme", k=0, actor=ADMIN).route is None


def test_archived_contacts_are_on_the_map_but_never_on_a_route(engine):
    boss = make_contact("boss2", authorizes_payment=True, archived=True)
    with transaction(engine) as session:
        save_maps(session, [make_map("acme", contacts=(*classic_contacts(), boss))], by="li")
    view = debtors.open_debtor(engine, "acme", k=5, actor=ADMIN)
    assert view.map.contact("boss2") is not None
    assert view.route is not None
    assert all(s.contact != "boss2" for r in view.route.routes for s in r.steps)


def test_an_unknown_debtor_is_not_found(engine):
    with pytest.raises(NotFoundError):
        debtors.open_debtor(engine, "nobody", actor=ADMIN)
