"""Failed-login throttling kept in the store, so every app process sees the same window.

Rule: 5 failures for one username, or 20 from one client address, within 15 minutes lock that
username (or address) until 15 minutes after the last failure. A success or an administrator's
``unlock`` starts the count afresh for the username.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.models import LoginAttempt

WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_attempt(engine: Engine, *, username: str, client: str, kind: str,
                   at: dt.datetime | None = None) -> None:
    with engine.begin() as conn:
        conn.execute(sa.insert(LoginAttempt.__table__).values(
            at=at or _now(), username=username[:60], client=client[:80], kind=kind))


def is_locked(engine: Engine, *, username: str, client: str,
              now: dt.datetime | None = None) -> bool:
    now = now or _now()
    t = LoginAttempt.__table__
    since = now - WINDOW
    with engine.connect() as conn:
        reset = conn.execute(
            sa.select(sa.func.max(t.c.at)).where(
                t.c.username == username, t.c.kind.in_(["success", "unlock"]))
        ).scalar()
        user_since = max(since, _aware(reset)) if reset is not None else since
        user_failures = conn.execute(
            sa.select(sa.func.count()).where(
                t.c.username == username, t.c.kind == "failure", t.c.at > user_since)
        ).scalar_one()
        client_failures = conn.execute(
            sa.select(sa.func.count()).where(
                t.c.client == client, t.c.kind == "failure", t.c.at > since)
        ).scalar_one() if client else 0
    return user_failures >= MAX_FAILURES_PER_USER or client_failures >= MAX_FAILURES_PER_CLIENT


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for what was stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
