"""``python -m bench``: the routing (issue 3) and map (issue 4) benchmarks.

Routing: two databases per engine (SQLite, PostgreSQL) hold a small team
(100 debtors) and the whole team (10,000 debtors, ~300,000 contacts); debtor
``d00000`` has 60 contacts and ``d00001`` 500 in both, and both are owned by a
group boss known at other debtors.  Each is answered
``--runs`` times on each database, so the large/small ratio shows whether one
debtor's answer grows with the team; the *floor* is the same debtor read by the
driver alone into a networkx graph with one cheapest path, what the libraries
cost on this machine at that moment.  Answers, their phases and the floors are
taken in interleaved rounds, so all of them see the same machine.  Then the
cold start of ``python -m orgmap route``.  Map: ``map_spec`` + ``render_html``
for 20, 200 and 2,000 contacts, each size in a fresh process.

The figures are printed as a table and written to ``bench/results/latest.json``.
SQLite files live in a temporary folder; PostgreSQL databases are
``orgmap_bench_small`` and ``orgmap_bench_team``, created afresh and dropped
afterwards (``--keep`` keeps both kinds).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shlex
import shutil
import sys
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from bench.generate import debtor_key
from bench.load import (
    LoadReport,
    drop_postgres_database,
    fresh_postgres_database,
    fresh_sqlite_database,
    generate_and_load,
)
from bench.machine import (
    database_parser,
    load_average,
    machine,
    say,
    server_version,
)
from bench.map_bench import time_maps
from bench.report import format_report, judge_goals
from bench.route_bench import time_cold_start, time_routes

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
#: The debtors timed, by index: forced to these sizes in every database, and
#: owned by their group's boss, so the look-up at other debtors finds someone.
ROUTED = {0: 60, 1: 500}


@dataclass(frozen=True, slots=True)
class Plan:
    """What one run measures (from the command line)."""

    databases: tuple[str, ...]
    pg_url: str
    team: int
    small: int
    runs: int
    cold_runs: int
    map_sizes: tuple[int, ...]
    map_repeats: int
    browser: bool
    seed: int
    keep: bool
    out: Path


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    plan = _plan(_parser().parse_args(argv))
    now = datetime.now(UTC).replace(microsecond=0)
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench", *argv]),
        "started_at": now.isoformat(),
        "machine": machine(),
        "plan": {k: v for k, v in asdict(plan).items() if k not in ("out", "pg_url")},
        "routing": {},
        "maps": [],
    }
    if plan.runs:
        for kind in plan.databases:
            results["routing"][kind] = _bench_routing(kind, plan=plan, now=now)
    if plan.map_sizes:
        say(f"maps: {', '.join(map(str, plan.map_sizes))} contacts, each in a fresh process")
        maps = time_maps(
            plan.map_sizes, repeats=plan.map_repeats, seed=plan.seed, browser=plan.browser
        )
        results["maps"] = [f.as_dict() for f in maps]
    results["machine"]["load_average_after"] = load_average()
    results["goals"] = judge_goals(results)
    plan.out.parent.mkdir(parents=True, exist_ok=True)
    plan.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(format_report(results))
    print(f"\nwritten to {plan.out}")
    return 0


def _parser() -> argparse.ArgumentParser:
    p = database_parser("python -m bench", __doc__.split("\n\n")[0].strip("`"))
    p.add_argument("--quick", action="store_true", help="a small run: 1,000 debtors, 50 runs")
    p.add_argument("--team", type=int, help="debtors in the large database (default 10000)")
    p.add_argument("--small", type=int, default=100, help="debtors in the small database")
    p.add_argument("--runs", type=int, help="answers timed per debtor and database (200)")
    p.add_argument("--cold-runs", type=int, help="cold starts timed per database (5)")
    p.add_argument("--map-sizes", default="20,200,2000", help="contacts, comma-separated")
    p.add_argument("--map-repeats", type=int, help="warm renders timed per size (50)")
    p.add_argument("--no-browser", action="store_true", help="skip timing the layout in Chromium")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    p.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    return p


def _plan(args: argparse.Namespace) -> Plan:
    quick = args.quick
    team = args.team or (1_000 if quick else 10_000)
    if not len(ROUTED) <= args.small <= team:
        raise SystemExit(f"bench: --small must be between {len(ROUTED)} and --team ({team})")
    try:
        sizes = tuple(int(s) for s in args.map_sizes.split(",") if s.strip())
    except ValueError:
        raise SystemExit(f"bench: --map-sizes must be numbers, got {args.map_sizes!r}") from None
    return Plan(
        databases=("sqlite", "postgres") if args.db == "both" else (args.db,),
        pg_url=args.pg_url,
        team=team,
        small=args.small,
        runs=args.runs if args.runs is not None else (50 if quick else 200),
        cold_runs=args.cold_runs or (3 if quick else 5),
        map_sizes=sizes,
        map_repeats=args.map_repeats or (20 if quick else 50),
        browser=not args.no_browser,
        seed=args.seed,
        keep=args.keep,
        out=args.out,
    )


def _bench_routing(kind: str, *, plan: Plan, now: datetime) -> dict[str, Any]:
    folder = Path(tempfile.mkdtemp(prefix="orgmap-bench-")) if kind == "sqlite" else None
    engines: dict[str, Engine] = {}
    try:
        loads = {}
        for label, debtors in (("small", plan.small), ("team", plan.team)):
            say(f"{kind}: loading {debtors:,} debtors")
            engines[label] = _fresh_database(label, plan=plan, folder=folder)
            report = _load_in_child(engines[label], debtors=debtors, plan=plan, now=now)
            loads[label] = {**asdict(report), "seconds": round(report.seconds, 1)}
            say(f"{kind}: {report.rows:,} rows in {report.seconds:.0f} s")
        keys = {debtor_key(index): contacts for index, contacts in ROUTED.items()}
        sizes = " and ".join(f"{n}-contact" for n in keys.values())
        say(f"{kind}: timing the {sizes} debtors, {plan.runs} interleaved rounds")
        timed = time_routes(engines, debtor_keys=list(keys), runs=plan.runs, now=now)
        by_debtor: dict[str, Any] = {}
        for key, contacts in keys.items():
            figures = timed[key]
            team, small = figures["team"].timing, figures["small"].timing
            by_debtor[str(contacts)] = {
                **{label: f.as_dict() for label, f in figures.items()},
                "ratio": round(team.median_ms / small.median_ms, 3),
                "floor": {label: f.floor.as_dict() for label, f in figures.items()},
            }
        say(f"{kind}: cold start of python -m orgmap route")
        url = engines["team"].url.render_as_string(hide_password=False)
        cold = time_cold_start(url, debtor_key=debtor_key(0), runs=plan.cold_runs)
        return {
            "server": server_version(engines["team"]),
            "loads": loads,
            "debtors": by_debtor,
            "cold_start": cold.as_dict(),
        }
    finally:
        for engine in engines.values():
            engine.dispose()
        if plan.keep:
            say(f"{kind}: kept " + ", ".join(str(e.url) for e in engines.values()))
        elif folder is not None:
            shutil.rmtree(folder)
        else:
            for label in engines:
                drop_postgres_database(plan.pg_url, name=f"orgmap_bench_{label}")


def _load_in_child(engine: Engine, *, debtors: int, plan: Plan, now: datetime) -> LoadReport:
    """Generate the team and load it into ``engine``'s database from a separate process.

    The timings then run in a process shaped like the CLI's or the app's: a
    heap that once held the whole generated team (a million objects for
    10,000 debtors) leaves its memory scattered, which slowed every timed
    answer by about a third.
    """
    url = engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
        job = child.submit(
            generate_and_load, url, debtors=debtors, seed=plan.seed, now=now, routed=ROUTED
        )
        return job.result()


def _fresh_database(label: str, *, plan: Plan, folder: Path | None) -> Engine:
    """A new, migrated database: a SQLite file in ``folder``, else on the PostgreSQL server."""
    if folder is not None:
        return fresh_sqlite_database(folder, name=label)
    return fresh_postgres_database(plan.pg_url, name=f"orgmap_bench_{label}")


if __name__ == "__main__":
    raise SystemExit(main())
