"""Accounts, teams, sessions, login attempts and the append-only history (issue 12).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

Who owns a debtor lives in ``debtor_owner`` (its team, whose members see it,
and the user working it), a table of its own: SQLite cannot add or drop a
referencing column of ``debtor`` without copying the table, which the foreign
keys of its contacts refuse.  (``debtor.assigned_to`` keeps the user's name.)

The ``history`` table is append-only: triggers on both databases refuse UPDATE
and DELETE (and TRUNCATE on PostgreSQL), whoever asks.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NAME = 200
_ENUM = 16
_INSTANT = sa.DateTime(timezone=True)


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.Column("created_by", sa.String(length=_NAME), nullable=False),
        sa.Column("updated_by", sa.String(length=_NAME), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER history_refuse_{verb.lower()} BEFORE {verb} ON history
    BEGIN SELECT RAISE(ABORT, 'history is append-only: {verb} refused'); END"""
    for verb in ("UPDATE", "DELETE")
]

_POSTGRES_TRIGGERS = [
    """CREATE FUNCTION history_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'history is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END
    $$""",
    """CREATE TRIGGER history_refuse_change BEFORE UPDATE OR DELETE ON history
    FOR EACH ROW EXECUTE FUNCTION history_refuse_change()""",
    """CREATE TRIGGER history_refuse_truncate BEFORE TRUNCATE ON history
    FOR EACH STATEMENT EXECUTE FUNCTION history_refuse_change()""",
]


def upgrade() -> None:
    op.create_table(
        "team",
        *_audit_columns(),
        sa.Column("name", sa.String(length=_NAME), nullable=False),
        sa.Column("name_key", sa.String(length=_NAME), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("name_key", name=op.f("uq_team_name_key")),
    )
    op.create_table(
        "user_account",
        *_audit_columns(),
        sa.Column("name", sa.String(length=_NAME), nullable=False),
        sa.Column("name_key", sa.String(length=_NAME), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=_ENUM), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", _INSTANT, nullable=True),
        sa.Column("last_login_at", _INSTANT, nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'lead', 'collector', 'viewer')",
            name=op.f("ck_user_account_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["team.id"],
            name=op.f("fk_user_account_team_id_team"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("name_key", name=op.f("uq_user_account_name_key")),
    )
    op.create_index(op.f("ix_user_account_team_id"), "user_account", ["team_id"])
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _INSTANT, nullable=False),
        sa.Column("name", sa.String(length=_NAME), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=_ENUM), nullable=False),
        sa.Column("source", sa.String(length=_NAME), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_login_attempt_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index(op.f("ix_login_attempt_user_id_at"), "login_attempt", ["user_id", "at"])
    op.create_table(
        "user_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("last_seen_at", _INSTANT, nullable=False),
        sa.Column("idle_expires_at", _INSTANT, nullable=False),
        sa.Column("expires_at", _INSTANT, nullable=False),
        sa.Column("revoked_at", _INSTANT, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_user_session_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_session_token_hash")),
    )
    op.create_index(op.f("ix_user_session_user_id"), "user_session", ["user_id"])
    op.create_table(
        "history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _INSTANT, nullable=False),
        sa.Column("by", sa.String(length=_NAME), nullable=False),
        sa.Column("action", sa.String(length=_ENUM), nullable=False),
        sa.Column("entity", sa.String(length=_ENUM), nullable=False),
        sa.Column("key", sa.String(length=_NAME), nullable=False),
        sa.Column("debtor_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["debtor_id"],
            ["debtor.id"],
            name=op.f("fk_history_debtor_id_debtor"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history")),
    )
    op.create_index(op.f("ix_history_debtor_id_id"), "history", ["debtor_id", "id"])

    op.create_table(
        "debtor_owner",
        sa.Column("debtor_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", _INSTANT, nullable=False),
        sa.Column("updated_by", sa.String(length=_NAME), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["debtor_id"],
            ["debtor.id"],
            name=op.f("fk_debtor_owner_debtor_id_debtor"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_debtor_owner_team_id_team"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_debtor_owner_user_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("debtor_id", name=op.f("pk_debtor_owner")),
    )
    op.create_index(op.f("ix_debtor_owner_team_id"), "debtor_owner", ["team_id"])
    op.create_index(op.f("ix_debtor_owner_user_id"), "debtor_owner", ["user_id"])

    triggers = _POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else _SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER history_refuse_truncate ON history")
        op.execute("DROP TRIGGER history_refuse_change ON history")
        op.execute("DROP FUNCTION history_refuse_change()")
    else:
        op.execute("DROP TRIGGER history_refuse_update")
        op.execute("DROP TRIGGER history_refuse_delete")
    op.drop_index(op.f("ix_debtor_owner_user_id"), table_name="debtor_owner")
    op.drop_index(op.f("ix_debtor_owner_team_id"), table_name="debtor_owner")
    op.drop_table("debtor_owner")
    op.drop_index(op.f("ix_history_debtor_id_id"), table_name="history")
    op.drop_table("history")
    op.drop_index(op.f("ix_user_session_user_id"), table_name="user_session")
    op.drop_table("user_session")
    op.drop_index(op.f("ix_login_attempt_user_id_at"), table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index(op.f("ix_user_account_team_id"), table_name="user_account")
    op.drop_table("user_account")
    op.drop_table("team")
