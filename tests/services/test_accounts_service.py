"""Logging in, sessions, users, teams and assignment through the services, on SQLite and
PostgreSQL: lockout and its window on an injected clock, forged and expired tokens, a
disabled user's session, refusals that write nothing, passwords never kept in clear."""

from __future__ import annotations

import contextlib
import logging
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from orgmap.domain.access import AccessDeniedError, Actor, Role, cli_actor
from orgmap.domain.validation import ValidationError
from orgmap.services.accounts import (
    add_team,
    assign_debtor,
    create_user,
    debtor_history,
    disable_user,
    reset_password,
    teams,
    users,
)
from orgmap.services.login import (
    LOCK_DURATION,
    SESSION_IDLE,
    SESSION_LIFETIME,
    LoginRefusedError,
    log_in,
    resolve_session,
    start_session,
    verify_login,
)
from orgmap.store import NotFoundError, save_maps, snapshot, transaction
from orgmap.store.accounts import debtor_owner
from orgmap.store.history import record
from orgmap.store.sessions import login_attempts
from orgmap.store.tables import metadata
from tests.factories import make_map

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ADMIN = cli_actor("tester")
PASSWORD = "glass tiger river 7"
#: Cheap parameters: argon2's defaults cost ~50 ms a hash, too slow for dozens of tests.
FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _user(engine, name="wang", *, role=Role.COLLECTOR, team=None, password=PASSWORD):
    return create_user(
        engine,
        actor=ADMIN,
        name=name,
        password=password,
        role=role,
        team=team,
        hasher=FAST,
        now=NOW,
    )


def _login(engine, name="wang", password=PASSWORD, *, at=NOW):
    return verify_login(engine, name=name, password=password, hasher=FAST, now=at)


def _history_count(engine) -> int:
    with snapshot(engine) as connection:
        return connection.execute(sa.text("SELECT count(*) FROM history")).scalar_one()


# --- logging in ----------------------------------------------------------------------


def test_unknown_user_and_wrong_password_get_the_same_answer(engine):
    _user(engine)
    with pytest.raises(LoginRefusedError) as unknown:
        _login(engine, name="nobody")
    with pytest.raises(LoginRefusedError) as wrong:
        _login(engine, password="not the password")
    assert str(unknown.value) == str(wrong.value)
    assert (
        unknown.value.text("zh-CN")
        == wrong.value.text("zh-CN")
        == ("用户名或密码错误（连续失败 5 次后账户将锁定 15 分钟）")
    )
    assert (unknown.value.reason, wrong.value.reason) == ("unknown_user", "wrong_password")
    assert _login(engine, name="WANG").name == "wang"
    with snapshot(engine) as connection:
        attempts = login_attempts(connection)
    assert [(a.name, a.user_id is None, a.succeeded) for a in attempts] == [
        ("nobody", True, False),
        ("wang", False, False),
        ("WANG", False, True),
    ]


def test_five_failures_lock_the_account_until_the_window_ends(engine):
    _user(engine)
    reasons = []
    for minute in range(5):
        with pytest.raises(LoginRefusedError) as refused:
            _login(engine, password="wrong password!", at=NOW + timedelta(minutes=minute))
        reasons.append(refused.value.reason)
    assert reasons == ["wrong_password"] * 4 + ["lockout"]
    locked_at = NOW + timedelta(minutes=4)
    # Locked: even the right password is refused, with the same message.
    with pytest.raises(LoginRefusedError, match="wrong user name or password") as refused:
        _login(engine, at=locked_at + LOCK_DURATION - timedelta(seconds=1))
    assert refused.value.reason == "locked"
    assert _login(engine, at=locked_at + LOCK_DURATION).name == "wang"
    with snapshot(engine) as connection:
        recorded = [(a.succeeded, a.reason) for a in login_attempts(connection)]
    assert recorded[-3:] == [(False, "lockout"), (False, "locked"), (True, "ok")]
    # The count started again: four more failures do not lock.
    for _ in range(4):
        with pytest.raises(LoginRefusedError):
            _login(engine, password="wrong password!", at=locked_at + LOCK_DURATION)
    assert _login(engine, at=locked_at + LOCK_DURATION).name == "wang"


def test_a_login_rehashes_when_the_parameters_changed(engine):
    _user(engine)
    stronger = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1)
    verify_login(engine, name="wang", password=PASSWORD, hasher=stronger, now=NOW)
    with snapshot(engine) as connection:
        stored = connection.execute(sa.text("SELECT password_hash FROM user_account")).scalar()
    assert "m=2048,t=2" in stored and not stronger.check_needs_rehash(stored)
    assert verify_login(engine, name="wang", password=PASSWORD, hasher=stronger).name == "wang"


def test_a_disabled_user_cannot_log_in_and_loses_open_sessions(engine):
    account = _user(engine)
    token = start_session(engine, account=account, now=NOW)
    assert resolve_session(engine, token, now=NOW).name == "wang"
    assert disable_user(engine, actor=ADMIN, name="wang", now=NOW) == 1
    assert resolve_session(engine, token, now=NOW) is None
    with pytest.raises(LoginRefusedError) as refused:
        _login(engine)
    assert refused.value.reason == "disabled"


# --- sessions ------------------------------------------------------------------------


def test_a_session_token_is_returned_once_and_stored_hashed(engine):
    _user(engine)
    account, token = log_in(engine, name="wang", password=PASSWORD, hasher=FAST, now=NOW)
    assert account.name == "wang" and len(token) >= 40
    with snapshot(engine) as connection:
        stored = connection.execute(sa.text("SELECT token_hash FROM user_session")).scalar()
    assert token not in stored and len(stored) == 64


@pytest.mark.parametrize(
    "forged",
    [None, "", "x", secrets.token_urlsafe(32), "a" * 10_000, "令牌", "' OR '1'='1", "0" * 64],
)
def test_forged_tokens_resolve_to_nobody(engine, forged):
    start_session(engine, account=_user(engine), now=NOW)
    assert resolve_session(engine, forged, now=NOW) is None


def test_sessions_end_when_idle_or_too_old(engine):
    account = _user(engine)
    idle = start_session(engine, account=account, now=NOW)
    assert resolve_session(engine, idle, now=NOW + SESSION_IDLE - timedelta(seconds=1))
    # That use pushed the idle expiry on.
    assert resolve_session(engine, idle, now=NOW + SESSION_IDLE + timedelta(minutes=30))
    assert resolve_session(engine, idle, now=NOW + 3 * SESSION_IDLE) is None

    busy = start_session(engine, account=account, now=NOW)
    moment = NOW
    while moment + SESSION_IDLE / 2 < NOW + SESSION_LIFETIME:
        moment += SESSION_IDLE / 2
        assert resolve_session(engine, busy, now=moment) is not None
    assert resolve_session(engine, busy, now=NOW + SESSION_LIFETIME) is None


def test_changing_a_password_ends_the_users_other_sessions(engine):
    account = _user(engine)
    here, elsewhere = (start_session(engine, account=account, now=NOW) for _ in range(2))
    new = "another long phrase 42"
    ended = reset_password(
        engine,
        actor=Actor("wang", Role.COLLECTOR),
        name="wang",
        password=new,
        keep_session=here,
        hasher=FAST,
        now=NOW,
    )
    assert ended == 1
    assert resolve_session(engine, here, now=NOW).name == "wang"
    assert resolve_session(engine, elsewhere, now=NOW) is None
    with pytest.raises(LoginRefusedError):
        _login(engine)
    assert _login(engine, password=new).name == "wang"
    with pytest.raises(AccessDeniedError):
        reset_password(engine, actor=Actor("li", Role.LEAD), name="wang", password=new)


# --- users and teams -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"password": "short"}, "password.too_short"),
        ({"password": "qwertyuiop"}, "password.common"),
        ({"password": "wang wang wang wang"}, "password.has_user_name"),
        ({"name": "cli:root"}, "account.name_reserved"),
        ({"name": "two\nlines"}, "name.multiline"),
        ({"name": "  "}, "name.required"),
        ({"role": "superuser"}, "enum.unknown"),
        ({"team": "no such team"}, "team.no_such_team"),
    ],
)
def test_bad_users_are_refused_and_nothing_is_written(engine, changes, code):
    values = {"name": "wang", "password": PASSWORD, "role": "collector", "team": None} | changes
    with pytest.raises(ValidationError) as refused:
        create_user(engine, actor=ADMIN, hasher=FAST, now=NOW, **values)
    (problem,) = refused.value.problems
    assert problem.code == code and problem.text("zh-CN") != problem.text("en")
    assert users(engine, actor=ADMIN) == [] and _history_count(engine) == 0


def test_only_admins_manage_users_and_teams(engine):
    lead = Actor("wang", Role.LEAD, team_id=1)
    for call in (
        lambda: create_user(engine, actor=lead, name="x", password=PASSWORD, role="viewer"),
        lambda: add_team(engine, actor=lead, name="North"),
        lambda: disable_user(engine, actor=lead, name="x"),
        lambda: users(engine, actor=lead),
        lambda: teams(engine, actor=lead),
    ):
        with pytest.raises(AccessDeniedError):
            call()
    assert _history_count(engine) == 0


def test_names_taken_in_another_case_are_refused(engine):
    add_team(engine, actor=ADMIN, name="North", now=NOW)
    _user(engine, "Wang", team="NORTH")
    with pytest.raises(ValidationError, match="already exists"):
        add_team(engine, actor=ADMIN, name="north")
    with pytest.raises(ValidationError, match="already exists"):
        _user(engine, "wANG")
    assert [(t.name, t.members) for t in teams(engine, actor=ADMIN)] == [("North", 1)]


def test_passwords_are_never_stored_or_logged_in_clear(engine, caplog):
    caplog.set_level(logging.DEBUG)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO)  # statements and parameters
    try:
        account = _user(engine)
        reset_password(engine, actor=ADMIN, name="wang", password="second phrase 2026", hasher=FAST)
        with pytest.raises(LoginRefusedError):
            _login(engine, password=PASSWORD)
        _login(engine, password="second phrase 2026")
        start_session(engine, account=account)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    dump = []
    with snapshot(engine) as connection:
        for table in metadata.sorted_tables:
            dump += [str(row) for row in connection.execute(sa.select(table))]
    text = "\n".join(dump) + caplog.text
    assert "INSERT INTO user_account" in caplog.text  # the log really was captured
    assert PASSWORD not in text and "second phrase 2026" not in text


# --- assignment and history ----------------------------------------------------------


@pytest.fixture
def teams_and_debtor(engine):
    """Team North (lead wang, collector li, viewer zhao), team South (lead chen), debtor acme."""
    with transaction(engine) as connection:
        save_maps(connection, [make_map()], by="seed")
    for team in ("North", "South"):
        add_team(engine, actor=ADMIN, name=team, now=NOW)
    people = {
        "wang": _user(engine, "wang", role=Role.LEAD, team="North"),
        "li": _user(engine, "li", role=Role.COLLECTOR, team="North"),
        "zhao": _user(engine, "zhao", role=Role.VIEWER, team="North"),
        "chen": _user(engine, "chen", role=Role.LEAD, team="South"),
    }
    assign_debtor(engine, actor=ADMIN, debtor_key="acme", to_user="wang", now=NOW)
    return {name: Actor(a.name, a.role, a.team_id) for name, a in people.items()}


def _owner(engine):
    with snapshot(engine) as connection:
        return debtor_owner(connection, "acme")


def test_an_admin_assigns_and_the_debtor_joins_the_users_team(engine, teams_and_debtor):
    owner = _owner(engine)
    assert (owner.team, owner.assigned_to) == ("North", "wang")
    # The seeding import wrote its own entries; the hand-over is one more.
    (entry,) = [
        e for e in debtor_history(engine, actor=ADMIN, debtor_key="acme") if e.action == "assign"
    ]
    assert (entry.by, entry.action, entry.entity, entry.key) == (
        "cli:tester",
        "assign",
        "debtor",
        "acme",
    )
    assert entry.before == {"assigned_to": "li", "team": None}  # the name the map came with
    assert entry.after == {"assigned_to": "wang", "team": "North"}
    again = assign_debtor(engine, actor=ADMIN, debtor_key="acme", to_user="WANG")
    assigned = [
        e for e in debtor_history(engine, actor=ADMIN, debtor_key="acme") if e.action == "assign"
    ]
    assert not again.changed and len(assigned) == 1


def test_the_history_comes_a_page_at_a_time_newest_first(engine, teams_and_debtor):
    everything = debtor_history(engine, actor=ADMIN, debtor_key="acme")
    assert len(everything) >= 4
    page = debtor_history(engine, actor=ADMIN, debtor_key="acme", limit=2, offset=1)
    assert [e.id for e in page] == [e.id for e in everything[1:3]]
    assert [e.id for e in everything] == sorted((e.id for e in everything), reverse=True)
    beyond = debtor_history(engine, actor=ADMIN, debtor_key="acme", limit=2, offset=len(everything))
    assert beyond == []


def test_a_lead_reassigns_within_the_team(engine, teams_and_debtor):
    lead = teams_and_debtor["wang"]
    done = assign_debtor(engine, actor=lead, debtor_key="acme", to_user="li", now=NOW)
    assert done.changed and (done.user, done.team) == ("li", "North")
    assert debtor_history(engine, actor=lead, debtor_key="acme")[0].by == "wang"


@pytest.mark.parametrize(
    ("actor", "to_user", "error"),
    [
        ("wang", "chen", ValidationError),  # a lead hands over within the team only
        ("wang", "zhao", ValidationError),  # a viewer works no cases
        ("wang", "nobody", ValidationError),
        ("li", "li", AccessDeniedError),  # a collector does not assign
        ("zhao", "li", AccessDeniedError),
        ("chen", "chen", NotFoundError),  # another team's debtor does not exist for chen
    ],
)
def test_refused_assignments_write_nothing(engine, teams_and_debtor, actor, to_user, error):
    before, count = _owner(engine), _history_count(engine)
    with pytest.raises(error):
        assign_debtor(engine, actor=teams_and_debtor[actor], debtor_key="acme", to_user=to_user)
    assert _owner(engine) == before and _history_count(engine) == count


def test_another_teams_debtor_reads_exactly_like_a_missing_one(engine, teams_and_debtor):
    chen = teams_and_debtor["chen"]
    with pytest.raises(NotFoundError) as hidden:
        debtor_history(engine, actor=chen, debtor_key="acme")
    with pytest.raises(NotFoundError) as missing:
        debtor_history(engine, actor=chen, debtor_key="acme-missing")
    assert str(hidden.value) == str(missing.value).replace("acme-missing", "acme")
    with pytest.raises(NotFoundError):
        assign_debtor(engine, actor=chen, debtor_key="acme-missing", to_user="chen")


def test_a_viewer_reads_history_with_numbers_and_emails_masked(engine, teams_and_debtor):
    with transaction(engine) as connection:
        record(
            connection,
            by="li",
            action="edit",
            entity="contact",
            key="boss",
            debtor_id=_owner(engine).id,
            before={"phones": ["+8613812345678"], "email": None},
            after={"phones": ["+8613912345678"], "email": "wang@acme.cn"},
        )
    viewer = debtor_history(engine, actor=teams_and_debtor["zhao"], debtor_key="acme")[0]
    collector = debtor_history(engine, actor=teams_and_debtor["li"], debtor_key="acme")[0]
    assert viewer.after == {"phones": ["139****5678"], "email": "w***@acme.cn"}
    assert collector.after == {"phones": ["+8613912345678"], "email": "wang@acme.cn"}


class CountingHasher(PasswordHasher):
    """The fast hasher, counting password checks."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.checks = 0

    def verify(self, hash, password) -> bool:
        self.checks += 1
        return super().verify(hash, password)


def test_every_refusal_costs_one_password_check(engine):
    """An unknown user costs what a known one does: timing tells no names apart."""
    _user(engine)
    hasher = CountingHasher()
    cases = [("nobody", PASSWORD), ("wang", "wrong password!"), ("", PASSWORD), ("wang", PASSWORD)]
    for name, password in cases:
        before = hasher.checks
        with contextlib.suppress(LoginRefusedError):
            verify_login(engine, name=name, password=password, hasher=hasher, now=NOW)
        assert hasher.checks == before + 1, name


def test_two_first_run_forms_at_once_make_one_admin(engine):
    """Whoever reaches a fresh install first is its admin; the other form is refused."""
    from concurrent.futures import ThreadPoolExecutor

    from orgmap.services.accounts import FirstRunOverError, create_first_admin

    def first_run(name: str) -> str:
        try:
            create_first_admin(engine, name=name, password=PASSWORD, hasher=FAST, now=NOW)
        except FirstRunOverError:
            return "refused"
        return "created"

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = sorted(pool.map(first_run, ["wang", "zhao"]))
    assert answers == ["created", "refused"]
    assert len(users(engine, actor=ADMIN)) == 1
