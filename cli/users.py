"""``manage.py users add|list|set-password|deactivate|unlock``: accounts in the store.

Every change is written to the audit log as ``user_change`` (never the password itself).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import sqlalchemy as sa

from core.settings import load_settings
from data_access.accounts import ROLES, hash_password, load_accounts, record_event, upsert_account
from data_access.db import get_engine
from data_access.lockout import record_attempt
from data_access.models import OrgUnit, UserAccount

ACTOR = "cli"


def _engine() -> sa.Engine:
    return get_engine(load_settings().database_url)


def _password(args: argparse.Namespace) -> str:
    """From --password-env (name of an environment variable) or a prompt; never an argument."""
    if args.password_env:
        value = os.environ.get(args.password_env, "")
        if not value:
            raise SystemExit(f"Miljøvariablen {args.password_env} er tom.")
        return value
    first = getpass.getpass("Adgangskode: ")
    if first != getpass.getpass("Gentag adgangskode: "):
        raise SystemExit("Adgangskoderne er ikke ens.")
    return first


def _check_password(password: str) -> None:
    if len(password) < 12:
        raise SystemExit("Adgangskoden skal have mindst 12 tegn.")


def cmd_add(args: argparse.Namespace) -> int:
    engine = _engine()
    roles = tuple(r.strip() for r in args.roles.split(",") if r.strip())
    codes = tuple(c.strip() for c in args.org_units.split(",") if c.strip())
    unknown_roles = set(roles) - set(ROLES)
    if unknown_roles or not roles:
        print(f"Ukendte roller: {', '.join(sorted(unknown_roles)) or '(ingen)'}. "
              f"Vælg blandt: {', '.join(ROLES)}.", file=sys.stderr)
        return 1
    with engine.connect() as conn:
        known = set(conn.execute(sa.select(OrgUnit.code).where(OrgUnit.code.in_(codes)))
                    .scalars())
    if set(codes) - known:
        print(f"Ukendte enhedskoder: {', '.join(sorted(set(codes) - known))}.", file=sys.stderr)
        return 1
    password = _password(args)
    _check_password(password)
    with engine.begin() as conn:
        upsert_account(conn, username=args.username.lower(), display_name=args.name,
                       email=args.email, password_hash=hash_password(password), roles=roles,
                       org_unit_codes=codes)
        record_event(conn, username=ACTOR, action="user_change",
                     detail=f"oprettet/ændret {args.username} roller={','.join(roles)} "
                            f"enheder={','.join(codes)}")
    print(f"Brugeren {args.username} er gemt.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    for a in load_accounts(_engine(), active_only=False):
        state = "aktiv" if a.active else "deaktiveret"
        print(f"{a.username:<16} {a.display_name:<32} {','.join(a.roles):<20} "
              f"{','.join(a.org_unit_codes):<16} {state}")
    return 0


def _update(username: str, values: dict, detail: str) -> int:
    engine = _engine()
    t = UserAccount.__table__
    with engine.begin() as conn:
        changed = conn.execute(sa.update(t).where(t.c.username == username.lower())
                               .values(**values)).rowcount
        if not changed:
            print(f"Brugeren {username} findes ikke.", file=sys.stderr)
            return 1
        record_event(conn, username=ACTOR, action="user_change", detail=f"{detail} {username}")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    password = _password(args)
    _check_password(password)
    code = _update(args.username, {"password_hash": hash_password(password)},
                   "ny adgangskode for")
    if code == 0:
        print("Adgangskoden er ændret.")
    return code


def cmd_deactivate(args: argparse.Namespace) -> int:
    code = _update(args.username, {"active": False}, "deaktiveret")
    if code == 0:
        print(f"Brugeren {args.username} er deaktiveret og kan ikke logge ind.")
    return code


def cmd_unlock(args: argparse.Namespace) -> int:
    engine = _engine()
    record_attempt(engine, username=args.username.lower(), client="", kind="unlock")
    record_event(engine, username=ACTOR, action="user_change",
                 detail=f"spærring ophævet for {args.username}")
    print(f"Spærringen for {args.username} er ophævet.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="brugere: add, list, set-password, deactivate, unlock")
    cmds = users.add_subparsers(dest="users_command", required=True)
    add = cmds.add_parser("add", help="opret eller ændr en bruger")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="visningsnavn")
    add.add_argument("--email", required=True)
    add.add_argument("--roles", required=True, help=f"kommasepareret: {', '.join(ROLES)}")
    add.add_argument("--org-units", required=True, help="kommasepararede enhedskoder, fx 580-N")
    add.add_argument("--password-env", help="læs adgangskoden fra denne miljøvariabel")
    add.set_defaults(func=cmd_add)
    cmds.add_parser("list", help="vis alle brugere").set_defaults(func=cmd_list)
    pw = cmds.add_parser("set-password", help="ny adgangskode")
    pw.add_argument("username")
    pw.add_argument("--password-env")
    pw.set_defaults(func=cmd_set_password)
    de = cmds.add_parser("deactivate", help="deaktivér en bruger")
    de.add_argument("username")
    de.set_defaults(func=cmd_deactivate)
    un = cmds.add_parser("unlock", help="ophæv en spærring efter mislykkede logins")
    un.add_argument("username")
    un.set_defaults(func=cmd_unlock)
