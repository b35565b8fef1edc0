"""``python -m orgmap user …``, ``team …``, ``assign`` and ``history``: accounts and the
record of who changed what, from the command line.

The command line acts as the local administrator (whoever holds the database
file or URL is one) and signs its changes ``cli:<os user>`` in the history.
Passwords are read from standard input only (``--password-stdin``), never from
an argument, which other users could read in the process list, and never
printed.  Same conventions as :mod:`orgmap.cli`: one line on stderr and exit
code 2 for bad input, text from the database printed through ``_echo``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from orgmap.settings import Settings

__all__ = ["add_account_commands"]

_ROLES = ("admin", "lead", "collector", "viewer")


def _cli():  # orgmap.cli imports this module; import it back only once it is loaded
    from orgmap import cli

    return cli


def _password_from_stdin() -> str:
    """One line of standard input, its line end removed; empty is refused."""
    from orgmap.domain.messages import render_message

    password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not password:
        raise _cli().UsageError(render_message("password.empty_input", "en", {}))
    return password


def cmd_user_add(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import create_user

    cli = _cli()
    password = _password_from_stdin()
    account = create_user(
        cli._engine(settings),
        actor=cli.local_admin(),
        name=args.name,
        password=password,
        role=args.role,
        team=args.team,
    )
    team = f", team {account.team}" if account.team else ", no team"
    cli._echo(f"added user {account.name} ({account.role}{team})")
    return cli.EXIT_OK


def cmd_user_passwd(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import reset_password

    cli = _cli()
    password = _password_from_stdin()
    ended = reset_password(
        cli._engine(settings), actor=cli.local_admin(), name=args.name, password=password
    )
    cli._echo(f"password changed for {args.name}; {ended} session(s) ended")
    return cli.EXIT_OK


def cmd_user_disable(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import disable_user

    cli = _cli()
    ended = disable_user(cli._engine(settings), actor=cli.local_admin(), name=args.name)
    cli._echo(f"disabled {args.name}; {ended} session(s) ended")
    return cli.EXIT_OK


def cmd_user_list(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import users

    cli = _cli()
    accounts = users(cli._engine(settings), actor=cli.local_admin())
    if args.json:
        cli._echo_json([_account_json(a) for a in accounts])
        return cli.EXIT_OK
    for a in accounts:
        state = "disabled" if a.disabled else "active"
        if a.locked_until and not a.disabled:
            state = f"locked until {a.locked_until.isoformat()}"
        cli._echo(a.name, str(a.role), a.team or "-", state, sep="\t")
    if not accounts:
        cli._echo("no users yet: python -m orgmap user add NAME --role admin --password-stdin")
    return cli.EXIT_OK


def _account_json(a: Any) -> dict[str, Any]:
    return {
        "name": a.name,
        "role": str(a.role),
        "team": a.team,
        "disabled": a.disabled,
        "locked_until": a.locked_until.isoformat() if a.locked_until else None,
    }


def cmd_team_add(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import add_team

    cli = _cli()
    team = add_team(cli._engine(settings), actor=cli.local_admin(), name=args.name)
    cli._echo(f"added team {team.name}")
    return cli.EXIT_OK


def cmd_team_list(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import teams

    cli = _cli()
    found = teams(cli._engine(settings), actor=cli.local_admin())
    if args.json:
        cli._echo_json([{"name": t.name, "members": t.members} for t in found])
        return cli.EXIT_OK
    for t in found:
        cli._echo(t.name, f"{t.members} member(s)", sep="\t")
    if not found:
        cli._echo("no teams yet: python -m orgmap team add NAME")
    return cli.EXIT_OK


def cmd_assign(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import assign_debtor

    cli = _cli()
    done = assign_debtor(
        cli._engine(settings), actor=cli.local_admin(), debtor_key=args.debtor, to_user=args.to
    )
    team = f" (team {done.team})" if done.team else ""
    if done.changed:
        cli._echo(f"assigned {done.debtor_key} to {done.user}{team}")
    else:
        cli._echo(f"{done.debtor_key} is already assigned to {done.user}{team}; nothing changed")
    return cli.EXIT_OK


def cmd_history(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap.services.accounts import debtor_history

    cli = _cli()
    entries = debtor_history(cli._engine(settings), actor=cli.local_admin(), debtor_key=args.debtor)
    if args.json:
        cli._echo_json([_history_json(e) for e in entries])
        return cli.EXIT_OK
    zone = ZoneInfo(settings.timezone)  # readable in the collectors' time; JSON stays UTC
    for e in entries:
        cli._echo(
            cli._local(e.at, zone).strftime("%Y-%m-%d %H:%M:%S"),
            e.by,
            e.action,
            e.entity,
            e.key,
            _change_text(e.before, e.after),
            sep="\t",
        )
    if not entries:
        cli._echo(f"no history yet for {args.debtor}")
    return cli.EXIT_OK


def _history_json(e: Any) -> dict[str, Any]:
    return {
        "at": e.at.isoformat(),
        "by": e.by,
        "action": e.action,
        "entity": e.entity,
        "key": e.key,
        "before": e.before,
        "after": e.after,
    }


def _change_text(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """One line: ``field: old -> new`` for an edit, the record's JSON for a create or archive.

    >>> _change_text({"title": "A"}, {"title": "B", "notes": "x"})
    'title: "A" -> "B"; notes: null -> "x"'
    >>> _change_text(None, {"name": "王"})
    '{"name": "王"}'
    """
    if before is None or after is None:
        return _compact(after if before is None else before)
    fields = list(dict.fromkeys([*before, *after]))
    return "; ".join(f"{f}: {_compact(before.get(f))} -> {_compact(after.get(f))}" for f in fields)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), sort_keys=True)


def _text(value: str) -> str:
    """A NAME or USER argument: an empty one is a usage error, not a lookup."""
    if not value.strip():
        raise argparse.ArgumentTypeError("needs a name, not an empty value")
    return value


def add_account_commands(
    command: Callable[..., argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    """Add ``user``, ``team``, ``assign`` and ``history`` through :mod:`orgmap.cli`'s
    ``command`` helper."""
    parser_class = type(common)

    user = command("user", None, "user accounts: add, change password, disable, list")
    user_sub = user.add_subparsers(dest="user_command", required=True, parser_class=parser_class)
    p = user_sub.add_parser("add", help="add a user", parents=[common])
    p.set_defaults(run=cmd_user_add)
    p.add_argument("name", metavar="NAME", type=_text)
    p.add_argument("--role", required=True, choices=_ROLES)
    p.add_argument("--team", metavar="TEAM", type=_text)
    p.add_argument(
        "--password-stdin", required=True, action="store_true", help="read the password from stdin"
    )
    p = user_sub.add_parser("passwd", help="set a user's password", parents=[common])
    p.set_defaults(run=cmd_user_passwd)
    p.add_argument("name", metavar="NAME", type=_text)
    p.add_argument(
        "--password-stdin", required=True, action="store_true", help="read the password from stdin"
    )
    p = user_sub.add_parser(
        "disable", help="disable a user, ending their sessions", parents=[common]
    )
    p.set_defaults(run=cmd_user_disable)
    p.add_argument("name", metavar="NAME", type=_text)
    p = user_sub.add_parser("list", help="list the users", parents=[common])
    p.set_defaults(run=cmd_user_list)
    p.add_argument("--json", action="store_true")

    team = command("team", None, "teams: add, list")
    team_sub = team.add_subparsers(dest="team_command", required=True, parser_class=parser_class)
    p = team_sub.add_parser("add", help="add a team", parents=[common])
    p.set_defaults(run=cmd_team_add)
    p.add_argument("name", metavar="NAME", type=_text)
    p = team_sub.add_parser("list", help="list the teams", parents=[common])
    p.set_defaults(run=cmd_team_list)
    p.add_argument("--json", action="store_true")

    p = command("assign", cmd_assign, "hand a debtor to a user (and to the user's team)")
    p.add_argument("--debtor", required=True, metavar="KEY", type=_text)
    p.add_argument("--to", required=True, metavar="USER", type=_text)

    p = command("history", cmd_history, "a debtor's history: who changed what, when, newest first")
    p.add_argument("--debtor", required=True, metavar="KEY", type=_text)
    p.add_argument("--json", action="store_true")
