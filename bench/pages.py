"""Server time of every page, cold and warm, through Streamlit's AppTest (``bench.steps pages``).

Each page is opened as a user opens a link to it: a new session of its own, logged in as the
viewer (a real session row, as tests/app/conftest.py does), with the page and its filters in the
URL (``?side=lag-kort-sigt&program=…&enhed=…``; ``ui.navigation.pages_for`` follows ``side``
once per session). The page must then show its own headings (``PagePlan.headings``), else the
step fails: a page that did not render would otherwise be timed as a fast one.

Cold: ``st.cache_data`` cleared, then one run of the page (the process and its imports warm, as
on a server that has been up). Warm: the median of the next reruns. Each run is timed twice: the
script alone (``ScriptRunner._run_script``: app.py, login check, filters, the page's loaders and
figures, the elements serialised; what a server does for a rerun) and AppTest's whole ``run()``
(plus its own set-up and the parsing of the elements into a tree, which a server does not do).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.model_config import ChangeModelConfig
from indicators.registry import COMPUTATIONS

if TYPE_CHECKING:
    from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
TILE_MARKUP = 'class="cm-tile"'


@dataclass(frozen=True)
class PagePlan:
    """One page to time: its label, the URL's query, what it must show.

    ``headings``: texts that must each be one of the page's headings (title, header,
    subheader); ``markup``: a text that must be in ``count`` markdown elements or headings (0:
    in at least one); ``chart``: the start of the key of a chart that must be drawn;
    ``tables``: at least this many tables. ``widgets``: widget values (by key) a user sets
    after the page has opened, before the timed runs.
    """

    label: str
    query: dict[str, str]
    headings: tuple[str, ...]
    markup: str = ""
    count: int = 0
    chart: str = ""
    tables: int = 0
    widgets: dict[str, Any] = field(default_factory=dict)


@dataclass
class Shown:
    """What a run put on screen (from the AppTest element tree)."""

    headings: list[str] = field(default_factory=list)
    markdown: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)
    tables: int = 0
    errors: list[str] = field(default_factory=list)


class PageNotRendered(AssertionError):
    """A page did not show its own content: its time would not be the page's."""


def page_plans(config: ChangeModelConfig, *, institution: tuple[str, str]) -> list[PagePlan]:
    """Every page an ``admin`` can open, on the first programme: the overview, one page per
    layer, Dagtilbud (the whole scope with the funnel of the first share indicator and with the
    ranking, and one daycare: ``institution`` is its code and name), the meeting, Kommuner (for
    the first national programme, if there is one), the glossary and the three admin pages."""
    programme = config.programmes[0]
    on = {"program": programme.id}
    code, name = institution
    share = next(spec.id for spec in programme.indicators()
                 if spec.unit == "%" and COMPUTATIONS[spec.computation].aggregation == "share")
    daycares = {"side": "dagtilbud", **on}
    compared = ("Dagtilbud", "Sammenligning af dagtilbud")
    plans = [
        PagePlan("oversigt", on, (programme.title,), TILE_MARKUP, len(programme.boxes())),
        *[PagePlan(f"lag-{layer.id}", {"side": f"lag-{layer.id}", **on},
                   (layer.title, *[f"{box.id} · {box.title}" for box in layer.boxes]),
                   chart="trend_")
          for layer in programme.layers],
        PagePlan("dagtilbud, tragtdiagram", daycares, compared, chart=f"funnel_{share}",
                 widgets={"rank_indicator": share}),
        PagePlan("dagtilbud, rangering", daycares, compared, tables=1,
                 widgets={"rank_indicator": share, "compare_view": "Rangering"}),
        # one daycare: its own table is headed by its name, its own trends below
        PagePlan("dagtilbud, ét dagtilbud", {**daycares, "enhed": code},
                 (*compared, "Udvikling over tid"), f"{name} · ", chart="own_"),
        PagePlan("moede", {"side": "moede", **on}, ("Styregruppemøde",)),
    ]
    national = next((p for p in config.programmes if p.is_national), None)
    if national is not None:
        plans.append(PagePlan("kommuner", {"side": "kommuner", "program": national.id},
                              ("Kommuner", *[layer.title for layer in national.layers]),
                              chart="kommuner_"))
    return [*plans,
            PagePlan("ordforklaring", {"side": "ordforklaring", **on},
                     ("Ordforklaring", f"Indikatorerne i {programme.title}")),
            PagePlan("indlaes", {"side": "indlaes"}, ("Indlæs data",)),
            PagePlan("log", {"side": "log"}, ("Revisionslog",)),
            PagePlan("brugere", {"side": "brugere"}, ("Brugere", "Alle brugere"), tables=1)]


def missing(plan: PagePlan, shown: Shown, *, content: bool = True) -> list[str]:
    """What ``plan`` expects that ``shown`` lacks (empty: the page rendered as its own).
    ``content=False``: the headings and errors only (before ``plan.widgets`` are set)."""
    lacks = [f"heading {text!r}" for text in plan.headings if text not in shown.headings]
    lacks += [f"error {text!r}" for text in shown.errors]
    if not content:
        return lacks
    if plan.markup:
        found = sum(plan.markup in text for text in shown.markdown + shown.headings)
        if (plan.count and found != plan.count) or (not plan.count and not found):
            lacks.append(f"{plan.count or 'some'} elements with {plan.markup!r} (found {found})")
    if plan.chart and not any(key.startswith(plan.chart) for key in shown.charts):
        lacks.append(f"a chart keyed {plan.chart!r}…")
    if shown.tables < plan.tables:
        lacks.append(f"{plan.tables} tables (found {shown.tables})")
    return lacks


def shown_by(at: AppTest) -> Shown:
    return Shown(
        headings=[e.value for kind in (at.title, at.header, at.subheader) for e in kind],
        markdown=[m.value for m in at.markdown],
        charts=[str(c.key) for c in at.get("plotly_chart")],
        tables=len(at.dataframe),
        errors=[str(e.value) for e in at.exception] + [str(e.value) for e in at.error],
    )


def set_widget(at: AppTest, key: str, value: Any) -> None:
    """Set the widget keyed ``key`` to ``value`` for the next run, as a user would."""
    for kind in ("selectbox", "segmented_control", "radio", "toggle"):
        try:
            widget = getattr(at, kind)(key=key)
        except KeyError:
            continue
        widget.set_value(value)
        return
    raise PageNotRendered(f"no widget keyed {key!r} on the page")


@contextmanager
def script_clock() -> Iterator[list[float]]:
    """Seconds of each script run (``ScriptRunner._run_script``) while the block runs."""
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    real = ScriptRunner._run_script  # noqa: SLF001 (no public hook around one script run)
    spans: list[float] = []

    def timed(self: ScriptRunner, *args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            real(self, *args, **kwargs)
        finally:
            spans.append(time.perf_counter() - started)

    ScriptRunner._run_script = timed  # type: ignore[method-assign]  # noqa: SLF001
    try:
        yield spans
    finally:
        ScriptRunner._run_script = real  # type: ignore[method-assign]  # noqa: SLF001


def _timed_run(at: AppTest, spans: list[float]) -> tuple[float, float]:
    """One run: (script ms, AppTest ms)."""
    spans.clear()
    started = time.perf_counter()
    at.run()
    total = (time.perf_counter() - started) * 1000
    if not spans:  # Streamlit no longer runs scripts through ScriptRunner._run_script
        raise RuntimeError("the script clock saw no script run: update bench/pages.py")
    return sum(spans) * 1000, total


def time_page(plan: PagePlan, open_session: Callable[[], AppTest], spans: list[float],
              repeat: int) -> dict[str, Any]:
    """Open the page in a new session, check it is the page, then time it cold and warm.

    Raises
    ------
    PageNotRendered
        When a run does not show the page's own headings (or shows an error).
    """
    import streamlit as st

    from ui.figures import clear_shared_figures

    at = open_session()
    for key, value in plan.query.items():
        at.query_params[key] = value
    first, _ = _timed_run(at, spans)
    _check(plan, at, "first run", content=not plan.widgets)
    for key, value in plan.widgets.items():
        set_widget(at, key, value)
    st.cache_data.clear()
    clear_shared_figures()  # cold: no data and no figure built before
    cold, cold_total = _timed_run(at, spans)
    _check(plan, at, "cold run")
    warm = []
    for k in range(repeat):
        warm.append(_timed_run(at, spans))
        _check(plan, at, f"warm run {k + 1}")
    return {"query": plan.query, "first_ms": first, "cold_ms": cold,
            "warm_ms": statistics.median(w[0] for w in warm),
            "cold_apptest_ms": cold_total,
            "warm_apptest_ms": statistics.median(w[1] for w in warm),
            "headings": plan.headings}


def _check(plan: PagePlan, at: AppTest, run: str, *, content: bool = True) -> None:
    shown = shown_by(at)
    lacks = missing(plan, shown, content=content)
    if lacks:
        raise PageNotRendered(f"page {plan.label!r} ({run}, query {plan.query}) lacks "
                              f"{'; '.join(lacks)}; headings shown: {shown.headings}")
