"""Issue 3's benchmark: who to call next, answered from a database holding the whole team.

:func:`time_routes` times :func:`orgmap.services.debtors.route_debtor` (take a
pooled connection, load one debtor, build the graph, top-k routes, look the
people on them up at other debtors) against several databases in
alternation, so that a noisy neighbour on a shared machine slows every
database alike and the small-team/large-team ratio stays fair.  It also times the phases of the same
work separately, to show where the time goes.

:func:`time_cold_start` runs ``python -m orgmap route`` as a fresh process and
checks, with ``-X importtime``, which packages that process imported.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bench.timing import Timing, summarize
from orgmap.domain.access import Actor, Role
from orgmap.routing import cheapest_routes, note_known_elsewhere
from orgmap.services.debtors import route_debtor
from orgmap.services.routes import (
    known_elsewhere_by_contact,
    look_up_route_people,
    routing_weights,
)
from orgmap.store import load_debtor, snapshot

__all__ = ["ColdStart", "RouteFigures", "time_cold_start", "time_routes"]

#: Who the benchmark reads as: an administrator (authorization included, every team).
BENCH_ACTOR = Actor("bench", Role.ADMIN)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: Packages the route command must not import (issue 3): they cost seconds.
FORBIDDEN_IMPORTS = ("streamlit", "pyvis")
_PHASES = ("load", "route", "lookup", "note")


@dataclass(frozen=True, slots=True)
class RouteFigures:
    """One debtor answered ``timing.runs`` times from one database."""

    debtor: str
    contacts: int
    routes: int
    known_elsewhere: int
    timing: Timing
    floor: Timing  # the libraries alone (see _FLOOR_QUERIES), in the same rounds
    phases_ms: dict[str, float] = field(default_factory=dict)  # median of each phase

    def as_dict(self) -> dict[str, Any]:
        return {
            "debtor": self.debtor,
            "contacts": self.contacts,
            "routes": self.routes,
            "known_elsewhere": self.known_elsewhere,
            **self.timing.as_dict(),
            "phases_median_ms": {k: round(v, 3) for k, v in self.phases_ms.items()},
        }


def time_routes(
    engines: Mapping[str, Engine],
    *,
    debtor_keys: Sequence[str],
    runs: int,
    now: datetime,
    k: int = 3,
    warmup: int = 10,
    blocks: int = 10,
) -> dict[str, dict[str, RouteFigures]]:
    """Time ``route_debtor(…, k=k)`` for each debtor on each engine: by debtor, then engine label.

    After ``warmup`` unmeasured rounds, the ``runs`` measurements of each kind
    are taken in ``blocks`` stretches spread over the whole run: in each, every
    debtor is answered ``runs / blocks`` times on each engine in turn, then the
    same work is timed phase by phase (load, routing, look-up elsewhere,
    noting it), then the floor.  So every figure sees the same span of the
    machine's time (on a shared machine whose speed drifts from second to
    second, series timed one after the other disagreed by a third), while each
    series still runs in stretches of its own: right after a 500-contact
    answer, a small one pays for the big one's garbage.
    """
    weights = routing_weights()
    for _ in range(warmup):
        for key in debtor_keys:
            for engine in engines.values():
                route_debtor(engine, debtor_key=key, actor=BENCH_ACTOR, k=k, now=now)
    pairs = [(key, label) for key in debtor_keys for label in engines]
    samples: dict[tuple[str, str], list[int]] = {pair: [] for pair in pairs}
    floors: dict[tuple[str, str], list[int]] = {pair: [] for pair in pairs}
    phases = {pair: {phase: [] for phase in _PHASES} for pair in pairs}
    facts: dict[tuple[str, str], tuple[int, int, int]] = {}
    clock = time.perf_counter_ns
    with ExitStack() as stack:
        floor = {
            label: partial(_floor_answer, stack.enter_context(_raw_connection(engine)), engine)
            for label, engine in engines.items()
        }
        for block in range(blocks):
            stretch = runs * (block + 1) // blocks - runs * block // blocks
            for key in debtor_keys:
                for _ in range(stretch):
                    for label, engine in engines.items():
                        started = clock()
                        route_debtor(engine, debtor_key=key, actor=BENCH_ACTOR, k=k, now=now)
                        samples[key, label].append(clock() - started)
                for _ in range(stretch):
                    for label, engine in engines.items():
                        facts[key, label] = _time_phases(
                            engine, key, k=k, now=now, weights=weights, into=phases[key, label]
                        )
                for _ in range(stretch):
                    for label in engines:
                        started = clock()
                        floor[label](key)
                        floors[key, label].append(clock() - started)
    return {
        key: {
            label: RouteFigures(
                debtor=key,
                contacts=facts[key, label][0],
                routes=facts[key, label][1],
                known_elsewhere=facts[key, label][2],
                timing=summarize(samples[key, label]),
                floor=summarize(floors[key, label]),
                phases_ms={p: statistics.median(v) / 1e6 for p, v in phases[key, label].items()},
            )
            for label in engines
        }
        for key in debtor_keys
    }


def _time_phases(
    engine: Engine,
    debtor_key: str,
    *,
    k: int,
    now: datetime,
    weights: Any,
    into: dict[str, list[int]],
) -> tuple[int, int, int]:
    """route_debtor's steps, clocked one by one; (contacts, routes, people known elsewhere).

    The same calls in the same order as :func:`~orgmap.services.debtors.route_debtor`:
    load (connection included), route, look the people on the routes up at
    other debtors, and note where else they are known.
    """
    clock = time.perf_counter_ns
    t0 = clock()
    with snapshot(engine) as connection:
        loaded = load_debtor(connection, debtor_key)
        assert loaded is not None, f"no debtor {debtor_key!r} in the benchmark database"
        m = loaded.map
        t1 = clock()
        answer = cheapest_routes(m, k=k, now=now, weights=weights)
        t2 = clock()
        found = look_up_route_people(connection, m, answer)
    t3 = clock()
    elsewhere = known_elsewhere_by_contact(m, found)
    answer = note_known_elsewhere(answer, m, elsewhere)
    t4 = clock()
    for phase, spent in zip(_PHASES, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
        into[phase].append(spent)
    return len(m.contacts), len(answer.routes), len(elsewhere)


# The floor: the same debtor read with the driver alone (the columns routing
# needs, no objects) into a networkx graph, and one cheapest path.  What the
# libraries cost on this machine, now: the issue quotes ~0.6 ms at 32 contacts.
_FLOOR_QUERIES = (
    "SELECT id FROM debtor WHERE key = ?",
    "SELECT id, department, disposition, authorizes_payment, do_not_contact FROM contact"
    " WHERE debtor_id = ? AND NOT archived",
    "SELECT contact_id, e164 FROM phone WHERE debtor_id = ?",
    "SELECT source_id, target_id, type FROM relation WHERE debtor_id = ? AND NOT archived",
    "SELECT contact_id, at, outcome FROM interaction WHERE debtor_id = ?",
)


@contextmanager
def _raw_connection(engine: Engine) -> Iterator[Any]:
    connection = engine.raw_connection()
    try:
        yield connection
    finally:
        connection.close()


def _floor_answer(connection: Any, engine: Engine, debtor_key: str) -> None:
    """The floor for one debtor: its rows by the driver alone, a graph, one cheapest path."""
    import networkx as nx

    marker = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    cursor = connection.cursor()
    queries = [q.replace("?", marker) for q in _FLOOR_QUERIES]
    cursor.execute(queries[0], (debtor_key,))
    (debtor_id,) = cursor.fetchone()
    contacts, phones, relations, _calls = (
        cursor.execute(q, (debtor_id,)).fetchall() for q in queries[1:]
    )
    graph = nx.DiGraph()
    graph.add_nodes_from(row[0] for row in contacts)
    graph.add_edges_from((s, t, {"weight": 1.0}) for s, t, _ in relations if s in graph)
    sources = {row[0] for row in phones} & set(graph)
    targets = [row[0] for row in contacts if row[3]] or [contacts[0][0]]
    with suppress(nx.NetworkXNoPath, nx.NodeNotFound):
        nx.multi_source_dijkstra(graph, sources, target=targets[0])
    connection.rollback()


@dataclass(frozen=True, slots=True)
class ColdStart:
    """``python -m orgmap route`` from a fresh interpreter."""

    runs: int
    median_ms: float
    min_ms: float
    interpreter_ms: float  # `python -c pass`, for scale
    forbidden_imported: tuple[str, ...]
    modules_imported: int
    slowest_imports_ms: dict[str, float]  # packages, cumulative import time

    def as_dict(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "median_ms": round(self.median_ms, 1),
            "min_ms": round(self.min_ms, 1),
            "interpreter_ms": round(self.interpreter_ms, 1),
            "forbidden_imported": list(self.forbidden_imported),
            "modules_imported": self.modules_imported,
            "slowest_imports_ms": {k: round(v, 1) for k, v in self.slowest_imports_ms.items()},
        }


def time_cold_start(database_url: str, *, debtor_key: str, runs: int = 5) -> ColdStart:
    """Wall time of ``python -m orgmap --db URL route --debtor KEY`` in new processes.

    One unmeasured run first (it may write bytecode caches).  Raises
    :class:`RuntimeError` with the command's stderr if it fails.
    """
    command = [sys.executable, "-m", "orgmap", "--db", database_url, "route"]
    command += ["--debtor", debtor_key]
    _run(command)
    walls = [_run(command)[0] for _ in range(runs)]
    interpreter = statistics.median(_run([sys.executable, "-c", "pass"])[0] for _ in range(3))
    _, stderr = _run([sys.executable, "-X", "importtime", *command[1:]])
    modules, slowest = _read_importtime(stderr)
    forbidden = tuple(sorted({m for m in modules if m.split(".")[0] in FORBIDDEN_IMPORTS}))
    return ColdStart(
        runs=runs,
        median_ms=statistics.median(walls),
        min_ms=min(walls),
        interpreter_ms=interpreter,
        forbidden_imported=forbidden,
        modules_imported=len(modules),
        slowest_imports_ms=slowest,
    )


def _run(command: list[str]) -> tuple[float, str]:
    """Run ``command`` from the project root; (wall ms, stderr)."""
    started = time.perf_counter_ns()
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    wall = (time.perf_counter_ns() - started) / 1e6
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} … failed ({done.returncode}): {done.stderr}")
    return wall, done.stderr


def _read_importtime(stderr: str) -> tuple[set[str], dict[str, float]]:
    """Modules named by ``-X importtime``, and the six packages slowest to import (ms).

    A package's time is its cumulative import time where it was first imported,
    so it includes the packages it pulled in itself (sqlmodel includes pydantic).
    """
    modules: set[str] = set()
    packages: dict[str, float] = {}
    for line in stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, cumulative, name = line.split("|")
        if not cumulative.strip().isdigit():
            continue  # the header line
        module = name.strip()
        modules.add(module)
        if "." not in module and module != "orgmap":
            packages[module] = int(cumulative) / 1000
    slowest = sorted(packages.items(), key=lambda item: -item[1])[:6]
    return modules, dict(slowest)
