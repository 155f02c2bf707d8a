"""Failed-login throttling kept in the store, so every app process sees the same window.

Rule (``LockoutPolicy``, from the settings ``lockout_max_failures`` and ``lockout_minutes``;
5 and 15 by default): that many failures for one username, or four times as many from one client
address, within the window lock that username (or address) until the window has passed since the
last failure. A success or an administrator's ``unlock`` starts the count afresh for the username.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.models import LoginAttempt
from data_access.tables import table_of

# One address may be an office behind one NAT: it gets this many times the per-user allowance.
CLIENT_FACTOR = 4


@dataclass(frozen=True)
class LockoutPolicy:
    """How many failures lock, and for how long; built from the settings by the caller."""

    minutes: int
    max_failures: int

    @property
    def window(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    @property
    def max_failures_per_client(self) -> int:
        return self.max_failures * CLIENT_FACTOR


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def record_attempt(engine: Engine | sa.Connection, *, username: str, client: str, kind: str,
                   at: dt.datetime | None = None) -> None:
    stmt = sa.insert(table_of(LoginAttempt)).values(
        at=at or _now(), username=username[:60], client=client[:80], kind=kind)
    if isinstance(engine, sa.Connection):
        engine.execute(stmt)
        return
    with engine.begin() as conn:
        conn.execute(stmt)


def is_locked(engine: Engine, *, username: str, client: str, policy: LockoutPolicy,
              now: dt.datetime | None = None) -> bool:
    now = now or _now()
    t = table_of(LoginAttempt)
    since = now - policy.window
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
    return (user_failures >= policy.max_failures
            or client_failures >= policy.max_failures_per_client)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes for what was stored as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
