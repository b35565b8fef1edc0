"""Phone last-four index: find a number by its last digits without reading every number.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

"Who is this number calling me?" is often asked with the last four digits a
collector remembers.  ``LIKE '%5678'`` cannot use an ordinary index, so the last
four characters of ``phone.e164`` get an expression index of their own
(``substr(e164, length(e164) - 3)``, the same SQL on SQLite and PostgreSQL; see
``orgmap.store.search.last_four``): the search is an equality on it, then the
longer suffix is checked on the few rows found.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_phone_e164_last4", "phone", [sa.text("substr(e164, length(e164) - 3)")])


def downgrade() -> None:
    op.drop_index("ix_phone_e164_last4", table_name="phone")
