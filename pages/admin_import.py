"""Indlæs data: upload a file of one kind; every row is checked before anything is written."""

from __future__ import annotations

import polars as pl
import streamlit as st

from imports.kinds import KINDS
from imports.load import import_file
from imports.templates import template_bytes
from imports.wording import count, number, size
from ui.context import app_settings, change_model, current_viewer, engine

MAX_SHOWN = 1_000

# 1. Selection
limits = app_settings().import_limits
st.title("Indlæs data", anchor=False)
st.markdown("Vælg hvilken slags data filen indeholder, og upload en CSV- eller Excel-fil. "
            "Hele filen kontrolleres først; er der én fejl, indlæses intet.")
st.caption(f"Højst {size(limits.max_bytes)} og {number(limits.max_rows)} rækker pr. fil "
           f"(Excel: {number(min(limits.max_rows, limits.max_xlsx_rows))} rækker). "
           "Store udtræk indlæses bedst som CSV. Skabelonernes eksempelrækker (EKSEMPEL) skal "
           "slettes eller rettes, før filen indlæses.")
kind_name = st.selectbox("Slags data", list(KINDS), format_func=lambda k: KINDS[k].title,
                         placeholder="Vælg slags data")
kind = KINDS[kind_name]
st.caption(kind.description)
left, right = st.columns(2)
left.download_button("Skabelon (CSV)", template_bytes(kind_name, "csv"),
                     file_name=f"skabelon_{kind_name}.csv", mime="text/csv")
right.download_button("Skabelon (Excel)", template_bytes(kind_name, "xlsx"),
                      file_name=f"skabelon_{kind_name}.xlsx")
upload = st.file_uploader("Fil", type=["csv", "xlsx", "txt"], key=f"upload_{kind_name}")

# 2. Import
if upload is not None and st.button("Indlæs", type="primary"):
    bar = st.progress(0.0, text="Kontrollerer filen …")
    result = import_file(engine(), change_model(), kind_name, upload.name,
                         username=current_viewer().username, data=upload.getvalue(),
                         limits=limits,
                         progress=lambda share, text: bar.progress(min(1.0, share), text=text))
    bar.empty()
    # 3. Result
    errors = result.errors
    if len(errors) == 1 and not errors[0].row:  # the file as a whole (size, encoding, lock …)
        st.error(f"Filen {upload.name} ({size(upload.size)}) blev ikke indlæst, og intet er "
                 f"gemt. {errors[0].message}")
    elif errors:
        st.error(f"Filen {upload.name} blev ikke indlæst, og intet er gemt. Der er "
                 f"{count(len(errors), 'fejl', 'fejl')} i filen – ret "
                 f"{'den' if len(errors) == 1 else 'dem'}, og indlæs filen igen.")
        st.dataframe(pl.DataFrame(
            [{"Række": number(e.row) if e.row else "–", "Kolonne": e.column or "–",
              "Fejl": e.message} for e in errors[:MAX_SHOWN]]), hide_index=True, width="stretch")
        if len(errors) > MAX_SHOWN:
            st.caption(f"Viser de første {number(MAX_SHOWN)} af {number(len(errors))} fejl.")
    else:
        st.success(f"Filen er indlæst: {result.summary()}. Indikatorerne er beregnet igen.")
        st.cache_data.clear()
