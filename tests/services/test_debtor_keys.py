"""Creating a debtor without inventing a key (issue 11), on real SQLite and PostgreSQL.

A blank key is made from the name and is free when written, even when several
collectors create the same company at the same moment; a typed key is used as
typed, and a taken one is a problem named ``key``.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from orgmap import store
from orgmap.domain.access import Actor, Role
from orgmap.domain.debtor_draft import DebtorDraft
from orgmap.domain.validation import ValidationError
from orgmap.services import debtors
from orgmap.services.transfer import export_json
from tests.ui.apptest_helpers import SeededDb

#: Who the tests act as where who acts does not matter: an administrator.
ADMIN = Actor("t", Role.ADMIN)

HENGDA = "上海恒达机电设备有限公司"


def create(db: SeededDb, name: str, key: str = "", amount: str = "1") -> debtors.Saved:
    draft = DebtorDraft(key=key, name=name, amount_owed=amount)
    return debtors.create_debtor(db.engine, draft=draft, actor=ADMIN)


def test_a_blank_key_is_made_from_a_chinese_name(db: SeededDb):
    saved = create(db, HENGDA, amount="12.8万")
    assert (saved.key, saved.version) == ("shanghai-hengda-jidian-shebei", 1)
    debtor = db.map(saved.key).debtor
    assert (debtor.name, debtor.amount_owed) == (HENGDA, Decimal("128000.00"))


def test_a_blank_key_is_made_from_an_ascii_name(db: SeededDb):
    assert create(db, "Initech Ltd.", amount="¥128,000.50").key == "initech-ltd"
    assert db.map("initech-ltd").debtor.amount_owed == Decimal("128000.50")


def test_the_same_name_again_gets_the_next_number(db: SeededDb):
    keys = [create(db, "恒达机电").key for _ in range(3)]
    assert keys == ["hengda-jidian", "hengda-jidian-2", "hengda-jidian-3"]
    # "Acme" reads as the seeded debtor's key, so it is numbered too.
    assert create(db, "ACME").key == "acme-2"


def test_a_name_without_words_is_numbered(db: SeededDb):
    assert [create(db, "★").key, create(db, "★").key] == ["debtor-1", "debtor-2"]


def test_a_typed_key_is_kept_and_a_generated_one_steps_around_it(db: SeededDb):
    assert create(db, "Globex", key=" globex ").key == "globex"
    assert create(db, "Globex").key == "globex-2"
    with pytest.raises(ValidationError) as caught:
        create(db, "Someone Else", key="globex-2")
    assert [p.path for p in caught.value.problems] == ["key"]
    assert caught.value.problems[0].code == "debtor.key_taken"


def test_bad_input_with_a_blank_key_names_the_fields_and_writes_nothing(db: SeededDb):
    before = export_json(db.engine, actor=ADMIN)
    with pytest.raises(ValidationError) as caught:
        create(db, "", amount="12.8.1万")
    assert [p.path for p in caught.value.problems] == ["name", "amount_owed"]
    assert export_json(db.engine, actor=ADMIN) == before


def test_a_key_taken_where_the_read_could_not_see_it_is_skipped(
    db: SeededDb, monkeypatch: pytest.MonkeyPatch
):
    """A racer's key that this transaction cannot see yet (its insert waits, then finds the
    key taken): the next number is tried, and there is no IntegrityError."""
    create(db, "Blind Spot")
    monkeypatch.setattr(store, "debtor_keys_starting", lambda connection, *, prefix: set())
    assert create(db, "Blind Spot").key == "blind-spot-2"


def test_collectors_creating_the_same_company_at_once_all_succeed(db: SeededDb):
    workers = 6
    start = threading.Barrier(workers)
    keys: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait(timeout=30)
            keys.append(create(db, HENGDA, amount="12.8万").key)
        except BaseException as exc:  # any failure, reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    base = "shanghai-hengda-jidian-shebei"
    assert sorted(keys) == sorted([base, *(f"{base}-{n}" for n in range(2, workers + 1))])
    names = {db.map(key).debtor.name for key in keys}
    assert names == {HENGDA}
