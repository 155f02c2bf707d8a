"""Server-side login sessions: create, exchange the one-time grant for a cookie, look up, end.

Flow (see README "Login and accounts"): a successful login creates a row with a one-time *grant*
(valid 60 seconds); the browser is sent to ``/api/session/start?grant=…``, where the server swaps
the grant for a random session id, stores its SHA-256 and sets it as an HttpOnly cookie. Every
rerun of the app looks the session up again (one indexed query joined with the account), so
*Log ud*, deactivation, a password reset or a role change count from the next click on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.models import UserAccount
from data_access.session_models import LoginSession
from data_access.tables import table_of

GRANT_LIFETIME = dt.timedelta(seconds=60)
# last_seen is written at most this often: a rerun costs one read, not one write.
TOUCH_EVERY = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Lifetime:
    idle: dt.timedelta = dt.timedelta(hours=8)
    absolute: dt.timedelta = dt.timedelta(hours=24)

    @classmethod
    def hours(cls, idle: float, absolute: float) -> Lifetime:
        return cls(dt.timedelta(hours=idle), dt.timedelta(hours=absolute))


@dataclass(frozen=True)
class ActiveSession:
    """A live session and the account behind it, as the store has it right now."""

    session_id: int
    account_id: int
    username: str
    display_name: str
    email: str
    roles: tuple[str, ...]
    org_unit_codes: tuple[str, ...]
    method: str = "password"  # password, oidc
    must_change: bool = False  # a temporary password that must be changed first


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def start_session(engine: Engine, *, username: str, client: str = "", method: str = "password",
                  now: dt.datetime | None = None) -> tuple[int, str]:
    """A new session for an active account; returns (session id, the one-time grant)."""
    now = now or _now()
    grant = secrets.token_urlsafe(32)
    a = table_of(UserAccount)
    with engine.begin() as conn:
        account = conn.execute(sa.select(a.c.id, a.c.password_hash).where(
            a.c.username == username, a.c.active.is_(True))).first()
        if account is None:
            raise LookupError(username)
        account_id = account.id
        session_id = conn.execute(sa.insert(table_of(LoginSession)).values(
            grant_hash=digest(grant), grant_expires_at=now + GRANT_LIFETIME,
            account_id=account_id, account_check=digest(account.password_hash),
            username=username, method=method, created_at=now, last_seen_at=now,
            client=client[:80]).returning(table_of(LoginSession).c.id)
        ).scalar_one()
    return int(session_id), grant


def redeem_grant(engine: Engine, grant: str, *, now: dt.datetime | None = None) -> str | None:
    """Swap a one-time grant for the session's cookie value; None if unknown, used or expired."""
    now = now or _now()
    t = table_of(LoginSession)
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        # One UPDATE with the grant in its WHERE: two requests with the same grant cannot both
        # win, on SQLite or PostgreSQL.
        done = conn.execute(sa.update(t).where(
            t.c.grant_hash == digest(grant), t.c.token_hash.is_(None), t.c.revoked_at.is_(None),
            t.c.grant_expires_at > now,
        ).values(token_hash=digest(token), grant_hash=None, grant_expires_at=None)).rowcount
    return token if done == 1 else None


def _live(lifetime: Lifetime, now: dt.datetime) -> list[sa.ColumnElement[bool]]:
    t, a = table_of(LoginSession), table_of(UserAccount)
    return [t.c.revoked_at.is_(None), t.c.created_at > now - lifetime.absolute,
            t.c.last_seen_at > now - lifetime.idle, a.c.active.is_(True),
            a.c.username == t.c.username]


def load_session(engine: Engine, *, token: str | None = None, session_id: int | None = None,
                 lifetime: Lifetime = Lifetime(), now: dt.datetime | None = None,
                 ) -> ActiveSession | None:
    """The live session for a cookie value (or, in the tab that logged in, its id), or None.

    None when the session is unknown, ended, idle or too old, or its account was deactivated,
    deleted or renamed. A found session's ``last_seen`` is refreshed (at most once a minute).
    """
    if not token and session_id is None:
        return None
    now = now or _now()
    t, a = table_of(LoginSession), table_of(UserAccount)
    which = t.c.token_hash == digest(token) if token else t.c.id == session_id
    stmt = (sa.select(t.c.id, t.c.last_seen_at, t.c.account_check, t.c.method, a.c.password_hash,
                      a.c.id.label("account_id"), a.c.username, a.c.must_change,
                      a.c.display_name, a.c.email, a.c.roles, a.c.org_unit_codes)
            .join(a, a.c.id == t.c.account_id).where(which, *_live(lifetime, now)))
    with engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None or row["account_check"] != digest(row["password_hash"]):
        return None
    if now - _aware(row["last_seen_at"]) > TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(sa.update(t).where(t.c.id == row["id"]).values(last_seen_at=now))
    return ActiveSession(int(row["id"]), int(row["account_id"]), row["username"],
                         row["display_name"], row["email"], _split(row["roles"]),
                         _split(row["org_unit_codes"]), row["method"], bool(row["must_change"]))


def end_session(engine: Engine, *, session_id: int | None = None, token: str | None = None,
                now: dt.datetime | None = None) -> None:
    """*Log ud*: the session stops working in every tab that uses it."""
    t = table_of(LoginSession)
    if token:
        which = t.c.token_hash == digest(token)
    elif session_id is not None:
        which = t.c.id == session_id
    else:
        return
    with engine.begin() as conn:
        conn.execute(sa.update(t).where(which, t.c.revoked_at.is_(None))
                     .values(revoked_at=now or _now()))


def end_sessions_of(conn: sa.Connection, *, username: str, keep: int | None = None,
                    now: dt.datetime | None = None) -> int:
    """End every session of a user (deactivation, password reset), except ``keep``; returns
    how many."""
    t = table_of(LoginSession)
    which = [t.c.username == username, t.c.revoked_at.is_(None)]
    if keep is not None:
        which.append(t.c.id != keep)
    return int(conn.execute(sa.update(t).where(*which).values(revoked_at=now or _now())).rowcount)


def reseal_session(conn: sa.Connection, *, session_id: int, password_hash: str) -> None:
    """The session in which the user changed their own password goes on with the new one."""
    t = table_of(LoginSession)
    conn.execute(sa.update(t).where(t.c.id == session_id)
                 .values(account_check=digest(password_hash)))
