"""``manage.py users add|list|set-password|reset-password|deactivate|reactivate|unlock``.

The rules (known roles and units, unique e-mail, password length, the last administrator) are in
``data_access/accounts.py``, shared with the *Brugere* page. Every change is written to the audit
log as ``user_change`` by ``cli`` (never the password itself).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

import sqlalchemy as sa

from core.settings import load_settings
from data_access import accounts
from data_access.db import get_engine

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


def _codes(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _run(change) -> int:  # noqa: ANN001  (a callable that may break a rule)
    try:
        change()
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Create an account, or change the fields (and password) of an existing one."""
    engine = _engine()
    username = args.username.strip().lower()
    fields = dict(display_name=args.name, email=args.email, roles=_codes(args.roles),
                  org_unit_codes=_codes(args.org_units))
    password = None if args.temporary else _password(args)
    made: list[str | None] = []
    if accounts.load_account(engine, username) is not None:

        def change() -> None:
            accounts.update_account(engine, actor=ACTOR, username=username, **fields)
            if password is None:
                made.append(accounts.reset_password(engine, actor=ACTOR, username=username))
            else:
                accounts.set_password(engine, actor=ACTOR, username=username, password=password)
        code = _run(change)
    else:
        code = _run(lambda: made.append(accounts.create_account(
            engine, actor=ACTOR, username=username, password=password, **fields)))
    if code == 0 and made and made[0]:
        print(f"Midlertidig adgangskode (vises kun nu, skal skiftes ved næste login): {made[0]}")
    if code == 0:
        print(f"Brugeren {username} er gemt.")
    return code


def cmd_list(args: argparse.Namespace) -> int:
    for a in accounts.load_accounts(_engine(), active_only=False):
        state = "aktiv" if a.active else "deaktiveret"
        print(f"{a.username:<16} {a.display_name:<32} {','.join(a.roles):<20} "
              f"{','.join(a.org_unit_codes):<16} {state}")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    password = _password(args)
    code = _run(lambda: accounts.set_password(_engine(), actor=ACTOR, username=args.username,
                                              password=password))
    if code == 0:
        print("Adgangskoden er ændret.")
    return code


def cmd_reset_password(args: argparse.Namespace) -> int:
    made: list[str] = []
    code = _run(lambda: made.append(accounts.reset_password(_engine(), actor=ACTOR,
                                                            username=args.username)))
    if code == 0:
        print(f"Midlertidig adgangskode (vises kun nu, skal skiftes ved næste login): {made[0]}")
    return code


def cmd_deactivate(args: argparse.Namespace) -> int:
    code = _run(lambda: accounts.set_active(_engine(), actor=ACTOR, username=args.username,
                                            active=False))
    if code == 0:
        print(f"Brugeren {args.username} er deaktiveret og kan ikke logge ind.")
    return code


def cmd_reactivate(args: argparse.Namespace) -> int:
    code = _run(lambda: accounts.set_active(_engine(), actor=ACTOR, username=args.username,
                                            active=True))
    if code == 0:
        print(f"Brugeren {args.username} er aktiv igen.")
    return code


def cmd_unlock(args: argparse.Namespace) -> int:
    accounts.unlock(_engine(), actor=ACTOR, username=args.username)
    print(f"Spærringen for {args.username} er ophævet.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser("users", help="brugere: add, list, set-password, reset-password, "
                                         "deactivate, reactivate, unlock")
    cmds = users.add_subparsers(dest="users_command", required=True)
    add = cmds.add_parser("add", help="opret eller ændr en bruger")
    add.add_argument("username")
    add.add_argument("--name", required=True, help="visningsnavn")
    add.add_argument("--email", required=True)
    add.add_argument("--roles", required=True,
                     help=f"kommasepareret: {', '.join(accounts.ROLES)}")
    add.add_argument("--org-units", required=True, help="kommasepararede enhedskoder, fx 580-N")
    add.add_argument("--password-env", help="læs adgangskoden fra denne miljøvariabel")
    add.add_argument("--temporary", action="store_true",
                     help="ny bruger: lav en midlertidig adgangskode, der skal skiftes")
    add.set_defaults(func=cmd_add)
    cmds.add_parser("list", help="vis alle brugere").set_defaults(func=cmd_list)
    pw = cmds.add_parser("set-password", help="ny adgangskode")
    pw.add_argument("username")
    pw.add_argument("--password-env")
    pw.set_defaults(func=cmd_set_password)
    reset = cmds.add_parser("reset-password",
                            help="midlertidig adgangskode, der skal skiftes ved næste login")
    reset.add_argument("username")
    reset.set_defaults(func=cmd_reset_password)
    for name, func, text in (("deactivate", cmd_deactivate, "deaktivér en bruger"),
                             ("reactivate", cmd_reactivate, "genaktivér en bruger")):
        one = cmds.add_parser(name, help=text)
        one.add_argument("username")
        one.set_defaults(func=func)
    un = cmds.add_parser("unlock", help="ophæv en spærring efter mislykkede logins")
    un.add_argument("username")
    un.set_defaults(func=cmd_unlock)
