"""Revisionslog: who logged in, exported and imported what (administrators only)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import streamlit as st

from data_access.accounts import record_event
from data_access.audit import load_audit_events
from exports.tidy import to_csv_bytes
from indicators.format import format_date
from ui.context import current_viewer, engine

ACTIONS = {"login_ok": "Login", "logout": "Log ud", "login_failed": "Mislykket login",
           "login_locked": "Spærret login", "login_sso_refused": "Afvist (kommunens login)",
           "login_sso_failed": "Fejl (kommunens login)", "password_changed": "Ny egen adgangskode",
           "export": "Eksport", "import": "Import", "user_change": "Brugerændring",
           "privacy_audit": "Privatlivskontrol"}

# 1. Selection
st.title("Revisionslog", anchor=False)
today = dt.date.today()
left, middle, right = st.columns([2, 2, 1])
span = left.date_input("Periode", (today - dt.timedelta(days=30), today), format="DD.MM.YYYY")
actions = middle.multiselect("Handlinger", list(ACTIONS), format_func=ACTIONS.__getitem__,
                             placeholder="Vælg handlinger (tom = alle)")
username = right.text_input("Bruger")
since, until = (span if isinstance(span, tuple) and len(span) == 2 else (today, today))

# 2. Data (read fresh every time: the log changes with every click)
events = load_audit_events(engine(), since=since, until=until, actions=tuple(actions),
                           username=username.strip())

# 3. Table and export
if events.is_empty():
    st.info("Ingen hændelser i den valgte periode.")
else:
    shown = events.select(
        # Stored in UTC, read in Danish time (summer time included)
        pl.col("at").dt.replace_time_zone("UTC").dt.convert_time_zone("Europe/Copenhagen")
        .dt.strftime("%d.%m.%Y %H:%M:%S").alias("Tidspunkt"),
        pl.col("username").alias("Bruger"),
        pl.col("action").replace(ACTIONS).alias("Handling"),
        pl.col("detail").fill_null("–").alias("Detaljer"),  # never "None" on screen
        pl.col("rows").cast(pl.Utf8).fill_null("–").alias("Rækker"),
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption(f"{events.height} hændelser fra {format_date(since)} til {format_date(until)}.")
    viewer = current_viewer()
    st.download_button(
        "Hent revisionslog (CSV)", to_csv_bytes(shown), file_name=f"revisionslog_{today}.csv",
        mime="text/csv", on_click=lambda: record_event(
            engine(), username=viewer.username, action="export",
            detail=f"revisionslog {since}..{until}", rows=events.height))
