"""``python -m bench.pages``: what authorization costs each page's script run (issue 12).

Goal (issue 12): "every page's script run with authorization included within 10%
of the same page without it".

Method.  Each database (a temporary SQLite file; on PostgreSQL a database
``orgmap_bench_pages``, made afresh and dropped) gets a generated team of
``--debtors`` debtors (:func:`bench.load.generate_and_load`; debtor ``d00000``
forced to ``--contacts`` contacts), split between two teams, North (even
indexes, ``d00000`` among them) and South, each assigned to its lead; an admin
and a North collector; and ``--calls`` calls logged on ``d00000`` through the
service by the collector (so the Calls and Activity pages have history to show).
Then, in a fresh interpreter per database, every page of the app (``app.py``:
the sidebar and the page) runs under Streamlit's AppTest on ``d00000`` (the
Search page with a number of that debtor typed in), one AppTest per page and
variant:

*authz*: as shipped, for the admin: the account resolved from the session cookie
(the seam :func:`orgmap.ui.state.session_token` returns a real session's token),
every service authorizing;

*authz-collector*: the same for the North collector, whose lists and searches
are filtered by team;

*no-authz*: the same page "without authorization", the closest honest stand-in:
:func:`orgmap.ui.state.account` returns a fixed admin account (no session read),
and every module's ``authorize`` (services import it by name) is replaced by one
that only looks up the debtor's id and team (the services need the id), without
the policy.  An admin's lists are not filtered by team, so the admin's *authz*
against *no-authz* is the cost of authorization alone.

Everything is patched by assignment in the timing process only; no product code
changes.  After ``--warmup`` runs of each, ``--rounds`` rounds time one script
run (``AppTest.run()``: a rerun of the page, as after a click; AppTest's own
bookkeeping included) of every page in every variant, the variants of a page
back to back in an order rotated each round, with a garbage collection before
each run, so all of them see the same machine.  Before timing, one untimed run of
each is checked (the page's title, no exception or error, the debtor shown) and
its calls into authorization are counted; after the rounds each is checked again.
Results: ``bench/results/pages.json``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import pkgutil
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.machine import database_parser, load_average, machine, publish, say
from bench.timing import summarize

PROJECT_ROOT = Path(__file__).resolve().parent.parent
APP = PROJECT_ROOT / "app.py"
PG_DATABASE = "orgmap_bench_pages"
RESULTS = Path(__file__).resolve().parent / "results" / "pages.json"
#: Every page of ``orgmap/ui/pages`` but the login page (which has no logged-in user).
PAGES = (
    "debtors",
    "map",
    "route",
    "contacts",
    "log_call",
    "calls",
    "facts",
    "activity",
    "search",
    "transfer",
    "account",
)
VARIANTS = ("authz", "authz-collector", "no-authz")
BASELINE = "no-authz"
GOAL = 0.10  # at most 10% slower with authorization
DEBTOR = "d00000"
ADMIN, COLLECTOR = "bench-admin", "bench-collector"
TEAMS = {"North": "bench-lead-north", "South": "bench-lead-south"}
PASSWORD = "glass tiger river 7"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.child:
        pages = tuple(args.pages)
        print(json.dumps(measure(args.url, pages=pages, rounds=args.rounds, warmup=args.warmup)))
        return 0
    kinds = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    started = datetime.now(UTC).replace(microsecond=0)
    results: dict[str, Any] = {
        "command": shlex.join(["python", "-m", "bench.pages", *argv]),
        "started_at": started.isoformat(),
        "machine": machine(),
        "plan": {
            "debtors": args.debtors,
            "contacts": args.contacts,
            "calls": args.calls,
            "rounds": args.rounds,
            "warmup": args.warmup,
            "pages": list(args.pages),
            "seed": args.seed,
        },
        "databases": {},
    }
    for kind in kinds:
        with _database(kind, args=args) as url:
            say(f"{kind}: loading {args.debtors:,} debtors")
            team = seed_team(
                url, debtors=args.debtors, contacts=args.contacts, calls=args.calls, seed=args.seed
            )
            say(f"{kind}: {args.rounds} rounds of {len(args.pages)} pages x {len(VARIANTS)}")
            before = load_average()
            figures = _run_child(url, args=args)
            load = {"load_average_before": before, "load_average_after": load_average()}
            results["databases"][kind] = {"team": team, **load, **figures}
    results["machine"]["load_average_after"] = load_average()
    publish(results, args.out, report(results))
    return 0


def _parser() -> argparse.ArgumentParser:
    p = database_parser("python -m bench.pages", __doc__.split("\n")[0].strip("`"))
    p.add_argument("--debtors", type=int, default=300, help="debtors in the database (300)")
    p.add_argument("--contacts", type=int, default=60, help="contacts of the debtor shown (60)")
    p.add_argument("--calls", type=int, default=20, help="calls logged on it in the app (20)")
    p.add_argument("--rounds", type=int, default=30, help="timed runs of each page and variant")
    p.add_argument("--warmup", type=int, default=3, help="untimed runs of each first")
    p.add_argument("--pages", nargs="+", choices=PAGES, default=list(PAGES), metavar="PAGE")
    p.add_argument("--dir", type=Path, help="folder for the SQLite file (default: temporary)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=RESULTS, help="JSON results file")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--url", help=argparse.SUPPRESS)
    return p


# --- the parent: the database, the team, the child, the report ------------------------


@contextmanager
def _database(kind: str, *, args: argparse.Namespace) -> Iterator[str]:
    """The URL of a new, migrated, empty database of ``kind``; removed afterwards."""
    import sqlalchemy as sa

    from bench.load import drop_postgres_database, fresh_postgres_database, fresh_sqlite_database

    if kind == "postgres":
        fresh_postgres_database(args.pg_url, name=PG_DATABASE).dispose()
        url = sa.make_url(args.pg_url).set(database=PG_DATABASE)
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            drop_postgres_database(args.pg_url, name=PG_DATABASE)
        return
    folder = args.dir or Path(tempfile.mkdtemp(prefix="orgmap-bench-pages-"))
    folder.mkdir(parents=True, exist_ok=True)
    fresh_sqlite_database(folder, name="pages").dispose()
    try:
        yield f"sqlite:///{folder / 'pages.db'}"
    finally:
        if args.dir is None:
            shutil.rmtree(folder)
        else:
            for suffix in ("", "-wal", "-shm", "-writers"):  # -writers: the store's turn lock
                (folder / f"pages.db{suffix}").unlink(missing_ok=True)


def seed_team(
    url: str,
    *,
    debtors: int,
    contacts: int,
    calls: int,
    seed: int = 1,
) -> dict[str, Any]:
    """Load the team into the empty database at ``url``: debtors, teams, users, calls."""
    from bench.generate import debtor_key
    from bench.load import generate_and_load
    from orgmap.domain.access import Actor, Role, cli_actor
    from orgmap.domain.model import Channel, Outcome
    from orgmap.services import accounts
    from orgmap.services import calls as call_service
    from orgmap.services.database import open_database
    from orgmap.services.debtors import open_debtor

    # In this process: a few hundred debtors are small, and the timing runs in another.
    now = datetime.now(UTC)
    loaded = generate_and_load(url, debtors=debtors, seed=seed, now=now, routed={0: contacts})
    engine = open_database(url)
    try:
        admin = cli_actor("bench")
        users = {ADMIN: (Role.ADMIN, None), COLLECTOR: (Role.COLLECTOR, "North")}
        users |= {lead: (Role.LEAD, team) for team, lead in TEAMS.items()}
        for team in TEAMS:
            accounts.add_team(engine, actor=admin, name=team)
        made = {
            name: accounts.create_user(
                engine, actor=admin, name=name, password=PASSWORD, role=role, team=team
            )
            for name, (role, team) in users.items()
        }
        leads = list(TEAMS.values())
        for index in range(debtors):
            key, lead = debtor_key(index), leads[index % 2]
            accounts.assign_debtor(engine, actor=admin, debtor_key=key, to_user=lead)
        collector = made[COLLECTOR]
        as_collector = Actor(collector.name, collector.role, collector.team_id)
        everyone = open_debtor(engine, DEBTOR, actor=as_collector, k=0).map.contacts
        people = [c.key for c in everyone if not c.archived]
        for n in range(calls):
            report = call_service.CallReport(
                people[n % len(people)], Channel.PHONE, Outcome.NO_ANSWER, f"bench call {n}"
            )
            call_service.log_call(
                engine, debtor_key=DEBTOR, report=report, actor=as_collector, region="CN"
            )
    finally:
        engine.dispose()
    return {
        "debtors": loaded.debtors,
        "contacts": loaded.contacts,
        "calls_loaded": loaded.interactions,
        "calls_logged": calls,
        "debtor": DEBTOR,
        "debtor_contacts": len(everyone),
        "debtor_contacts_archived": len(everyone) - len(people),
        "load_seconds": round(loaded.seconds, 1),
    }


def _run_child(url: str, *, args: argparse.Namespace) -> dict[str, Any]:
    """:func:`measure` in a fresh interpreter (its own caches, engine and memory)."""
    command = [sys.executable, "-m", "bench.pages", "--child", "--url", url]
    command += ["--rounds", str(args.rounds), "--warmup", str(args.warmup), "--pages", *args.pages]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench.pages --child failed:\n{done.stderr}")
    answer: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return answer


def report(results: dict[str, Any]) -> str:
    """One markdown table per database: each page with and without authorization."""
    lines: list[str] = []
    for figures in results["databases"].values():
        team = figures["team"]
        lines.append(
            f"\n{figures['server']}: {team['debtors']:,} debtors, {team['contacts']:,} contacts; "
            f"the page's debtor has {team['debtor_contacts']} contacts; "
            f"{figures['rounds']} rounds after {figures['warmup']} warm-up runs "
            "(script run, ms, median / p95); load average "
            f"{figures['load_average_before'][0]:.2f} before, "
            f"{figures['load_average_after'][0]:.2f} after"
        )
        lines.append(
            "| page | with authorization (admin) | without | difference, medians "
            "| difference, paired | difference, p95 | within 10% | collector, with "
            "| collector vs without |"
        )
        lines.append("| --- |" + " ---: |" * 5 + " :-: | ---: | ---: |")
        for page, p in figures["pages"].items():
            a, c, b = (p["timings"][v] for v in ("authz", "authz-collector", BASELINE))
            d = p["versus_baseline"]
            lines.append(
                f"| {page} | {_pair(a)} | {_pair(b)} | "
                f"{_signed(d['authz']['median_ms'])} ({_signed(d['authz']['median_pct'])}%) | "
                f"{d['authz']['paired_median_ms']:+.2f} | "
                f"{_signed(d['authz']['p95_ms'])} ({_signed(d['authz']['p95_pct'])}%) | "
                f"{'yes' if d['authz']['within_goal'] else '**no**'} | {_pair(c)} | "
                f"{_signed(d['authz-collector']['median_pct'])}% |"
            )
        parts = figures["parts"]
        lines.append(
            "\nleft out by *without*, timed apart (median / p95 ms): resolving the session "
            f"{_pair(parts['resolve_session'])}; authorize in a snapshot "
            f"{_pair(parts['authorize'])}, the look-up alone {_pair(parts['lookup_only'])}"
        )
    return "\n".join(lines)


def _pair(t: dict[str, Any]) -> str:
    return f"{t['median_ms']:.1f} / {t['p95_ms']:.1f}"


def _signed(x: float) -> str:
    return f"{x:+.1f}"


# --- the child: every page in every variant, under AppTest ----------------------------


def measure(url: str, *, pages: Sequence[str], rounds: int, warmup: int) -> dict[str, Any]:
    """Time ``pages`` of the app on the seeded database at ``url`` in every variant.

    Patches the process's modules (only while a variant's run lasts) and opens a
    session per user; meant for a process of its own (see :func:`_run_child`).
    """
    os.environ.update(ORGMAP_DATABASE_URL=url, ORGMAP_LANG="en")
    from streamlit.testing.v1 import AppTest

    from orgmap.services.database import open_database

    engine = open_database(url)
    variants, admin_token = _variants(engine)
    search_text = _a_number_of(engine, DEBTOR)
    tests: dict[tuple[str, str], AppTest] = {}
    checks: dict[str, dict[str, Any]] = {}
    for page in pages:
        checks[page] = {}
        for variant in VARIANTS:
            with variants[variant]():
                at = AppTest.from_file(str(APP), default_timeout=300)
                at.query_params["debtor"] = DEBTOR
                at.run()
                at.switch_page(f"orgmap/ui/pages/{page}.py").run()
                if page == "search":
                    at.text_input(key="search_text").set_value(search_text).run()
                for _ in range(warmup):
                    at.run()
            with variants[variant](), _counting() as counts:
                at.run()
            checks[page][variant] = {"calls": dict(counts), **_check(at, page)}
            tests[page, variant] = at
    samples: dict[tuple[str, str], list[int]] = {key: [] for key in tests}
    for r in range(rounds):
        for page in pages:
            order = VARIANTS[r % len(VARIANTS) :] + VARIANTS[: r % len(VARIANTS)]
            for variant in order:
                at = tests[page, variant]
                with variants[variant]():
                    gc.collect()
                    started = time.perf_counter_ns()
                    at.run()
                    samples[page, variant].append(time.perf_counter_ns() - started)
                if at.exception:
                    raise RuntimeError(f"{page} ({variant}): {at.exception[0].value}")
    for (page, variant), at in tests.items():  # still the page, the debtor, the same user
        with variants[variant]():
            at.run()
        if _check(at, page)["elements"] != checks[page][variant]["elements"]:
            raise RuntimeError(f"{page} ({variant}): the page changed during the rounds")
    parts = _parts(engine, admin_token, runs=max(100, rounds * 10))
    engine.dispose()
    import streamlit

    from bench.machine import server_version

    figures: dict[str, Any] = {}
    for page in pages:
        timings = {v: summarize(samples[page, v]).as_dict() for v in VARIANTS}
        base = samples[page, BASELINE]
        figures[page] = {
            "timings": timings,
            "versus_baseline": {
                v: _difference(samples[page, v], base) for v in VARIANTS if v != BASELINE
            },
            "checks": checks[page],
        }
    server = open_database(url)
    try:
        version = server_version(server)
    finally:
        server.dispose()
    return {
        "server": version,
        "streamlit": streamlit.__version__,
        "rounds": rounds,
        "warmup": warmup,
        "search_text": search_text,
        "parts": parts,
        "pages": figures,
    }


def _parts(engine: Any, token: str, *, runs: int) -> dict[str, Any]:
    """The two things variant *no-authz* leaves out, timed apart (interleaved, ``runs``
    times): resolving the session, and one ``authorize`` in a snapshot of its own beside
    the look-up alone."""
    from orgmap.domain.access import Action, cli_actor
    from orgmap.services import authz, login
    from orgmap.store import snapshot

    admin, lookup = cli_actor("bench"), _lookup_only()

    def resolve() -> None:
        if login.resolve_session(engine, token) is None:
            raise RuntimeError("the admin's session is not open")

    def authorize() -> None:
        with snapshot(engine) as connection:
            authz.authorize(connection, admin, Action.READ, DEBTOR)

    def look_up() -> None:
        with snapshot(engine) as connection:
            lookup(connection, admin, Action.READ, DEBTOR)

    jobs = {"resolve_session": resolve, "authorize": authorize, "lookup_only": look_up}
    samples: dict[str, list[int]] = {name: [] for name in jobs}
    for _ in range(runs + 10):
        for name, job in jobs.items():
            started = time.perf_counter_ns()
            job()
            samples[name].append(time.perf_counter_ns() - started)
    return {name: summarize(s[10:]).as_dict() for name, s in samples.items()}


def _difference(with_ns: list[int], without_ns: list[int]) -> dict[str, Any]:
    """How much slower ``with_ns`` is than ``without_ns``: medians, p95s, and the median
    of the round-by-round differences (the runs of one round are next to each other)."""
    a, b = summarize(with_ns), summarize(without_ns)
    paired = statistics.median(x - y for x, y in zip(with_ns, without_ns, strict=True)) / 1e6
    pct = (a.median_ms - b.median_ms) / b.median_ms * 100
    return {
        "median_ms": round(a.median_ms - b.median_ms, 3),
        "median_pct": round(pct, 2),
        "p95_ms": round(a.p95_ms - b.p95_ms, 3),
        "p95_pct": round((a.p95_ms - b.p95_ms) / b.p95_ms * 100, 2),
        "paired_median_ms": round(paired, 3),
        "within_goal": pct <= GOAL * 100,
    }


def _variants(engine: Any) -> tuple[dict[str, Callable[[], Any]], str]:
    """Each variant as a context manager that patches the process for one run; and the
    admin's session token."""
    from orgmap.domain.access import cli_actor
    from orgmap.services import accounts, authz, login
    from orgmap.ui import state

    found = {a.name: a for a in accounts.users(engine, actor=cli_actor("bench"))}
    admin_token = login.start_session(engine, account=found[ADMIN])
    collector_token = login.start_session(engine, account=found[COLLECTOR])
    fixed_admin = found[ADMIN]
    holders = _authorize_holders(authz.authorize)
    lookup = _lookup_only()

    def as_shipped(token: str) -> Callable[[], Any]:
        return lambda: _patched([(state, "session_token", lambda: token)])

    def without() -> Any:
        return _patched(
            [
                (state, "session_token", lambda: admin_token),
                (state, "account", lambda: fixed_admin),
                *((module, "authorize", lookup) for module in holders),
            ]
        )

    variants = {
        "authz": as_shipped(admin_token),
        "authz-collector": as_shipped(collector_token),
        "no-authz": without,
    }
    return variants, admin_token


def _authorize_holders(authorize: Callable[..., Any]) -> list[ModuleType]:
    """Every module of ``orgmap`` holding ``authorize`` (they import it by name), and authz."""
    import orgmap

    for info in pkgutil.walk_packages(orgmap.__path__, "orgmap."):
        if info.name.startswith(("orgmap.services", "orgmap.store")):
            importlib.import_module(info.name)
    holders = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("orgmap.") and getattr(module, "authorize", None) is authorize
    ]
    if not any(m.__name__ == "orgmap.services.debtors" for m in holders):
        raise RuntimeError(
            "orgmap.services.debtors no longer imports authorize: re-point the bench"
        )
    return holders


def _lookup_only() -> Callable[..., tuple[int, int | None]]:
    """``authorize`` without the policy: the debtor's id and team, or "not found"."""
    from orgmap.services.authz import not_found
    from orgmap.store.accounts import debtor_team

    def authorize(connection: Any, actor: Any, action: Any, debtor_key: str) -> Any:
        found = debtor_team(connection, debtor_key)
        if found is None:
            raise not_found(debtor_key)
        return found

    return authorize


@contextmanager
def _patched(assignments: list[tuple[Any, str, Any]]) -> Iterator[None]:
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in assignments]
    for owner, name, value in assignments:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


@contextmanager
def _counting() -> Iterator[Counter[str]]:
    """Count, for one untimed run, the session resolutions and the policy decisions:
    wraps ``login.resolve_session`` and ``authz.decide`` (what ``authorize`` asks)."""
    from orgmap.services import authz, login

    counts: Counter[str] = Counter()

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            counts[name] += 1
            return function(*args, **kwargs)

        return call

    with _patched(
        [
            (login, "resolve_session", counted("resolve_session", login.resolve_session)),
            (authz, "decide", counted("authorize_decide", authz.decide)),
        ]
    ):
        yield counts


def _check(at: Any, page: str) -> dict[str, Any]:
    """Refuse a run that did not show the page on the debtor; what it showed."""
    from orgmap.ui.text import t

    if at.exception:
        raise RuntimeError(f"{page}: {at.exception[0].value}")
    titles = [x.value for x in at.title]
    if titles[:1] != [t(f"page.{page}", "en")]:
        raise RuntimeError(f"{page}: the run showed {titles}, not the page")
    problems = [e.value for e in at.error] + [
        i.value for i in at.info if i.value == t("debtor.none_chosen", "en")
    ]
    if problems:
        raise RuntimeError(f"{page}: {problems}")
    chosen = at.selectbox(key="debtor").value
    if chosen != DEBTOR:
        raise RuntimeError(f"{page}: the sidebar chose {chosen!r}, not {DEBTOR}")
    shown: dict[str, Any] = {"elements": sum(1 for _ in _walk(at))}
    if page == "debtors":
        shown["rows"] = len(at.dataframe[0].value)
    if page == "search":
        shown["caption"] = at.caption[0].value if at.caption else ""
    return shown


def _walk(at: Any) -> Iterator[Any]:
    stack = [at._tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(getattr(node, "children", {}).values())


def _a_number_of(engine: Any, debtor_key: str) -> str:
    """A number of one of the debtor's people, as a collector would type it (no +86): the
    one found at the most debtors (a group boss's mobile), so that the team filter counts."""
    from orgmap.domain.access import cli_actor
    from orgmap.services.debtors import open_debtor
    from orgmap.services.search import search_team

    admin = cli_actor("bench")
    m = open_debtor(engine, debtor_key, actor=admin, k=0).map
    numbers = [p.e164.removeprefix("+86") for c in m.contacts if not c.archived for p in c.phones]
    if not numbers:
        raise RuntimeError(f"{debtor_key}: nobody has a phone number")

    def debtors_found(number: str) -> int:
        found = search_team(engine, number, actor=admin, region="CN")
        return len({f.debtor_key for f in found})

    return max(numbers, key=debtors_found)


if __name__ == "__main__":
    raise SystemExit(main())
