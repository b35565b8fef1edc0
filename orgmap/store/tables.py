"""The database tables, declared with SQLAlchemy Core, outside the pure domain.

Each table here holds one kind of :mod:`orgmap.domain.model` value;
:mod:`orgmap.store.rows` converts rows to and from those values, and nothing
outside the store sees these tables.  The schema itself is created by the
Alembic migrations in ``orgmap/store/migrations``; a test checks that they
agree with these declarations.

Plain Core tables rather than SQLModel classes: the store reads and writes
rows as tuples and never used the model classes, while importing SQLModel
(with pydantic and the ORM) took about a fifth of ``orgmap route``'s cold start.

Every table carries the same audit columns: who created and last changed the
row, when (timezone-aware UTC), and a ``version`` counter that starts at 1 and
grows by one on every change, for optimistic locking.

Child rows carry their ``debtor_id`` and reach their contacts through composite
foreign keys ``(debtor_id, contact_id) -> contact(debtor_id, id)``: that keeps a
relation or an interaction from pointing at another debtor's contact, and lets
every one-debtor load be a single indexed ``WHERE debtor_id = ?`` per table.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "MONEY_SCALE",
    "Money",
    "UtcDateTime",
    "contact_table",
    "debtor_table",
    "interaction_table",
    "metadata",
    "phone_table",
    "relation_table",
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

#: Our own metadata, so importing orgmap never mixes its tables with another application's.
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


def _table(name: str, *columns_and_constraints: sa.schema.SchemaItem) -> sa.Table:
    """A table with a surrogate key and the audit columns, then its own columns."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", UtcDateTime, nullable=False, default=utc_now),
        sa.Column("updated_at", UtcDateTime, nullable=False, default=utc_now),
        sa.Column("created_by", sa.String(200), nullable=False, default=""),
        sa.Column("updated_by", sa.String(200), nullable=False, default=""),
        sa.Column("version", sa.Integer, nullable=False, default=1),
        *columns_and_constraints,
    )


def _debtor_id() -> sa.Column[int]:
    return sa.Column(
        "debtor_id", sa.Integer, sa.ForeignKey("debtor.id", ondelete="RESTRICT"), nullable=False
    )


def _contact_fk(column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["debtor_id", column], ["contact.debtor_id", "contact.id"], ondelete="RESTRICT"
    )


debtor_table = _table(
    "debtor",
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("credit_code", sa.String(18)),
    sa.Column("address", sa.Text, nullable=False, default=""),
    sa.Column("amount_owed", Money, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False, default="CNY"),
    sa.Column("due_date", sa.Date),
    sa.Column("status", sa.String(16), nullable=False, default="open"),
    sa.Column("assigned_to", sa.String(200), nullable=False, default=""),
    # The article-5 checklist: ten loosely typed answers read and written as a
    # whole with the debtor, never queried one by one, so one JSON column.
    sa.Column("facts", sa.JSON, nullable=False, default=dict),
    sa.UniqueConstraint("key"),
    sa.CheckConstraint("amount_owed >= 0", name="amount_not_negative"),
)

contact_table = _table(
    "contact",
    _debtor_id(),
    sa.Column("key", sa.String(64), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("title", sa.String(200), nullable=False, default=""),
    sa.Column("department", sa.String(16), nullable=False),
    sa.Column("disposition", sa.String(16), nullable=False, default="unknown"),
    sa.Column("authorizes_payment", sa.Boolean, nullable=False, default=False),
    sa.Column("email", sa.String(320)),
    sa.Column("do_not_contact", sa.Boolean, nullable=False, default=False),
    sa.Column("notes", sa.Text, nullable=False, default=""),
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("debtor_id", "key"),
    # The target of the composite foreign keys below (id alone is unique, so
    # this adds no rule, only something for them to reference).
    sa.UniqueConstraint("debtor_id", "id"),
)

#: One of a contact's numbers; ``position`` keeps the order they were given in.
phone_table = _table(
    "phone",
    _debtor_id(),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("e164", sa.String(20), nullable=False),
    sa.Column("extension", sa.String(20)),
    sa.Column("kind", sa.String(16), nullable=False, default="other"),
    sa.UniqueConstraint("contact_id", "position"),
    _contact_fk("contact_id"),
    sa.Index(None, "debtor_id"),
    sa.Index(None, "e164"),
)

relation_table = _table(
    "relation",
    _debtor_id(),
    sa.Column("source_id", sa.Integer, nullable=False),
    sa.Column("target_id", sa.Integer, nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("debtor_id", "source_id", "target_id", "type"),
    sa.CheckConstraint("source_id <> target_id", name="no_self_loop"),
    _contact_fk("source_id"),
    _contact_fk("target_id"),
    sa.Index(None, "debtor_id", "target_id"),
)

#: A logged call; ``fingerprint`` makes re-importing the same one a no-op.
interaction_table = _table(
    "interaction",
    _debtor_id(),
    sa.Column("contact_id", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("by", sa.String(200), nullable=False, default=""),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("promise_amount", Money),
    sa.Column("promise_date", sa.Date),
    sa.Column("phone", sa.String(32)),  # E.164; None: not recorded
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.UniqueConstraint("debtor_id", "fingerprint"),
    _contact_fk("contact_id"),
    sa.Index(None, "debtor_id", "at"),
    sa.Index(None, "debtor_id", "contact_id"),
)

# Case-insensitive "same person" lookups compare lower(email); an expression
# index serves exactly that expression on both SQLite and PostgreSQL.
sa.Index("ix_contact_email_lower", sa.func.lower(contact_table.c.email))
