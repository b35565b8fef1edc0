"""``python -m orgmap``: a thin shell over :mod:`orgmap.services`.

Each command parses its arguments, opens the database and calls one service.
Exit codes: 0 success, 2 usage or validation error (one line on stderr), 1 an
unexpected failure such as an unreachable database.  Services are imported
inside the commands so that ``route`` starts without loading pyvis or Streamlit.
Every line that may hold text from a file, the database or the command line is
printed through :func:`_echo`, which shows control characters escaped.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import getpass
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn
from zoneinfo import ZoneInfo

from orgmap.domain.model import Channel, Outcome
from orgmap.file_input import FileRefusedError, FileTooLargeError
from orgmap.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from orgmap.domain.access import Actor
    from orgmap.services.database import Database

__all__ = ["local_admin", "main"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2
#: More routes than this is no plan a collector reads, and Yen's search grows with k.
MAX_ROUTES = 20

# What a terminal may act on instead of showing: C0 and C1 controls, DEL, and the
# bidi marks, embeddings, overrides and isolates (U+061C, U+200E/F, U+202A-U+202E,
# U+2066-U+2069) plus the line and paragraph separators U+2028/U+2029.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


class UsageError(Exception):
    """Bad input from the command line: reported in one line, exit code 2."""


class DatabaseUnusableError(Exception):
    """The database could not be opened or read: reported in one line, exit code 1."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, not argparse's usage dump
        raise UsageError(f"{message} (see: python -m orgmap {self._command()} --help)")

    def _command(self) -> str:
        return self.prog.removeprefix("python -m orgmap").strip()


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = load_settings()
        args = _parser(settings).parse_args(argv)
        return args.run(args, _with_db(settings, args.db))
    except (SettingsError, UsageError, FileRefusedError) as exc:
        return _fail(str(exc), EXIT_USAGE)
    except DatabaseUnusableError as exc:
        return _fail(str(exc), EXIT_FAILURE)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    except Exception as exc:  # the one place that turns errors into exit codes
        return _report(exc)


def _report(exc: Exception) -> int:
    from orgmap.routing.weights import WeightsError
    from orgmap.services.errors import StoreError, ValidationError

    if isinstance(exc, StoreError | ValidationError | WeightsError):
        return _fail(str(exc), EXIT_USAGE)
    if isinstance(exc, OSError):
        return _fail(_os_error_text(exc), EXIT_FAILURE)
    from sqlalchemy.exc import ArgumentError, DatabaseError, IntegrityError

    if isinstance(exc, ArgumentError):
        return _fail(f"not a database URL: {exc}", EXIT_USAGE)
    # Not a file SQLite can read, a server that is down or refuses us; a broken
    # constraint is a bug and keeps its traceback.
    if isinstance(exc, DatabaseError) and not isinstance(exc, IntegrityError):
        return _fail(f"cannot use the database: {exc.orig}", EXIT_FAILURE)
    raise exc


def _fail(message: str, code: int) -> int:
    """Say what went wrong in one line on stderr: several problems become "; "-separated."""
    parts = (part.strip() for part in message.split("\n"))
    _echo("orgmap: error: ", "; ".join(part for part in parts if part), err=True)
    return code


def _echo(
    *parts: object, sep: str = "", err: bool = False, keep: str = "", as_json: bool = False
) -> None:
    """Print ``parts`` joined by ``sep``, each with its unsafe characters escaped.

    The one way text that may come from a file, the database or the command line
    reaches the terminal: an escape sequence in a name would otherwise retitle or
    clear it, a ``\\r`` overwrite the line with a fake "imported", a bidi override
    reverse what follows.  They show as ``\\x1b``, ``\\r``, ``\\u202e``; characters
    in ``keep`` (say, the newlines of a multi-line plan) pass through, and
    ``as_json`` writes ``\\u001b`` escapes, valid inside JSON strings.
    """
    line = sep.join(_escaped(str(part), keep=keep, as_json=as_json) for part in parts)
    print(line, file=sys.stderr if err else sys.stdout)


def _escaped(text: str, *, keep: str = "", as_json: bool = False) -> str:
    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        if as_json or ord(char) > 0xFF:
            return f"\\u{ord(char):04x}"
        return _SHORT.get(char) or f"\\x{ord(char):02x}"

    return _UNSAFE.sub(escape, text)


def _os_error_text(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason}" if exc.filename else reason


def _with_db(settings: Settings, url: str | None) -> Settings:
    if not url:
        return settings
    from dataclasses import replace

    return replace(settings, database_url=url)


# The engine of the database the last command used, kept for the next command in the
# same process (tests, scripts calling main()) as the app keeps its own: connections
# a server dropped meanwhile are replaced by the pool's pre-ping.  Another database,
# or the end of the process, disposes of it: no open connection is left to the
# garbage collector, which would warn about it.
_engines: dict[str, Database] = {}


def local_admin() -> Actor:
    """Who the command line acts as: the local administrator ``cli:<os user>`` (whoever
    holds the database file or URL is one), recorded as the author of its changes."""
    from orgmap.domain.access import cli_actor

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        who = str(os.getuid())
    return cli_actor(who)


def _engine(settings: Settings) -> Database:
    from orgmap.services.database import open_database

    url = settings.database_url
    if url not in _engines:
        _dispose_engines()
        try:
            _engines[url] = open_database(url)
        except OSError as exc:  # a SQLite folder that cannot be created, say
            raise DatabaseUnusableError(f"cannot use the database: {_os_error_text(exc)}") from exc
    return _engines[url]


@atexit.register
def _dispose_engines() -> None:
    while _engines:
        _engines.popitem()[1].dispose()


# --- commands -------------------------------------------------------------


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.database import upgrade_database

    upgrade_database(settings.database_url)
    _echo("database schema is up to date")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.transfer import load_demo

    result = load_demo(
        _engine(settings), settings=settings, if_empty=args.if_empty, actor=local_admin()
    )
    if result is None:
        _echo("database already has debtors; demo not loaded")
    else:
        _echo(f"demo: {result.report}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.transfer import import_file, read_import_file

    name = Path(args.file).name
    try:  # before the database: a file that cannot be imported opens nothing
        raw = read_import_file(args.file, settings=settings)
    except FileTooLargeError as exc:
        raise UsageError(f"{exc} (ORGMAP_MAX_IMPORT_BYTES)") from None
    result = import_file(
        _engine(settings), filename=name, raw=raw, settings=settings, actor=local_admin()
    )
    for warning in result.warnings:
        _echo(f"warning: {warning.path}: {warning.message}", err=True)
    _echo(f"imported {name}: {result.report}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services import transfer

    to_stdout = args.output in (None, "-")
    if args.format != "json" and not args.debtor:
        raise UsageError(f"--format {args.format} needs --debtor KEY")
    existing = None if to_stdout else _writable_target(args.output)
    engine, actor = _engine(settings), local_admin()
    if args.format == "json":
        data: bytes = transfer.export_json(engine, debtor_key=args.debtor, actor=actor).encode()
    elif args.format == "graphml":
        data = transfer.export_graphml(engine, debtor_key=args.debtor, actor=actor)
    else:
        from orgmap.services.routes import routing_weights

        data = transfer.export_html(
            engine,
            debtor_key=args.debtor,
            actor=actor,
            lang=args.lang or settings.language,
            weights=routing_weights(settings.routing_weights),
        ).encode()
    if to_stdout:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        _write_atomically(args.output, data, existing)
        _echo(f"wrote {args.output} ({len(data):,} bytes)", err=True)
    return EXIT_OK


def _writable_target(target: str) -> os.stat_result | None:
    """The existing regular file ``-o`` names (None for a new path in an existing folder).

    Anything else is refused rather than replaced: a device (as root, ``-o /dev/null``
    once became a regular file), a symbolic link, a folder, a read-only file.
    """
    if not target:
        raise UsageError("-o needs a file name (or - for standard output)")
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        folder = os.path.dirname(target) or "."
        if not os.path.isdir(folder):
            raise UsageError(f"cannot write {target}: no folder {folder}") from None
        return None
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"{target} is a symbolic link; not replaced (name the file itself)")
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{target} is a folder; name a file in it")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{target} is not a regular file (a device, pipe or socket); not replaced")
    # Root may write anything; a file nobody may write is still not ours to replace.
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise UsageError(f"{target} is read-only; not replaced")
    return info


def _write_atomically(target: str, data: bytes, existing: os.stat_result | None) -> None:
    """Write ``data`` to a new temporary file beside ``target``, then rename it over
    ``target``: never a half-written export.  The file keeps ``existing``'s mode (and,
    where allowed, owner); a new one gets the usual mode under the umask."""
    folder = os.path.dirname(target) or "."
    try:
        fd, partial = tempfile.mkstemp(
            dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".partial"
        )
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with open(fd, "wb") as out:
            out.write(data)
            out.flush()
            if existing is None:
                os.fchmod(fd, 0o666 & ~_umask())
            else:
                os.fchmod(fd, stat.S_IMODE(existing.st_mode))
                if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                    # Not root: the file becomes ours, as any rewrite would make it.
                    with contextlib.suppress(PermissionError):
                        os.fchown(fd, existing.st_uid, existing.st_gid)
            os.fsync(fd)
        os.replace(partial, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


def _umask() -> int:
    mask = os.umask(0o022)  # the only way to read it is to set it (one thread here)
    os.umask(mask)
    return mask


def cmd_list(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.debtors import debtor_summaries

    rows = debtor_summaries(_engine(settings), actor=local_admin())
    zone = ZoneInfo(settings.timezone)  # readable output in the collectors' time; JSON stays UTC
    if args.json:
        _echo_json([_summary_json(r) for r in rows])
        return EXIT_OK
    for r in rows:
        who = "authorizer known" if r.authorizer_known else "authorizer unknown"
        last = (
            _local(r.last_contact_at, zone).strftime("%Y-%m-%d %H:%M")
            if r.last_contact_at
            else "never"
        )
        _echo(
            r.key,
            r.name,
            f"{r.amount_owed} {r.currency}",
            f"{r.contact_count} contacts",
            who,
            f"last contact {last}",
            sep="\t",
        )
    if not rows:
        _echo("no debtors yet: python -m orgmap demo, or python -m orgmap import FILE")
    return EXIT_OK


def _echo_json(value: object) -> None:
    """``value`` as indented JSON, Chinese readable, every unsafe character ``\\u``-escaped."""
    _echo(json.dumps(value, ensure_ascii=False, indent=2), keep="\n", as_json=True)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    """``moment`` in the collectors' zone; in UTC when the zone would leave the calendar
    (a call stored before accepted times were bounded, e.g. in year 1)."""
    try:
        return moment.astimezone(zone)
    except OverflowError:
        return moment


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
        actor=local_admin(),
        region=settings.phone_region,
    )
    what = "already logged; nothing added" if logged.duplicate else "logged"
    _echo(f"{what}: {args.debtor}/{args.contact} {args.channel} {args.outcome}")
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
        actor=local_admin(),
        k=args.k,
        lang=lang,
        weights=routing_weights(settings.routing_weights),
    )
    if args.json:
        _echo_json(answer_to_json(answer))
    else:
        _echo(format_plan(answer, lang=lang), keep="\n")
    return EXIT_OK


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.search import read_query, search_team

    read_query(args.text, region=settings.phone_region)  # refused text opens no database
    found = search_team(
        _engine(settings), args.text, actor=local_admin(), region=settings.phone_region
    )
    if args.json:
        _echo_json({"results": [_match_json(m) for m in found]})
        return EXIT_OK
    zone = ZoneInfo(settings.timezone)  # readable output in the collectors' time; JSON stays UTC
    for m in found:
        last = _local(m.last_call, zone).strftime("%Y-%m-%d %H:%M") if m.last_call else "never"
        _echo(
            m.debtor_key,
            m.debtor_name,
            m.contact_key or "-",
            m.contact_name or "(no current contact)",
            m.phone or "no number",
            f"last call {last}",
            sep="\t",
        )
    if not found:
        _echo(f"no one found for {args.text.strip()!r}")
    return EXIT_OK


def _match_json(m) -> dict:
    return {
        "debtor": m.debtor_key,
        "debtor_name": m.debtor_name,
        "contact": m.contact_key,
        "name": m.contact_name,
        "phone": m.phone,
        "last_call": m.last_call.isoformat() if m.last_call else None,
        "matched": m.matched.name.lower(),
    }


# --- parser ---------------------------------------------------------------


def _key(value: str) -> str:
    """A ``--debtor`` or ``--contact`` value: an empty one would mean "every debtor"."""
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a key, not an empty value")
    return value


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

    p = command("export", cmd_export, "export one debtor (or all, as JSON)")
    p.add_argument("--debtor", metavar="KEY", type=_key)
    p.add_argument("--format", choices=["json", "graphml", "html"], default="json")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="a new file or a regular file to replace (default, or -: standard output)",
    )
    p.add_argument("--lang", choices=["zh-CN", "en"])

    p = command("list", cmd_list, "list the debtors")
    p.add_argument("--json", action="store_true")

    p = command("log", cmd_log, "log one call, SMS, email, letter or visit")
    p.add_argument("--debtor", required=True, metavar="KEY", type=_key)
    p.add_argument("--contact", required=True, metavar="KEY", type=_key)
    p.add_argument("--channel", required=True, choices=[c.value for c in Channel])
    p.add_argument("--outcome", required=True, choices=[o.value for o in Outcome])
    p.add_argument("--at", metavar="ISO-8601", help="when, with offset (default: now)")
    p.add_argument("--note", default="")
    p.add_argument("--promise-amount", metavar="N")
    p.add_argument("--promise-date", metavar="YYYY-MM-DD")
    p.add_argument(
        "--phone", metavar="NUMBER", help="the number used (default: the contact's only one)"
    )

    p = command("route", cmd_route, "who to call next to reach whoever authorizes payment")
    p.add_argument("--debtor", required=True, metavar="KEY", type=_key)
    p.add_argument("--k", type=int, default=3, help=f"routes to show (3; at most {MAX_ROUTES})")
    p.add_argument("--json", action="store_true")
    p.add_argument("--lang", choices=["zh-CN", "en"])

    p = command(
        "search", cmd_search, "find people across the team by phone number, last digits or name"
    )
    p.add_argument(
        "text", metavar="TEXT", help="a number in any format, its last 4+ digits, or part of a name"
    )
    p.add_argument("--json", action="store_true")

    from orgmap.cli_accounts import add_account_commands  # user, team, assign (issue 12)

    add_account_commands(command, common)
    from orgmap.cli_extract import add_extract_command  # extract (issue 13)

    add_extract_command(command)
    return parser
