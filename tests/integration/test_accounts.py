"""The account rules (data_access/accounts.py), once, on a real SQLite store: what the CLI and the
*Brugere* page both rely on. And single sign-on's matching of verified claims to accounts."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import bcrypt
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.sso import SsoSettings
from data_access import accounts
from data_access.accounts import AccountError
from data_access.db import get_engine
from data_access.models import AuditEvent, UserAccount
from data_access.sessions import load_session, redeem_grant, start_session
from demo.generator import DemoSpec
from gateway.oidc import sign_in
from pipeline.demo_store import build_demo_store

NEW = dict(display_name="Karin Jensen", email="kj@kommune.dk", roles=("leder",),
           org_unit_codes=("580-N",))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory, config) -> Path:
    path = tmp_path_factory.mktemp("accounts") / "template.sqlite"
    build_demo_store(get_engine(f"sqlite:///{path}"), config, DemoSpec(scale=0.1, years=1))
    return path


@pytest.fixture
def store(demo_file: Path, tmp_path: Path) -> Engine:
    """A fresh copy of the small demo store per test (accounts admin, leder, omraade, …)."""
    copy = tmp_path / "store.sqlite"
    with sqlite3.connect(demo_file) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # WAL-safe, unlike copying the file
    return get_engine(f"sqlite:///{copy}")


def audit(store: Engine, action: str = "user_change") -> list[tuple[str, str]]:
    t = AuditEvent.__table__
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(t.c.username, t.c.detail)
                                               .where(t.c.action == action).order_by(t.c.id))]


@pytest.mark.parametrize(("change", "message"), [
    (dict(username="K"), "Brugernavnet skal have 2-60 tegn"),
    (dict(username="karin jensen"), "Brugernavnet skal have 2-60 tegn"),
    (dict(display_name=" "), "Skriv brugerens navn."),
    (dict(email="kj-kommune.dk"), "Skriv en gyldig e-mailadresse."),
    (dict(email="Leder@Demo.Invalid"), "E-mailadressen bruges allerede af brugeren leder."),
    (dict(roles=()), "Ukendte roller: (ingen)."),
    (dict(roles=("leder", "chef")), "Ukendte roller: chef."),
    (dict(org_unit_codes=()), "Vælg mindst én enhed."),
    (dict(org_unit_codes=("580-N", "999")), "Ukendte enhedskoder: 999."),
    (dict(username="leder"), "Brugernavnet leder findes allerede."),
    (dict(password="elleve-tegn"), "Adgangskoden skal have mindst 12 tegn."),
])
def test_create_refuses_what_breaks_a_rule_and_writes_nothing(store: Engine, change: dict,
                                                               message: str) -> None:
    fields = {"username": "karin", **NEW, **change}
    with pytest.raises(AccountError, match=message.replace("(", r"\(").replace(")", r"\)")):
        accounts.create_account(store, actor="admin", **fields)
    assert accounts.load_account(store, "karin") is None
    assert audit(store) == []


def test_create_with_a_chosen_password_or_a_temporary_one(store: Engine) -> None:
    assert accounts.create_account(store, actor="cli", username="Karin", password="x" * 12,
                                   **NEW) is None
    karin = accounts.load_account(store, "karin")
    assert karin is not None and karin.must_change is False
    temporary = accounts.create_account(store, actor="admin", username="ole",
                                        **{**NEW, "email": "ole@kommune.dk"})
    ole = accounts.load_account(store, "ole")
    assert temporary is not None and len(temporary) >= 16 and ole is not None
    assert ole.must_change is True
    assert bcrypt.checkpw(temporary.encode(), ole.password_hash.encode())
    assert audit(store) == [("cli", "oprettet karin roller=leder enheder=580-N"),
                            ("admin", "oprettet ole roller=leder enheder=580-N")]


def test_the_last_active_admin_keeps_the_role_and_stays_active(store: Engine) -> None:
    with pytest.raises(AccountError, match="sidste aktive administrator"):
        accounts.set_roles(store, actor="cli", username="admin", roles=("leder",))
    with pytest.raises(AccountError, match="sidste aktive administrator"):
        accounts.set_active(store, actor="cli", username="admin", active=False)
    accounts.set_roles(store, actor="cli", username="konsulent", roles=("admin",))
    accounts.set_active(store, actor="cli", username="admin", active=False)  # now there is one
    assert accounts.load_account(store, "admin").active is False  # type: ignore[union-attr]


def test_changes_to_an_unknown_user_are_refused(store: Engine) -> None:
    for change in (lambda: accounts.set_active(store, actor="a", username="nn", active=False),
                   lambda: accounts.reset_password(store, actor="a", username="nn"),
                   lambda: accounts.update_account(store, actor="a", username="nn", **NEW)):
        with pytest.raises(AccountError, match="Brugeren nn findes ikke."):
            change()
    assert audit(store) == []


def test_a_reset_ends_open_sessions_and_the_own_change_keeps_only_the_current_one(
    store: Engine,
) -> None:
    first, _ = start_session(store, username="leder")
    temporary = accounts.reset_password(store, actor="admin", username="leder")
    assert load_session(store, session_id=first) is None
    assert accounts.load_account(store, "leder").must_change is True  # type: ignore[union-attr]
    here, grant = start_session(store, username="leder")
    elsewhere, _ = start_session(store, username="leder")
    with pytest.raises(AccountError, match="ikke den midlertidige"):
        accounts.change_own_password(store, username="leder", password=temporary,
                                     session_id=here)
    accounts.change_own_password(store, username="leder", password="min-egen-kode-1",
                                 session_id=here)
    still = load_session(store, session_id=here)
    assert still is not None and still.must_change is False
    assert redeem_grant(store, grant) is not None  # the tab's cookie still comes
    assert load_session(store, session_id=elsewhere) is None
    assert audit(store, "password_changed") == [("leder", "egen adgangskode skiftet")]


def test_unlock_is_audited_for_any_name(store: Engine) -> None:
    accounts.unlock(store, actor="admin", username="Gaet-Et-Navn")
    assert audit(store) == [("admin", "spærring ophævet for gaet-et-navn")]


def test_the_cli_uses_the_same_rules(store: Engine, project_root: Path) -> None:
    env = {"DATABASE_URL": str(store.url), "PATH": "/usr/bin:/bin"}

    def users(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "manage.py", "users", *args], cwd=project_root,
                              env=env, capture_output=True, text=True, check=False)

    refused = users("add", "karin", "--name", "Karin", "--email", "leder@demo.invalid",
                    "--roles", "leder", "--org-units", "580-N", "--temporary")
    assert refused.returncode == 1
    assert "E-mailadressen bruges allerede af brugeren leder." in refused.stderr
    made = users("add", "karin", "--name", "Karin", "--email", "kj@kommune.dk",
                 "--roles", "leder", "--org-units", "580-N", "--temporary")
    assert made.returncode == 0, made.stderr
    temporary = made.stdout.split("næste login): ")[1].split()[0]
    karin = accounts.load_account(store, "karin")
    assert karin is not None and karin.must_change
    assert bcrypt.checkpw(temporary.encode(), karin.password_hash.encode())
    assert users("deactivate", "admin").returncode == 1  # the last administrator
    assert users("deactivate", "karin").returncode == 0
    assert users("reactivate", "karin").returncode == 0
    assert [d for _, d in audit(store)] == ["oprettet karin roller=leder enheder=580-N",
                                            "deaktiveret karin", "genaktiveret karin"]


# --- Single sign-on: verified claims → account -----------------------------------------------

SSO = SsoSettings(metadata_url="http://idp/.well-known/openid-configuration", client_id="c",
                  client_secret="s")


def test_a_verified_email_matches_its_account_in_any_case(store: Engine) -> None:
    outcome = sign_in(store, claims={"email": "Omraade@Demo.INVALID", "email_verified": True},
                      sso=SSO, client="10.0.0.1")
    assert outcome.token is not None
    found = load_session(store, token=outcome.token)
    assert found is not None and (found.username, found.method) == ("omraade", "oidc")


@pytest.mark.parametrize(("claims", "reason"), [
    ({}, "intet email fra udbyderen"),
    ({"email": "omraade@demo.invalid", "email_verified": False}, "ikke bekræftet"),
    ({"email": "ny@kommune.dk"}, "ingen aktiv bruger med email=ny@kommune.dk"),
])
def test_no_claim_an_unverified_or_an_unknown_email_is_refused_and_audited(
    store: Engine, claims: dict, reason: str,
) -> None:
    outcome = sign_in(store, claims=claims, sso=SSO, client="10.0.0.1")
    assert outcome.token is None and reason in outcome.reason
    [(_, detail)] = audit(store, "login_sso_refused")
    assert reason in detail and detail.endswith("klient 10.0.0.1")


def test_a_configured_claim_and_a_group_mapping_decide_the_roles(store: Engine) -> None:
    sso = SsoSettings(metadata_url="x", client_id="c", client_secret="s",
                      match_claim="preferred_username",
                      group_roles={"g-konsulenter": ("konsulent",), "g-ledere": ("leder",)})
    claims = {"preferred_username": "omraade@demo.invalid", "email": "ignored@x.dk",
              "groups": ["g-andet", "g-konsulenter", "g-ledere"]}
    assert sign_in(store, claims=claims, sso=sso, client="").token is not None
    account = accounts.load_account(store, "omraade")
    assert account is not None and account.roles == ("konsulent", "leder")
    assert account.org_unit_codes == ("580-N",)  # units stay as the store has them
    assert audit(store) == [("sso", "ændret omraade roller=konsulent,leder enheder=580-N")]
    no_group = sign_in(store, claims={**claims, "groups": ["g-andet"]}, sso=sso, client="")
    assert no_group.token is None and "ingen gruppe giver en rolle" in no_group.reason
    t = UserAccount.__table__
    with store.connect() as conn:
        roles = conn.execute(sa.select(t.c.roles).where(t.c.username == "omraade")).scalar()
    assert roles == "konsulent,leder"  # a refusal changes nothing
