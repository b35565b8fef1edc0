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

All or nothing, for each caller: if any body in a batch raises (a refusal, a
database error), the batch is rolled back and every body is run again alone, so
each caller gets exactly its own result or its own error, and nothing of a
refused body is written.  A body must therefore be a pure transaction body:
everything it does goes through the connection it is given (it may run twice;
only the committed run counts).

Within one process only: separate processes (several app servers on one
PostgreSQL database) each group their own writers.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.store.engine import transaction

__all__ = ["BATCH_LIMIT", "write_together"]

T = TypeVar("T")

#: The most bodies one transaction runs (it holds the write lock while they run).
BATCH_LIMIT = 32


@dataclass(eq=False)
class _Body:
    work: Callable[[sa.Connection], Any]
    wake: threading.Event = field(default_factory=threading.Event)
    lead: bool = False  # woken to lead the next batch, not with a result
    done: bool = False
    result: Any = None
    error: BaseException | None = None

    def outcome(self) -> Any:  # the body's result: the caller's T
        if self.error is not None:
            raise self.error
        return self.result


class _Queue:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting: list[_Body] = []
        self.leading = False


_queues: weakref.WeakKeyDictionary[Engine, _Queue] = weakref.WeakKeyDictionary()
_queues_lock = threading.Lock()


def write_together(engine: Engine, work: Callable[[sa.Connection], T]) -> T:
    """``work(connection)`` in a write transaction, shared with the bodies other threads
    submit meanwhile; its result once that transaction committed, or its error."""
    queue = _queue(engine)
    body = _Body(work)
    with queue.lock:
        queue.waiting.append(body)
        follow = queue.leading
        queue.leading = True
    if follow:
        body.wake.wait()
        if not body.lead:
            return body.outcome()
    _lead(engine, queue)
    return body.outcome()


def _queue(engine: Engine) -> _Queue:
    with _queues_lock:
        queue = _queues.get(engine)
        if queue is None:
            queue = _queues[engine] = _Queue()
        return queue


def _lead(engine: Engine, queue: _Queue) -> None:
    """Run the bodies waiting (this caller's first among them), then pass the lead on."""
    with queue.lock:
        batch = queue.waiting[:BATCH_LIMIT]
        del queue.waiting[:BATCH_LIMIT]
    try:
        _run(engine, batch)
    finally:
        for body in batch:
            if not body.done:  # interrupted (KeyboardInterrupt, SystemExit): not written
                body.error = body.error or RuntimeError("the write was interrupted")
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
    """Every body of ``batch`` in one transaction; if a body fails, each alone.

    A failed commit fails every body of the batch with that error (as it would have
    failed each alone): none is run again, since a commit cut off may have landed.
    """
    if len(batch) > 1:
        body_failed = False
        try:
            with transaction(engine) as connection:
                results = []
                for body in batch:
                    try:
                        results.append(body.work(connection))
                    except Exception:
                        body_failed = True
                        raise
        except Exception as exc:
            if not body_failed:
                for body in batch:
                    body.error, body.done = exc, True
                return
        else:
            for body, result in zip(batch, results, strict=True):
                body.result, body.done = result, True
            return
    for body in batch:
        try:
            with transaction(engine) as connection:
                body.result = body.work(connection)
        except Exception as exc:  # handed to the caller it belongs to
            body.error = exc
        body.done = True
