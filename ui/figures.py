"""Drawing a chart the same way everywhere: the Danish plotly config, a text alternative for
screen readers and "Vis som tabel" with the chart's numbers under it."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from charts.locale_da import PLOTLY_CONFIG


def chart_with_table(fig: go.Figure, table: pl.DataFrame, *, key: str, alt: str,
                     where: DeltaGenerator | None = None, toolbar: bool = True) -> None:
    """``fig`` with ``alt`` as its accessible name, and ``table`` in a "Vis som tabel"
    expander under it (in ``where``, default the current container)."""
    box = where or st.container()
    config = PLOTLY_CONFIG | ({} if toolbar else {"displayModeBar": False})
    box.plotly_chart(fig, config=config, key=key, alt=alt)
    with box.expander("Vis som tabel", icon=":material/table:"):
        st.dataframe(table, hide_index=True, width="stretch")
