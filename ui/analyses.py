"""Page parts for the analyses (issue 15): position flows and time in yellow, equity over time,
the funnel plot, completeness next to values, drill-through from a chart point, and the
indicator help. Each part loads through ``ui.cache`` (scope in every key) and draws with one
chart function."""

from __future__ import annotations

import polars as pl
import streamlit as st

from charts.equity import equity_chart
from charts.flows import flow_sankey_chart, yellow_survival_chart
from charts.funnel import funnel_chart
from charts.locale_da import PLOTLY_CONFIG  # Danish toolbar texts, one config for every chart
from core.model_config import IndicatorSpec
from indicators.completeness import UNCERTAIN_TEXT
from indicators.equity import equity_from_values
from indicators.flows import TOTAL, next_round
from indicators.format import format_number, format_value
from indicators.funnel import CLASS_LABELS, classify, funnel_limits
from indicators.glossary import completeness_applies, indicator_help_markdown
from indicators.periods import period_label, periods_between
from indicators.registry import COMPUTATIONS
from indicators.summary import pick_subgroup, with_status
from indicators.unit_analyses import flag_uncertain
from ui import cache, session
from ui.context import app_settings, current_viewer, indicator_metas
from ui.figures import shared_figure
from ui.filters import Filters


def _url() -> str:
    return app_settings().database_url


def is_child_indicator(spec: IndicatorSpec) -> bool:
    """Indicators about children computed from the assessments: completeness is shown."""
    return completeness_applies(COMPUTATIONS[spec.computation])


# --- Completeness -----------------------------------------------------------------------------


def with_completeness(filters: Filters, values: pl.DataFrame) -> pl.DataFrame:
    """``values`` with ``completeness`` (%) and ``uncertain`` for child indicators (null for
    the others): the share of the unit's enrolled children assessed in the period."""
    specs = {spec.id: spec for spec in filters.programme.indicators()}
    child_ids = [i for i, spec in specs.items() if is_child_indicator(spec)]
    unit_ids = tuple(sorted(set(values["unit_id"].to_list()))) if values.height else ()
    found = flag_uncertain(cache.completeness(
        _url(), current_viewer().scope, unit_ids, filters.period_from, filters.period_to,
        session.data_version()), threshold=app_settings().completeness_threshold)
    joined = values.join(found.select("unit_id", "period", "completeness", "uncertain"),
                         on=["unit_id", "period"], how="left")
    child = pl.col("indicator_id").is_in(child_ids)
    return joined.with_columns(
        pl.when(child).then(pl.col("completeness")).otherwise(None).alias("completeness"),
        pl.when(child).then(pl.col("uncertain")).otherwise(None).alias("uncertain"))


def completeness_text(row: dict, *, warning: bool = True) -> str | None:
    """``Datakomplethed 92,3 %`` (plus the warning) for a value row, or None."""
    if row.get("completeness") is None:
        return None
    text = f"Datakomplethed {format_value(row['completeness'], '%')}"
    return f"{text} · ⚠ {UNCERTAIN_TEXT}" if warning and row.get("uncertain") else text


# --- Position flows and time in yellow ------------------------------------------------------


def _round_pair(from_round: str) -> str:
    return f"{period_label(from_round)} → {period_label(next_round(from_round))}"


def flow_section(filters: Filters, spec: IndicatorSpec) -> None:
    """The Sankey of positions between two rounds, time in yellow, median time, yellow → red."""
    viewer, version = current_viewer(), session.data_version()
    withheld = app_settings().withheld_text
    rounds = cache.flow_rounds(_url(), viewer.scope, filters.unit_id, version)
    if not rounds:
        st.info("Positionsskift: ingen børn vurderet i to halvår i træk for den valgte enhed.")
        return
    in_range = [r for r in rounds if filters.period_from <= r
                and next_round(r) <= filters.period_to] or rounds
    st.markdown(f"**Positionsskift og tid i gul** · {filters.unit_name}")
    from_round = st.selectbox("Halvår", in_range, index=len(in_range) - 1,
                              format_func=_round_pair, key=f"flow_round_{spec.id}")
    flows = cache.position_flows(_url(), viewer.scope, filters.unit_id, from_round, version)
    curve = cache.yellow_survival(_url(), viewer.scope, filters.unit_id, from_round, version)
    summary = cache.yellow_summary(_url(), viewer.scope, filters.unit_id, from_round, version)
    st.plotly_chart(shared_figure(flow_sankey_chart, flows, from_round=from_round,
                                  withheld_text=withheld,
                                  title="Hvor var børnene et halvår senere?"),
                    config=PLOTLY_CONFIG, key=f"sankey_{spec.id}")
    left, right = st.columns([2, 1], vertical_alignment="center")
    if curve.is_empty():
        left.info("Tid i gul: ingen børn kom i gul position i halvåret.")
    else:
        left.plotly_chart(shared_figure(
            yellow_survival_chart, curve, withheld_text=withheld,
            title=f"Tid i gul for børn, der kom i gul i {period_label(from_round)}"),
            config=PLOTLY_CONFIG, key=f"survival_{spec.id}")
    if not summary.is_empty():
        row = summary.row(0, named=True)
        a, b, c = right.container(), right.container(), right.container()
        a.metric("Kom i gul", withheld if row["withheld"] else format_number(row["entered"], 0))
        median = row["median_rounds"]
        b.metric("Mediantid i gul", withheld if row["withheld"] else (
            "over 3 halvår" if median is None else f"{format_number(median, 0)} halvår"))
        c.metric("Gul → rød", withheld if row["to_red_share"] is None
                 else format_value(row["to_red_share"], "%"),
                 help="Andelen af de afsluttede forløb i gul, der endte i rød.")
    cells = {(r["from_position"], r["to_position"]): r for r in flows.iter_rows(named=True)}
    total = cells.get((TOTAL, TOTAL))
    st.caption("Alle børn vurderet i begge halvår, uanset filtrene for alder og udsatte "
               f"positioner. Tal under {app_settings().min_n} vises som «{withheld}»"
               + (f"; i alt {format_number(total['count'], 0)} børn."
                  if total and not total["withheld"] else "."))


# --- Equity over time -------------------------------------------------------------------------


def equity_section(filters: Filters, spec: IndicatorSpec, values: pl.DataFrame) -> bool:
    """Both groups' lines and the gap, for a gap indicator; False when there is nothing to draw."""
    if COMPUTATIONS[spec.computation].aggregation != "gap":
        return False
    mine = values.filter((pl.col("indicator_id") == spec.id)
                         & (pl.col("unit_id") == filters.unit_id))
    if mine.is_empty():
        return False
    st.plotly_chart(shared_figure(
        equity_chart,
        equity_from_values(mine), target=spec.target, withheld_text=app_settings().withheld_text,
        periods=periods_between(filters.period_from, filters.period_to),
        title=f"{spec.name} · begge grupper"), config=PLOTLY_CONFIG, key=f"equity_{spec.id}")
    return True


# --- Funnel plot ------------------------------------------------------------------------------


def funnel_points(filters: Filters, spec: IndicatorSpec, institutions: pl.DataFrame,
                  reference_id: int) -> tuple[pl.DataFrame, float | None]:
    """The institutions' values in the last period, classified around the reference unit's
    value (the municipality). Returns the classified points and the reference value."""
    metas = indicator_metas(filters.programme)
    ids = tuple(sorted({*institutions["id"].to_list(), reference_id}))
    raw = cache.indicator_period_values(
        _url(), current_viewer().scope, filters.programme.id, spec.id, filters.period_to,
        filters.age_group, filters.vulnerable_only, ids, session.data_version())
    values = with_status(pick_subgroup(raw, {spec.id: metas[spec.id]}, age_group=filters.age_group,
                                       vulnerable_only=filters.vulnerable_only),
                         {spec.id: metas[spec.id]})
    values = with_completeness(filters, values)
    reference = values.filter((pl.col("unit_id") == reference_id) & ~pl.col("suppressed"))
    p0 = reference["value"][0] if reference.height else None
    names = dict(zip(institutions["id"], institutions["name"], strict=True))
    units = values.filter(pl.col("unit_id").is_in(list(names))).with_columns(
        pl.col("unit_id").replace_strict(names).alias("label"))
    if p0 is None:
        return units, None
    return classify(units, p0), p0


def funnel_section(filters: Filters, spec: IndicatorSpec, institutions: pl.DataFrame,
                   reference: dict) -> None:
    """The funnel plot (for shares) and a table that marks only the daycares outside it."""
    withheld = app_settings().withheld_text
    if spec.unit != "%" or COMPUTATIONS[spec.computation].aggregation != "share":
        st.info("Tragtdiagrammet kan kun tegnes for andele. Vælg en indikator målt i %.")
        return
    points, p0 = funnel_points(filters, spec, institutions, reference["id"])
    if p0 is None:
        st.info(f"{reference['name']} har ingen værdi for {period_label(filters.period_to)}, "
                "så der er intet at sammenligne med.")
        return
    if points.is_empty():
        st.info("Ingen dagtilbud med data i perioden.")
        return
    n_max = int(points.select(pl.col("n").max()).item() * 1.15) + 1
    st.plotly_chart(shared_figure(
        funnel_chart,
        points, funnel_limits(p0, n_max=n_max), target=p0, unit=spec.unit,
        reference_label=reference["name"],
        higher_is_better=spec.direction == "higher",
        title=f"{spec.name} · {period_label(filters.period_to)}"),
        config=PLOTLY_CONFIG, key=f"funnel_{spec.id}")
    outside = points.filter(pl.col("classification") != "inside")
    hidden = institutions.height - points.height
    st.caption(
        f"Hvert punkt er et dagtilbud: værdien op ad aksen, antallet (n) hen ad aksen. Kun "
        f"dagtilbud uden for grænserne skiller sig reelt ud fra {reference['name']}. "
        + (f"{hidden} dagtilbud har ingen værdi eller færre end {spec.min_n} i grundlaget "
           f"(«{withheld}») og er ikke med." if hidden else ""))
    table = points.sort("value", descending=spec.direction == "higher").select(
        pl.col("label").alias("Dagtilbud"),
        pl.col("value").map_elements(lambda v: format_value(v, spec.unit),
                                     return_dtype=pl.Utf8).alias("Værdi"),
        pl.col("n").alias("n"),
        pl.when(pl.col("classification") == "inside").then(pl.lit(""))
        .otherwise(pl.col("classification").replace_strict(CLASS_LABELS, default=""))
        .alias("Skiller sig ud"),
        pl.col("completeness").map_elements(
            lambda v: format_value(v, "%"), return_dtype=pl.Utf8).fill_null("")
        .alias("Datakomplethed"),
        pl.when(pl.col("uncertain")).then(pl.lit(UNCERTAIN_TEXT)).otherwise(pl.lit(""))
        .alias("Bemærkning"),
    )
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"{outside.height} af {points.height} dagtilbud ligger uden for 95 %-grænserne.")


# --- Indicator help ---------------------------------------------------------------------------


def indicator_help(spec: IndicatorSpec) -> None:
    """An "Om indikatoren" popover: definition, numerator, denominator, source, n, filters."""
    settings = app_settings()
    with st.popover("Om indikatoren", icon=":material/info:"):
        st.markdown(indicator_help_markdown(
            spec, COMPUTATIONS[spec.computation], min_n=spec.min_n,
            withheld_text=settings.withheld_text,
            threshold=settings.completeness_threshold))
