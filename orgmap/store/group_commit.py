"""Group commit: writes that arrive together share one transaction.

Logging a call is the write a team makes all day, and each is a few small
statements; what costs is the transaction around them (on SQLite the write lock
and an fsync of the log per commit, on PostgreSQL the round trips to begin and
commit, and a commit's flush).  When several of the app's sessions log calls at
the same moment, :func:`write_together` runs their bodies one after the other in
*one* transaction and acknowledges each only once that transaction committed.

Leader and followers: a caller that finds no batch running leads one -- it takes
every body waiting (up to :data:`BATCH_LIMIT`), runs them in one transaction,
hands every result back, and passes the lead to the first body still waiting.
The others wait.  With no one else writing, a body runs alone in its own
transaction, as :func:`~orgmap.store.engine.transaction` would.

All or nothing, for each caller: if any body in a batch of several raises (a
refusal, a database error), the batch is rolled back and every caller runs its
own body again alone, in its own thread, after the lead has passed on -- so each
gets exactly its own result or error, nothing of a refused body is written, and
one slow body does not hold up the process's other writes.  A body must therefore be
a pure transaction body: everything it does goes through the connection it is
given (it may run twice; only the committed run counts).  A failed commit fails
every body of the batch with that error and runs none again (a commit cut off
may have landed).

Only bodies that take no row locks belong here (``alone=True`` for the others): a
batch holds every body's locks until its one commit, so two app servers batching
updates of the same rows in different orders would deadlock.  As a guard, a
batch of several on PostgreSQL gives up waiting for any lock after
:data:`BATCH_LOCK_WAIT` and its bodies run alone (a lone plain call, which only
inserts, waits at most for a colleague inserting the very same call).

Within one process only: separate processes (several app servers on one
PostgreSQL database) each group their own writers.  Not from inside a
transaction or another body (it would wait for itself): that raises.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.store.engine import in_transaction, transaction

__all__ = ["BATCH_LIMIT", "BATCH_LOCK_WAIT", "write_together"]

T = TypeVar("T")

#: The most bodies one transaction runs (it holds the write lock while they run).
BATCH_LIMIT = 32
#: How long a batch on PostgreSQL waits for a lock before its bodies run alone.
BATCH_LOCK_WAIT = "50ms"


@dataclass(eq=False)
class _Body:
    work: Callable[[sa.Connection], Any]
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to lead the next batch
    again: bool = False  # the batch failed in a body: run this one alone
    result: Any = None
    error: BaseException | None = None


class _Queue:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[_Body] = []
        self.leading = False


_queues: weakref.WeakKeyDictionary[Engine, _Queue] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()
# A child forked while a batch ran would find the lead taken forever.
os.register_at_fork(after_in_child=_queues.clear)


def write_together(engine: Engine, work: Callable[[sa.Connection], T], *, alone: bool = False) -> T:
    """``work(connection)`` in a write transaction, shared with the bodies other threads
    submit meanwhile; its result once that transaction committed, or its error.

    ``alone``: a body that takes row locks (an update, a name held for a new
    contact) runs in a transaction of its own, as with :func:`transaction`.
    """
    if in_transaction():
        raise RuntimeError("write_together inside a transaction would wait for itself")
    if alone:
        return _alone(engine, work)
    queue = _queue(engine)
    body = _Body(work)
    with queue.lock:
        queue.waiting.append(body)
        follow = queue.leading
        queue.leading = True
    if follow:
        body.wake.wait()
    if not follow or body.lead:
        _lead(engine, queue)
    if body.again:
        return _alone(engine, work)
    if body.error is not None:
        raise body.error
    return body.result


def _alone(engine: Engine, work: Callable[[sa.Connection], T]) -> T:
    with transaction(engine) as connection:
        return work(connection)


def _queue(engine: Engine) -> _Queue:
    with _queues_lock:
        queue = _queues.get(engine)
        if queue is None:
            queue = _queues[engine] = _Queue()
        return queue


def _lead(engine: Engine, queue: _Queue) -> None:
    """Run the bodies waiting (this caller's first among them), then pass the lead on
    and wake them; a body to run again alone is run by its own caller, after."""
    with queue.lock:
        batch = queue.waiting[:BATCH_LIMIT]
        del queue.waiting[:BATCH_LIMIT]
    try:
        _run(engine, batch)
    except BaseException as exc:  # KeyboardInterrupt, SystemExit: none is written
        for body in batch:
            body.error = exc
        raise
    finally:
        with queue.lock:
            if queue.waiting:
                successor = queue.waiting[0]
                successor.lead = True
                successor.wake.set()
            else:
                queue.leading = False
        for body in batch:
            body.wake.set()


def _run(engine: Engine, batch: list[_Body]) -> None:
    """Every body of ``batch`` in one transaction; if a body fails, each to run alone.

    A body alone in its batch keeps its own error, unless it gave up waiting for a
    lock (then it runs alone, waiting as long as it takes, once the lead has passed
    on).  A failed commit fails every body of the batch with that error: none is
    run again, since a commit cut off may have landed.
    """
    failed: _Body | None = None
    try:
        with transaction(engine) as connection:
            if len(batch) > 1 and connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{BATCH_LOCK_WAIT}'")
            results = []
            for body in batch:
                try:
                    results.append(body.work(connection))
                except BaseException:
                    failed = body
                    raise
    except BaseException as exc:
        if failed is None:  # the commit, or the transaction itself
            if not isinstance(exc, Exception):
                raise
            for body in batch:
                body.error = exc
        elif len(batch) == 1 and not _gave_up_waiting(exc):
            failed.error = exc  # its own refusal or error: running it again would repeat it
        else:
            for body in batch:
                body.again = True
        return
    for body, result in zip(batch, results, strict=True):
        body.result = result


def _gave_up_waiting(exc: BaseException) -> bool:
    """Whether ``exc`` is PostgreSQL's ``lock_not_available`` (the batch's lock wait ran out)."""
    return getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"
