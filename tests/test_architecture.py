"""The layers point one way: the pure core loads no database or UI code, and the CLI's
route command starts without Streamlit or pyvis."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PURE = [
    "orgmap.domain.model",
    "orgmap.domain.validation",
    "orgmap.routing",
    "orgmap.interchange",
    "orgmap.render",
    "orgmap.i18n",
]


def loaded_after(code: str, *, whole_names: bool = False) -> set[str]:
    """Modules (top-level packages, or every module) a fresh interpreter holds after ``code``."""
    name = "m" if whole_names else "m.split('.')[0]"
    probe = code + f"\nimport sys, json; print(json.dumps(sorted({{{name} for m in sys.modules}})))"
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_pure_core_imports_no_database_or_ui():
    for module in PURE:
        top = loaded_after(f"import {module}")
        assert not top & {"sqlmodel", "sqlalchemy", "streamlit", "alembic", "psycopg"}, module


def test_route_command_loads_no_ui(tmp_path):
    db = f"sqlite:///{tmp_path / 'r.db'}"
    top = loaded_after(
        "from orgmap.cli import main\n"
        f"main(['--db', {db!r}, 'demo'])\n"
        f"main(['--db', {db!r}, 'route', '--debtor', 'nobody-here'])"
    )
    assert not top & {"streamlit", "pyvis", "jinja2"}


def test_route_command_loads_only_what_it_needs(tmp_path):
    # Issue 3: `orgmap route` answers from a cold start; every package costs time.
    db = f"sqlite:///{tmp_path / 'r.db'}"
    cli = f"from orgmap.cli import main\nmain(['--db', {db!r}, "
    loaded_after(cli + "'demo'])")
    modules = loaded_after(cli + "'route', '--debtor', 'hengda-jidian'])", whole_names=True)
    tops = {m.split(".")[0] for m in modules}
    assert not tops & {"streamlit", "pyvis", "jinja2", "alembic", "pydantic", "phonenumbers"}
    assert "sqlalchemy.orm" not in modules


def test_storage_imports_no_ui_or_graph_library():
    for path in (ROOT / "orgmap" / "store").rglob("*.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module.split(".")[0])
        assert not imported & {"streamlit", "networkx", "pyvis"}, path


def test_every_cli_command_is_documented():
    from orgmap.cli import _parser
    from orgmap.settings import load_settings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    parser = _parser(load_settings())
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name, sub in commands.items():
        assert f"`{name}" in readme, name
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in readme, f"{name} {flag}"
