"""``python -m bench.pages`` still runs: its smallest configuration, on SQLite (a few seconds).

No timing is asserted: the figures are for the README, not for CI.  What is checked is
that each variant is what it claims to be: *authz* resolves the session and asks the
policy, *no-authz* does neither, and every page shows its debtor in each.
"""

from __future__ import annotations

import json
from pathlib import Path

from bench.pages import BASELINE, DEBTOR, VARIANTS, main

PAGES = ("debtors", "map", "activity")


def test_the_smallest_run_times_every_page_in_every_variant(tmp_path: Path):
    out = tmp_path / "pages.json"
    argv = ["--db", "sqlite", "--debtors", "4", "--contacts", "8", "--calls", "1"]
    argv += ["--rounds", "1", "--warmup", "0", "--dir", str(tmp_path), "--out", str(out)]
    assert main([*argv, "--pages", *PAGES]) == 0

    figures = json.loads(out.read_text("utf-8"))["databases"]["sqlite"]
    assert figures["team"]["debtor"] == DEBTOR
    assert figures["team"]["debtor_contacts"] == 8
    assert set(figures["pages"]) == set(PAGES)
    for page, measured in figures["pages"].items():
        assert set(measured["timings"]) == set(VARIANTS), page
        assert all(t["runs"] == 1 for t in measured["timings"].values()), page
        calls = {variant: check["calls"] for variant, check in measured["checks"].items()}
        assert calls["authz"]["resolve_session"] == 1, page
        assert calls["authz-collector"]["resolve_session"] == 1, page
        assert calls[BASELINE] == {}, page  # no session read, no policy asked
        assert set(measured["versus_baseline"]) == set(VARIANTS) - {BASELINE}, page
    # The map page authorizes its one read; the collector's list shows their team's half.
    assert figures["pages"]["map"]["checks"]["authz"]["calls"]["authorize_decide"] == 1
    rows = {v: c["rows"] for v, c in figures["pages"]["debtors"]["checks"].items()}
    assert rows == {"authz": 4, "authz-collector": 2, BASELINE: 4}
    assert not list(tmp_path.glob("pages.db*"))  # the database is removed afterwards
