"""``python -m orgmap extract``: what a call note says, as suggestions, from the command line.

Reads the debtor's map (nothing is written) and runs the pure extractor of
:mod:`orgmap.domain.notes` on ``--note`` as if the note were typed after calling
``--contact`` at ``--at`` (default: now) in ``ORGMAP_TIMEZONE``.  Same conventions
as :mod:`orgmap.cli`: one line on stderr and exit code 2 for bad input (an unknown
debtor or contact, a bad ``--at``), text printed through ``_echo``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from orgmap.settings import Settings

__all__ = ["add_extract_command", "suggestions_json"]


def suggestions_json(s: Any) -> dict[str, Any]:
    """The JSON shape of issue 13: contact keys for people on the map, names for new ones."""
    return {
        "people": [
            {
                "name": p.name,
                "title": p.title,
                "department": p.department,
                "phones": [ph.dialled for ph in p.phones],
                "email": p.email,
                "existing": p.ref,
            }
            for p in s.people
        ],
        "relations": [
            {"from": r.source, "to": r.target, "type": r.type}
            for r in s.relations
            if r.type != "authorizes"
        ],
        "authorizers": list(s.authorizers),
        "outcome": s.outcome.value if s.outcome else None,
        "promise": (
            {
                "amount": str(s.promise.amount) if s.promise.amount is not None else None,
                "date": s.promise.date.isoformat() if s.promise.date else None,
            }
            if s.promise
            else None
        ),
        "callback": s.callback.at.isoformat() if s.callback else None,
    }


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from orgmap import cli
    from orgmap.domain.fields import parse_aware_datetime
    from orgmap.domain.notes import extract
    from orgmap.services.debtors import open_debtor

    at = cli._parsed("--at", parse_aware_datetime, args.at) if args.at else datetime.now(UTC)
    view = open_debtor(cli._engine(settings), args.debtor, actor=cli.local_admin(), k=0)
    if view.map.contact(args.contact) is None:
        raise cli.UsageError(f"no contact {args.contact!r} at debtor {args.debtor!r}")
    found = extract(
        args.note,
        called=args.contact,
        m=view.map,
        at=at,
        timezone=settings.timezone,
        region=settings.phone_region,
    )
    data = suggestions_json(found)
    if args.json:
        cli._echo_json(data)
        return cli.EXIT_OK
    for p in data["people"]:
        phones = ", ".join(p["phones"])
        cli._echo("person", p["existing"], p["department"] or "", phones, sep="\t")
    for r in data["relations"]:
        cli._echo("relation", r["from"], r["type"], r["to"], sep="\t")
    for name in data["authorizers"]:
        cli._echo("authorizes", name, sep="\t")
    if data["outcome"]:
        cli._echo("outcome", data["outcome"], sep="\t")
    if data["promise"]:
        amount, by = data["promise"]["amount"] or "?", data["promise"]["date"] or "?"
        cli._echo("promise", f"{amount} by {by}", sep="\t")
    if data["callback"]:
        cli._echo("call back", data["callback"], sep="\t")
    return cli.EXIT_OK


def add_extract_command(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add ``extract`` through :mod:`orgmap.cli`'s ``command`` helper."""
    from orgmap.cli import _key

    p = command(
        "extract", cmd_extract, "suggest people, relations, promise and call-back from a call note"
    )
    p.add_argument("--debtor", required=True, metavar="KEY", type=_key)
    p.add_argument("--contact", required=True, metavar="KEY", type=_key, help="who was called")
    p.add_argument("--note", required=True, metavar="TEXT")
    p.add_argument("--at", metavar="ISO-8601", help="when the call was, with offset (default: now)")
    p.add_argument("--json", action="store_true")
