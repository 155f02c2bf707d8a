"""Drawing a chart the same way everywhere: the Danish plotly config, a text alternative for
screen readers and "Vis som tabel" with the chart's numbers under it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

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


# --- Shared figures ---------------------------------------------------------------------------
#
# Building a plotly figure (validators, make_subplots) costs more than reading its numbers: on a
# warm rerun of a layer page it was most of the server time. A figure is a pure function of its
# inputs, and those inputs are already limited to the viewer's scope, so one process-wide cache
# keyed by the inputs themselves (frames by their full contents) serves every session without
# showing anyone more than their own inputs give. Figures are shared: never mutate one returned
# from here (``charts.presentation.readable_chart`` does, so the meeting builds its own).

_FIGURES: OrderedDict[Hashable, go.Figure] = OrderedDict()
_FIGURES_LOCK = threading.Lock()
MAX_FIGURES = 512


def _frame_key(frame: pl.DataFrame) -> Hashable:
    return (tuple(frame.columns), tuple(str(t) for t in frame.dtypes), tuple(frame.iter_rows()))


def _arg_key(value: Any) -> Hashable:
    if isinstance(value, pl.DataFrame):
        return _frame_key(value)
    if isinstance(value, list | tuple):
        return tuple(_arg_key(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _arg_key(v)) for k, v in value.items()))
    return value


def shared_figure(builder: Callable[..., go.Figure], *args: Any, **kwargs: Any) -> go.Figure:
    """``builder(*args, **kwargs)``, built once per distinct input in this process (LRU of
    :data:`MAX_FIGURES`). Do not mutate the result."""
    key = (builder.__module__, builder.__qualname__, _arg_key(args), _arg_key(kwargs))
    with _FIGURES_LOCK:
        fig = _FIGURES.get(key)
        if fig is not None:
            _FIGURES.move_to_end(key)
            return fig
    fig = builder(*args, **kwargs)
    with _FIGURES_LOCK:
        _FIGURES[key] = fig
        while len(_FIGURES) > MAX_FIGURES:
            _FIGURES.popitem(last=False)
    return fig


def clear_shared_figures() -> None:
    """Forget every shared figure (the benchmark's cold runs)."""
    with _FIGURES_LOCK:
        _FIGURES.clear()
