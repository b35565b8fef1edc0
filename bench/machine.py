"""What every benchmark records about the machine it ran on, and how it reports progress."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

__all__ = ["load_average", "machine", "say", "server_version"]


DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def database_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """A bench's argument parser with the options every database bench takes: ``--db`` and
    ``--pg-url``."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    p.add_argument("--pg-url", default=DEFAULT_PG_URL, help=f"server (default {DEFAULT_PG_URL})")
    return p


def server_version(engine: Engine) -> str:
    """``SQLite 3.40.1`` or ``PostgreSQL 15.…``: the database the figures came from."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return f"SQLite {connection.exec_driver_sql('select sqlite_version()').scalar()}"
        return f"PostgreSQL {connection.exec_driver_sql('show server_version').scalar()}"


def machine() -> dict[str, Any]:
    """CPUs, CPU model, Python, SQLite library and the load average before the run."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "sqlite_library": sqlite3.sqlite_version,
        "load_average_before": load_average(),
    }


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def say(message: str) -> None:
    """A progress line on standard error, with the time."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def publish(results: dict[str, Any], out: Path, report: str) -> None:
    """Write ``results`` to ``out`` as JSON and print ``report`` (its table) and where."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    print(report)
    print(f"\nwritten to {out}")
