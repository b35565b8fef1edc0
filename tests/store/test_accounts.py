"""Accounts, teams, sessions and the history in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from orgmap.domain.access import Role
from orgmap.store import save_maps, snapshot, transaction
from orgmap.store.accounts import (
    debtor_owner,
    find_account,
    find_credentials,
    find_team,
    insert_team,
    insert_user,
    list_accounts,
    list_teams,
    record_failed_login,
    record_successful_login,
    set_debtor_owner,
)
from orgmap.store.history import history_for_debtor, record
from orgmap.store.sessions import (
    find_session,
    insert_session,
    login_attempts,
    record_login_attempt,
    revoke_user_sessions,
)
from orgmap.store.tables import history_table
from tests.factories import make_map

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
HOSTILE = [
    "Robert'); DROP TABLE user_account;--",
    '<script>alert("x")</script>',
    "100% _wild_ \\ card",
    "王伟 <b>bold</b> & co",
]


def _user(connection, name: str = "wang", *, role: Role = Role.COLLECTOR, team_id=None) -> int:
    user_id = insert_user(
        connection,
        name=name,
        password_hash="$argon2id$not-a-real-hash",
        role=role,
        team_id=team_id,
        by="test",
        now=NOW,
    )
    assert user_id is not None
    return user_id


def test_the_account_tables_exist_with_their_indexes(engine):
    tables = set(sa.inspect(engine).get_table_names())
    expected = {"team", "user_account", "login_attempt", "user_session", "history", "debtor_owner"}
    assert expected <= tables


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_stored_and_found_as_written(engine, name):
    with transaction(engine) as connection:
        team_id = insert_team(connection, name=name, by="test", now=NOW)
        _user(connection, name, team_id=team_id)
    with snapshot(engine) as connection:
        assert find_team(connection, name.upper()).name == name
        account = find_account(connection, name=name.swapcase())
        assert account.name == name and account.team == name
        assert [a.name for a in list_accounts(connection)] == [name]
        assert sa.inspect(connection).has_table("user_account")


def test_names_are_unique_in_any_case(engine):
    with transaction(engine) as connection:
        assert insert_team(connection, name="North", by="t", now=NOW) is not None
        assert insert_team(connection, name="NORTH", by="t", now=NOW) is None
        assert insert_team(connection, name="ｎｏｒｔｈ", by="t", now=NOW) is None
        _user(connection, "Wang")
        again = insert_user(
            connection,
            name="wANG",
            password_hash="h",
            role=Role.ADMIN,
            team_id=None,
            by="t",
            now=NOW,
        )
        assert again is None
    with snapshot(engine) as connection:
        assert [t.name for t in list_teams(connection)] == ["North"]


def test_an_unknown_role_is_refused_by_the_database(engine):
    with pytest.raises(sa.exc.IntegrityError), transaction(engine) as connection:
        connection.execute(
            sa.text(
                "INSERT INTO user_account (created_at, updated_at, created_by, updated_by, "
                "version, name, name_key, password_hash, role, disabled, failed_logins) "
                "VALUES (:t, :t, '', '', 1, 'x', 'x', 'h', 'superuser', false, 0)"
            ),
            {"t": NOW.replace(tzinfo=None) if engine.dialect.name == "sqlite" else NOW},
        )


def test_five_failures_lock_and_restart_the_count(engine):
    with transaction(engine) as connection:
        user_id = _user(connection)
    lock = {"max_failures": 5, "lock_for": timedelta(minutes=15)}
    with transaction(engine) as connection:
        locked = [
            record_failed_login(connection, user_id=user_id, now=NOW, **lock) for _ in range(5)
        ]
        assert locked == [False, False, False, False, True]
        # While locked, failures neither count nor extend the lock; success is refused.
        later = NOW + timedelta(minutes=14)
        assert record_failed_login(connection, user_id=user_id, now=later, **lock)
        assert not record_successful_login(connection, user_id=user_id, now=later, old_hash="h")
    with snapshot(engine) as connection:
        credentials = find_credentials(connection, user_id=user_id)
        assert credentials.account.locked_until == NOW + timedelta(minutes=15)
        assert credentials.failed_logins == 0
        assert "argon2" not in repr(credentials)  # the hash stays out of logs
    after = NOW + timedelta(minutes=15)
    with transaction(engine) as connection:
        assert record_successful_login(
            connection,
            user_id=user_id,
            now=after,
            old_hash="$argon2id$not-a-real-hash",
            new_hash="new",
        )
    with snapshot(engine) as connection:
        credentials = find_credentials(connection, name="WANG")
        assert credentials.password_hash == "new" and credentials.account.locked_until is None


def test_a_rehash_never_overwrites_a_password_changed_meanwhile(engine):
    with transaction(engine) as connection:
        user_id = _user(connection)
        assert record_successful_login(
            connection, user_id=user_id, now=NOW, old_hash="an older hash", new_hash="rehash"
        )
    with snapshot(engine) as connection:
        assert find_credentials(connection, user_id=user_id).password_hash.startswith("$argon2id")


def test_sessions_are_found_by_hash_and_revoked_per_user(engine):
    with transaction(engine) as connection:
        user_id = _user(connection)
        for token_hash in ("a" * 64, "b" * 64):
            insert_session(
                connection,
                user_id=user_id,
                token_hash=token_hash,
                now=NOW,
                idle_expires_at=NOW + timedelta(hours=2),
                expires_at=NOW + timedelta(hours=12),
            )
        assert revoke_user_sessions(connection, user_id=user_id, now=NOW, keep_hash="b" * 64) == 1
    with snapshot(engine) as connection:
        revoked, account = find_session(connection, "a" * 64)
        kept, _ = find_session(connection, "b" * 64)
        assert account.name == "wang"
        assert not revoked.valid_at(NOW) and kept.valid_at(NOW)
        assert not kept.valid_at(NOW + timedelta(hours=2))
        assert find_session(connection, "c" * 64) is None


def test_login_attempts_are_kept_with_the_name_as_typed(engine):
    with transaction(engine) as connection:
        record_login_attempt(
            connection, at=NOW, name="x" * 500, user_id=None, succeeded=False, reason="unknown_user"
        )
    with snapshot(engine) as connection:
        (attempt,) = login_attempts(connection)
        assert attempt.name == "x" * 200 and attempt.reason == "unknown_user"


def _debtor_with_history(engine) -> int:
    with transaction(engine) as connection:
        save_maps(connection, [make_map()], by="li")
        owner = debtor_owner(connection, "acme")
        record(
            connection,
            by="li",
            action="edit",
            entity="contact",
            key="desk",
            debtor_id=owner.id,
            before={"title": "前台"},
            after={"title": "行政"},
            at=NOW,
        )
    return owner.id


def test_history_reads_back_newest_first(engine):
    debtor_id = _debtor_with_history(engine)
    with transaction(engine) as connection:
        record(
            connection,
            by="wang",
            action="archive",
            entity="contact",
            key="desk",
            debtor_id=debtor_id,
            before={"archived": False},
            after={"archived": True},
        )
    with snapshot(engine) as connection:
        entries = history_for_debtor(connection, debtor_id)
    # Newest first, and the seeding import's own entries come before both.
    assert [(e.by, e.action) for e in entries[:2]] == [("wang", "archive"), ("li", "edit")]
    assert {e.action for e in entries[2:]} == {"import"}
    assert entries[1].before == {"title": "前台"} and entries[1].at == NOW


@pytest.mark.parametrize(
    "statement",
    [
        sa.update(history_table).values(by="someone else"),
        sa.update(history_table).values(after=None).where(history_table.c.key == "desk"),
        sa.delete(history_table),
        sa.delete(history_table).where(history_table.c.action == "edit"),
    ],
    ids=["update all", "update one", "delete all", "delete one"],
)
def test_the_database_refuses_to_change_or_delete_history(engine, statement):
    debtor_id = _debtor_with_history(engine)
    with snapshot(engine) as connection:
        written = history_for_debtor(connection, debtor_id)
    with (
        pytest.raises(sa.exc.DatabaseError, match="append-only"),
        transaction(engine) as connection,
    ):
        connection.execute(statement)
    with snapshot(engine) as connection:
        assert history_for_debtor(connection, debtor_id) == written
    assert written[0].by == "li" and written[0].after == {"title": "行政"}


def test_postgresql_refuses_to_truncate_history(pg_engine):
    _debtor_with_history(pg_engine)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), transaction(pg_engine) as c:
        c.exec_driver_sql("TRUNCATE history")


def test_a_debtor_changes_hands_with_its_version(engine):
    with transaction(engine) as connection:
        save_maps(connection, [make_map()], by="li")
        team_id = insert_team(connection, name="North", by="t", now=NOW)
        _user(connection, "wang", team_id=team_id)
        owner = debtor_owner(connection, "acme", lock=True)
        assert (owner.team_id, owner.assigned_user_id) == (None, None)
        user = find_account(connection, name="wang")
        version = set_debtor_owner(
            connection, owner=owner, user=user, team_id=team_id, by="t", now=NOW
        )
    with snapshot(engine) as connection:
        now_owner = debtor_owner(connection, "acme")
        assert debtor_owner(connection, "nobody") is None
    assert version == owner.version + 1 == now_owner.version
    assert (now_owner.team, now_owner.assigned_to) == ("North", "wang")
