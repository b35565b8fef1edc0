"""Contact name index: find a debtor's contact by name without reading its whole map.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

A referral names a person; before one is added, the call log looks for a
current contact of that name at the debtor, so that two collectors referred to
the same new person at the same moment add one contact, not two (or an error).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_contact_debtor_id_name"), "contact", ["debtor_id", "name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_contact_debtor_id_name"), table_name="contact")
