"""Who may do what to a debtor: the roles, the one authorization policy, and masking.

Pure (standard library only): every service that reads or writes a debtor asks
:func:`decide` with the acting user and the debtor's team, and the answer is one
of three:

- :attr:`Decision.ALLOWED`;
- :attr:`Decision.FORBIDDEN`: the user may see the debtor but not do this
  (a viewer editing, a collector assigning);
- :attr:`Decision.HIDDEN`: the user may not even know the debtor exists (another
  team's debtor, or a debtor in no team for anyone but an admin).  Callers answer
  exactly as for a debtor that does not exist ("not found").

The policy, one table (:data:`TEAM_ROLE_ACTIONS`):

======== ======================================================================
admin    everything, every debtor, and managing users and teams
lead     their team's debtors: read, edit, log calls, assign and reassign, export
collector their team's debtors: read, edit, log calls
viewer   their team's debtors: read, with phone numbers and e-mails masked
======== ======================================================================

>>> lead = Actor("wang", Role.LEAD, team_id=1)
>>> decide(lead, Action.ASSIGN, debtor_team_id=1)
<Decision.ALLOWED: 'allowed'>
>>> decide(lead, Action.READ, debtor_team_id=2)
<Decision.HIDDEN: 'hidden'>
>>> decide(Actor("zhao", Role.VIEWER, team_id=1), Action.EDIT, debtor_team_id=1)
<Decision.FORBIDDEN: 'forbidden'>
>>> mask_phone("+8613912345678"), mask_email("li.ming@acme.cn")
('139****5678', 'l***@acme.cn')
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from orgmap.domain.messages import render_message

__all__ = [
    "CLI_AUTHOR_PREFIX",
    "MASK",
    "TEAM_ROLE_ACTIONS",
    "AccessDeniedError",
    "Action",
    "Actor",
    "Decision",
    "Role",
    "cli_actor",
    "decide",
    "mask_details",
    "mask_email",
    "mask_phone",
    "masks_contact_details",
    "may_assign_to",
    "name_key",
]


class Role(StrEnum):
    """What a user account may do; see the module's table."""

    ADMIN = "admin"
    LEAD = "lead"
    COLLECTOR = "collector"
    VIEWER = "viewer"


class Action(StrEnum):
    """Something a user asks to do with a debtor (``ADMIN``: manage users and teams)."""

    READ = "read"
    EDIT = "edit"
    LOG_CALL = "log_call"
    ASSIGN = "assign"
    EXPORT = "export"
    ADMIN = "admin"


class Decision(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "forbidden"
    HIDDEN = "hidden"


class AccessDeniedError(Exception):
    """The user may see this but not do it (:attr:`Decision.FORBIDDEN`); nothing was written.

    ``str()`` is the English message; :meth:`text` gives it in zh-CN too.
    """

    code = "access.forbidden"

    def __init__(self) -> None:
        super().__init__(render_message(self.code, "en", {}))

    def text(self, lang: str) -> str:
        return render_message(self.code, lang, {})


#: What each non-admin role may do with a debtor of its own team.
TEAM_ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.LEAD: frozenset({Action.READ, Action.EDIT, Action.LOG_CALL, Action.ASSIGN, Action.EXPORT}),
    Role.COLLECTOR: frozenset({Action.READ, Action.EDIT, Action.LOG_CALL}),
    Role.VIEWER: frozenset({Action.READ}),
}

#: The author recorded for changes made through ``python -m orgmap``: ``cli:<os user>``.
CLI_AUTHOR_PREFIX = "cli:"


@dataclass(frozen=True, slots=True)
class Actor:
    """The user acting: the name recorded as author, the role, the team (``None``: no team)."""

    name: str
    role: Role
    team_id: int | None = None


def name_key(name: str) -> str:
    """What makes two user or team names the same: NFKC-normalized, case-folded, stripped.

    >>> name_key(" Wang ") == name_key("ＷＡＮＧ") == name_key("wang")
    True
    """
    return unicodedata.normalize("NFKC", name).casefold().strip()


def cli_actor(os_user: str) -> Actor:
    """The local administrator behind the command line (whoever holds the database is one).

    >>> cli_actor("li")
    Actor(name='cli:li', role=<Role.ADMIN: 'admin'>, team_id=None)
    """
    return Actor(f"{CLI_AUTHOR_PREFIX}{os_user}", Role.ADMIN, None)


def decide(actor: Actor, action: Action, *, debtor_team_id: int | None) -> Decision:
    """May ``actor`` do ``action`` with a debtor of team ``debtor_team_id``?

    For ``Action.ADMIN`` (users and teams) the debtor's team is ignored: only
    an admin may, and the others are :attr:`Decision.FORBIDDEN`.

    >>> decide(Actor("a", Role.ADMIN), Action.EXPORT, debtor_team_id=None)
    <Decision.ALLOWED: 'allowed'>
    >>> decide(Actor("c", Role.COLLECTOR, team_id=1), Action.READ, debtor_team_id=None)
    <Decision.HIDDEN: 'hidden'>
    """
    if actor.role is Role.ADMIN:
        return Decision.ALLOWED
    if action is Action.ADMIN:
        return Decision.FORBIDDEN
    if actor.team_id is None or actor.team_id != debtor_team_id:
        return Decision.HIDDEN
    allowed = TEAM_ROLE_ACTIONS[actor.role]
    return Decision.ALLOWED if action in allowed else Decision.FORBIDDEN


def may_assign_to(actor: Actor, *, role: Role, team_id: int | None, disabled: bool) -> bool:
    """May ``actor`` hand a debtor to a user with this ``role`` and team?

    Only someone who works cases takes one (not a viewer, not a disabled account);
    a lead hands over within their own team, an admin to anyone.

    >>> may_assign_to(Actor("w", Role.LEAD, 1), role=Role.COLLECTOR, team_id=2, disabled=False)
    False
    """
    if disabled or role is Role.VIEWER:
        return False
    if actor.role is Role.ADMIN:
        return True
    return actor.role is Role.LEAD and actor.team_id is not None and actor.team_id == team_id


def masks_contact_details(actor: Actor) -> bool:
    """Whether ``actor`` sees phone numbers and e-mails masked (viewers do)."""
    return actor.role is Role.VIEWER


#: What stands for the hidden middle of a number or an address: always four
#: characters, so the mask does not give away how long the hidden part is.
MASK = "****"
_CHINA = "+86"


def mask_phone(number: str) -> str:
    """``number`` with all but at most its first 3 and last 4 digits hidden.

    Only digits are shown (formatting, extension marks and letters are dropped),
    the ``+86`` of a Chinese number is left out, and at least four digits always
    stay hidden: a short number shows fewer.

    >>> mask_phone("+86 139-1234-5678")
    '139****5678'
    >>> mask_phone("8888 6666"), mask_phone("12345"), mask_phone("")
    ('****6666', '****5', '****')
    """
    text = number.strip()
    if text.startswith(_CHINA):
        text = text[len(_CHINA) :]
    digits = "".join(c for c in text if "0" <= c <= "9")
    count = len(digits)
    head = min(3, max(0, count - 8))
    tail = min(4, max(0, count - head - 4))
    return f"{digits[:head]}{MASK}{digits[count - tail :] if tail else ''}"


def mask_email(address: str) -> str:
    """``address`` with its local part hidden but for the first character.

    The domain stays: it is usually the debtor company's, not the person's.

    >>> mask_email("wang@example.com"), mask_email("not an address")
    ('w***@example.com', '****')
    """
    local, at, domain = address.strip().rpartition("@")
    if not at or not local or not domain:
        return MASK
    return f"{local[0]}***@{domain}"


#: Keys whose values :func:`mask_details` hides (as stored in maps and the history).
_PHONE_KEYS = frozenset({"phone", "phones", "e164", "number"})
_EMAIL_KEYS = frozenset({"email"})


def mask_details(value: Any) -> Any:
    """``value`` (JSON-like) with every phone number and e-mail under a known key masked.

    >>> mask_details({"name": "Li", "phones": ["+8613912345678"], "email": "li@acme.cn"})
    {'name': 'Li', 'phones': ['139****5678'], 'email': 'l***@acme.cn'}
    """
    if isinstance(value, dict):
        return {key: _masked_item(key, item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_details(item) for item in value]
    return value


def _masked_item(key: str, item: Any) -> Any:
    mask = mask_phone if key in _PHONE_KEYS else mask_email if key in _EMAIL_KEYS else None
    if mask is None:
        return mask_details(item)
    if isinstance(item, str):
        return mask(item)
    if isinstance(item, list):
        return [mask(x) if isinstance(x, str) else mask_details(x) for x in item]
    return mask_details(item)
