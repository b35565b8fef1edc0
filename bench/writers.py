"""``python -m bench.writers``: the write path, alone and under many concurrent writers.

Method.  Each database (a temporary SQLite file, or a PostgreSQL database
``orgmap_bench_writers`` made afresh and dropped) gets generated debtors of 4, 60
and 500 contacts, four more of 60 for the writers, a scratch table ``bench_raw``
and a trigger that logs every version of every contact.

*One call*: logging one call (the service, as its caller sees it) on each size of
map, then the bare driver's single-row INSERT + COMMIT into ``bench_raw``, in
alternating rounds so both see the same machine; the ratio of the medians is what
the write path costs above the database's own commit (goal: at most 4x).

Every write goes through authorization and writes its history row, as in the
app: the debtors belong to team North, each writer acts as a collector of it
(``authz.authorize`` on every call and edit), and each change records its history
entry in its own transaction.

*Writers at 1, 4 and 16*: ``--writers`` processes (16), each with its own engine,
run phases of ``--seconds``, started together at a barrier: for n = 1, 4 and 16,
n processes doing raw INSERT + COMMIT (the machine's own commit rate), then n
writers logging calls (throughput and p50/p99 beside the raw rate of the phase
before), as threads sharing an app process's engine, ``--threads`` to a process
(SQLite: 16, one app server; PostgreSQL: 4, four servers; ``--threads 1`` makes
each a process of its own); then all of them at the product's mix -- 80 % logged
calls (three in ten also saying what the contact is like), 20 % title edits saved
with the version read (a stale one is counted, not retried) -- on four other
debtors of 60, as seeded (the call phases leave theirs with thousands of calls).
Each writer works on one of the four debtors, half the time on its six busiest
contacts.  Goals (16
writers logging calls): throughput at least 1/4 of the raw rate on SQLite and 1/2
on PostgreSQL; p99 under 100 ms and 25 ms.  Afterwards every acknowledged call
must be stored exactly once with exactly one history row, and the contact log must
show no title coming back after it was replaced (an edit silently undone).

*Login*: ``services.login.log_in`` (argon2 verification and a new session),
``--logins`` times; goal under 300 ms.  Results: ``bench/results/writers.json``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import random
import shlex
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bench.generate import debtor_key, generate_debtor
from bench.load import drop_postgres_database, fresh_postgres_database, fresh_sqlite_database

# --- adapter: every call into orgmap; re-point these when the API changes ------------
from bench.machine import database_parser, publish, say
from orgmap.domain.access import Actor, Role, cli_actor
from orgmap.domain.contact_draft import ContactDraft
from orgmap.domain.fields import format_phone
from orgmap.domain.model import Channel, Disposition, Outcome
from orgmap.services.accounts import add_team, assign_debtor, create_user
from orgmap.services.calls import CallReport
from orgmap.services.calls import log_call as _log_call
from orgmap.services.contacts import edit_contact
from orgmap.services.debtors import open_debtor
from orgmap.services.errors import StaleVersionError
from orgmap.services.login import log_in
from orgmap.store import make_engine, save_maps, transaction

BY, REGION, TEAM = "bench", "CN", "North"
LEAD, PASSWORD = "bench-lead", "glass tiger river 7"


def collector(team_id: int, index: int) -> Actor:
    """Who writer ``index`` acts as: a collector of the debtors' team."""
    return Actor(f"bench-{index}", Role.COLLECTOR, team_id)


def seed(engine: Engine, sizes: dict[int, int]) -> tuple[dict[str, list[str]], int]:
    """Generated debtors (index -> contacts) in team North: each debtor's key -> its live
    contacts' keys, and the team's id."""
    maps, now = [], datetime.now(UTC)
    for index, size in sizes.items():
        m = generate_debtor(index=index, seed=1, now=now, contacts=max(size, 5))
        keep = {c.key for c in m.contacts[:size]}  # fewer than 5: the first ones
        relations = tuple(r for r in m.relations if {r.source, r.target} <= keep)
        calls = tuple(i for i in m.interactions if i.contact in keep)
        maps.append(replace(m, contacts=m.contacts[:size], relations=relations, interactions=calls))
    with transaction(engine) as connection:
        save_maps(connection, maps, by=BY)
    admin = cli_actor(BY)
    team_id = add_team(engine, actor=admin, name=TEAM).id
    create_user(engine, actor=admin, name=LEAD, password=PASSWORD, role="lead", team=TEAM)
    for m in maps:
        assign_debtor(engine, actor=admin, debtor_key=m.debtor.key, to_user=LEAD)
    keys = {m.debtor.key: [c.key for c in m.contacts if not c.archived] for m in maps}
    return keys, team_id


def log_call(
    engine: Engine, actor: Actor, debtor_key: str, contact_key: str, note: str, disposition=None
) -> None:
    """Log a reached phone call; ``disposition`` (e.g. "fox"): what the contact is like."""
    like = Disposition(disposition) if disposition else None
    report = CallReport(contact_key, Channel.PHONE, Outcome.REACHED, note, disposition=like)
    _log_call(engine, debtor_key=debtor_key, report=report, actor=actor, region=REGION)


def read_version(engine: Engine, actor: Actor, debtor_key: str, contact_key: str) -> int:
    return open_debtor(engine, debtor_key, actor=actor, k=0).versions.contacts[contact_key]


def edit_title(
    engine: Engine, actor: Actor, debtor_key: str, contact_key: str, title: str, version: int
) -> int:
    """Save a new title on the version read; raises StaleVersionError.  (The API takes
    the whole form, so this reads the contact first: a newer read is stale too.)"""
    c = open_debtor(engine, debtor_key, actor=actor, k=0).map.contact(contact_key)
    assert c is not None, contact_key
    phones = tuple(format_phone(p) for p in c.phones)
    draft = ContactDraft(
        key=c.key, name=c.name, department=c.department, title=title, disposition=c.disposition,
        authorizes_payment=c.authorizes_payment, phones=phones, email=c.email or "",
        do_not_contact=c.do_not_contact, notes=c.notes,
    )  # fmt: skip
    saved = edit_contact(
        engine,
        debtor_key=debtor_key,
        draft=draft,
        actor=actor,
        expected_version=version,
        region=REGION,
    )
    return saved.version


def stored_notes(engine: Engine, debtor_key: str) -> Counter[str]:
    """The notes of the debtor's calls, and how many calls carry each."""
    view = open_debtor(engine, debtor_key, actor=cli_actor(BY), k=0)
    return Counter(i.note for i in view.map.interactions)


def call_history_rows(engine: Engine) -> int:
    """History rows of logged calls written by the writers (``bench-N``)."""
    query = sa.text("SELECT count(*) FROM history WHERE entity = 'call' AND by LIKE :writers")
    with engine.connect() as connection:
        return int(connection.execute(query, {"writers": "bench-%"}).scalar_one())


def login_ms(engine: Engine, runs: int) -> dict[str, Any]:
    """``log_in`` as the lead (argon2 verification, then a new session): median and p95 ms."""
    samples: list[int] = []
    for _ in range(runs + 1):  # the first one warms the hasher and the pool up
        started = time.perf_counter_ns()
        log_in(engine, name=LEAD, password=PASSWORD)
        samples.append(time.perf_counter_ns() - started)
    return {"runs": runs, "median_ms": _ms(samples[1:], 50), "p95_ms": _ms(samples[1:], 95)}


# --- below the product: scratch table, contact log, raw writes -----------------------

_LOG = "INSERT INTO contact_log (contact_id, title) VALUES (NEW.id, NEW.title)"
_SETUP = {
    "sqlite": [
        "CREATE TABLE bench_raw (id INTEGER PRIMARY KEY, note TEXT NOT NULL)",
        "CREATE TABLE contact_log (seq INTEGER PRIMARY KEY, contact_id INTEGER, title TEXT)",
        f"CREATE TRIGGER contact_log AFTER UPDATE ON contact BEGIN {_LOG}; END",
    ],
    "postgresql": [
        "CREATE TABLE bench_raw (id BIGSERIAL PRIMARY KEY, note TEXT NOT NULL)",
        "CREATE TABLE contact_log (seq BIGSERIAL PRIMARY KEY, contact_id INTEGER, title TEXT)",
        "CREATE FUNCTION contact_log_row() RETURNS trigger LANGUAGE plpgsql"
        f" AS $$ BEGIN {_LOG}; RETURN NULL; END $$",
        "CREATE TRIGGER contact_log AFTER UPDATE ON contact FOR EACH ROW"
        " EXECUTE FUNCTION contact_log_row()",
    ],
}


def prepare_below(engine: Engine) -> None:
    """The scratch table, and the contact log starting from the titles as they are."""
    with engine.begin() as connection:
        for statement in _SETUP[engine.dialect.name]:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(
            "INSERT INTO contact_log (contact_id, title) SELECT id, title FROM contact"
        )


def undone_edits(engine: Engine, fresh: set[str]) -> int:
    """Title changes to a title seen before or never written by an edit (log order is
    write order per contact: its row lock serializes the writes)."""
    titles: dict[int, list[str]] = {}
    with engine.connect() as connection:
        log = connection.exec_driver_sql("SELECT contact_id, title FROM contact_log ORDER BY seq")
        for contact_id, title in log:
            titles.setdefault(contact_id, []).append(title)
    undone = 0
    for history in titles.values():
        seen = {history[0]}
        for before, after in pairwise(history):
            undone += after != before and (after in seen or after not in fresh)
            seen.add(after)
    return undone


class RawWriter:
    """The bare driver on one connection: a one-row INSERT and its COMMIT."""

    def __init__(self, engine: Engine) -> None:
        self.connection = engine.raw_connection()
        self.sqlite = engine.dialect.name == "sqlite"
        self.insert = f"INSERT INTO bench_raw (note) VALUES ({'?' if self.sqlite else '%s'})"

    def write(self, note: str) -> bool:
        """Whether it was written: SQLite may give up waiting for the lock ("database is
        locked" after orgmap's busy timeout), as it would for the product."""
        cursor = self.connection.cursor()
        try:
            if self.sqlite:  # orgmap's SQLite connections leave BEGIN to the caller: IMMEDIATE
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(self.insert, (note,))
            cursor.execute("COMMIT") if self.sqlite else self.connection.commit()
            return True
        except Exception:
            self.connection.rollback()
            return False
        finally:
            cursor.close()


# --- measuring ---------------------------------------------------------------------------

SIZES = {0: 4, 1: 60, 2: 500}  # debtor index -> contacts, for the one-call cost
WRITER_DEBTORS = {3: 60, 4: 60, 5: 60, 6: 60}
# The mix's own four: the call phases leave theirs with thousands of calls each, far
# more than a debtor's map holds, and the mix's edits read the whole map.
MIX_DEBTORS = {7: 60, 8: 60, 9: 60, 10: 60}
#: Call writers per process by default: the app serves its sessions from threads of one
#: process; a team on PostgreSQL runs several app servers (README, "Team set-up").
APP_THREADS = {"sqlite": 16, "postgresql": 4}
GOALS = {"sqlite": (4.0, 0.25, 100.0), "postgresql": (4.0, 0.5, 25.0)}  # ratio, share, p99 ms
DISPOSITIONS = ("sheep", "fox", "eagle", "donkey")
WARM_UP, WAIT = 5, 120.0


def one_call(
    engine: Engine, debtors: dict[str, list[str]], runs: int, team_id: int
) -> dict[str, Any]:
    """Per map size: the call's and the raw write's median and p95 (ms), and their ratio."""
    samples: dict[int, tuple[list[int], list[int]]] = {size: ([], []) for size in SIZES.values()}
    raw = RawWriter(engine)
    actor = collector(team_id, 0)
    for run in range(WARM_UP + runs):
        for index, size in SIZES.items():
            debtor = debtor_key(index)
            started = time.perf_counter_ns()
            log_call(engine, actor, debtor, debtors[debtor][0], f"one-{size}-{run}")
            middle = time.perf_counter_ns()
            raw.write(f"one-{size}-{run}")
            if run >= WARM_UP:
                samples[size][0].append(middle - started)
                samples[size][1].append(time.perf_counter_ns() - middle)
    raw.connection.close()
    return {
        str(size): {
            "call_ms": [_ms(calls, 50), _ms(calls, 95)],
            "raw_ms": [_ms(raws, 50), _ms(raws, 95)],
            "ratio": round(statistics.median(calls) / statistics.median(raws), 2),
        }
        for size, (calls, raws) in samples.items()
    }


#: Writers at each level (the levels above ``--writers`` are left out).
LEVELS = (1, 4, 16)


def phases(writers: int) -> list[tuple[str, int]]:
    """(phase, writers in it): raw then calls at each level, then the mix with all.

    >>> phases(4)
    [('raw1', 1), ('calls1', 1), ('raw4', 4), ('calls4', 4), ('mix', 4)]
    """
    levels = [n for n in LEVELS if n < writers] + [writers]
    steps = [(f"{kind}{n}", n) for n in levels for kind in ("raw", "calls")]
    return [*steps, ("mix", writers)]


def _writer(
    url: str,
    index: int,
    debtors: dict,
    seconds: float,
    team_id: int,
    threads: int,
    barrier: Any,
    out: Any,
) -> None:
    """One writer process: every phase begun with the others at the barrier.

    Raw phases of n writers: the first n processes, one connection each (the
    machine's own commit rate).  Call and mix phases: the n writers are threads,
    ``threads`` to a process sharing its engine (as the app's sessions share one
    server process), in the first n / ``threads`` processes.  ``debtors``: the call
    phases' and the mix's (``"calls"``, ``"mix"``), each debtor's key -> its contacts.
    """
    engine = make_engine(url)
    try:
        raw = RawWriter(engine)
        for phase, taking_part in phases(barrier.parties):
            barrier.wait(WAIT)
            until, ops, failed = time.monotonic() + seconds, 0, 0
            if phase.startswith("raw"):
                if index < taking_part:
                    while time.monotonic() < until:
                        ops += 1
                        failed += not raw.write(f"{phase}-{index}-{ops}")
                    out.put((phase, {"ops": ops - failed, "failed": failed}))
                continue
            mine = range(index * threads, min((index + 1) * threads, taking_part))
            work, on = (_mix, debtors["mix"]) if phase == "mix" else (_calls, debtors["calls"])
            runners = [
                threading.Thread(
                    target=_thread, args=(out, phase, work, engine, team_id, n, on, until)
                )
                for n in mine
            ]
            for runner in runners:
                runner.start()
            for runner in runners:
                runner.join()
    except BaseException as exc:
        barrier.abort()
        out.put(("died", f"{type(exc).__name__}: {exc}"))
    finally:
        engine.dispose()


def _thread(
    out: Any, phase: str, work: Any, engine: Engine, team_id: int, n: int, debtors: dict, until: Any
) -> None:
    """Writer ``n`` of a call or mix phase, on a thread of its process."""
    out.put((phase, work(engine, collector(team_id, n), n, debtors, until, phase)))


def _calls(
    engine: Engine, actor: Actor, index: int, debtors: dict[str, list[str]], until: float, tag: str
) -> dict:
    """Log calls until ``until``: each one authorized and recorded in the history."""
    rng, debtor = random.Random(index), sorted(debtors)[index % len(debtors)]
    contacts, ops = debtors[debtor], 0
    result: dict[str, Any] = {k: [] for k in ("latency_ns", "calls", "unhandled")}
    while time.monotonic() < until:
        ops += 1
        note, contact = f"{tag}-{index}-{ops}", rng.choice(contacts)
        started = time.perf_counter_ns()
        try:
            log_call(engine, actor, debtor, contact, note)
        except Exception as exc:
            result["unhandled"].append(f"{type(exc).__name__}: {exc}".splitlines()[0][:160])
            continue
        result["latency_ns"].append(time.perf_counter_ns() - started)
        result["calls"].append((debtor, note))
    return result


def _mix(
    engine: Engine, actor: Actor, index: int, debtors: dict[str, list[str]], until: float, _tag: str
) -> dict:
    rng, debtor = random.Random(index), sorted(debtors)[index % len(debtors)]
    contacts, ops = debtors[debtor], 0
    result: dict[str, Any] = {k: [] for k in ("latency_ns", "calls", "titles", "unhandled")}
    result |= {"edits": 0, "stale": 0}
    while time.monotonic() < until:
        ops += 1
        note = f"mix-{index}-{ops}"
        contact = rng.choice(contacts[:6] if rng.random() < 0.5 else contacts)
        try:
            if rng.random() < 0.8:
                disposition = rng.choice(DISPOSITIONS) if rng.random() < 0.3 else None
                started = time.perf_counter_ns()
                log_call(engine, actor, debtor, contact, note, disposition)
                result["calls"].append((debtor, note))
            else:
                version = read_version(engine, actor, debtor, contact)
                started = time.perf_counter_ns()
                result["titles"].append(note)  # fresh titles, for undone_edits
                edit_title(engine, actor, debtor, contact, note, version)
                result["edits"] += 1
        except StaleVersionError:
            result["stale"] += 1
        except Exception as exc:
            result["unhandled"].append(f"{type(exc).__name__}: {exc}".splitlines()[0][:160])
            continue
        result["latency_ns"].append(time.perf_counter_ns() - started)
    return result


def many_writers(
    url: str, debtors: dict, writers: int, seconds: float, team_id: int, threads: int = 1
) -> dict[str, list]:
    """Each phase's results from every writer (``died``: what killed a process)."""
    context = multiprocessing.get_context("spawn")
    barrier, out = context.Barrier(writers), context.Queue()
    processes = [
        context.Process(
            target=_writer, args=(url, i, debtors, seconds, team_id, threads, barrier, out)
        )
        for i in range(writers)
    ]
    for p in processes:
        p.start()
    steps = phases(writers)
    got: dict[str, list] = {phase: [] for phase, _ in steps} | {"died": []}
    expected = sum(n for _, n in steps)
    give_up = time.monotonic() + len(steps) * seconds + 2 * WAIT
    while sum(map(len, got.values())) < expected and time.monotonic() < give_up:
        try:
            phase, result = out.get(timeout=1)
            got[phase].append(result)
        except queue.Empty:
            if not any(p.is_alive() for p in processes):
                break
    for p in processes:
        p.join(timeout=5)
        if p.is_alive():
            p.kill()
    return got


def levels(got: dict[str, list], seconds: float) -> dict[str, dict[str, Any]]:
    """Per number of writers: call logging (authorized, with history) beside raw commits."""
    table = {}
    for phase in got:
        if not phase.startswith("calls"):
            continue
        n, calls = phase.removeprefix("calls"), got[phase]
        latencies = [ns for r in calls for ns in r["latency_ns"]]
        per_s = sum(len(r["calls"]) for r in calls) / seconds
        raw = sum(r["ops"] for r in got[f"raw{n}"]) / seconds
        table[n] = {
            "calls_per_s": round(per_s, 1),
            "raw_per_s": round(raw, 1),
            "share_of_raw": round(per_s / raw, 3) if raw else 0,
            "p50_ms": _ms(latencies, 50),
            "p99_ms": _ms(latencies, 99),
            "unhandled": sum(len(r["unhandled"]) for r in calls),
        }
    return table


def judge(engine: Engine, got: dict[str, list], seconds: float, calls: list) -> dict[str, Any]:
    """The mix's throughput and latency, and what went missing (``calls``: acknowledged
    before the mix, as (debtor, note))."""
    mix = got["mix"]
    calls_phases = [r for phase, rs in got.items() if phase.startswith("calls") for r in rs]
    calls = calls + [c for r in mix + calls_phases for c in r["calls"]]
    notes = {d: stored_notes(engine, d) for d in {d for d, _ in calls}}
    latencies = [ns for r in mix for ns in r["latency_ns"]]
    acked = sum(len(r["calls"]) + r["edits"] for r in mix)
    unhandled = Counter(u for r in mix + calls_phases for u in r["unhandled"])
    unhandled += Counter(got["died"])
    all_raw = max((p for p in got if p.startswith("raw")), key=lambda p: int(p[3:]))
    raw = sum(r["ops"] for r in got[all_raw]) / seconds
    return {
        "writers": len(mix),
        "ops_per_s": round(acked / seconds, 1),
        "raw_per_s": round(raw, 1),
        "raw_one_process_per_s": round(sum(r["ops"] for r in got["raw1"]) / seconds, 1),
        "raw_failed": sum(r["failed"] for p, rs in got.items() if p.startswith("raw") for r in rs),
        "share_of_raw": round(acked / seconds / raw, 3) if raw else 0,
        "p50_ms": _ms(latencies, 50),
        "p99_ms": _ms(latencies, 99),
        "lost_calls": sum(notes[d][n] != 1 for d, n in calls),
        "call_history_rows_wrong": call_history_rows(engine) - len(calls),
        "undone_edits": undone_edits(engine, {t for r in mix for t in r["titles"]}),
        "stale": sum(r["stale"] for r in mix),
        "unhandled": sum(unhandled.values()),
        "unhandled_kinds": dict(unhandled.most_common(5)),
    }


def _ms(samples_ns: list[int], percentile: int) -> float:
    ordered = sorted(samples_ns) or [0]
    return round(ordered[max(1, round(percentile / 100 * len(ordered))) - 1] / 1e6, 2)


def bench(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="orgmap-writers-"))
    if kind == "sqlite":
        engine = fresh_sqlite_database(folder, name="writers")
    else:
        engine = fresh_postgres_database(args.pg_url, name="orgmap_bench_writers")
    try:
        debtors, team_id = seed(engine, SIZES | WRITER_DEBTORS | MIX_DEBTORS)
        prepare_below(engine)
        say(f"{kind}: one call, {args.runs} rounds")
        one = one_call(engine, debtors, args.runs, team_id)
        rounds = range(WARM_UP + args.runs)
        before = [(debtor_key(i), f"one-{n}-{r}") for i, n in SIZES.items() for r in rounds]
        steps = len(phases(args.writers))
        say(f"{kind}: {args.writers} writer processes, {steps} phases of {args.seconds:g} s")
        url = engine.url.render_as_string(hide_password=False)
        mine = {
            phase: {debtor_key(i): debtors[debtor_key(i)] for i in indexes}
            for phase, indexes in (("calls", WRITER_DEBTORS), ("mix", MIX_DEBTORS))
        }
        threads = args.threads or APP_THREADS[kind]
        say(f"{kind}: call writers as {args.writers // threads or 1} x {threads} threads")
        got = many_writers(url, mine, args.writers, args.seconds, team_id, threads)
        many = judge(engine, got, args.seconds, before)
        by_level = levels(got, args.seconds)
        say(f"{kind}: {args.logins} logins")
        login = login_ms(engine, args.logins)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        if kind != "sqlite":
            drop_postgres_database(args.pg_url, name="orgmap_bench_writers")
    ratio, share, p99 = GOALS[kind]
    top = by_level[str(args.writers)]  # call logging by all the writers: what the goals are on
    goals = {
        f"one call <= {ratio:g}x raw": all(f["ratio"] <= ratio for f in one.values()),
        f"{args.writers} writers' calls >= {share:g} of raw": top["share_of_raw"] >= share,
        f"{args.writers} writers' calls p99 < {p99:g} ms": 0 < top["p99_ms"] < p99,
        "nothing lost or undone": many["lost_calls"] == many["undone_edits"] == 0,
        "one history row per call": many["call_history_rows_wrong"] == 0,
        "no unhandled errors": many["unhandled"] == 0,
        "login < 300 ms": login["median_ms"] < 300,
    }
    return {
        "one_call": one,
        "threads_per_process": threads,
        "levels": by_level,
        "many": many,
        "login": login,
        "goals": goals,
    }


def report(results: dict[str, Any]) -> str:
    one = [("database", "contacts", "call med / p95 ms", "raw med / p95 ms", "ratio")]
    for db, r in results.items():
        for size, f in r["one_call"].items():
            call, raw = (" / ".join(map(str, f[k])) for k in ("call_ms", "raw_ms"))
            one.append((db, size, call, raw, f"{f['ratio']}x"))
    many = [("many writers", *results)]  # one row per figure, one column per database
    figures = [k for k in next(iter(results.values()))["many"] if k != "unhandled_kinds"]
    many += [(k, *(r["many"][k] for r in results.values())) for k in figures]
    level = [("calls", "writers", "calls/s", "raw/s", "share", "p50 ms", "p99 ms", "errors")]
    for db, r in results.items():
        for n, f in r["levels"].items():
            level.append((db, n, *(f[k] for k in list(f))))
    login = [("login", "median ms", "p95 ms")]
    login += [(db, r["login"]["median_ms"], r["login"]["p95_ms"]) for db, r in results.items()]
    lines = [_table(one), "", _table(level), "", _table(many), "", _table(login)]
    for db, r in results.items():
        verdicts = (f"{goal} {'met' if ok else 'MISSED'}" for goal, ok in r["goals"].items())
        lines.append(f"\n{db}: " + "; ".join(verdicts))
        if r["many"]["unhandled_kinds"]:
            lines.append(f"{db} unhandled: {r['many']['unhandled_kinds']}")
    return "\n".join(lines)


def _table(rows: list[tuple]) -> str:
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(f"{v!s:>{w}}" for v, w in zip(row, widths, strict=True)) for row in rows
    )


def main(argv: list[str] | None = None) -> int:
    p = database_parser("python -m bench.writers", __doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, help="length of each phase (default 20, quick 5)")
    p.add_argument("--writers", type=int, default=16)
    p.add_argument(
        "--threads",
        type=int,
        help="call writers per process (default: SQLite 16, one app server; PostgreSQL 4, four"
        " app servers of 4 sessions; 1: a process each). Raw writers are always a process each.",
    )
    p.add_argument("--runs", type=int, help="one-call rounds (default 200, quick 50)")
    p.add_argument("--logins", type=int, help="logins timed (default 20, quick 5)")
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "writers.json")
    argv = sys.argv[1:] if argv is None else argv
    args = p.parse_args(argv)
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    args.runs = args.runs or (50 if args.quick else 200)
    args.logins = args.logins or (5 if args.quick else 20)
    kinds = {"sqlite": ["sqlite"], "postgres": ["postgresql"]}.get(args.db) or list(GOALS)
    started, load_before = datetime.now(UTC), os.getloadavg()  # a busy neighbour shows here
    results = {kind: bench(kind, args) for kind in kinds}
    document = {
        "command": shlex.join(["python", "-m", "bench.writers", *argv]),
        "started_at": started.isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "load_average": {"before": load_before, "after": os.getloadavg()},
        "results": results,
    }
    publish(document, args.out, report(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
