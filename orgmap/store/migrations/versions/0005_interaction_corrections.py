"""Interaction corrections: a record can supersede (correct or void) an earlier one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04

``corrects`` holds the fingerprint of the record superseded, at the same debtor
(a composite foreign key onto ``(debtor_id, fingerprint)``, which follows a
fingerprint a contact merge recomputes); a unique constraint lets each record be
superseded once.  ``void`` marks a record that withdraws the one it supersedes.
Existing calls supersede nothing and are not voids.  Batch mode, so that SQLite
(which cannot add a constraint to a table in place) and PostgreSQL take the same path.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interaction") as batch:
        batch.add_column(sa.Column("corrects", sa.String(length=64), nullable=True))
        # The default only fills the rows already there; new rows always say.
        batch.add_column(
            sa.Column("void", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_unique_constraint(
            op.f("uq_interaction_debtor_id_corrects"), ["debtor_id", "corrects"]
        )
        batch.create_foreign_key(
            op.f("fk_interaction_debtor_id_corrects_interaction"),
            "interaction",
            ["debtor_id", "corrects"],
            ["debtor_id", "fingerprint"],
            ondelete="RESTRICT",
            onupdate="CASCADE",
        )
    with op.batch_alter_table("interaction") as batch:
        batch.alter_column("void", server_default=None, existing_type=sa.Boolean())


def downgrade() -> None:
    with op.batch_alter_table("interaction") as batch:
        batch.drop_constraint(
            op.f("fk_interaction_debtor_id_corrects_interaction"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("uq_interaction_debtor_id_corrects"), type_="unique")
        batch.drop_column("void")
        batch.drop_column("corrects")
