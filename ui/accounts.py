"""The forms of the *Brugere* page. Every change goes through ``data_access.accounts`` (the same
rules as ``manage.py users``), which audits it; a broken rule is shown as its Danish message."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import streamlit as st

from data_access import accounts
from data_access.accounts import Account, AccountError
from ui.context import Viewer, engine

ROLE_LABELS = {"admin": "Administrator", "leder": "Leder", "konsulent": "Konsulent",
               "styregruppe": "Styregruppe"}


def account_table(found: list[Account]) -> None:
    st.dataframe(pl.DataFrame([{
        "Brugernavn": a.username, "Navn": a.display_name, "E-mail": a.email,
        "Roller": ", ".join(a.roles), "Enheder": ", ".join(a.org_unit_codes),
        "Aktiv": "ja" if a.active else "nej",
        "Skal skifte adgangskode": "ja" if a.must_change else "nej",
    } for a in found]), hide_index=True, width="stretch")


def _apply(change: Callable[[], str | None], done: str) -> bool:
    """Run a change; show its Danish error or ``done`` (and a temporary password, once)."""
    try:
        temporary = change()
    except AccountError as exc:
        st.error(str(exc))
        return False
    st.success(done)
    if temporary:
        st.warning("Midlertidig adgangskode – vises kun nu. Giv den til brugeren; den skal "
                   "skiftes ved første login:")
        st.code(temporary, language=None)
    return True


def _fields(prefix: str, units: dict[str, str], account: Account | None = None,
            ) -> tuple[str, str, tuple[str, ...], tuple[str, ...]]:
    name = st.text_input("Navn", value=account.display_name if account else "",
                         key=f"{prefix}_name")
    email = st.text_input("E-mail", value=account.email if account else "",
                          key=f"{prefix}_email")
    roles = st.multiselect("Roller", list(ROLE_LABELS), placeholder="Vælg roller",
                           format_func=lambda r: ROLE_LABELS[r],
                           default=list(account.roles) if account else [], key=f"{prefix}_roles")
    codes = st.multiselect("Enheder", list(units), placeholder="Vælg enheder",
                           format_func=lambda c: units.get(c, c),
                           default=[c for c in (account.org_unit_codes if account else ())
                                    if c in units], key=f"{prefix}_units")
    return name, email, tuple(roles), tuple(codes)


def create_form(viewer: Viewer, units: dict[str, str]) -> None:
    """A new account with a temporary password, shown once."""
    with st.form("create_user", clear_on_submit=False):
        username = st.text_input("Brugernavn", key="new_username")
        name, email, roles, codes = _fields("new", units)
        submitted = st.form_submit_button("Opret bruger")
    if submitted:
        _apply(lambda: accounts.create_account(
            engine(), actor=viewer.username, username=username, display_name=name,
            email=email, roles=roles, org_unit_codes=codes), f"Brugeren {username} er oprettet.")


def edit_form(viewer: Viewer, account: Account, units: dict[str, str]) -> None:
    """Name, e-mail, roles and units of one account; then its other actions as buttons."""
    who, prefix = account.username, f"edit_{account.username}"
    with st.form(f"edit_user_{who}"):
        name, email, roles, codes = _fields(prefix, units, account)
        submitted = st.form_submit_button("Gem ændringer")
    if submitted:
        _apply(lambda: accounts.update_account(
            engine(), actor=viewer.username, username=who, display_name=name, email=email,
            roles=roles, org_unit_codes=codes), f"Ændringerne for {who} er gemt.")
    left, middle, right = st.columns(3)
    if account.active and left.button("Deaktivér", key=f"{prefix}_deactivate"):
        _apply(lambda: accounts.set_active(engine(), actor=viewer.username, username=who,
                                           active=False),
               f"{who} er deaktiveret; en åben session slutter ved næste klik.")
    if not account.active and left.button("Genaktivér", key=f"{prefix}_reactivate"):
        _apply(lambda: accounts.set_active(engine(), actor=viewer.username, username=who,
                                           active=True), f"{who} er aktiv igen.")
    if middle.button("Ny midlertidig adgangskode", key=f"{prefix}_reset"):
        _apply(lambda: accounts.reset_password(engine(), actor=viewer.username, username=who),
               f"{who} har fået en midlertidig adgangskode; åbne sessioner er afsluttet.")
    if right.button("Ophæv spærring", key=f"{prefix}_unlock"):
        _apply(lambda: accounts.unlock(engine(), actor=viewer.username, username=who),
               f"Spærringen for {who} er ophævet.")
