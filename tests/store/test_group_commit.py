"""Group commit on real SQLite and PostgreSQL: writes that arrive together share a
transaction, and each caller still gets exactly its own result or its own error."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from orgmap.store import group_commit, transaction
from orgmap.store.group_commit import write_together


@pytest.fixture
def probe(engine: Engine) -> Engine:
    """``engine`` with a scratch table whose tags are unique."""
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE gc_probe (tag VARCHAR(40) PRIMARY KEY)")
    return engine


def insert(tag: str, *, then: Callable[[], None] = lambda: None) -> Callable:
    def body(connection: sa.Connection) -> str:
        connection.execute(sa.text("INSERT INTO gc_probe (tag) VALUES (:t)"), {"t": tag})
        then()
        return tag

    return body


def stored(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return sorted(connection.exec_driver_sql("SELECT tag FROM gc_probe").scalars())


def transactions(engine: Engine) -> list[int]:
    """A counter of the write transactions begun on ``engine`` from now on."""
    begun = [0]
    sa.event.listen(engine, "begin", lambda _c: begun.__setitem__(0, begun[0] + 1))
    return begun


def test_a_lone_write_runs_in_its_own_transaction(probe: Engine):
    begun = transactions(probe)
    assert write_together(probe, insert("alone")) == "alone"
    assert begun == [1]
    assert stored(probe) == ["alone"]


def test_a_lone_write_that_fails_raises_its_error_and_writes_nothing(probe: Engine):
    def fail() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        write_together(probe, insert("half", then=fail))
    assert stored(probe) == []


def submit_all(engine: Engine, bodies: dict[str, Callable]) -> tuple[dict, list[threading.Thread]]:
    """Submit ``bodies`` from one thread each while a batch is taken to be running, so
    that all of them queue; then pass the lead on, as a batch ending does.  Each
    caller's result or error (once its thread ends), and the threads."""
    outcome: dict[str, object] = {}
    queue = group_commit._queue(engine)
    with queue.lock:
        assert not queue.leading
        queue.leading = True

    def submit(name: str, body: Callable) -> None:
        try:
            outcome[name] = write_together(engine, body)
        except BaseException as exc:
            outcome[name] = exc

    threads = [threading.Thread(target=submit, args=item) for item in bodies.items()]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while len(queue.waiting) < len(bodies) and time.monotonic() < deadline:
        time.sleep(0.001)
    with queue.lock:
        successor = queue.waiting[0]
        successor.lead = True
        successor.wake.set()
    return outcome, threads


def run_batch(engine: Engine, bodies: dict[str, Callable]) -> dict[str, object]:
    """Each caller's result or error, the bodies having queued together (one batch)."""
    outcome, threads = submit_all(engine, bodies)
    for t in threads:
        t.join(30)
    return outcome


def test_writes_that_arrive_together_share_one_commit(probe: Engine):
    tags = [f"w{n:02}" for n in range(12)]
    begun = transactions(probe)
    outcome = run_batch(probe, {tag: insert(tag) for tag in tags})
    assert begun == [1]  # the twelve that queued together: one transaction
    assert outcome == {tag: tag for tag in tags}
    assert stored(probe) == tags


def test_one_refused_write_in_a_batch_fails_alone_and_writes_nothing(probe: Engine):
    def refuse() -> None:
        raise PermissionError("not yours")

    bodies = {"a": insert("a"), "bad": insert("bad", then=refuse), "b": insert("b")}
    outcome = run_batch(probe, bodies)
    assert isinstance(outcome.pop("bad"), PermissionError)
    assert outcome == {"a": "a", "b": "b"}
    assert stored(probe) == ["a", "b"]  # nothing of the refused one


def test_a_database_error_in_a_batch_reaches_only_its_caller(probe: Engine):
    write_together(probe, insert("taken"))
    outcome = run_batch(probe, {"a": insert("a"), "dup": insert("taken"), "b": insert("b")})
    assert isinstance(outcome.pop("dup"), sa.exc.IntegrityError)
    assert outcome == {"a": "a", "b": "b"}
    assert stored(probe) == ["a", "b", "taken"]


def test_a_failed_commit_fails_every_write_of_the_batch_and_none_is_run_again(
    probe: Engine, monkeypatch: pytest.MonkeyPatch
):
    """A commit cut off may have landed: the batch's callers get the error, and no
    body runs a second time."""
    runs: list[str] = []

    def counted(tag: str) -> Callable:
        return insert(tag, then=lambda: runs.append(tag))

    original = group_commit.transaction
    failing = {"on": False}

    class CommitFailed(Exception):
        pass

    def transaction(engine: Engine):  # the batch's transaction: its commit fails
        class Scope:
            def __enter__(self) -> sa.Connection:
                self.inner = original(engine)
                return self.inner.__enter__()

            def __exit__(self, *exc: object) -> bool:
                if exc[0] is None and failing["on"]:
                    self.inner.__exit__(CommitFailed, CommitFailed(), None)  # rolled back
                    raise CommitFailed("connection lost at COMMIT")
                return bool(self.inner.__exit__(*exc))

        return Scope()

    monkeypatch.setattr(group_commit, "transaction", transaction)
    failing["on"] = True
    outcome = run_batch(probe, {t: counted(t) for t in ("a", "b", "c")})
    assert all(isinstance(outcome[t], CommitFailed) for t in ("a", "b", "c")), outcome
    assert sorted(runs) == ["a", "b", "c"]  # each ran once, in the batch
    assert stored(probe) == []


def test_an_interrupt_in_one_body_reaches_its_caller_only(probe: Engine):
    def leave() -> None:
        raise SystemExit(3)

    outcome = run_batch(
        probe, {"a": insert("a"), "exits": insert("x", then=leave), "b": insert("b")}
    )
    assert isinstance(outcome.pop("exits"), SystemExit)
    assert outcome == {"a": "a", "b": "b"}
    assert stored(probe) == ["a", "b"]


def test_a_write_that_takes_row_locks_runs_alone_at_once(probe: Engine):
    queue = group_commit._queue(probe)
    with queue.lock:
        queue.leading = True  # a batch running: a grouped write would queue behind it
    try:
        begun = transactions(probe)
        assert write_together(probe, insert("alone"), alone=True) == "alone"
        assert begun == [1] and not queue.waiting
    finally:
        with queue.lock:
            queue.leading = False


def test_inside_a_transaction_it_refuses_rather_than_wait_for_itself(probe: Engine):
    with transaction(probe), pytest.raises(RuntimeError, match="inside a transaction"):
        write_together(probe, insert("nested"))
    assert stored(probe) == []


@pytest.mark.postgres
def test_a_body_waiting_for_a_lock_does_not_hold_up_the_others(pg_engine: Engine):
    """A colleague's open transaction holds a row one body updates: the batch gives up
    waiting after a moment, and the other callers' writes do not wait for that row."""
    with pg_engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE gc_probe (tag VARCHAR(40) PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO gc_probe VALUES ('held')")

    def update_held(connection: sa.Connection) -> str:
        connection.exec_driver_sql("UPDATE gc_probe SET tag = 'held2' WHERE tag = 'held'")
        return "updated"

    holder = pg_engine.connect()
    holder.exec_driver_sql("SELECT * FROM gc_probe WHERE tag = 'held' FOR UPDATE")
    try:
        outcome, threads = submit_all(pg_engine, {"upd": update_held, "b": insert("b")})
        threads[1].join(10)
        assert outcome.get("b") == "b"  # done while the row is still held
        assert "upd" not in outcome  # still waiting, alone, for the row
    finally:
        holder.rollback()
        holder.close()
    threads[0].join(10)
    assert outcome["upd"] == "updated"
    assert stored(pg_engine) == ["b", "held2"]


def test_many_threads_get_every_write_stored_exactly_once(probe: Engine):
    """16 threads writing for a moment: every acknowledged write is stored, nothing
    else is, and the writes shared commits."""
    begun = transactions(probe)
    acked: list[str] = []
    errors: list[BaseException] = []
    until = time.monotonic() + 1.5

    def writer(n: int) -> None:
        i = 0
        while time.monotonic() < until:
            i += 1
            try:
                acked.append(write_together(probe, insert(f"t{n}-{i}")))
            except Exception as exc:
                errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    commits = begun[0]
    assert errors == []
    assert stored(probe) == sorted(acked)
    assert commits < len(acked)  # some commits carried several writes
