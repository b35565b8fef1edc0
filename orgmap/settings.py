"""Settings, read in one place from the environment, and checked there.

Nothing here opens a connection: callers pass :class:`Settings` (or the URL in
it) to the engine factory.  :func:`load_settings` checks every variable and
raises :class:`SettingsError` with one line naming the first bad one and its
value, so the CLI and the app can say what to fix instead of failing later
with a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_DATA_DIR", "Settings", "SettingsError", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

#: The largest file `import` (CLI or upload) accepts.  A year of notes for a
#: big team is a few MB of JSON; anything far above that is a mistake or abuse.
DEFAULT_MAX_IMPORT_BYTES = 10 * 1024 * 1024

#: ``ORGMAP_LANG`` values, as typed in any case with ``-`` or ``_``, and what they mean.
_LANGUAGES = {"zh-cn": "zh-CN", "zh": "zh-CN", "en": "en"}
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*")
_PASSWORD = re.compile(r"(://[^:/@]*:)[^@]*@")
# Up to 15 digits: below a petabyte, and no 4,300-digit number for int() to chew on.
_BYTES = re.compile(r"[0-9]{1,15}")


class SettingsError(ValueError):
    """An ``ORGMAP_*`` variable that cannot be used; the message is one line naming
    the variable and its value (control characters escaped), as the CLI prints it.

    The parts are kept for a message in the user's language (the app names the
    setting in words, not by its variable): ``variable``, ``value`` (quoted and
    escaped as in the message) and ``reason`` (English, as in the message).

    >>> exc = SettingsError("X='1' is bad", variable="X", value="'1'", reason="is bad")
    >>> str(exc), exc.variable, exc.value, exc.reason
    ("X='1' is bad", 'X', "'1'", 'is bad')
    """

    def __init__(self, message: str, *, variable: str = "", value: str = "", reason: str = ""):
        super().__init__(message)
        self.variable, self.value, self.reason = variable, value, reason


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    phone_region: str = "CN"  # default region for numbers typed without +country
    language: str = "zh-CN"  # zh-CN or en
    timezone: str = "Asia/Shanghai"  # where collectors work; storage is UTC
    max_import_bytes: int = DEFAULT_MAX_IMPORT_BYTES
    user: str = ""  # who is logging calls, when the UI or CLI is not told
    routing_weights: str | None = None  # a team's own weights file; None: the packaged ones


def default_database_url(data_dir: Path = DEFAULT_DATA_DIR) -> str:
    return f"sqlite:///{data_dir / 'orgmap.db'}"


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read and check the ``ORGMAP_*`` variables; unset (or empty) ones take the defaults.

    A team's routing weights file is read and checked here too, so a bad one is
    reported once, by name, before any command runs.

    Raises :class:`SettingsError` for the first variable that cannot be used.

    >>> load_settings({"ORGMAP_LANG": "EN", "ORGMAP_PHONE_REGION": "hk"}).language
    'en'
    >>> load_settings({"ORGMAP_LANG": "xx"})
    Traceback (most recent call last):
        ...
    orgmap.settings.SettingsError: ORGMAP_LANG='xx' is not a language of orgmap (zh-CN or en)
    """
    env = os.environ if env is None else env

    def get(name: str) -> str | None:
        return env.get(name) or None

    return Settings(
        database_url=_database_url(get("ORGMAP_DATABASE_URL")),
        phone_region=_phone_region(get("ORGMAP_PHONE_REGION")),
        language=_language(get("ORGMAP_LANG")),
        timezone=_timezone(get("ORGMAP_TIMEZONE")),
        max_import_bytes=_max_import_bytes(get("ORGMAP_MAX_IMPORT_BYTES")),
        user=_user(get("ORGMAP_USER"), get("USER")),
        routing_weights=_routing_weights(get("ORGMAP_ROUTING_WEIGHTS")),
    )


def _bad(name: str, value: str, why: str, *, sep: str = " ") -> SettingsError:
    quoted = _quoted(value)
    return SettingsError(f"{name}={quoted}{sep}{why}", variable=name, value=quoted, reason=why)


def _quoted(value: str, limit: int = 80) -> str:
    """``value`` quoted with every control character (and bidi override) escaped, cut short."""
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _database_url(value: str | None) -> str:
    if value is None:
        return default_database_url()
    if not _URL.fullmatch(value):
        # The store checks the rest when it opens the database; a password is not shown.
        raise _bad(
            "ORGMAP_DATABASE_URL",
            _PASSWORD.sub(r"\1***@", value),
            "is not a database URL (sqlite:///PATH or postgresql+psycopg://user@host:5432/db)",
        )
    return value


def _phone_region(value: str | None) -> str:
    if value is None:
        return "CN"
    import phonenumbers  # only here and in the domain; ~17 ms

    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise _bad("ORGMAP_PHONE_REGION", value, "is not a phone region (e.g. CN, HK, TW, US)")
    return region


def _language(value: str | None) -> str:
    if value is None:
        return "zh-CN"
    lang = _LANGUAGES.get(value.strip().lower().replace("_", "-"))
    if lang is None:
        raise _bad("ORGMAP_LANG", value, "is not a language of orgmap (zh-CN or en)")
    return lang


def _timezone(value: str | None) -> str:
    if value is None:
        return "Asia/Shanghai"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: "Asia" is a folder
        raise _bad(
            "ORGMAP_TIMEZONE", value, "is not a time zone (e.g. Asia/Shanghai, UTC)"
        ) from None
    return value


def _max_import_bytes(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_IMPORT_BYTES
    text = value.strip()
    if not _BYTES.fullmatch(text) or int(text) == 0:
        raise _bad("ORGMAP_MAX_IMPORT_BYTES", value, "is not a number of bytes above 0")
    return int(text)


def _user(value: str | None, login: str | None) -> str:
    from orgmap.domain.fields import NAME_MAX_CHARS, check_name

    if value is not None:
        try:
            return check_name(value, field="ORGMAP_USER", required=False)
        except ValueError:
            why = f"is not a name (one line, at most {NAME_MAX_CHARS} characters)"
            raise _bad("ORGMAP_USER", value, why) from None
    try:  # $USER is only a fallback: one that is no name is not used
        return check_name(login or "", field="USER", required=False)
    except ValueError:
        return ""


def _routing_weights(value: str | None) -> str | None:
    if value is None:
        return None
    # Imported here: the routing package loads networkx, which only `route` needs.
    from orgmap.routing.weights import WeightsError, load_weights

    try:
        load_weights(Path(value))
    except WeightsError as exc:
        raise _bad("ORGMAP_ROUTING_WEIGHTS", value, exc.reason, sep=": ") from None
    return value
