"""The database tables, mapped from outside the pure domain.

Each class here is a row of one table; :mod:`orgmap.store.rows` converts rows to
and from :mod:`orgmap.domain.model` values, and nothing outside the store sees
these classes.  The schema itself is created by the Alembic migrations in
``orgmap/store/migrations``; a test checks that they agree with these classes.

Every table carries the same audit columns: who created and last changed the
row, when (timezone-aware UTC), and a ``version`` counter that starts at 1 and
grows by one on every change, for optimistic locking.

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

__all__ = [
    "MONEY_SCALE",
    "ContactRow",
    "DebtorRow",
    "InteractionRow",
    "Money",
    "OrgmapTable",
    "PhoneRow",
    "RelationRow",
    "UtcDateTime",
    "metadata",
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

#: Our own metadata rather than SQLModel's process-wide default, so importing
#: orgmap never mixes its tables with another application's.
metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

MONEY_SCALE = 2
_CENT = Decimal(1).scaleb(-MONEY_SCALE)
_MONEY_DIGITS = 18


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


class OrgmapTable(SQLModel, registry=registry(metadata=metadata)):
    """Base of every orgmap table: its own metadata, a surrogate key, the audit columns."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_type=UtcDateTime, default_factory=utc_now)
    updated_at: datetime = Field(sa_type=UtcDateTime, default_factory=utc_now)
    created_by: str = Field(default="", max_length=200)
    updated_by: str = Field(default="", max_length=200)
    version: int = Field(default=1)


class DebtorRow(OrgmapTable, table=True):
    __tablename__ = "debtor"
    __table_args__ = (
        sa.UniqueConstraint("key"),
        sa.CheckConstraint("amount_owed >= 0", name="amount_not_negative"),
    )

    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    credit_code: str | None = Field(default=None, max_length=18)
    address: str = Field(default="", sa_type=sa.Text)
    amount_owed: Decimal = Field(sa_type=Money)
    currency: str = Field(default="CNY", max_length=3)
    due_date: date | None = None
    status: str = Field(default="open", max_length=16)
    assigned_to: str = Field(default="", max_length=200)
    # The article-5 checklist: ten loosely typed answers read and written as a
    # whole with the debtor, never queried one by one, so one JSON column.
    facts: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)


class ContactRow(OrgmapTable, table=True):
    __tablename__ = "contact"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "key"),
        # The target of the composite foreign keys below (id alone is unique,
        # so this adds no rule, only something for them to reference).
        sa.UniqueConstraint("debtor_id", "id"),
    )

    debtor_id: int = Field(foreign_key="debtor.id", ondelete="RESTRICT")
    key: str = Field(max_length=64)
    name: str = Field(max_length=200)
    title: str = Field(default="", max_length=200)
    department: str = Field(max_length=16)
    disposition: str = Field(default="unknown", max_length=16)
    authorizes_payment: bool = False
    email: str | None = Field(default=None, max_length=320)
    do_not_contact: bool = False
    notes: str = Field(default="", sa_type=sa.Text)
    archived: bool = False


def _contact_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["debtor_id", column], ["contact.debtor_id", "contact.id"], ondelete="RESTRICT"
    )


class PhoneRow(OrgmapTable, table=True):
    """One of a contact's numbers; ``position`` keeps the order they were given in."""

    __tablename__ = "phone"
    __table_args__ = (
        sa.UniqueConstraint("contact_id", "position"),
        _contact_fk("contact_id"),
        sa.Index(None, "debtor_id"),
        sa.Index(None, "e164"),
    )

    debtor_id: int = Field(foreign_key="debtor.id", ondelete="RESTRICT")
    contact_id: int
    position: int
    e164: str = Field(max_length=20)
    extension: str | None = Field(default=None, max_length=20)
    kind: str = Field(default="other", max_length=16)


class RelationRow(OrgmapTable, table=True):
    __tablename__ = "relation"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "source_id", "target_id", "type"),
        sa.CheckConstraint("source_id <> target_id", name="no_self_loop"),
        _contact_fk("source_id"),
        _contact_fk("target_id"),
        sa.Index(None, "debtor_id", "target_id"),
    )

    debtor_id: int = Field(foreign_key="debtor.id", ondelete="RESTRICT")
    source_id: int
    target_id: int
    type: str = Field(max_length=16)
    note: str = Field(default="", sa_type=sa.Text)
    archived: bool = False


class InteractionRow(OrgmapTable, table=True):
    """A logged call; ``fingerprint`` makes re-importing the same one a no-op."""

    __tablename__ = "interaction"
    __table_args__ = (
        sa.UniqueConstraint("debtor_id", "fingerprint"),
        _contact_fk("contact_id"),
        sa.Index(None, "debtor_id", "at"),
        sa.Index(None, "debtor_id", "contact_id"),
    )

    debtor_id: int = Field(foreign_key="debtor.id", ondelete="RESTRICT")
    contact_id: int
    at: datetime = Field(sa_type=UtcDateTime)
    channel: str = Field(max_length=16)
    outcome: str = Field(max_length=16)
    by: str = Field(default="", max_length=200)
    note: str = Field(default="", sa_type=sa.Text)
    promise_amount: Decimal | None = Field(default=None, sa_type=Money)
    promise_date: date | None = None
    phone: str | None = Field(default=None, max_length=32)  # E.164; None: not recorded
    fingerprint: str = Field(max_length=64)


# Case-insensitive "same person" lookups compare lower(email); an expression
# index serves exactly that expression on both SQLite and PostgreSQL.
sa.Index("ix_contact_email_lower", sa.func.lower(ContactRow.__table__.c.email))  # type: ignore[attr-defined]
