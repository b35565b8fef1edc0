"""Several app processes on one database, the supported team set-up (issue 12, item 7).

Two separate Python processes (``spawn``: fresh interpreters, as two ``streamlit
run`` processes or an app and a CLI would be) each open the database the way the
app does (``open_database``: an engine with its own pool, schema checked) and keep
it open.  Each reads first, so both hold pooled connections from before the change;
then a change made through one process's services must be seen by the next read in
the other, in both directions, with the history showing who made it.  On
PostgreSQL (each test in a schema of its own) and on a SQLite file.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from orgmap.domain.access import Actor, Role, cli_actor
from orgmap.services.accounts import add_team, create_user
from orgmap.store import save_maps, transaction
from tests.factories import make_map

DEBTOR = "acme"
PASSWORD = "glass tiger river 7"
FACTORY_OWNER = make_map(DEBTOR).debtor.assigned_to  # the name the factory writes
ADMIN_A, ADMIN_B = cli_actor("process-a"), cli_actor("process-b")
WAIT = 60.0  # seconds a step may take before the test gives up on a process


def _serve(url: str, inbox: Any, outbox: Any) -> None:
    """One app process: open the database once, then answer requests until told to stop."""
    from orgmap.services.accounts import assign_debtor, debtor_history
    from orgmap.services.database import open_database
    from orgmap.services.debtors import debtor_summaries

    engine = open_database(url)
    try:
        while (request := inbox.get()) is not None:
            what, actor, *args = request
            try:
                if what == "list":
                    answer: Any = [
                        (s.key, s.assigned_to) for s in debtor_summaries(engine, actor=actor)
                    ]
                elif what == "assign":
                    done = assign_debtor(engine, actor=actor, debtor_key=args[0], to_user=args[1])
                    answer = done.changed
                elif what == "history":
                    entries = debtor_history(engine, actor=actor, debtor_key=args[0])
                    answer = [(e.by, e.action, e.after) for e in entries]
                elif what == "pid":
                    answer = os.getpid()
                else:
                    raise ValueError(what)
            except Exception as exc:  # sent back: the test shows it, the process goes on
                answer = f"{type(exc).__name__}: {exc}"
            outbox.put(answer)
    finally:
        engine.dispose()


class AppProcess:
    """A child process holding its own engine; :meth:`ask` is one request, answered."""

    def __init__(self, context: Any, url: str) -> None:
        self.inbox, self.outbox = context.Queue(), context.Queue()
        self.process = context.Process(target=_serve, args=(url, self.inbox, self.outbox))
        self.process.start()

    def ask(self, what: str, actor: Actor, *args: str) -> Any:
        self.inbox.put((what, actor, *args))
        return self.outbox.get(timeout=WAIT)

    def stop(self) -> None:
        self.inbox.put(None)
        self.process.join(timeout=WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


@pytest.fixture
def team(engine: Engine) -> dict[str, Actor]:
    """Debtor ``acme`` in no team yet; team North with collectors wang and zhou."""
    with transaction(engine) as connection:
        save_maps(connection, [make_map(DEBTOR)], by="setup")
    north = add_team(engine, actor=ADMIN_A, name="North").id
    for name in ("wang", "zhou"):
        create_user(
            engine, actor=ADMIN_A, name=name, password=PASSWORD, role="collector", team="North"
        )
    return {name: Actor(name, Role.COLLECTOR, north) for name in ("wang", "zhou")}


@pytest.mark.timeout(180)
def test_a_change_in_one_process_is_seen_by_the_next_read_in_another(database_url, team):
    wang, zhou = team["wang"], team["zhou"]
    context = multiprocessing.get_context("spawn")
    a, b = AppProcess(context, database_url), AppProcess(context, database_url)
    try:
        pids = {a.ask("pid", ADMIN_A), b.ask("pid", ADMIN_B)}
        assert len(pids) == 2 and os.getpid() not in pids
        # Both read first: each now holds a pooled connection from before the change.
        assert a.ask("list", wang) == b.ask("list", wang) == []  # acme is in no team yet
        assert a.ask("list", ADMIN_A) == b.ask("list", ADMIN_B) == [(DEBTOR, FACTORY_OWNER)]

        assert a.ask("assign", ADMIN_A, DEBTOR, "wang") is True
        assert b.ask("list", wang) == [(DEBTOR, "wang")]  # seen in B, by wang's team
        newest = b.ask("history", wang, DEBTOR)[0]
        assert newest == ("cli:process-a", "assign", {"assigned_to": "wang", "team": "North"})

        assert b.ask("assign", ADMIN_B, DEBTOR, "zhou") is True
        assert a.ask("list", zhou) == [(DEBTOR, "zhou")]  # and the other way round
        history = a.ask("history", zhou, DEBTOR)
        assigns = [
            (by, after["assigned_to"]) for by, action, after in history if action == "assign"
        ]
        assert assigns == [("cli:process-b", "zhou"), ("cli:process-a", "wang")]
        # The second assignment to the same user, from the other process, changes nothing.
        assert a.ask("assign", ADMIN_A, DEBTOR, "zhou") is False
        assert len(b.ask("history", zhou, DEBTOR)) == len(history)
    finally:
        a.stop()
        b.stop()
    assert a.process.exitcode == b.process.exitcode == 0
