"""Brugere: list, create and change the accounts in the store (administrators only).

The rules are the ones of ``python manage.py users`` (``data_access.accounts``); every change is
written to the audit log.
"""

from __future__ import annotations

import streamlit as st

from data_access.accounts import load_accounts, load_unit_choices
from ui.accounts import account_table, create_form, edit_form
from ui.context import current_viewer, engine

# 1. Selection
st.title("Brugere", anchor=False)
viewer = current_viewer()
units = load_unit_choices(engine())
edit_tab, create_tab = st.tabs(["Ret en bruger", "Opret bruger"])

# 2. One account: its fields and actions (a change shows at once, the table follows below)
with edit_tab:
    usernames = [a.username for a in load_accounts(engine(), active_only=False)]
    chosen = st.selectbox("Bruger", usernames, index=None, placeholder="Vælg en bruger",
                          key="users_chosen")
    account = next((a for a in load_accounts(engine(), active_only=False, username=chosen)),
                   None) if chosen else None
    if account is not None:
        edit_form(viewer, account, units)

# 3. A new account
with create_tab:
    create_form(viewer, units)

# 4. Every account, as the store has it after this click's change
st.subheader("Alle brugere", anchor=False)
account_table(load_accounts(engine(), active_only=False))
st.caption("Roller og enheder gælder fra brugerens næste klik. Med kommunens login findes "
           "brugeren via sin e-mailadresse. Alle ændringer skrives i revisionsloggen.")
