"""The login-session table (issue 11): one row per browser login, kept server-side.

The browser holds only a random session id in an HttpOnly cookie; the store keeps its SHA-256,
so a copy of the database does not give anyone a usable cookie.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Field, SQLModel


class LoginSession(SQLModel, table=True):
    """A login. ``grant_hash`` is the one-time code that turns into the cookie (60 seconds)."""

    __tablename__ = "login_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    grant_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    grant_expires_at: dt.datetime | None = None
    account_id: int = Field(index=True)
    # SHA-256 of the account's password hash when the session began: an account deleted and made
    # again under the same name (SQLite may even reuse its id), or given a new password, does
    # not inherit the session.
    account_check: str = Field(max_length=64)
    username: str = Field(max_length=60, index=True)
    method: str = Field(default="password", max_length=20)  # password, oidc
    created_at: dt.datetime
    last_seen_at: dt.datetime
    revoked_at: dt.datetime | None = None
    client: str = Field(default="", max_length=80)
