"""``python -m orgmap``: a thin shell over :mod:`orgmap.services`.

Each command parses its arguments, opens the database and calls one service.
Exit codes: 0 success, 2 usage or validation error (one line on stderr), 1 an
unexpected failure such as an unreachable database.  Services are imported
inside the commands so that ``route`` starts without loading pyvis or Streamlit.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

from orgmap.domain.model import Channel, Outcome
from orgmap.settings import Settings, load_settings

__all__ = ["main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: More routes than this is no plan a collector reads, and Yen's search grows with k.
MAX_ROUTES = 20


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage dump
        raise UsageError(f"{message} (see: python -m orgmap {self._command()} --help)")

    def _command(self) -> str:
        return self.prog.removeprefix("python -m orgmap").strip()


def main(argv: Sequence[str] | None = None) -> int:
    settings = load_settings()
    try:
        args = _parser(settings).parse_args(argv)
        return args.run(args, _with_db(settings, args.db))
    except UsageError as exc:
        return _fail(str(exc), EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # the one place that turns errors into exit codes
        return _report(exc)


def _report(exc: Exception) -> int:
    from orgmap.services.errors import StoreError, ValidationError

    if isinstance(exc, (StoreError, FileNotFoundError, IsADirectoryError, PermissionError)):
        return _fail(str(exc), EXIT_USAGE)
    if isinstance(exc, ValidationError):
        return _fail(str(exc).replace("\n", "; "), EXIT_USAGE)
    from sqlalchemy.exc import ArgumentError, OperationalError

    if isinstance(exc, ArgumentError):
        return _fail(f"not a database URL: {exc}", EXIT_USAGE)
    if isinstance(exc, OperationalError):
        return _fail(f"cannot use the database: {exc.orig}", EXIT_FAILURE)
    raise exc


def _fail(message: str, code: int) -> int:
    print(f"orgmap: error: {message}", file=sys.stderr)
    return code


def _with_db(settings: Settings, url: str | None) -> Settings:
    if not url:
        return settings
    from dataclasses import replace

    return replace(settings, database_url=url)


def _engine(settings: Settings):
    from orgmap.services.database import open_database

    return open_database(settings.database_url)


# --- commands -------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.database import upgrade_database

    upgrade_database(settings.database_url)
    print("database schema is up to date")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.transfer import load_demo

    result = load_demo(_engine(settings), settings=settings, if_empty=args.if_empty)
    print(
        "database already has debtors; demo not loaded"
        if result is None
        else f"demo: {result.report}"
    )
    return EXIT_OK


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.transfer import import_file

    path = Path(args.file)
    size = path.stat().st_size
    if size > settings.max_import_bytes:
        raise UsageError(
            f"{path.name} is {size:,} bytes; the limit is {settings.max_import_bytes:,} "
            "(ORGMAP_MAX_IMPORT_BYTES)"
        )
    result = import_file(
        _engine(settings), filename=path.name, raw=path.read_bytes(), settings=settings, by=args.by
    )
    for warning in result.warnings:
        print(f"warning: {warning.path}: {warning.message}", file=sys.stderr)
    print(f"imported {path.name}: {result.report}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services import transfer

    engine = _engine(settings)
    if args.format == "json":
        data: bytes = transfer.export_json(engine, debtor_key=args.debtor).encode()
    elif not args.debtor:
        raise UsageError(f"--format {args.format} needs --debtor KEY")
    elif args.format == "graphml":
        data = transfer.export_graphml(engine, debtor_key=args.debtor)
    else:
        data = transfer.export_html(
            engine, debtor_key=args.debtor, lang=args.lang or settings.language
        ).encode()
    if args.output in (None, "-"):
        sys.stdout.buffer.write(data)
    else:
        _write_atomically(Path(args.output), data)
        print(f"wrote {args.output} ({len(data):,} bytes)", file=sys.stderr)
    return EXIT_OK


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written export."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(data)
    partial.replace(path)


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.debtors import debtor_summaries

    rows = debtor_summaries(_engine(settings))
    zone = ZoneInfo(settings.timezone)  # readable output in the collectors' time; JSON stays UTC
    if args.json:
        print(json.dumps([_summary_json(r) for r in rows], ensure_ascii=False, indent=2))
        return EXIT_OK
    for r in rows:
        who = "authorizer known" if r.authorizer_known else "authorizer unknown"
        last = (
            r.last_contact_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if r.last_contact_at
            else "never"
        )
        print(
            f"{r.key}\t{r.name}\t{r.amount_owed} {r.currency}\t{r.contact_count} contacts\t"
            f"{who}\tlast contact {last}"
        )
    if not rows:
        print("no debtors yet: python -m orgmap demo, or python -m orgmap import FILE")
    return EXIT_OK


def _summary_json(r) -> dict:
    return {
        "key": r.key,
        "name": r.name,
        "amount_owed": str(r.amount_owed),
        "currency": r.currency,
        "due_date": r.due_date.isoformat() if r.due_date else None,
        "status": str(r.status),
        "contacts": r.contact_count,
        "authorizer_known": r.authorizer_known,
        "last_contact_at": r.last_contact_at.isoformat() if r.last_contact_at else None,
    }


def cmd_log(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.domain.fields import parse_amount, parse_aware_datetime, parse_date
    from orgmap.services.calls import CallReport, log_call

    if (args.promise_amount is None) != (args.promise_date is None):
        raise UsageError("--promise-amount and --promise-date go together")
    report = CallReport(
        contact=args.contact,
        channel=Channel(args.channel),
        outcome=Outcome(args.outcome),
        note=args.note,
        at=_parsed("--at", parse_aware_datetime, args.at) if args.at else datetime.now(UTC),
        promise_amount=_parsed("--promise-amount", parse_amount, args.promise_amount),
        promise_date=_parsed("--promise-date", parse_date, args.promise_date),
        phone=args.phone,
    )
    logged = log_call(
        _engine(settings),
        debtor_key=args.debtor,
        report=report,
        by=args.by,
        region=settings.phone_region,
    )
    what = "already logged; nothing added" if logged.duplicate else "logged"
    print(f"{what}: {args.debtor}/{args.contact} {args.channel} {args.outcome}")
    return EXIT_OK


def _parsed(flag: str, parse: Callable, value):
    if value is None:
        return None
    try:
        return parse(value)
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}") from None


def cmd_route(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.routing import answer_to_json, format_plan
    from orgmap.services.debtors import route_debtor
    from orgmap.services.routes import routing_weights

    if not 1 <= args.k <= MAX_ROUTES:
        raise UsageError(f"--k must be from 1 to {MAX_ROUTES}")
    lang = args.lang or settings.language
    answer = route_debtor(
        _engine(settings),
        debtor_key=args.debtor,
        k=args.k,
        lang=lang,
        weights=routing_weights(settings.routing_weights),
    )
    if args.json:
        print(json.dumps(answer_to_json(answer), ensure_ascii=False, indent=2))
    else:
        print(format_plan(answer, lang=lang))
    return EXIT_OK


# --- parser ---------------------------------------------------------------


def _parser(settings: Settings) -> argparse.ArgumentParser:
    db_help = "database URL (default: $ORGMAP_DATABASE_URL, else data/orgmap.db)"
    parser = _Parser(prog="python -m orgmap", description=__doc__.split("\n")[0])
    parser.add_argument("--db", metavar="URL", help=db_help)
    # Accepted after the command too; SUPPRESS keeps a subcommand from resetting it to None.
    common = _Parser(add_help=False)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, run, help: str, **kw) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common], **kw)
        p.set_defaults(run=run)
        return p

    db = command("db", None, "database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="apply migrations", parents=[common]).set_defaults(
        run=cmd_db_upgrade
    )

    p = command("demo", cmd_demo, "load the demo debtors from data/demo.json")
    p.add_argument("--if-empty", action="store_true", help="only into a database with no debtors")

    p = command(
        "import", cmd_import, "import an orgmap/1 JSON file or a contacts CSV, all or nothing"
    )
    p.add_argument("file", help="FILE.json or FILE.csv")
    p.add_argument("--by", default=settings.user or "import", help="who is importing")

    p = command("export", cmd_export, "export one debtor (or all, as JSON)")
    p.add_argument("--debtor", metavar="KEY")
    p.add_argument("--format", choices=["json", "graphml", "html"], default="json")
    p.add_argument("-o", "--output", metavar="FILE", help="default: standard output")
    p.add_argument("--lang", choices=["zh-CN", "en"])

    p = command("list", cmd_list, "list the debtors")
    p.add_argument("--json", action="store_true")

    p = command("log", cmd_log, "log one call, SMS, email, letter or visit")
    p.add_argument("--debtor", required=True, metavar="KEY")
    p.add_argument("--contact", required=True, metavar="KEY")
    p.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    p.add_argument("--outcome", required=True, choices=[o.value for o in Outcome])
    p.add_argument("--at", metavar="ISO-8601", help="when, with offset (default: now)")
    p.add_argument("--note", default="")
    p.add_argument("--by", default=settings.user or "cli", metavar="USER")
    p.add_argument("--promise-amount", metavar="N")
    p.add_argument("--promise-date", metavar="YYYY-MM-DD")
    p.add_argument(
        "--phone", metavar="NUMBER", help="the number used (default: the contact's only one)"
    )

    p = command("route", cmd_route, "who to call next to reach whoever authorizes payment")
    p.add_argument("--debtor", required=True, metavar="KEY")
    p.add_argument("--k", type=int, default=3, help=f"routes to show (3; at most {MAX_ROUTES})")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=["zh-CN", "en"])
    return parser
