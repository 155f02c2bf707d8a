"""User accounts and the audit log in the store, and the rules for changing accounts.

The rules live here once, for ``manage.py users`` (``cli/users.py``) and the *Brugere* page
(``ui/accounts.py``) alike: every change checks them, is written in one transaction with its
``user_change`` audit row, and a broken rule raises ``AccountError`` with a Danish message.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import bcrypt
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col

from data_access.lockout import record_attempt
from data_access.models import AuditEvent, OrgUnit, UserAccount
from data_access.sessions import end_sessions_of, reseal_session
from data_access.tables import table_of

# national: a national user (e.g. Socialstyrelsen) who sees municipalities and the national
# level only, never areas or daycares (see ``scope.scope_for_codes``).
ROLES = ("admin", "leder", "konsulent", "styregruppe", "national")
MIN_PASSWORD_LENGTH = 12
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """A rule for accounts was broken; the message (Danish) says which."""


@dataclass(frozen=True)
class Account:
    username: str
    display_name: str
    email: str
    password_hash: str
    roles: tuple[str, ...]
    org_unit_codes: tuple[str, ...]
    active: bool
    must_change: bool = False


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def load_accounts(engine: Engine, *, active_only: bool = True,
                  username: str | None = None) -> list[Account]:
    stmt = sa.select(UserAccount).order_by(col(UserAccount.username))
    if username is not None:
        stmt = stmt.where(col(UserAccount.username) == username)
    if active_only:
        stmt = stmt.where(col(UserAccount.active).is_(True))
    with engine.connect() as conn:
        rows = conn.execute(stmt).mappings().all()
    return [
        Account(r["username"], r["display_name"], r["email"], r["password_hash"],
                _split(r["roles"]), _split(r["org_unit_codes"]), r["active"], r["must_change"])
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
    t = table_of(UserAccount)
    exists = conn.execute(sa.select(t.c.id).where(t.c.username == username)).scalar()
    if exists:
        conn.execute(sa.update(t).where(t.c.id == exists).values(**values))
    else:
        conn.execute(sa.insert(t).values(username=username, **values))


def record_event(engine_or_conn: Engine | sa.Connection, *, username: str, action: str,
                 detail: str = "", rows: int | None = None) -> None:
    stmt = sa.insert(table_of(AuditEvent)).values(
        at=dt.datetime.now(dt.UTC), username=username, action=action,
        detail=detail[:4000], rows=rows,
    )
    if isinstance(engine_or_conn, sa.Connection):
        engine_or_conn.execute(stmt)
        return
    with engine_or_conn.begin() as conn:
        conn.execute(stmt)


def find_by_email(engine: Engine, email: str) -> Account | None:
    """The active account with this e-mail address (case does not matter), for single sign-on.

    E-mail addresses are unique among accounts (``_check``), so there is at most one.
    """
    t = table_of(UserAccount)
    with engine.connect() as conn:
        username = conn.execute(sa.select(t.c.username).where(
            sa.func.lower(t.c.email) == email.strip().lower(), t.c.active.is_(True))).scalar()
    return load_account(engine, username) if username else None


# --- The rules -------------------------------------------------------------------------------

def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn.")


def temporary_password() -> str:
    """A random password to hand over once; it must be changed at the next login."""
    return secrets.token_urlsafe(12)  # 16 characters, 96 bits


def _account_id(conn: sa.Connection, username: str) -> int:
    t = table_of(UserAccount)
    found = conn.execute(sa.select(t.c.id).where(t.c.username == username)).scalar()
    if found is None:
        raise AccountError(f"Brugeren {username} findes ikke.")
    return int(found)


def _check(conn: sa.Connection, *, username: str, display_name: str, email: str,
           roles: tuple[str, ...], org_unit_codes: tuple[str, ...]) -> None:
    """The rules for an account's fields (a new one or a changed one)."""
    if not USERNAME_PATTERN.match(username):
        raise AccountError("Brugernavnet skal have 2-60 tegn: små bogstaver a-z, tal, punktum, "
                           "bindestreg eller understreg.")
    if not display_name.strip():
        raise AccountError("Skriv brugerens navn.")
    if not EMAIL_PATTERN.match(email.strip()):
        raise AccountError("Skriv en gyldig e-mailadresse.")
    if not roles or set(roles) - set(ROLES):
        unknown = ", ".join(sorted(set(roles) - set(ROLES))) or "(ingen)"
        raise AccountError(f"Ukendte roller: {unknown}. Vælg mindst én blandt: "
                           f"{', '.join(ROLES)}.")
    if not org_unit_codes:
        raise AccountError("Vælg mindst én enhed.")
    known = set(conn.execute(sa.select(col(OrgUnit.code))
                             .where(col(OrgUnit.code).in_(org_unit_codes))).scalars())
    if set(org_unit_codes) - known:
        raise AccountError(
            f"Ukendte enhedskoder: {', '.join(sorted(set(org_unit_codes) - known))}.")
    t = table_of(UserAccount)
    taken = conn.execute(sa.select(t.c.username).where(
        sa.func.lower(t.c.email) == email.strip().lower(), t.c.username != username)).scalar()
    if taken:
        # Single sign-on finds the account by its e-mail: two accounts may not share one.
        raise AccountError(f"E-mailadressen bruges allerede af brugeren {taken}.")


def _other_active_admins(conn: sa.Connection, username: str) -> int:
    t = table_of(UserAccount)
    rows = conn.execute(sa.select(t.c.roles).where(t.c.active.is_(True),
                                                   t.c.username != username)).scalars()
    return sum("admin" in _split(roles) for roles in rows)


def _keep_an_admin(conn: sa.Connection, username: str) -> None:
    """Someone must be able to administer users: the last active admin stays one."""
    account = conn.execute(sa.select(table_of(UserAccount).c.roles, table_of(UserAccount).c.active)
                           .where(table_of(UserAccount).c.username == username)).first()
    if account is not None and account.active and "admin" in _split(account.roles) \
            and _other_active_admins(conn, username) == 0:
        raise AccountError(f"{username} er den sidste aktive administrator og skal blive det.")


def _audit(conn: sa.Connection, actor: str, detail: str) -> None:
    record_event(conn, username=actor, action="user_change", detail=detail)


def create_account(engine: Engine, *, actor: str, username: str, display_name: str, email: str,
                   roles: tuple[str, ...], org_unit_codes: tuple[str, ...],
                   password: str | None = None) -> str | None:
    """A new account. Without a password it gets a temporary one, which is returned (to show
    once) and must be changed at the first login."""
    username = username.strip().lower()
    temporary = temporary_password() if password is None else None
    check_password(password or temporary or "")
    with engine.begin() as conn:
        _check(conn, username=username, display_name=display_name, email=email, roles=roles,
               org_unit_codes=org_unit_codes)
        if conn.execute(sa.select(table_of(UserAccount).c.id)
                        .where(table_of(UserAccount).c.username == username)).first():
            raise AccountError(f"Brugernavnet {username} findes allerede.")
        conn.execute(sa.insert(table_of(UserAccount)).values(
            username=username, display_name=display_name.strip(), email=email.strip(),
            password_hash=hash_password(password or temporary or ""), roles=",".join(roles),
            org_unit_codes=",".join(org_unit_codes), active=True,
            must_change=temporary is not None))
        _audit(conn, actor, f"oprettet {username} roller={','.join(roles)} "
                            f"enheder={','.join(org_unit_codes)}")
    return temporary


def update_account(engine: Engine, *, actor: str, username: str, display_name: str, email: str,
                   roles: tuple[str, ...], org_unit_codes: tuple[str, ...]) -> None:
    """New name, e-mail, roles or org units; they apply at the user's next click."""
    with engine.begin() as conn:
        account_id = _account_id(conn, username)
        _check(conn, username=username, display_name=display_name, email=email, roles=roles,
               org_unit_codes=org_unit_codes)
        if "admin" not in roles:
            _keep_an_admin(conn, username)
        conn.execute(sa.update(table_of(UserAccount))
                     .where(table_of(UserAccount).c.id == account_id)
                     .values(display_name=display_name.strip(), email=email.strip(),
                             roles=",".join(roles), org_unit_codes=",".join(org_unit_codes)))
        _audit(conn, actor, f"ændret {username} roller={','.join(roles)} "
                            f"enheder={','.join(org_unit_codes)}")


def set_roles(engine: Engine, *, actor: str, username: str, roles: tuple[str, ...]) -> None:
    """Only the roles (single sign-on's group mapping); the other fields stay."""
    account = load_account(engine, username)
    if account is None:
        raise AccountError(f"Brugeren {username} findes ikke.")
    update_account(engine, actor=actor, username=username, display_name=account.display_name,
                   email=account.email, roles=roles, org_unit_codes=account.org_unit_codes)


def set_password(engine: Engine, *, actor: str, username: str, password: str,
                 temporary: bool = False) -> None:
    """A new password chosen by an administrator; every open session of the user ends.
    ``temporary``: it must be changed at the next login."""
    check_password(password)
    with engine.begin() as conn:
        account_id = _account_id(conn, username)
        conn.execute(sa.update(table_of(UserAccount))
                     .where(table_of(UserAccount).c.id == account_id)
                     .values(password_hash=hash_password(password), must_change=temporary))
        end_sessions_of(conn, username=username)
        _audit(conn, actor, f"{'midlertidig' if temporary else 'ny'} adgangskode for {username}")


def reset_password(engine: Engine, *, actor: str, username: str) -> str:
    """A temporary password (returned, to show once) that must be changed at the next login."""
    password = temporary_password()
    set_password(engine, actor=actor, username=username, password=password, temporary=True)
    return password


def set_active(engine: Engine, *, actor: str, username: str, active: bool) -> None:
    """Deactivate (the user's sessions end at once) or reactivate an account."""
    with engine.begin() as conn:
        account_id = _account_id(conn, username)
        if not active:
            if actor == username:
                raise AccountError("Du kan ikke deaktivere dig selv.")
            _keep_an_admin(conn, username)
        conn.execute(sa.update(table_of(UserAccount))
                     .where(table_of(UserAccount).c.id == account_id).values(active=active))
        if not active:
            end_sessions_of(conn, username=username)
        _audit(conn, actor, f"{'genaktiveret' if active else 'deaktiveret'} {username}")


def unlock(engine: Engine, *, actor: str, username: str) -> None:
    """Lift a lockout after failed logins (also for a name that is no account: those are
    locked too, so the answer does not reveal which names exist)."""
    username = username.strip().lower()
    with engine.begin() as conn:
        record_attempt(conn, username=username, client="", kind="unlock")
        _audit(conn, actor, f"spærring ophævet for {username}")


def change_own_password(engine: Engine, *, username: str, password: str,
                        session_id: int | None = None) -> None:
    """The user's own new password (after a temporary one). Other sessions of the user end; the
    session it was changed in goes on."""
    check_password(password)
    new_hash = hash_password(password)
    with engine.begin() as conn:
        account_id = _account_id(conn, username)
        old_hash = conn.execute(sa.select(table_of(UserAccount).c.password_hash)
                                .where(table_of(UserAccount).c.id == account_id)).scalar_one()
        if bcrypt.checkpw(password.encode(), old_hash.encode()):
            raise AccountError("Vælg en ny adgangskode, ikke den midlertidige.")
        conn.execute(sa.update(table_of(UserAccount))
                     .where(table_of(UserAccount).c.id == account_id)
                     .values(password_hash=new_hash, must_change=False))
        end_sessions_of(conn, username=username, keep=session_id)
        if session_id is not None:
            reseal_session(conn, session_id=session_id, password_hash=new_hash)
        record_event(conn, username=username, action="password_changed",
                     detail="egen adgangskode skiftet")


def load_unit_choices(engine: Engine) -> dict[str, str]:
    """Every org unit a user can be given, code → "code · name", in tree order."""
    t = table_of(OrgUnit)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t.c.code, t.c.name).order_by(t.c.path, t.c.code)).all()
    return {row.code: f"{row.code} · {row.name}" for row in rows}
