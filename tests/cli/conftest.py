"""What the CLI tests share: ``run`` calls ``python -m orgmap`` in-process on the test database."""

from __future__ import annotations

import io

import pytest

from orgmap.cli import main


@pytest.fixture
def run(database_url, monkeypatch, capsys):
    """``run(*argv, stdin="")`` → (exit code, stdout, stderr) against the test's database."""

    def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["--db", database_url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call
