"""What a password must be before orgmap hashes it; pure (standard library only).

At least :data:`PASSWORD_MIN_CHARS` characters (and at most
:data:`PASSWORD_MAX_CHARS`, so hashing stays cheap), not the user's name nor
containing it, not one of the commonest passwords (``common_passwords.txt``
beside this module, shipped, nothing downloaded; a common one with digits or
signs added at the end counts as common too), and more than a few distinct
characters.  Each refusal is a :class:`~orgmap.domain.messages.FieldError`
whose code says which rule, in zh-CN and English.

>>> check_password("correct horse battery", user_name="wang")
>>> check_password("Password2026!", user_name="wang")
Traceback (most recent call last):
...
orgmap.domain.messages.FieldError: password is one of the commonest passwords; choose another
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from orgmap.domain.messages import FieldError

__all__ = [
    "PASSWORD_MAX_CHARS",
    "PASSWORD_MIN_CHARS",
    "check_password",
    "common_passwords",
    "is_common",
]

PASSWORD_MIN_CHARS = 10
PASSWORD_MAX_CHARS = 256
_MIN_DISTINCT = 4
_COMMON_FILE = Path(__file__).parent / "common_passwords.txt"
# What people add to a common word to pass a rule: "password" → "password2026!".
_SUFFIX = re.compile(r"[0-9!@#$%^&*.?_\-+=~ ]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list, case-folded."""
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def is_common(password: str) -> bool:
    """Whether ``password`` is a listed one, also with digits or signs added at its end.

    >>> is_common("QWERTYUIOP"), is_common("iloveyou123!"), is_common("glass tiger river")
    (True, True, False)
    """
    folded = password.casefold()
    common = common_passwords()
    if folded in common:
        return True
    base = _SUFFIX.sub("", folded)
    return len(base) >= _MIN_DISTINCT and base in common


def check_password(password: str, *, user_name: str) -> None:
    """Raise :class:`FieldError` if ``password`` may not be used by ``user_name``."""
    if len(password) < PASSWORD_MIN_CHARS:
        raise FieldError("password.too_short", min=PASSWORD_MIN_CHARS)
    if len(password) > PASSWORD_MAX_CHARS:
        raise FieldError("password.too_long", max=PASSWORD_MAX_CHARS)
    name = user_name.strip().casefold()
    if name and name in password.casefold():
        raise FieldError("password.has_user_name")
    if is_common(password):
        raise FieldError("password.common")
    if len(set(password)) < _MIN_DISTINCT:
        raise FieldError("password.too_simple", min=_MIN_DISTINCT)
