"""Interaction phone: the number a call, SMS or WeChat message used.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

Nullable: interactions logged before this revision did not record the number,
and routing reads a wrong number without one as marking all the contact's
numbers.  Batch mode, so that SQLite (which cannot alter tables in place for
every change) and PostgreSQL take the same path.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interaction") as batch:
        batch.add_column(sa.Column("phone", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("interaction") as batch:
        batch.drop_column("phone")
