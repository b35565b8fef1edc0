"""Sixteen collectors writing at once, in threads and in processes: nothing is lost or undone.

Each of 16 writers (16 threads in one process, or 4 processes of 4 threads each)
acts as a collector of the debtor's team, with authorization and the history
included: until its deadline it logs calls (some also saying what the contact
turned out to be like), edits contacts' titles from the version it read
(retrying when someone else got there first), now and then tries a write as a
viewer (refused, nothing written), and at a few shared moments all writers refer
to the *same* new person at once.  A trigger installed by the test logs every
version of every contact, so an edit silently undone by a later write shows up as
a title coming back after it was replaced.

These counts must be zero: acknowledged calls not stored exactly once, undone
edits, errors other than a reported stale version (a deadlock would be one; a
writer that hangs is reported too), a viewer's write stored, and history rows
that do not match the changes stored: one ``create call`` per stored call with
its note, one ``create contact`` per added person, one ``create relation`` per
added relation and one ``edit contact`` per contact version written, each
acknowledged title among them.  The counts are printed (``pytest -rP``).
"""

from __future__ import annotations

import multiprocessing
import queue
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

# --- adapter: every call into orgmap; re-point these when the API changes ------------
from orgmap.domain.access import AccessDeniedError, Actor, Role, cli_actor
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.fields import format_phone
from orgmap.domain.model import Channel, Disposition, Outcome
from orgmap.services.accounts import add_team, assign_debtor, create_user
from orgmap.services.calls import CallReport
from orgmap.services.calls import log_call as _log_call
from orgmap.services.contacts import edit_contact
from orgmap.services.debtors import open_debtor
from orgmap.services.errors import StaleVersionError
from orgmap.store import make_engine, save_maps, snapshot, transaction, upgrade
from orgmap.store.history import HistoryEntry, history_for_debtor
from tests.factories import make_map

DEBTOR = "acme"
CONTACTS = ("desk", "sales", "finance", "boss")  # the contacts of make_map()
DISPOSITIONS = ("sheep", "fox", "eagle", "donkey")
REGION = "CN"
TEAM = "North"
#: Several collectors refer to one new name at once: True, the product makes one contact
#: for all of them; False, one per referral.
ONE_CONTACT_PER_REFERRED_NAME = True


def open_engine(url: str) -> Engine:
    return make_engine(url)


def collector_of(team_id: int, worker: int) -> Actor:
    """The user a writer acts as: a collector of the debtor's team."""
    return Actor(f"collector-{worker}", Role.COLLECTOR, team_id)


def viewer_of(team_id: int) -> Actor:
    return Actor("viewer", Role.VIEWER, team_id)


def prepare(engine: Engine) -> int:
    """Migrate, seed the debtor in team North, start logging contact versions; North's id."""
    upgrade(engine)
    with transaction(engine) as connection:
        save_maps(connection, [make_map(DEBTOR)], by="setup")
    admin = cli_actor("setup")
    team_id = add_team(engine, actor=admin, name=TEAM).id
    create_user(
        engine, actor=admin, name="lead", password="glass tiger river 7", role="lead", team=TEAM
    )
    assign_debtor(engine, actor=admin, debtor_key=DEBTOR, to_user="lead")
    install_contact_log(engine)
    return team_id


def read_contact(
    engine: Engine, actor: Actor, debtor_key: str, contact_key: str
) -> tuple[Any, int]:
    """The contact as a form shows it, and the version it was read at."""
    view = open_debtor(engine, debtor_key, actor=actor, k=0)
    return view.map.contact(contact_key), view.versions.contacts[contact_key]


def edit_title(
    engine: Engine,
    actor: Actor,
    debtor_key: str,
    contact_key: str,
    title: str,
    expected_version: int,
) -> int:
    """Save a new title from the form read at ``expected_version``; the new version.

    Raises ``StaleVersionError`` when the contact changed since.  (The API takes the
    whole form: a read newer than ``expected_version`` is refused as stale too.)
    """
    c = open_debtor(engine, debtor_key, actor=actor, k=0).map.contact(contact_key)
    draft = ContactDraft(
        key=c.key,
        name=c.name,
        department=c.department,
        title=title,
        disposition=c.disposition,
        authorizes_payment=c.authorizes_payment,
        phones=tuple(format_phone(p) for p in c.phones),
        email=c.email or "",
        do_not_contact=c.do_not_contact,
        notes=c.notes,
    )
    saved = edit_contact(
        engine,
        debtor_key=debtor_key,
        draft=draft,
        actor=actor,
        expected_version=expected_version,
        region=REGION,
    )
    return saved.version


def log_call(
    engine: Engine,
    actor: Actor,
    debtor_key: str,
    contact_key: str,
    note: str,
    disposition: str | None = None,
) -> None:
    report = CallReport(
        contact=contact_key,
        channel=Channel.PHONE,
        outcome=Outcome.REACHED,
        note=note,
        disposition=Disposition(disposition) if disposition else None,
    )
    _log_call(engine, debtor_key=debtor_key, report=report, actor=actor, region=REGION)


def refer(
    engine: Engine, actor: Actor, debtor_key: str, contact_key: str, note: str, new_name: str
) -> None:
    """Log a call in which ``contact_key`` referred us to someone not on the map."""
    report = CallReport(
        contact=contact_key,
        channel=Channel.PHONE,
        outcome=Outcome.REFERRED,
        note=note,
        referred_to=ContactDraft(name=new_name),
    )
    _log_call(engine, debtor_key=debtor_key, report=report, actor=actor, region=REGION)


@dataclass(frozen=True)
class Stored:
    """What the database holds for one debtor, in plain values."""

    titles: dict[str, str]  # contact key -> title
    names: dict[str, str]  # contact key -> name
    referred: frozenset[str]  # keys of contacts someone refers to
    notes: Counter[str]  # call note -> how many calls carry it
    relations: int
    contact_updates: int  # versions written after each contact's first: one per edit


def stored(engine: Engine, debtor_key: str) -> Stored:
    view = open_debtor(engine, debtor_key, actor=cli_actor("judge"), k=0)
    m = view.map
    return Stored(
        titles={c.key: c.title for c in m.contacts},
        names={c.key: c.name for c in m.contacts},
        referred=frozenset(r.target for r in m.relations if r.type.value == "refers_to"),
        notes=Counter(i.note for i in m.interactions),
        relations=len(m.relations),
        contact_updates=sum(v - 1 for v in view.versions.contacts.values()),
    )


def writers_history(engine: Engine, debtor_key: str) -> list[HistoryEntry]:
    """The debtor's history entries written by the test's collectors."""
    with snapshot(engine) as connection:
        debtor_id = connection.execute(
            sa.text("SELECT id FROM debtor WHERE key = :k"), {"k": debtor_key}
        ).scalar_one()
        entries = history_for_debtor(connection, debtor_id)
    return [e for e in entries if e.by.startswith(("collector-", "viewer"))]


_LOG_TABLE = (
    "CREATE TABLE contact_log (seq {serial} PRIMARY KEY, contact_id INTEGER NOT NULL,"
    " version INTEGER NOT NULL, title TEXT NOT NULL, disposition TEXT NOT NULL,"
    " notes TEXT NOT NULL)"
)
_LOGGED = "version, title, disposition, notes"
_LOG_COLUMNS = f"contact_id, {_LOGGED}"
_LOG_NEW = "NEW.id, NEW.version, NEW.title, NEW.disposition, NEW.notes"
_LOG_SQL = {
    "sqlite": [
        _LOG_TABLE.format(serial="INTEGER"),
        *(
            f"CREATE TRIGGER contact_log_{event.lower()} AFTER {event} ON contact BEGIN"
            f" INSERT INTO contact_log ({_LOG_COLUMNS}) VALUES ({_LOG_NEW}); END"
            for event in ("INSERT", "UPDATE")
        ),
    ],
    "postgresql": [
        _LOG_TABLE.format(serial="BIGSERIAL"),
        "CREATE FUNCTION contact_log_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
        f" INSERT INTO contact_log ({_LOG_COLUMNS}) VALUES ({_LOG_NEW}); RETURN NULL; END $$",
        "CREATE TRIGGER contact_log_row AFTER INSERT OR UPDATE ON contact"
        " FOR EACH ROW EXECUTE FUNCTION contact_log_row()",
    ],
}


def install_contact_log(engine: Engine) -> None:
    """Log every version of every contact from now on, starting with the current ones."""
    with engine.begin() as connection:
        for statement in _LOG_SQL[engine.dialect.name]:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(
            f"INSERT INTO contact_log ({_LOG_COLUMNS}) SELECT id, {_LOGGED} FROM contact"
        )


def contact_log(engine: Engine) -> dict[str, list[str]]:
    """Each contact's titles by key, one per logged version, in the order they were written.

    Writes to one row are serialized by its lock, so log order is write order.
    """
    titles: dict[str, list[str]] = {}
    query = (
        "SELECT c.key, l.title FROM contact_log l JOIN contact c ON c.id = l.contact_id"
        " ORDER BY l.seq"
    )
    with engine.connect() as connection:
        for key, title in connection.execute(sa.text(query)):
            titles.setdefault(key, []).append(title)
    return titles


# --- the workers ---------------------------------------------------------------------

LOAD_SECONDS = 3.5
REFERRAL_AT = (0.3, 1.1, 1.9, 2.7)  # seconds into the run; every worker refers at each
WAIT = 60.0  # the longest a worker waits for the others at a rendezvous, or we for a worker
WRITERS = 16
#: Writer threads per process in the "processes" mode: 4 processes of 4 writers (16
#: interpreters starting at once would spend the run importing on two shared cores).
THREADS_PER_PROCESS = 4


@dataclass
class Tally:
    """What one worker did and was told."""

    acked_calls: list[str] = field(default_factory=list)  # notes
    failed_calls: list[str] = field(default_factory=list)
    referred: list[str] = field(default_factory=list)  # new names, one per acked referral
    tried_titles: list[str] = field(default_factory=list)
    acked_edits: list[tuple[str, str, int]] = field(default_factory=list)  # key, title, version
    stale: int = 0
    refused: list[str] = field(default_factory=list)  # notes of the viewer's refused calls
    unhandled: list[str] = field(default_factory=list)
    harness: list[str] = field(default_factory=list)  # the test's own trouble

    def failed(self, what: str, exc: Exception) -> None:
        first_line = str(exc).splitlines()[0] if str(exc) else ""
        self.unhandled.append(f"{what}: {type(exc).__name__}: {first_line}"[:240])


def collector(engine: Engine, worker: int, rendezvous: Any, seconds: float, team_id: int) -> Tally:
    """Write until ``seconds`` after every worker has started; what happened.

    A tenth of the operations refer to a new person of one's own, one in twenty
    is a viewer trying to log a call, under half log a call (half of those saying
    what the contact is like), the rest edit a title; at each of ``REFERRAL_AT``
    every worker refers to the same new person.
    """
    tally, rng = Tally(), random.Random(worker)
    me, viewer = collector_of(team_id, worker), viewer_of(team_id)
    races = list(enumerate(REFERRAL_AT))
    rendezvous.wait(WAIT)
    started = time.monotonic()
    serial = 0
    # (a worker whose last operation ran past the end still meets the others at the referral
    # rendezvous it has not reached, or they wait for it in vain: seen once under load)
    while (now := time.monotonic() - started) < seconds or races:
        serial += 1
        token, key, dice = f"w{worker}-{serial}", rng.choice(CONTACTS), rng.random()
        if races and now >= races[0][1]:
            race, _ = races.pop(0)
            try:
                rendezvous.wait(WAIT)
            except threading.BrokenBarrierError:
                tally.harness.append("a worker missed a referral rendezvous")
                races.clear()
                continue
            contact = CONTACTS[worker % len(CONTACTS)]
            _call(tally, refer, engine, me, contact, f"ref-{token}", f"Racer {race}")
        elif dice < 0.1:
            _call(tally, refer, engine, me, key, f"ref-{token}", f"New {token}")
        elif dice < 0.15:
            _refused(tally, engine, viewer, key, f"viewer-{token}")
        elif dice < 0.6:
            disposition = rng.choice(DISPOSITIONS) if rng.random() < 0.5 else None
            _call(tally, log_call, engine, me, key, f"call-{token}", disposition)
        else:
            _edit(tally, engine, me, key, f"title-{token}", until=started + seconds)
    return tally


def _refused(tally: Tally, engine: Engine, viewer: Actor, key: str, note: str) -> None:
    """A viewer's call must be refused before anything is written."""
    try:
        log_call(engine, viewer, DEBTOR, key, note, "fox")
    except AccessDeniedError:
        tally.refused.append(note)
    except Exception as exc:
        tally.failed("viewer log_call", exc)
    else:
        tally.unhandled.append(f"viewer log_call: acknowledged a viewer's call {note}")


def _call(
    tally: Tally, op: Any, engine: Engine, actor: Actor, key: str, note: str, extra: Any
) -> None:
    try:
        op(engine, actor, DEBTOR, key, note, extra)
    except StaleVersionError:  # reported to the collector, so allowed; not acknowledged
        tally.stale += 1
        tally.failed_calls.append(note)
    except Exception as exc:
        tally.failed(op.__name__, exc)
        tally.failed_calls.append(note)
    else:
        tally.acked_calls.append(note)
        if op is refer:
            tally.referred.append(extra)


def _edit(
    tally: Tally, engine: Engine, actor: Actor, key: str, title: str, *, until: float
) -> None:
    """Open the form, save the title; someone else was faster: open it again."""
    while time.monotonic() < until:
        try:
            _, version = read_contact(engine, actor, DEBTOR, key)
        except Exception as exc:
            tally.failed("read_contact", exc)
            return
        tally.tried_titles.append(title)
        try:
            version = edit_title(engine, actor, DEBTOR, key, title, version)
        except StaleVersionError:
            tally.stale += 1
            continue
        except Exception as exc:
            tally.failed("edit_title", exc)
            return
        tally.acked_edits.append((key, title, version))
        return


def _process_collector(
    url: str, first: int, rendezvous: Any, seconds: float, team_id: int, out: Any
) -> None:
    """One process of ``THREADS_PER_PROCESS`` writers numbered from ``first``, on its own engine."""
    engine = None
    workers = range(first, first + THREADS_PER_PROCESS)
    try:
        engine = open_engine(url)
        tallies = run_threads(engine, workers, seconds, team_id, rendezvous)
    except BaseException as exc:
        rendezvous.abort()  # free the others rather than keep them waiting
        tallies = [
            Tally(harness=[f"worker {w} died: {type(exc).__name__}: {exc}"]) for w in workers
        ]
    finally:
        for worker, tally in zip(workers, tallies, strict=True):
            out.put((worker, tally))
        if engine is not None:
            engine.dispose()


def run_threads(
    engine: Engine, workers: range, seconds: float, team_id: int, rendezvous: Any = None
) -> list[Tally]:
    rendezvous = rendezvous or threading.Barrier(len(workers))
    results: dict[int, Tally] = {}

    def work(worker: int) -> None:
        try:
            results[worker] = collector(engine, worker, rendezvous, seconds, team_id)
        except BaseException as exc:
            rendezvous.abort()
            results[worker] = Tally(harness=[f"worker {worker} died: {exc!r}"])

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    give_up = time.monotonic() + seconds + 2 * WAIT
    for t in threads:
        t.join(timeout=max(0.0, give_up - time.monotonic()))
    return [results.get(w, Tally(harness=[f"worker {w} never finished (hung?)"])) for w in workers]


def run_processes(url: str, workers: int, seconds: float, team_id: int) -> list[Tally]:
    context = multiprocessing.get_context("spawn")
    rendezvous, out = context.Barrier(workers), context.Queue()
    processes = [
        context.Process(
            target=_process_collector, args=(url, first, rendezvous, seconds, team_id, out)
        )
        for first in range(0, workers, THREADS_PER_PROCESS)
    ]
    for p in processes:
        p.start()
    results: dict[int, Tally] = {}
    give_up = time.monotonic() + seconds + 2 * WAIT
    try:
        while len(results) < workers and time.monotonic() < give_up:
            try:
                worker, tally = out.get(timeout=1)
                results[worker] = tally
            except queue.Empty:
                if any(p.exitcode not in (None, 0) for p in processes):
                    rendezvous.abort()  # one was killed: don't keep the others waiting for it
                if not any(p.is_alive() for p in processes) and out.empty():
                    break
    finally:
        for p in processes:
            p.join(timeout=5)
            if p.is_alive():
                p.kill()
    return [results.get(w, Tally(harness=[f"worker {w} never reported"])) for w in range(workers)]


# --- judging what happened --------------------------------------------------------------


def undone_edits(log: dict[str, list[str]], fresh: set[str]) -> list[str]:
    """Title changes that are not a freshly written title: an older value coming back.

    >>> undone_edits({"desk": ["a", "x", "x", "y", "x"]}, fresh={"x", "y"})
    ['desk: y -> x']
    """
    undone = []
    for key, titles in log.items():
        seen = {titles[0]}
        for before, after in pairwise(titles):
            if after != before and (after in seen or after not in fresh):
                undone.append(f"{key}: {before} -> {after}")
            seen.add(after)
    return undone


def history_mismatches(
    before: Stored, now: Stored, history: list[HistoryEntry], tallies: list[Tally]
) -> list[str]:
    """How the collectors' history rows differ from the changes stored: [] when they match."""
    kinds = Counter((e.action, e.entity) for e in history)
    call_notes = Counter((e.after or {}).get("note") for e in history if e.entity == "call")
    titles = {(e.after or {}).get("title") for e in history if e.action == "edit"}
    expected = {
        ("create", "call"): now.notes.total() - before.notes.total(),
        ("create", "contact"): len(now.names) - len(before.names),
        ("create", "relation"): now.relations - before.relations,
        ("edit", "contact"): now.contact_updates - before.contact_updates,
    }
    wrong = [
        f"{action} {entity}: {kinds[(action, entity)]} history rows for {count} changes"
        for (action, entity), count in expected.items()
        if kinds[(action, entity)] != count
    ]
    wrong += [f"other history rows: {k}" for k in set(kinds) - set(expected)]
    wrong += [
        f"call {n!r}: {call_notes[n]} history rows, {now.notes[n] - before.notes[n]} stored"
        for n in (now.notes - before.notes) | call_notes
        if call_notes[n] != now.notes[n] - before.notes[n]
    ][:5]
    acked_titles = {title for t in tallies for _, title, _ in t.acked_edits}
    wrong += [f"acknowledged edit {t!r} has no history row" for t in acked_titles - titles][:5]
    return wrong


def judge(engine: Engine, tallies: list[Tally], before: Stored) -> tuple[dict[str, Any], list[str]]:
    """The counts, and what went wrong in words."""
    now = stored(engine, DEBTOR)
    acked = [note for t in tallies for note in t.acked_calls]
    lost = [n for n in acked if now.notes[n] != 1]
    failed_but_stored = [n for t in tallies for n in t.failed_calls if now.notes[n]]
    undone = undone_edits(contact_log(engine), {title for t in tallies for title in t.tried_titles})
    last_edit: dict[str, tuple[int, str]] = {}
    for key, title, version in (e for t in tallies for e in t.acked_edits):
        last_edit[key] = max(last_edit.get(key, (0, "")), (version, title))
    wrong_final = [
        f"{key}: {now.titles[key]!r} is not the last saved {title!r}"
        for key, (_, title) in last_edit.items()
        if now.titles[key] != title
    ]
    unhandled = [u for t in tallies for u in t.unhandled]
    harness = [h for t in tallies for h in t.harness]
    referrals = Counter(name for t in tallies for name in t.referred)
    named: dict[str, list[str]] = {name: [] for name in referrals}
    for key, name in now.names.items():
        if name.startswith(("Racer ", "New ")):
            named.setdefault(name, []).append(key)
    wrong_referrals = []
    for name, keys in named.items():  # one contact, or one per referral; none orphaned
        count = referrals[name]
        allowed = min(count, 1) if ONE_CONTACT_PER_REFERRED_NAME else count
        if bool(keys) != bool(count) or len(keys) > allowed or not set(keys) <= now.referred:
            wrong_referrals.append(f"{name!r}: contacts {keys} for {count} acknowledged referrals")
    racers = {name: len(keys) for name, keys in sorted(named.items()) if name.startswith("Racer")}
    refused = [note for t in tallies for note in t.refused]
    viewer_stored = [note for note in refused if now.notes[note]]
    history = writers_history(engine, DEBTOR)
    history_wrong = history_mismatches(before, now, history, tallies)
    counts = {
        "calls_acked": len(acked),
        "calls_lost_or_duplicated": len(lost),
        "calls_failed_but_stored": len(failed_but_stored),
        "edits_acked": sum(len(t.acked_edits) for t in tallies),
        "stale_retried": sum(t.stale for t in tallies),
        "edits_undone": len(undone),
        "final_title_wrong": len(wrong_final),
        "referrals_acked": sum(referrals.values()),
        "racing_referrals_acked": {n: c for n, c in sorted(referrals.items()) if n in racers},
        "contacts_per_racing_name": racers,
        "referrals_wrong": len(wrong_referrals),
        "viewer_calls_refused": len(refused),
        "viewer_calls_stored": len(viewer_stored),
        "history_rows": len(history),
        "history_mismatches": len(history_wrong),
        "unhandled": len(unhandled),
        "unhandled_kinds": dict(Counter(u.split(":")[1].strip() for u in unhandled)),
    }
    problems = [f"harness: {h}" for h in harness]  # first: it explains what follows
    problems += [f"acknowledged call stored {now.notes[n]} times: {n}" for n in lost[:5]]
    problems += [f"undone edit: {u}" for u in undone[:5]]
    problems += [f"final title: {w}" for w in wrong_final[:5]]
    problems += [f"unhandled: {u}" for u in dict.fromkeys(unhandled)][:8]
    problems += [f"referral: {w}" for w in wrong_referrals[:5]]
    problems += [f"a viewer's refused call was stored: {n}" for n in viewer_stored[:5]]
    problems += [f"history: {w}" for w in history_wrong[:8]]
    return counts, problems


@pytest.mark.timeout(240)
@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_many_writers_lose_nothing_and_undo_nothing(database_url, mode):
    engine = open_engine(database_url)
    workers = WRITERS
    try:
        team_id = prepare(engine)
        before = stored(engine, DEBTOR)
        if mode == "threads":
            tallies = run_threads(engine, range(workers), LOAD_SECONDS, team_id)
        else:
            tallies = run_processes(database_url, workers, LOAD_SECONDS, team_id)
        counts, problems = judge(engine, tallies, before)
    finally:
        engine.dispose()
    shape = (
        "threads" if mode == "threads" else f"threads in {workers // THREADS_PER_PROCESS} processes"
    )
    print(f"{engine.dialect.name}, {workers} writers ({shape}), {LOAD_SECONDS} s:")
    for name, value in counts.items():
        print(f"  {name}: {value}")
    for problem in problems:
        print(f"  ! {problem}")
    assert counts["calls_acked"] > 0 and counts["edits_acked"] > 0, "the workers did nothing"
    assert counts["viewer_calls_refused"] > 0, "no viewer tried to write"
    assert not problems, "\n".join(problems)
