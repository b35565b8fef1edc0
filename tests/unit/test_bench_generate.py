"""The benchmark's generator makes valid, realistic, repeatable maps; the bench still runs.

No timing is asserted anywhere: the figures are for the README, not for CI.
"""

from __future__ import annotations

import json
import sys
import types
from collections import Counter
from datetime import UTC, datetime

import pytest

from bench.__main__ import main as bench_main
from bench.generate import (
    MAX_CONTACTS,
    MAX_INTERACTIONS,
    MIN_CONTACTS,
    generate_debtor,
    generate_team,
)
from bench.load import fresh_sqlite_database, load_team
from orgmap.domain.model import Department, PhoneKind, RelationType
from orgmap.domain.validation import validate_map
from orgmap.routing import find_buck_loops
from orgmap.store import load_map, transaction

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def team():
    return list(generate_team(debtors=120, seed=7, now=NOW))


def test_every_generated_map_is_valid(team):
    problems = {m.debtor.key: validate_map(m, region="CN") for m in team}
    assert {key: p for key, p in problems.items() if p} == {}


@pytest.mark.parametrize("contacts", [MIN_CONTACTS, 60, 500, 2000])
def test_forced_sizes_are_valid_and_exact(contacts):
    m = generate_debtor(index=3, seed=7, now=NOW, contacts=contacts)
    assert len(m.contacts) == contacts
    assert validate_map(m, region="CN") == []


def test_sizes_and_history_stay_in_range(team):
    sizes = [len(m.contacts) for m in team]
    assert min(sizes) >= MIN_CONTACTS
    assert max(sizes) <= MAX_CONTACTS
    assert 20 <= sum(sizes) / len(sizes) <= 40  # a 10,000-debtor team has ~300,000 contacts
    for m in team:
        assert len(m.interactions) <= MAX_INTERACTIONS
        assert all(i.at < NOW for i in m.interactions)


def test_each_company_has_the_seeds_cast(team):
    for m in team:
        departments = Counter(c.department for c in m.contacts)
        assert 1 <= departments[Department.RECEPTION] <= 2, m.debtor.key
        assert departments[Department.OWNER] == 1, m.debtor.key
        assert departments[Department.FINANCE] >= 1, m.debtor.key
        assert all(len(c.phones) <= 2 for c in m.contacts)
    # Across the team: customers appear, some bosses are unknown payers (discovery),
    # some companies pass the buck in a loop, every relation type is used.
    assert any(Department.EXTERNAL in {c.department for c in m.contacts} for m in team)
    assert any(not any(c.authorizes_payment for c in m.contacts) for m in team)
    assert sum(bool(find_buck_loops(m)) for m in team) >= len(team) // 4
    used = {r.type for m in team for r in m.relations}
    assert used == set(RelationType)


def test_phone_numbers_are_shared_only_across_debtors_on_purpose(team):
    debtors_of: dict[str, set[str]] = {}
    for m in team:
        for c in m.contacts:
            for p in c.phones:
                if p.kind is PhoneKind.MOBILE:
                    debtors_of.setdefault(p.e164, set()).add(m.debtor.key)
    shared = {number for number, keys in debtors_of.items() if len(keys) > 1}
    assert shared, "group bosses and customers should be known at several debtors"
    # Only the shared series (group bosses, customers) repeats across debtors.
    assert all(number[3:6] in {"134", "178", "191", "198"} for number in shared)


def test_the_same_seed_gives_the_same_team_and_another_seed_does_not(team):
    assert list(generate_team(debtors=120, seed=7, now=NOW)) == team
    assert list(generate_team(debtors=120, seed=8, now=NOW)) != team


def test_a_debtor_does_not_depend_on_the_team_around_it(team):
    assert generate_debtor(index=42, seed=7, now=NOW) == team[42]
    forced = list(generate_team(debtors=3, seed=7, now=NOW, sizes={1: 60}, group_members={1}))
    assert forced[0] == team[0] and forced[2] == team[2]
    assert len(forced[1].contacts) == 60


def test_a_forced_group_member_is_owned_by_the_group_boss():
    members = [generate_debtor(index=i, seed=7, now=NOW, group_member=True) for i in (0, 1)]
    owners = [next(c for c in m.contacts if c.department is Department.OWNER) for m in members]
    assert owners[0].phones == owners[1].phones
    assert owners[0].name == owners[1].name


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="timezone"):
        generate_debtor(index=0, seed=1, now=datetime(2026, 11, 20))
    with pytest.raises(ValueError, match="contacts"):
        generate_debtor(index=0, seed=1, now=NOW, contacts=4)


def test_bulk_load_stores_exactly_the_generated_maps(tmp_path, team):
    engine = fresh_sqlite_database(tmp_path, name="team")
    report = load_team(engine, team[:30], batch=7)
    assert report.debtors == 30
    assert report.contacts == sum(len(m.contacts) for m in team[:30])
    with transaction(engine) as session:
        for m in team[:30]:
            assert load_map(session, m.debtor.key) == m
    # The app can insert after a bulk load (ids are not reused).
    more = load_team(engine, list(generate_team(debtors=32, seed=7, now=NOW))[30:])
    assert more.debtors == 2
    engine.dispose()


def test_the_benchmark_runs_end_to_end_at_a_tiny_size(tmp_path, capsys, monkeypatch):
    # The benchmark loads its data in a spawned child, which re-runs the parent's
    # ``__main__`` file; after an AppTest in this process that can be app.py.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    out = tmp_path / "results.json"
    argv = ["--db", "sqlite", "--team", "4", "--small", "2", "--runs", "2", "--cold-runs", "1"]
    argv += ["--map-sizes", "5", "--map-repeats", "1", "--no-browser", "--out", str(out)]
    assert bench_main(argv) == 0

    results = json.loads(out.read_text("utf-8"))
    sqlite = results["routing"]["sqlite"]
    assert sqlite["loads"]["team"]["debtors"] == 4
    for size in ("60", "500"):
        figures = sqlite["debtors"][size]
        assert figures["team"]["contacts"] <= int(size)  # archived contacts are not loaded
        assert figures["team"]["runs"] == 2
        assert figures["team"]["routes"] >= 1
        assert figures["team"]["known_elsewhere"] >= 1  # the group boss, at the other debtors
        assert figures["ratio"] > 0
    assert sqlite["cold_start"]["forbidden_imported"] == []
    assert sqlite["cold_start"]["modules_imported"] > 0
    [map_figures] = results["maps"]
    assert map_figures["contacts"] == 5 and map_figures["html_kb"] > 0
    assert {g["what"] for g in results["goals"]} >= {"SQLite: 60-contact answer, median"}
    assert "Routing" in capsys.readouterr().out
