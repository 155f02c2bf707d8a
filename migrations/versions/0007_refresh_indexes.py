"""Indexes for the refresh: date indexes for date_range, no redundant indicator_value indexes

The single-column ``programme_id`` and ``unit_id`` indexes of ``indicator_value`` are served by
``ix_indicator_value_lookup`` (programme_id, unit_id, …): every read filters on the programme.
Each index is one more structure the refresh rewrites. The date columns that bound the
reporting periods get an index so that ``date_range`` reads min/max without a scan.

Revision ID: 0007
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DATE_INDEXES = [
    ("counselling_session", "held_on"),
    ("staff_training", "held_on"),
    ("parent_survey_answer", "answered_on"),
    ("cross_sector_meeting", "held_on"),
]
REDUNDANT = [("indicator_value", "programme_id"), ("indicator_value", "unit_id")]


def _existing(table: str) -> set[str]:
    return {ix["name"] for ix in sa.inspect(op.get_bind()).get_indexes(table)}


def upgrade() -> None:
    for table, column in DATE_INDEXES:
        if f"ix_{table}_{column}" not in _existing(table):
            op.create_index(f"ix_{table}_{column}", table, [column])
    for table, column in REDUNDANT:
        if f"ix_{table}_{column}" in _existing(table):
            op.drop_index(f"ix_{table}_{column}", table_name=table)


def downgrade() -> None:
    for table, column in REDUNDANT:
        op.create_index(f"ix_{table}_{column}", table, [column])
    for table, column in DATE_INDEXES:
        op.drop_index(f"ix_{table}_{column}", table_name=table)
