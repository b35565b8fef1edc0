"""``python -m bench.debtor_list``: the Debtors page's first page at team scale (issue 11).

Method.  Each engine (SQLite, PostgreSQL) gets two generated teams, 100 and
10,000 debtors (:func:`bench.load.generate_and_load`, in a child process, the
same teams as ``python -m bench``: debtor ``d00000`` has 60 contacts and
``d00001`` 500, both on the first page).  Three kinds of figures, each database
in turn, small and large alternating:

*Cold*: a fresh interpreter opens the database as the app does
(:func:`~orgmap.services.database.open_database`) and reads the first page
(:func:`~orgmap.services.debtor_list.list_page`, 25 rows) with each row's next
step (:func:`~orgmap.services.debtor_list.next_step`); timed from after the
imports of orgmap, which are given apart, as is the whole process's wall time.

*Warm*, in one process after a warm-up: the page alone, in several orders and
filters; the page with every row routed again (what a run costs when no next
step is cached: a new day, or every row changed), for 25, 50 and 100 rows; and
the page with its next steps taken from a cache keyed like the app's.

*Script runs*: the whole app (``app.py``: sidebar, the Debtors page) under
Streamlit's AppTest in a fresh process: its first run (cold: empty caches, the
engine opened, the pages' modules imported) and the reruns after it (warm: what
a collector waits for after each click).  AppTest adds its own bookkeeping to
each run, so these figures are a little above a browser's.

Goals: the first page with its next steps under 1 s cold and 300 ms warm (a
script run) on the 10,000-debtor team, on both databases, and the same on 100
debtors as on 10,000.  Results: ``bench/results/debtor_list.json``.  SQLite files
live in ``--dir`` (a temporary folder by default), PostgreSQL databases are
``orgmap_bench_list_small`` and ``orgmap_bench_list_team``; ``--reuse`` keeps
both afterwards and uses them again next time instead of generating the teams
anew (about 30 s per database).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.machine import (
    database_parser,
    load_average,
    machine,
    publish,
    say,
    server_version,
)
from bench.timing import summarize

# Only the standard library and bench.timing above: a cold child times its own imports
# of orgmap, so the parent's tools (SQLAlchemy, bench.load) are imported where used.

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"
RESULTS = Path(__file__).resolve().parent / "results" / "debtor_list.json"
#: As ``python -m bench``: the first page holds a 60- and a 500-contact debtor.
ROUTED = {0: 60, 1: 500}
SIZES = {"small": 100, "team": 10_000}
PAGE_SIZES = (25, 50, 100)
GOALS_MS = {"cold": 1000.0, "warm": 300.0}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.child:
        print(json.dumps(_CHILDREN[args.child](args.url, args.runs)))
        return 0
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    started = datetime.now(UTC).replace(microsecond=0)
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench.debtor_list", *argv]),
        "started_at": started.isoformat(),
        "machine": machine(),
        "databases": {},
    }
    for kind in kinds:
        with _databases(kind, args=args, now=started) as urls:
            results["databases"][kind] = _bench(kind, urls, args=args)
    results["machine"]["load_average_after"] = load_average()
    publish(results, args.out, report(results))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = database_parser("python -m bench.debtor_list", __doc__.split("\n")[0].strip("`"))
    p.add_argument("--team", type=int, default=SIZES["team"], help="debtors in the large team")
    p.add_argument("--cold-runs", type=int, default=5, help="fresh processes per database")
    p.add_argument("--runs", type=int, default=30, help="warm repetitions of each measurement")
    p.add_argument("--dir", type=Path, help="folder for the SQLite files (default: temporary)")
    p.add_argument("--reuse", action="store_true", help="keep the databases and reuse them")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    p.add_argument("--child", choices=sorted(_CHILDREN), help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    return p


# --- the parent: databases, children, report ----------------------------------------


@contextmanager
def _databases(kind: str, *, args: argparse.Namespace, now: datetime) -> Iterator[dict[str, str]]:
    """URLs of the small and the large team's databases, loaded (or reused), then removed."""
    from bench.load import drop_postgres_database

    folder = args.dir or Path(tempfile.mkdtemp(prefix="orgmap-bench-list-"))
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {"small": SIZES["small"], "team": args.team}
    urls: dict[str, str] = {}
    try:
        for label, debtors in sizes.items():
            urls[label] = _database(kind, label, debtors, args=args, folder=folder, now=now)
        yield urls
    finally:
        if not args.reuse:
            if kind == "postgres":
                for label in urls:
                    drop_postgres_database(args.pg_url, name=f"orgmap_bench_list_{label}")
            elif args.dir is None:
                shutil.rmtree(folder)
            else:
                for label in urls:
                    for suffix in ("", "-wal", "-shm", "-writers"):
                        (folder / f"{label}.db{suffix}").unlink(missing_ok=True)


def _database(
    kind: str, label: str, debtors: int, *, args: argparse.Namespace, folder: Path, now: datetime
) -> str:
    import sqlalchemy as sa

    from bench.load import fresh_postgres_database, fresh_sqlite_database, generate_and_load

    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{label}.db'}"
    else:
        url = (
            sa.make_url(args.pg_url)
            .set(database=f"orgmap_bench_list_{label}")
            .render_as_string(hide_password=False)
        )
    if args.reuse and _debtor_count(url) == debtors:
        say(f"{kind}: reusing the {debtors:,}-debtor team")
        return url
    say(f"{kind}: loading {debtors:,} debtors")
    if kind == "sqlite":
        engine = fresh_sqlite_database(folder, name=label)
    else:
        engine = fresh_postgres_database(args.pg_url, name=f"orgmap_bench_list_{label}")
    engine.dispose()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as child:
        report = child.submit(
            generate_and_load, url, debtors=debtors, seed=args.seed, now=now, routed=ROUTED
        ).result()
    say(f"{kind}: {report.rows:,} rows in {report.seconds:.0f} s")
    return url


def _debtor_count(url: str) -> int | None:
    """How many debtors the database at ``url`` holds, or None when there is no such database."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM debtor").scalar_one()
    except sa.exc.SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def _bench(kind: str, urls: dict[str, str], *, args: argparse.Namespace) -> dict[str, Any]:
    colds: dict[str, list[dict[str, Any]]] = {label: [] for label in urls}
    firsts: dict[str, list[float]] = {label: [] for label in urls}
    say(f"{kind}: {args.cold_runs} cold starts per database, alone and under AppTest")
    for _ in range(args.cold_runs):
        for label, url in urls.items():
            colds[label].append(_run_child("cold", url, runs=1))
            firsts[label].append(_run_child("script", url, runs=0)["first_run_ms"])
    figures: dict[str, Any] = {"server": _server_version_at(urls["team"])}
    for label, url in urls.items():
        say(f"{kind} {label}: warm, {args.runs} runs of each, alone and under AppTest")
        script = _run_child("script", url, runs=args.runs)
        firsts[label].append(script["first_run_ms"])
        figures[label] = {
            "cold": _medians(colds[label]),
            "warm": _run_child("warm", url, runs=args.runs),
            "script": {
                **script,
                "first_run_ms": round(statistics.median(firsts[label]), 1),
                "first_runs_ms": firsts[label],
            },
        }
    return figures


def _medians(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of each timing over ``runs``, and what every run read."""
    timings = {
        name: round(statistics.median(run[name] for run in runs), 1)
        for name, value in runs[0].items()
        if isinstance(value, float)
    }
    return timings | {"runs": len(runs), "rows": runs[0]["rows"], "total": runs[0]["total"]}


def _run_child(mode: str, url: str, *, runs: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.debtor_list", "--child", mode, "--url", url]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--runs", str(runs)], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    wall = (time.perf_counter() - started) * 1000
    if done.returncode != 0:
        raise RuntimeError(f"bench.debtor_list --child {mode} failed: {done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if mode == "cold":
        answer["process_ms"] = wall
    return answer


def report(results: dict[str, Any]) -> str:
    """The figures as tables (milliseconds, median / p95)."""

    def pair(t: dict[str, float]) -> str:
        return f"{t['median_ms']:.1f} / {t['p95_ms']:.1f}"

    lines = ["first page (25 rows) + next steps, ms: cold = fresh process; warm = median / p95"]
    lines.append(
        "| database | debtors | cold: open + page + steps | imports | process "
        "| script run: first | script rerun (warm) | new session, no step cached "
        "| warm: page | page + 25 steps routed | page + cached steps |"
    )
    lines.append("|" + " --- |" * 11)
    for kind, by_size in results["databases"].items():
        for label in SIZES:
            f = by_size[label]
            cold, warm, script = f["cold"], f["warm"], f["script"]
            lines.append(
                f"| {kind} | {cold['total']:,} | {cold['first_page_ms']:.0f} | "
                f"{cold['imports_ms']:.0f} | {cold['process_ms']:.0f} | "
                f"{script['first_run_ms']:.0f} | {pair(script['rerun'])} | "
                f"{pair(script['new_session_uncached'])} | "
                f"{pair(warm['page']['key'])} | {pair(warm['routed']['25'])} | "
                f"{pair(warm['cached'])} |"
            )
    lines.append("\nwarm, the page alone by order and filter; and routed by rows shown (median ms)")
    for kind, by_size in results["databases"].items():
        for label in SIZES:
            warm = by_size[label]["warm"]
            views = ", ".join(f"{k} {v['median_ms']:.1f}" for k, v in warm["page"].items())
            routed = ", ".join(f"{k} rows {v['median_ms']:.0f}" for k, v in warm["routed"].items())
            lines.append(f"- {kind} {label}: {views}; routed: {routed}")
    return "\n".join(lines)


# --- the children: each runs in a fresh interpreter ----------------------------------


def _child_cold(url: str, _runs: int) -> dict[str, Any]:
    """Open the database and read the first page with its next steps, as a fresh process."""
    clock = time.perf_counter
    t0 = clock()
    from orgmap.domain.access import Actor, Role
    from orgmap.services import debtor_list
    from orgmap.services.database import open_database
    from orgmap.services.routes import routing_weights

    t1 = clock()
    engine = open_database(url)
    admin = Actor("bench", Role.ADMIN)  # authorization included, every team
    t2 = clock()
    page = debtor_list.list_page(engine, actor=admin)
    t3 = clock()
    weights = routing_weights()
    for row in page.rows:
        debtor_list.next_step(engine, row.key, actor=admin, weights=weights)
    t4 = clock()
    engine.dispose()
    return {
        "imports_ms": (t1 - t0) * 1000,
        "open_ms": (t2 - t1) * 1000,
        "page_ms": (t3 - t2) * 1000,
        "steps_ms": (t4 - t3) * 1000,
        "first_page_ms": (t4 - t1) * 1000,  # opening the database included
        "rows": len(page.rows),
        "total": page.total,
    }


def _child_warm(url: str, runs: int) -> dict[str, Any]:
    """The page alone (several views), routed for 25/50/100 rows, and with cached steps."""
    from orgmap.domain.access import Actor, Role
    from orgmap.services import debtor_list
    from orgmap.services.database import open_database
    from orgmap.services.debtor_list import DebtorFilters, DebtorSort, SortColumn
    from orgmap.services.routes import routing_weights

    engine = open_database(url)
    admin = Actor("bench", Role.ADMIN)  # authorization included, every team
    weights = routing_weights()
    month_ago = datetime.now(UTC) - timedelta(days=30)
    views: dict[str, dict[str, Any]] = {
        "key": {},
        "amount desc": {"sort": DebtorSort(SortColumn.AMOUNT, descending=True)},
        "last contact": {"sort": DebtorSort(SortColumn.LAST_CONTACT)},
        "last page": {"page": 10**9},
        "search": {"query": "d0999"},
        "my cases": {"filters": DebtorFilters(assigned_to="li")},
        "not in 30 days": {"filters": DebtorFilters(not_contacted_since=month_ago)},
    }
    cache: dict[tuple[Any, ...], Any] = {}

    def cached_steps() -> None:
        page = debtor_list.list_page(engine, actor=admin)
        for row in page.rows:
            stamp = (row.key, row.version, row.last_contact_at, row.contact_count)
            if stamp not in cache:
                cache[stamp] = debtor_list.next_step(engine, row.key, actor=admin, weights=weights)

    def routed(size: int) -> Callable[[], None]:
        def run() -> None:
            page = debtor_list.list_page(engine, actor=admin, page_size=size)
            for row in page.rows:
                debtor_list.next_step(engine, row.key, actor=admin, weights=weights)

        return run

    work: dict[str, Callable[[], Any]] = {
        **{
            f"page {name}": _bind(debtor_list.list_page, engine, actor=admin, **v)
            for name, v in views.items()
        },
        **{f"routed {size}": routed(size) for size in PAGE_SIZES},
        "cached": cached_steps,
    }
    for job in work.values():  # warm-up: pools, statement caches, the step cache
        job()
    samples: dict[str, list[int]] = {name: [] for name in work}
    for _ in range(runs):  # interleaved, so every figure sees the same machine
        for name, job in work.items():
            started = time.perf_counter_ns()
            job()
            samples[name].append(time.perf_counter_ns() - started)
    engine.dispose()
    timed = {name: summarize(s).as_dict() for name, s in samples.items()}
    return {
        "page": {name: timed[f"page {name}"] for name in views},
        "routed": {str(size): timed[f"routed {size}"] for size in PAGE_SIZES},
        "cached": timed["cached"],
    }


def _bind(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    return lambda: function(*args, **kwargs)


def _log_in_as_bench_admin(url: str) -> None:
    """AppTest carries no cookie: give the app's one session seam a real admin session
    (as tests/ui/conftest.py does), so the page timed is the list, not the login page."""
    import orgmap.ui.state as ui_state
    from orgmap.domain.access import Role, cli_actor
    from orgmap.services import accounts, login
    from orgmap.services.database import open_database

    engine = open_database(url)
    admin = cli_actor("bench")
    found = next((a for a in accounts.users(engine, actor=admin) if a.name == "bench"), None)
    account = found or accounts.create_user(
        engine, actor=admin, name="bench", password="bench-passphrase-2026", role=Role.ADMIN
    )
    token = login.start_session(engine, account=account)
    ui_state.session_token = lambda: token  # type: ignore[assignment]


def _child_script(url: str, runs: int) -> dict[str, Any]:
    """The app's Debtors page under AppTest: the first script run, then reruns."""
    os.environ.update(ORGMAP_DATABASE_URL=url, ORGMAP_LANG="en", ORGMAP_USER="bench")
    clock = time.perf_counter
    t0 = clock()
    from streamlit.testing.v1 import AppTest

    _log_in_as_bench_admin(url)

    t1 = clock()
    at = AppTest.from_file(str(APP), default_timeout=300)
    t2 = clock()
    at.run()
    first = clock() - t2
    if at.exception or len(at.dataframe[0].value) != 25:
        raise RuntimeError(f"the Debtors page did not show 25 rows: {at.exception}")
    if runs == 0:  # only the first run, in a fresh process
        return {"first_run_ms": round(first * 1000, 1)}
    reruns = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        at.run()
        reruns.append(time.perf_counter_ns() - started)
    # A collector opening the app on a server already running, on a new day: the
    # process is warm (modules, engine), but no next step is cached.
    import streamlit as st

    sessions = []
    for _ in range(max(3, runs // 5)):
        st.cache_data.clear()
        fresh = AppTest.from_file(str(APP), default_timeout=300)
        started = time.perf_counter_ns()
        fresh.run()
        sessions.append(time.perf_counter_ns() - started)
    return {
        "streamlit_import_ms": round((t1 - t0) * 1000, 1),
        "first_run_ms": round(first * 1000, 1),
        "rerun": summarize(reruns).as_dict(),
        "new_session_uncached": summarize(sessions).as_dict(),
    }


_CHILDREN: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "cold": _child_cold,
    "warm": _child_warm,
    "script": _child_script,
}


def _server_version_at(url: str) -> str:
    import sqlalchemy as sa

    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return server_version(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
