"""The layers point one way: the pure core loads no database or UI code, the store no UI
or graph code, the services no Streamlit, the UI no database code (it goes through
``orgmap.services``), and the CLI's route command starts without Streamlit or pyvis."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "orgmap"
PURE = [
    "orgmap.domain.model",
    "orgmap.domain.validation",
    "orgmap.domain.contact_draft",
    "orgmap.domain.debtor_draft",
    "orgmap.file_input",
    "orgmap.routing",
    "orgmap.interchange",
    "orgmap.render",
    "orgmap.i18n",
]


def imported_by(source: str, *, module: str = "") -> set[str]:
    """Every module an ``import`` statement in ``source`` names, anywhere in it (inside
    functions and ``if TYPE_CHECKING:`` blocks too), as full dotted names.

    ``from a.b import c`` yields ``a.b`` and ``a.b.c`` (``c`` may be a module); relative
    imports are resolved against ``module``, the dotted name of the file holding ``source``.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            names.add(base)
            names |= {f"{base}.{a.name}" for a in node.names if a.name != "*"}
    return names


def imports_of(path: Path) -> set[str]:
    dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return imported_by(path.read_text(encoding="utf-8"), module=dotted)


def within(name: str, packages: set[str]) -> bool:
    """Whether module ``name`` is one of ``packages`` or inside one of them."""
    return any(name == p or name.startswith(p + ".") for p in packages)


def offending_imports(paths: list[Path], forbidden: set[str]) -> dict[str, list[str]]:
    """For each file that imports something inside ``forbidden``, what it imports there."""
    assert paths, "no files to check: the layer moved?"
    found = {}
    for path in paths:
        bad = sorted(name for name in imports_of(path) if within(name, forbidden))
        if bad:
            found[str(path.relative_to(ROOT))] = bad
    return found


def loaded_after(code: str) -> set[str]:
    """Top-level packages a fresh interpreter holds after running ``code``."""
    names = "{m.split('.')[0] for m in sys.modules}"
    probe = code + f"\nimport sys, json; print(json.dumps(sorted({names})))"
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
    # Issue 3: `orgmap route` answers from a cold start; every package costs time.  The
    # tables are SQLModel classes, so sqlmodel, pydantic and the ORM's declarative layer
    # load with the store, and so does phonenumbers (~17 ms): the tables' column lengths
    # come from the limits in orgmap.domain.fields.  The UI, the map and the migrations
    # still must not load.
    db = f"sqlite:///{tmp_path / 'r.db'}"
    cli = f"from orgmap.cli import main\nmain(['--db', {db!r}, "
    loaded_after(cli + "'demo'])")
    tops = loaded_after(cli + "'route', '--debtor', 'hengda-jidian'])")
    assert "networkx" in tops  # the probe really routed
    assert not tops & {"streamlit", "pyvis", "jinja2", "alembic"}


def test_storage_imports_no_ui_or_graph_library():
    paths = sorted((PACKAGE / "store").rglob("*.py"))
    assert offending_imports(paths, {"streamlit", "networkx", "pyvis", "orgmap.ui"}) == {}


def test_services_import_no_streamlit():
    paths = sorted((PACKAGE / "services").rglob("*.py"))
    assert offending_imports(paths, {"streamlit", "orgmap.ui"}) == {}


def test_ui_reaches_the_database_only_through_services():
    # Pages and components call orgmap.services.*; even a type-only import of the
    # store or of SQLAlchemy would let its names (and habits) into the UI.
    paths = [ROOT / "app.py", *sorted((PACKAGE / "ui").rglob("*.py"))]
    forbidden = {"orgmap.store", "sqlalchemy", "sqlmodel", "alembic", "psycopg"}
    assert offending_imports(paths, forbidden) == {}


def test_the_import_scan_sees_every_form_of_import():
    source = """
import sqlalchemy.engine
from orgmap import store
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from orgmap.store.debtors import DebtorSummary
def later():
    from ..store import errors
"""
    names = imported_by(source, module="orgmap.ui.page")
    assert {"sqlalchemy.engine", "orgmap.store", "orgmap.store.debtors", "orgmap.store.errors"} <= (
        names
    )
    assert within("sqlalchemy.engine", {"sqlalchemy"})
    assert not within("orgmap.storefront", {"orgmap.store"})


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
