"""The database tables, declared as SQLModel classes, outside the pure domain.

Each ``*Record`` class here holds one kind of :mod:`orgmap.domain.model` value;
:mod:`orgmap.store.mapping` converts rows to and from those values, and nothing
outside the store sees these classes.  The store runs Core statements over
their ``__table__`` (``debtor_table`` … below): it reads and writes rows as
tuples, never loads records into the ORM identity map.  The schema itself is
created by the Alembic migrations in ``orgmap/store/migrations``; a test checks
that they agree with these declarations.

Every table carries the same audit columns (:class:`Audited`): who created and
last changed the row, when (timezone-aware UTC), and a ``version`` counter that
starts at 1 and grows by one on every change, for optimistic locking.

Child rows carry their ``debtor_id`` and reach their contacts through composite
foreign keys ``(debtor_id, contact_id) -> contact(debtor_id, id)``: that keeps a
relation or an interaction from pointing at another debtor's contact, and lets
every one-debtor load be a single indexed ``WHERE debtor_id = ?`` per table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from orgmap.domain.fields import (
    CREDIT_CODE_CHARS,
    CURRENCY_CHARS,
    E164_MAX_CHARS,
    EMAIL_COLUMN_CHARS,
    EXTENSION_MAX_CHARS,
    KEY_MAX_CHARS,
    NAME_MAX_CHARS,
)

__all__ = [
    "LAST_DIGITS",
    "MONEY_SCALE",
    "Audited",
    "ContactRecord",
    "DebtorOwnerRecord",
    "DebtorRecord",
    "HistoryRecord",
    "InteractionRecord",
    "LoginAttemptRecord",
    "Money",
    "PhoneRecord",
    "RelationRecord",
    "TeamRecord",
    "UserAccountRecord",
    "UserSessionRecord",
    "UtcDateTime",
    "contact_table",
    "debtor_owner_table",
    "debtor_table",
    "history_table",
    "interaction_table",
    "is_current_call",
    "last_four",
    "login_attempt_table",
    "metadata",
    "phone_table",
    "relation_table",
    "team_table",
    "user_account_table",
    "user_session_table",
    "utc_now",
]

#: Named constraints, so that Alembic's SQLite batch mode can find and alter
#: them later (SQLite cannot alter a constraint it cannot name).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Our own metadata (and registry), so importing orgmap never mixes its tables
#: with another application's SQLModel tables.
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

MONEY_SCALE = 2
_CENT = Decimal(1).scaleb(-MONEY_SCALE)
_MONEY_DIGITS = 18
#: Enum values (department, disposition, relation type, channel, outcome, status, kind).
_ENUM_CHARS = 16
#: A stored number as dialled (E.164, or E.164 plus room for future forms).
_DIALLED_CHARS = 32
_FINGERPRINT_CHARS = 64


class UtcDateTime(sa.TypeDecorator[datetime]):
    """A timezone-aware instant, stored in UTC, returned as an aware UTC datetime.

    PostgreSQL keeps ``timestamptz`` natively.  SQLite has no time type:
    SQLAlchemy stores text and silently drops the offset, so the value is
    converted to UTC before it is written and marked UTC when read back.  Naive
    datetimes are refused: their instant is unknowable.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value.isoformat()} has no time zone; give an offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Money(sa.TypeDecorator[Decimal]):
    """An exact amount with two decimal places, returned as :class:`~decimal.Decimal`.

    PostgreSQL stores ``NUMERIC(18, 2)``.  SQLite has no decimal type: SQLAlchemy's
    ``Numeric`` goes through a binary float there and turns
    ``9999999999999999.99`` into ``10000000000000000.00``, so on SQLite the amount
    is kept as an integer number of cents instead (exact, and still ordered and
    summed correctly by SQL).  An amount with more than two decimal places is
    refused rather than rounded.
    """

    impl = sa.Numeric(_MONEY_DIGITS, MONEY_SCALE, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.Numeric(_MONEY_DIGITS, MONEY_SCALE, asdecimal=True))

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> Decimal | int | None:
        if value is None:
            return None
        amount = Decimal(value)
        exact = amount.quantize(_CENT)
        if exact != amount:
            raise ValueError(f"amount {value} has more than {MONEY_SCALE} decimal places")
        if len(exact.as_tuple().digits) > _MONEY_DIGITS:
            raise ValueError(f"amount {value} has more than {_MONEY_DIGITS} digits")
        return int(exact.scaleb(MONEY_SCALE)) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-MONEY_SCALE).quantize(_CENT)
        return Decimal(value).quantize(_CENT)


def utc_now() -> datetime:
    return datetime.now(UTC)


def _text(length: int | None = None, **column: Any) -> Any:
    """A required text column (``String(length)``, or ``Text`` without a length)."""
    kind = sa.Text if length is None else sa.String(length)
    return Field(sa_type=kind, nullable=False, **column)


class _Base(SQLModel, registry=registry(metadata=metadata)):
    """The root of orgmap's tables: its own registry and metadata."""


class Audited(_Base):
    """The surrogate key and audit columns every table starts with."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, nullable=False)
    updated_at: datetime = Field(default_factory=utc_now, sa_type=UtcDateTime, nullable=False)
    created_by: str = _text(NAME_MAX_CHARS, default="")
    updated_by: str = _text(NAME_MAX_CHARS, default="")
    version: int = Field(default=1, nullable=False)


def _debtor_id() -> Any:
    return Field(foreign_key="debtor.id", ondelete="RESTRICT", nullable=False)


def _contact_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["debtor_id", column], ["contact.debtor_id", "contact.id"], ondelete="RESTRICT"
    )


class DebtorRecord(Audited, table=True):
    __tablename__ = "debtor"
    __table_args__ = (
        sa.UniqueConstraint("key"),
        sa.CheckConstraint("amount_owed >= 0", name="amount_not_negative"),
    )

    key: str = _text(KEY_MAX_CHARS)
    name: str = _text(NAME_MAX_CHARS)
    credit_code: str | None = Field(default=None, sa_type=sa.String(CREDIT_CODE_CHARS))
    address: str = _text(default="")
    amount_owed: Decimal = Field(sa_type=Money, nullable=False)
    currency: str = _text(CURRENCY_CHARS, default="CNY")
    due_date: date | None = None
    status: str = _text(_ENUM_CHARS, default="open")
    assigned_to: str = _text(NAME_MAX_CHARS, default="")
    # The article-5 checklist: ten loosely typed answers read and written as a
    # whole with the debtor, never queried one by one, so one JSON column.
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)


class ContactRecord(Audited, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "key"),
        # The target of the composite foreign keys below (id alone is unique, so
        # this adds no rule, only something for them to reference).
        sa.UniqueConstraint("debtor_id", "id"),
        # A person named in a call (a referral) is looked up by name before one
        # is added, so two collectors referred to the same new person add one.
        sa.Index(None, "debtor_id", "name"),
    )

    debtor_id: int = _debtor_id()
    key: str = _text(KEY_MAX_CHARS)
    name: str = _text(NAME_MAX_CHARS)
    title: str = _text(NAME_MAX_CHARS, default="")
    department: str = _text(_ENUM_CHARS)
    disposition: str = _text(_ENUM_CHARS, default="unknown")
    authorizes_payment: bool = Field(default=False, nullable=False)
    email: str | None = Field(default=None, sa_type=sa.String(EMAIL_COLUMN_CHARS))
    do_not_contact: bool = Field(default=False, nullable=False)
    notes: str = _text(default="")
    archived: bool = Field(default=False, nullable=False)


class PhoneRecord(Audited, table=True):
    """One of a contact's numbers; ``position`` keeps the order they were given in."""

    __tablename__ = "phone"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "position"),
        _contact_fk("contact_id"),
        sa.Index(None, "debtor_id"),
        sa.Index(None, "e164"),
    )

    debtor_id: int = _debtor_id()
    contact_id: int = Field(nullable=False)
    position: int = Field(nullable=False)
    e164: str = _text(E164_MAX_CHARS)
    extension: str | None = Field(default=None, sa_type=sa.String(EXTENSION_MAX_CHARS))
    kind: str = _text(_ENUM_CHARS, default="other")


class RelationRecord(Audited, table=True):
    __tablename__ = "relation"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "source_id", "target_id", "type"),
        sa.CheckConstraint("source_id <> target_id", name="no_self_loop"),
        _contact_fk("source_id"),
        _contact_fk("target_id"),
        sa.Index(None, "debtor_id", "target_id"),
    )

    debtor_id: int = _debtor_id()
    source_id: int = Field(nullable=False)
    target_id: int = Field(nullable=False)
    type: str = _text(_ENUM_CHARS)
    note: str = _text(default="")
    archived: bool = Field(default=False, nullable=False)


class InteractionRecord(Audited, table=True):
    """A logged call; ``fingerprint`` makes re-importing the same one a no-op.

    A correction or void names the record it supersedes in ``corrects`` (that
    record's fingerprint, at the same debtor: the foreign key holds both, and
    follows the fingerprint when a merge of two contacts recomputes it).  At most
    one record supersedes another (the unique constraint): two collectors
    correcting one call at once cannot both win.
    """

    __tablename__ = "interaction"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "fingerprint"),
        sa.UniqueConstraint("debtor_id", "corrects"),
        _contact_fk("contact_id"),
        sa.ForeignKeyConstraint(
            ["debtor_id", "corrects"],
            ["interaction.debtor_id", "interaction.fingerprint"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        ),
        sa.Index(None, "debtor_id", "at"),
        sa.Index(None, "debtor_id", "contact_id"),
    )

    debtor_id: int = _debtor_id()
    contact_id: int = Field(nullable=False)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    channel: str = _text(_ENUM_CHARS)
    outcome: str = _text(_ENUM_CHARS)
    by: str = _text(NAME_MAX_CHARS, default="")
    note: str = _text(default="")
    promise_amount: Decimal | None = Field(default=None, sa_type=Money)
    promise_date: date | None = None
    phone: str | None = Field(default=None, sa_type=sa.String(_DIALLED_CHARS))  # E.164
    fingerprint: str = _text(_FINGERPRINT_CHARS)
    corrects: str | None = Field(default=None, sa_type=sa.String(_FINGERPRINT_CHARS))
    void: bool = Field(default=False, nullable=False)


def _table_of(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined]


# Core tables, for the statements the store runs.
debtor_table = _table_of(DebtorRecord)
contact_table = _table_of(ContactRecord)
phone_table = _table_of(PhoneRecord)
relation_table = _table_of(RelationRecord)
interaction_table = _table_of(InteractionRecord)

# Case-insensitive "same person" lookups compare lower(email); an expression
# index serves exactly that expression on both SQLite and PostgreSQL.
sa.Index("ix_contact_email_lower", sa.func.lower(contact_table.c.email))


def is_current_call(calls: sa.FromClause) -> sa.ColumnElement[bool]:
    """Whether a row of ``calls`` (``interaction`` or an alias of it) is the latest word on
    its call: not a void, and not superseded by a correction (one search of the unique
    ``(debtor_id, corrects)`` index)."""
    later = interaction_table.alias("later")
    superseded = sa.exists().where(
        later.c.debtor_id == calls.c.debtor_id, later.c.corrects == calls.c.fingerprint
    )
    return sa.and_(calls.c.void.is_(False), ~superseded)


#: How many trailing digits "the last digits of a number" are indexed by.
LAST_DIGITS = 4


def last_four(number: sa.ColumnElement[str]) -> sa.ColumnElement[str]:
    """The last :data:`LAST_DIGITS` characters of ``number``, as SQL both databases index.

    ``substr(x, length(x) - 3)``: SQLite has no ``right()`` and PostgreSQL's
    ``substr`` takes no negative start, but both read this the same way.  The 3 is
    a literal, not a bound parameter: a planner uses an expression index only for
    the very expression it holds, and ``length(x) - ?`` is another one.
    """
    return sa.func.substr(number, sa.func.length(number) - sa.literal_column(str(LAST_DIGITS - 1)))


# "Who is calling from ...5678?": the team search finds numbers by their last four
# digits through this index (migration 0004), with the very expression it holds.
sa.Index("ix_phone_e164_last4", last_four(phone_table.c.e164))


# --- accounts, teams, sessions and the history (issue 12) -------------------

#: Roles as stored (``orgmap.domain.access.Role``).
_ROLE_CHARS = 16
#: An encoded argon2 hash is about 100 characters; room for stronger parameters.
_PASSWORD_HASH_CHARS = 255
#: A SHA-256 digest in hexadecimal.
_SHA256_HEX_CHARS = 64


class TeamRecord(Audited, table=True):
    """A team: members see the debtors of their team.

    ``name_key`` is the name NFKC-normalized and case-folded: unique, so "Team A",
    "team a" and "ｔｅａｍ ａ" are one team, the same on SQLite and PostgreSQL.
    """

    __tablename__ = "team"
    __table_args__ = (sa.UniqueConstraint("name_key"),)

    name: str = _text(NAME_MAX_CHARS)
    name_key: str = _text(NAME_MAX_CHARS)


class UserAccountRecord(Audited, table=True):
    """Someone who logs in: an argon2 hash of the password, never the password itself.

    ``failed_logins`` counts failures since the last success or lock;
    ``locked_until`` (UTC) refuses every login until then.
    """

    __tablename__ = "user_account"
    __table_args__ = (
        sa.UniqueConstraint("name_key"),
        sa.CheckConstraint("role IN ('admin', 'lead', 'collector', 'viewer')", name="role_known"),
    )

    name: str = _text(NAME_MAX_CHARS)
    name_key: str = _text(NAME_MAX_CHARS)
    password_hash: str = _text(_PASSWORD_HASH_CHARS)
    role: str = _text(_ROLE_CHARS)
    team_id: int | None = Field(
        default=None, foreign_key="team.id", ondelete="RESTRICT", index=True
    )
    disabled: bool = Field(default=False, nullable=False)
    failed_logins: int = Field(default=0, nullable=False)
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class LoginAttemptRecord(_Base, table=True):
    """One login attempt, kept: the name as typed, the account it named (if any), the outcome."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index(None, "user_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    name: str = _text(NAME_MAX_CHARS)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="RESTRICT")
    succeeded: bool = Field(nullable=False)
    reason: str = _text(_ENUM_CHARS)
    source: str = _text(NAME_MAX_CHARS, default="")


class UserSessionRecord(_Base, table=True):
    """A logged-in browser: only the SHA-256 of its random token is stored.

    Valid while not revoked, before ``idle_expires_at`` (pushed on by use) and
    before ``expires_at`` (fixed at creation).
    """

    __tablename__ = "user_session"
    __table_args__ = (sa.UniqueConstraint("token_hash"), sa.Index(None, "user_id"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", ondelete="RESTRICT", nullable=False)
    token_hash: str = _text(_SHA256_HEX_CHARS)
    created_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    last_seen_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    idle_expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class HistoryRecord(_Base, table=True):
    """One change, append-only: database triggers refuse UPDATE and DELETE (migration 0006).

    ``entity`` and ``key`` name what changed (``contact``, ``li_ming``);
    ``before`` and ``after`` hold the changed values (``None``: created, removed).
    """

    __tablename__ = "history"
    __table_args__ = (sa.Index(None, "debtor_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    by: str = _text(NAME_MAX_CHARS)
    action: str = _text(_ENUM_CHARS)
    entity: str = _text(_ENUM_CHARS)
    key: str = _text(NAME_MAX_CHARS)
    debtor_id: int | None = Field(default=None, foreign_key="debtor.id", ondelete="RESTRICT")
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)


class DebtorOwnerRecord(_Base, table=True):
    """Whose debtor it is: its team (whose members see it) and the user working it.

    A row of its own rather than columns of ``debtor``: SQLite can neither add
    nor drop a referencing column of a table others refer to without copying
    it, which their foreign keys refuse.  No row: the debtor is in no team and
    assigned to no account (only admins see it).  ``debtor.assigned_to`` keeps
    the assigned user's name, for the list's filter and the debtor form.
    """

    __tablename__ = "debtor_owner"
    __table_args__ = (sa.Index(None, "team_id"), sa.Index(None, "user_id"))

    debtor_id: int = Field(
        primary_key=True, foreign_key="debtor.id", ondelete="RESTRICT", nullable=False
    )
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="RESTRICT")
    user_id: int | None = Field(default=None, foreign_key="user_account.id", ondelete="RESTRICT")
    updated_at: datetime = Field(sa_type=UtcDateTime, nullable=False)
    updated_by: str = _text(NAME_MAX_CHARS)
    version: int = Field(default=1, nullable=False)


team_table = _table_of(TeamRecord)
debtor_owner_table = _table_of(DebtorOwnerRecord)
user_account_table = _table_of(UserAccountRecord)
login_attempt_table = _table_of(LoginAttemptRecord)
user_session_table = _table_of(UserSessionRecord)
history_table = _table_of(HistoryRecord)
