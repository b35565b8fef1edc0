"""Settings, read in one place from the environment.

Nothing here opens a connection: callers pass :class:`Settings` (or the URL in
it) to the engine factory.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["DEFAULT_DATA_DIR", "Settings", "load_settings"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"

#: The largest file `import` (CLI or upload) accepts.  A year of notes for a
#: big team is a few MB of JSON; anything far above that is a mistake or abuse.
DEFAULT_MAX_IMPORT_BYTES = 10 * 1024 * 1024


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


def load_settings(env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
    """Read ``ORGMAP_*`` variables; unset ones take the documented defaults."""
    env = os.environ if env is None else env
    return Settings(
        database_url=env.get("ORGMAP_DATABASE_URL") or default_database_url(),
        phone_region=(env.get("ORGMAP_PHONE_REGION") or "CN").upper(),
        language=env.get("ORGMAP_LANG") or "zh-CN",
        timezone=env.get("ORGMAP_TIMEZONE") or "Asia/Shanghai",
        max_import_bytes=int(env.get("ORGMAP_MAX_IMPORT_BYTES") or DEFAULT_MAX_IMPORT_BYTES),
        user=env.get("ORGMAP_USER") or env.get("USER") or "",
        routing_weights=env.get("ORGMAP_ROUTING_WEIGHTS") or None,
    )
