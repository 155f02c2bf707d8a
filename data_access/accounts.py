"""User accounts and the audit log in the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import bcrypt
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.models import AuditEvent, UserAccount

# national: a national user (e.g. Socialstyrelsen) who sees municipalities and the national
# level only, never areas or daycares (see ``scope.scope_for_codes``).
ROLES = ("admin", "leder", "konsulent", "styregruppe", "national")


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    email: str
    password_hash: str
    roles: tuple[str, ...]
    org_unit_codes: tuple[str, ...]
    active: bool


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def load_accounts(engine: Engine, *, active_only: bool = True,
                  username: str | None = None) -> list[Account]:
    stmt = sa.select(UserAccount).order_by(UserAccount.username)
    if username is not None:
        stmt = stmt.where(UserAccount.username == username)
    if active_only:
        stmt = stmt.where(UserAccount.active.is_(True))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        Account(r["username"], r["display_name"], r["email"], r["password_hash"],
                _split(r["roles"]), _split(r["org_unit_codes"]), r["active"])
        for r in rows
    ]


def load_account(engine: Engine, username: str) -> Account | None:
    """One account by username, active or not."""
    return next((a for a in load_accounts(engine, active_only=False, username=username)), None)


def upsert_account(
    conn: sa.Connection, *, username: str, display_name: str, email: str, password_hash: str,
    roles: tuple[str, ...], org_unit_codes: tuple[str, ...], active: bool = True,
) -> None:
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"Ukendt rolle: {', '.join(sorted(unknown))}")
    values = dict(display_name=display_name, email=email, password_hash=password_hash,
                  roles=",".join(roles), org_unit_codes=",".join(org_unit_codes), active=active)
    t = UserAccount.__table__
    exists = conn.execute(sa.select(t.c.id).where(t.c.username == username)).scalar()
    if exists:
        conn.execute(sa.update(t).where(t.c.id == exists).values(**values))
    else:
        conn.execute(sa.insert(t).values(username=username, **values))


def record_event(engine_or_conn: Engine | sa.Connection, *, username: str, action: str,
                 detail: str = "", rows: int | None = None) -> None:
    stmt = sa.insert(AuditEvent.__table__).values(
        at=dt.datetime.now(dt.UTC), username=username, action=action,
        detail=detail[:4000], rows=rows,
    )
    if isinstance(engine_or_conn, sa.Connection):
        engine_or_conn.execute(stmt)
        return
    with engine_or_conn.begin() as conn:
        conn.execute(stmt)
