"""Indlæs data: upload a file of one kind; every row is checked before anything is written."""

from __future__ import annotations

import polars as pl
import streamlit as st

from imports.kinds import KINDS
from imports.load import import_file
from imports.templates import template_bytes
from ui.context import change_model, current_viewer, engine

# 1. Selection
st.title("Indlæs data")
st.markdown("Vælg hvilken slags data filen indeholder, og upload en CSV- eller Excel-fil. "
            "Hele filen kontrolleres først; er der én fejl, indlæses intet.")
kind_name = st.selectbox("Slags data", list(KINDS), format_func=lambda k: KINDS[k].title)
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
                         progress=lambda share, text: bar.progress(min(1.0, share), text=text))
    bar.empty()
    # 3. Result
    if result.errors:
        st.error(f"Filen blev ikke indlæst: {len(result.errors)} fejl. Ret dem og prøv igen.")
        st.dataframe(pl.DataFrame(
            [{"Række": e.row or "–", "Kolonne": e.column, "Fejl": e.message}
             for e in result.errors[:1000]]), hide_index=True, width="stretch")
    else:
        st.success(f"Indlæst: {result.new} nye, {result.updated} opdaterede, "
                   f"{result.unchanged} uændrede rækker. Indikatorerne er beregnet igen.")
        st.cache_data.clear()
