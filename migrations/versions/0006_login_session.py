"""login_session: server-side login sessions behind an HttpOnly cookie (issue 11)

Revision ID: 0006
Revises: 0003
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    text = sqlmodel.sql.sqltypes.AutoString
    moment = sqlmodel.sql.sqltypes.UTCDateTime
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", text(length=64), nullable=True),
        sa.Column("grant_hash", text(length=64), nullable=True),
        sa.Column("grant_expires_at", moment(), nullable=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("account_check", text(length=64), nullable=False),
        sa.Column("username", text(length=60), nullable=False),
        sa.Column("method", text(length=20), nullable=False),
        sa.Column("created_at", moment(), nullable=False),
        sa.Column("last_seen_at", moment(), nullable=False),
        sa.Column("revoked_at", moment(), nullable=True),
        sa.Column("client", text(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_session_token_hash", "login_session", ["token_hash"], unique=True)
    op.create_index("ix_login_session_grant_hash", "login_session", ["grant_hash"], unique=True)
    op.create_index("ix_login_session_account_id", "login_session", ["account_id"])
    op.create_index("ix_login_session_username", "login_session", ["username"])


def downgrade() -> None:
    op.drop_table("login_session")
