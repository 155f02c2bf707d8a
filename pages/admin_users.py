"""Brugere: the accounts in the store (changes are made with ``python manage.py users``)."""

from __future__ import annotations

import polars as pl
import streamlit as st

from data_access.accounts import load_accounts
from ui.context import engine

st.title("Brugere")
accounts = load_accounts(engine(), active_only=False)
st.dataframe(pl.DataFrame([{
    "Brugernavn": a.username, "Navn": a.display_name, "E-mail": a.email,
    "Roller": ", ".join(a.roles), "Enheder": ", ".join(a.org_unit_codes),
    "Aktiv": "ja" if a.active else "nej",
} for a in accounts]), hide_index=True, width="stretch")
st.caption("Opret, ændr adgangskode, deaktivér eller ophæv en spærring med "
           "`python manage.py users add|set-password|deactivate|unlock`. "
           "Alle ændringer skrives i revisionsloggen.")
