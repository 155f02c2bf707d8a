"""indicator_value lookup index: pages read a few units of one programme and subgroup

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A store made with create_all before migrations existed may already have it.
    existing = {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes("indicator_value")}
    if "ix_indicator_value_lookup" in existing:
        return
    op.create_index("ix_indicator_value_lookup", "indicator_value",
                    ["programme_id", "unit_id", "age_group", "vulnerable_only", "period"])


def downgrade() -> None:
    op.drop_index("ix_indicator_value_lookup", table_name="indicator_value")
