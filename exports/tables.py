"""Export tables that are the view: what a page shows, in Danish, rounded as on screen.

Two steps, both pure polars:

1. A builder (:func:`overview_rows`, :func:`layer_rows`, :func:`daycare_rows`, :func:`points_rows`,
   or :func:`view_rows` to pick by page) turns the frames a page already has into rows with
   code-named columns and machine values (``True``, ``on_track``, ``procentpoint``, ``0-2``).
2. :func:`export_table` makes them what a person reads: Danish headers, ``Ja``/``Nej``, status and
   unit in words (or leaves the code names and values for an analyst, ``danish_headers=False``).

The ``*_export`` functions do both. Every row carries the subgroup its value is for (``age_group``,
``vulnerable_only``): indicators that are not about children are the same under the child filters
and say so, so a filter column never claims more than the number behind it.

Privacy: a withheld row leaves without value, n, numerator, denominator or funnel limits (limits
are computed from n); its text is ``< min_n`` and ``suppressed`` is true, the same for primary and
secondary suppression so the file does not tell them apart.

Numerator and denominator are counts or empty: for a share they are hits and cases, for a rate the
events and the exposure (institutions × months), for a mean of counts the sum and the cases. A mean
of scores keeps only its denominator (the number of answers); a gap between two groups' shares
(``gap``: others minus focus, in percentage points) has no counts behind one fraction, so both are
empty and the row's note says why.
"""

from __future__ import annotations

import polars as pl
from polars._typing import PolarsDataType

from core.model_config import ProgrammeSpec
from exports.columns import BOOLEAN_COLUMNS, DANISH_HEADERS
from exports.view import AGE_GROUP_LABELS, ExportView
from indicators.format import format_value
from indicators.periods import period_label
from indicators.registry import COMPUTATIONS
from indicators.status import STATUS_LABELS
from indicators.summary import IndicatorMeta, pick_subgroup, ranking, with_status

ROW_COLUMNS: dict[str, PolarsDataType] = {
    "programme": pl.Utf8,
    "layer": pl.Utf8,
    "box": pl.Utf8,
    "box_title": pl.Utf8,
    "indicator_id": pl.Utf8,
    "indicator": pl.Utf8,
    "org_unit_code": pl.Utf8,
    "org_unit": pl.Utf8,
    "org_level": pl.Utf8,
    "period_label": pl.Utf8,
    "period": pl.Utf8,
    "age_group": pl.Utf8,
    "vulnerable_only": pl.Boolean,
    "value": pl.Float64,
    "unit": pl.Utf8,
    "shown_value": pl.Utf8,
    "numerator": pl.Int64,
    "denominator": pl.Int64,
    "n": pl.Int64,
    "target": pl.Float64,
    "target_year": pl.Int64,
    "status": pl.Utf8,
    "suppressed": pl.Boolean,
    "note": pl.Utf8,
}
RANK_COLUMNS: dict[str, PolarsDataType] = {"rank": pl.Int64}
LIMIT_COLUMNS: dict[str, PolarsDataType] = {
    "lower_limit": pl.Float64, "upper_limit": pl.Float64, "outside_limits": pl.Boolean,
}

UNIT_LABELS = {"%": "%", "procentpoint": "pct.-point", "antal": "antal", "dage": "dage",
               "score": "score"}
# The same words as the sidebar's (ui.filters.LEVEL_LABELS); exports may not import ui.
LEVEL_LABELS = {"national": "Land", "municipality": "Kommune", "area": "Område",
                "institution": "Dagtilbud"}
# Displayed values come from indicators.format: its real minus (U+2212) also keeps a spreadsheet
# from reading "-3,5 …" as a formula

NOTE_SUPPRESSED = ("Tilbageholdt: bygger på færre end {min_n} eller ville gøre et andet "
                   "tilbageholdt tal beregneligt.")
NOTE_GAP = ("Forskel mellem to andele (øvrige børn minus børn i udsatte positioner) i "
            "procentpoint; der er ingen tæller og nævner i antal. n er den mindste af de to "
            "grupper.")
NOTE_MEAN_SCORE = "Gennemsnit af scorer: nævneren er antal besvarelser; tælleren udelades."
NOTE_WHOLE_POPULATION = "Indikatoren handler ikke om de enkelte børn; tallet gælder alle."


def _metas(programme: ProgrammeSpec) -> dict[str, IndicatorMeta]:
    return {i.id: IndicatorMeta.of(i) for i in programme.indicators()}


def _decimals(unit: str) -> int:
    """As on screen (:func:`indicators.format.decimals_for`): whole days, one decimal else."""
    return 0 if unit == "dage" else 1


def _shown(value: float | None, unit: str, suppressed: bool, min_n: int) -> str:
    """The value as the screen writes it, with ``< min_n`` for a withheld one."""
    return format_value(value, unit, suppressed=suppressed, withheld_text=f"< {min_n}")


def _indicator_table(programme: ProgrammeSpec) -> pl.DataFrame:
    rows = []
    for order, (layer, box) in enumerate(programme.boxes()):
        for k, spec in enumerate(box.indicators):
            computation = COMPUTATIONS[spec.computation]
            rows.append({
                "indicator_id": spec.id, "layer": layer.title, "box": box.id,
                "box_title": box.title, "indicator": spec.name, "unit": spec.unit,
                "target_year": spec.target_year, "min_n": spec.min_n,
                "aggregation": computation.aggregation,
                "subgroups": computation.subgroups,
                "_order": order * 1000 + k,
            })
    return pl.DataFrame(rows, schema={
        "indicator_id": pl.Utf8, "layer": pl.Utf8, "box": pl.Utf8, "box_title": pl.Utf8,
        "indicator": pl.Utf8, "unit": pl.Utf8, "target_year": pl.Int64, "min_n": pl.Int64,
        "aggregation": pl.Utf8, "subgroups": pl.Boolean, "_order": pl.Int64,
    })


def _whole_count(column: str) -> pl.Expr:
    """A count column as Int64; a value that is not a whole number is no count and is dropped."""
    col = pl.col(column)
    return pl.when(col == col.round(0)).then(col.round(0).cast(pl.Int64)).otherwise(None)


def _counts(keep_numerator: pl.Expr, keep_denominator: pl.Expr) -> list[pl.Expr]:
    hidden = pl.col("suppressed")
    return [
        pl.when(~hidden & keep_numerator).then(_whole_count("numerator")).alias("numerator"),
        pl.when(~hidden & keep_denominator).then(_whole_count("denominator"))
        .alias("denominator"),
    ]


def _round_as_shown(value: float | None, unit: str) -> float | None:
    """The number the screen writes: Python's formatting rounds the binary value exactly (0.35 is
    0.34999… and shows as 0,3), where polars' ``round`` would give 0.4."""
    return None if value is None else float(f"{value:.{_decimals(unit)}f}")


def _rounded(column: str) -> pl.Expr:
    return pl.struct(pl.col(column).cast(pl.Float64).alias("v"), "unit").map_elements(
        lambda r: _round_as_shown(r["v"], r["unit"]), return_dtype=pl.Float64)


def _notes(view: ExportView) -> pl.Expr:
    filtered = view.age_group != "alle" or view.vulnerable_only
    parts = [
        pl.when(pl.col("suppressed")).then(
            pl.lit(NOTE_SUPPRESSED.split("{min_n}")[0]) + pl.col("min_n").cast(pl.Utf8)
            + pl.lit(NOTE_SUPPRESSED.split("{min_n}")[1])),
        pl.when(pl.col("aggregation") == "gap").then(pl.lit(NOTE_GAP)),
        pl.when((pl.col("aggregation") == "mean") & (pl.col("unit") == "score"))
        .then(pl.lit(NOTE_MEAN_SCORE)),
        pl.when(pl.lit(filtered) & ~pl.col("subgroups")).then(pl.lit(NOTE_WHOLE_POPULATION)),
    ]
    text = pl.concat_str(parts, separator=" ", ignore_nulls=True)
    return pl.when(text == "").then(None).otherwise(text)


def _prepared(values: pl.DataFrame, programme: ProgrammeSpec, view: ExportView) -> pl.DataFrame:
    """The page's values with the view's subgroup chosen and status added (both done already
    when the page passes what it drew, e.g. ``ui.views.view_values``)."""
    metas = _metas(programme)
    values = values.filter(pl.col("indicator_id").is_in(list(metas)))
    if "age_group" in values.columns:
        values = pick_subgroup(values, metas, age_group=view.age_group,
                               vulnerable_only=view.vulnerable_only)
    if "status" not in values.columns or "target" not in values.columns:
        values = with_status(values.drop("status", "target", strict=False), metas)
    return values


def indicator_rows(
    values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
    view: ExportView, indicator_ids: list[str] | None = None, periods: list[str] | None = None,
) -> pl.DataFrame:
    """Rows (``ROW_COLUMNS``, plus the funnel's limits when ``values`` has them) for the given
    indicators and periods; all of the programme's and all periods in ``values`` by default.

    ``values``: stored values (``data_access.analytics.VALUE_COLUMNS``) or what a page drew from
    them (subgroup picked, ``target`` and ``status`` added). ``org_units``: ``id``, ``code``,
    ``name``, ``level`` (and ``path`` for the tree order) of the units in ``values``.
    """
    extra = {c: t for c, t in LIMIT_COLUMNS.items() if c in values.columns}
    schema = ROW_COLUMNS | extra
    values = _prepared(values, programme, view)
    if indicator_ids is not None:
        values = values.filter(pl.col("indicator_id").is_in(indicator_ids))
    if periods is not None:
        values = values.filter(pl.col("period").is_in(periods))
    if values.is_empty():
        return pl.DataFrame(schema=schema)
    units = org_units.select(
        pl.col("id").alias("unit_id"), pl.col("code").alias("org_unit_code"),
        pl.col("name").alias("org_unit"), pl.col("level").alias("org_level"),
        (pl.col("path") if "path" in org_units.columns else pl.lit("")).alias("_path"),
    ).unique("unit_id")
    hidden = pl.col("suppressed")
    rows = (
        values.join(_indicator_table(programme), on="indicator_id", how="inner")
        .join(units, on="unit_id", how="inner")
        .with_columns(
            pl.lit(programme.id).alias("programme"),
            pl.col("period").replace_strict(
                {p: period_label(p) for p in values["period"].unique()}).alias("period_label"),
            pl.when(pl.col("subgroups")).then(pl.lit(view.age_group)).otherwise(pl.lit("alle"))
            .alias("age_group"),
            (pl.col("subgroups") & pl.lit(view.vulnerable_only)).alias("vulnerable_only"),
            pl.when(hidden).then(None).otherwise(_rounded("value")).alias("value"),
            pl.when(hidden).then(None).otherwise(pl.col("n")).alias("n"),
            _rounded("target").alias("target"),
            pl.when(hidden).then(pl.lit("no_data")).otherwise(pl.col("status")).alias("status"),
            *_counts(pl.col("aggregation").is_in(["share", "rate", "sum"])
                     | ((pl.col("aggregation") == "mean") & (pl.col("unit") != "score")),
                     pl.col("aggregation") != "gap"),
            *[pl.when(hidden).then(None).otherwise(_rounded(c)).alias(c)
              for c in ("lower_limit", "upper_limit") if c in extra],
            *[pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
              for c in ("outside_limits",) if c in extra],
            _notes(view).alias("note"),
        )
    )
    rows = rows.with_columns(
        pl.struct("value", "unit", "suppressed", "min_n").map_elements(
            lambda r: _shown(r["value"], r["unit"], r["suppressed"], r["min_n"]),
            return_dtype=pl.Utf8).alias("shown_value"),
    ).sort("_order", "_path", "period")
    return rows.select([pl.col(c).cast(t) for c, t in schema.items()])


def overview_rows(values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
                  view: ExportView) -> pl.DataFrame:
    """Every indicator of the programme, every period shown."""
    return indicator_rows(values, programme, org_units, view=view)


def layer_rows(values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
               view: ExportView) -> pl.DataFrame:
    """Only the indicators of the view's layer (``view.layer_id``)."""
    layer = next((lay for lay in programme.layers if lay.id == view.layer_id), None)
    if layer is None:
        raise ValueError(f"Laget {view.layer_id!r} findes ikke i programmet {programme.id!r}.")
    ids = [spec.id for box in layer.boxes for spec in box.indicators]
    return indicator_rows(values, programme, org_units, view=view, indicator_ids=ids)


def daycare_rows(values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
                 view: ExportView) -> pl.DataFrame:
    """The daycare page's table: the last period of the view, every indicator, the units in
    ``values`` (the daycare and its benchmarks, the daycares ranked), with each daycare's place
    (``rank``) among the daycares as the page ranks them (on unrounded values; withheld values
    unranked)."""
    rows = indicator_rows(values, programme, org_units, view=view, periods=[view.period_to])
    prepared = _prepared(values, programme, view).filter(pl.col("period") == view.period_to)
    daycare_ids = org_units.filter(pl.col("level") == "institution")["id"].to_list()
    ranks = [
        ranking(prepared, indicator_id=spec.id, period=view.period_to, unit_ids=daycare_ids,
                direction=spec.direction).select("indicator_id", "unit_id", "rank")
        for spec in programme.indicators()
    ]
    codes = org_units.select(pl.col("id").alias("unit_id"), pl.col("code").alias("org_unit_code"))
    ranked = (
        pl.concat([r.cast({"rank": pl.Int64, "unit_id": pl.Int64}) for r in ranks])
        .join(codes.unique("unit_id"), on="unit_id").drop("unit_id")
    )
    out = rows.join(ranked, on=["indicator_id", "org_unit_code"], how="left",
                    maintain_order="left")
    order = list(ROW_COLUMNS)
    cut = order.index("org_level") + 1
    return out.select([*order[:cut], "rank", *order[cut:]])


def points_rows(points: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
                view: ExportView) -> pl.DataFrame:
    """The points of a funnel (or any one-indicator, one-period scatter of units).

    ``points``: ``unit_id``, ``value``, ``n``, ``suppressed`` and optionally ``numerator``,
    ``denominator``, ``lower_limit``, ``upper_limit``, ``outside_limits``, ``indicator_id``
    (default ``view.indicator_id``) and ``period`` (default ``view.period_to``). The limits of a
    withheld point are dropped with its n, since they are computed from it.
    """
    if "indicator_id" not in points.columns:
        if not view.indicator_id:
            raise ValueError("Et udtræk af punkter skal angive indikatoren.")
        points = points.with_columns(pl.lit(view.indicator_id).alias("indicator_id"))
    if "period" not in points.columns:
        points = points.with_columns(pl.lit(view.period_to).alias("period"))
    for name in ("numerator", "denominator"):
        if name not in points.columns:
            points = points.with_columns(pl.lit(None, dtype=pl.Float64).alias(name))
    rows = indicator_rows(points, programme, org_units, view=view)
    return rows.sort("value", nulls_last=True, maintain_order=True)


PAGE_ROWS = {"overview": overview_rows, "layer": layer_rows, "daycare": daycare_rows,
             "funnel": points_rows}


def view_rows(values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
              view: ExportView) -> pl.DataFrame:
    """The rows of the page ``view.page`` (for a funnel, ``values`` are its points)."""
    return PAGE_ROWS[view.page](values, programme, org_units, view=view)


def with_completeness_columns(rows: pl.DataFrame, completeness: pl.DataFrame, *,
                              child_indicators: set[str], threshold: float) -> pl.DataFrame:
    """``rows`` (code names) with ``completeness`` (% of the unit's enrolled children assessed in
    the period) and ``uncertain`` (below ``threshold``) for indicators about children; empty for
    the others and for withheld rows. ``completeness``: ``org_unit_code``, ``period``,
    ``completeness``.

    >>> rows = pl.DataFrame({"indicator_id": ["L1", "A1"], "org_unit_code": ["580", "580"],
    ...                      "period": ["2026H2", "2026H2"], "suppressed": [False, False]})
    >>> c = pl.DataFrame({"org_unit_code": ["580"], "period": ["2026H2"], "completeness": [72.5]})
    >>> with_completeness_columns(rows, c, child_indicators={"L1"}, threshold=80.0).rows()
    [('L1', '580', '2026H2', False, 72.5, True), ('A1', '580', '2026H2', False, None, None)]
    """
    joined = rows.join(completeness.select("org_unit_code", "period", "completeness"),
                       on=["org_unit_code", "period"], how="left")
    shown = pl.col("indicator_id").is_in(sorted(child_indicators)) & ~pl.col("suppressed")
    return joined.with_columns(
        pl.when(shown).then(pl.col("completeness").round(1)).otherwise(None)
        .alias("completeness"),
        pl.when(shown & pl.col("completeness").is_not_null())
        .then(pl.col("completeness") < threshold).otherwise(None).alias("uncertain"))


def export_table(rows: pl.DataFrame, *, danish_headers: bool = True) -> pl.DataFrame:
    """Rows with code names → the table a person reads.

    Danish (the default): headers as in :mod:`exports.columns`, ``Ja``/``Nej``, status, unit, age
    group and level in words. ``danish_headers=False`` leaves code names and machine values for
    analysts (``true``/``false``, ``on_track``, ``procentpoint``, ``0-2``).
    """
    if not danish_headers:
        return rows
    words = {"status": STATUS_LABELS, "unit": UNIT_LABELS, "age_group": AGE_GROUP_LABELS,
             "org_level": LEVEL_LABELS}
    out = rows.with_columns(
        *[pl.col(c).replace_strict(m, default=pl.col(c), return_dtype=pl.Utf8).alias(c)
          for c, m in words.items() if c in rows.columns],
        *[pl.when(pl.col(c)).then(pl.lit("Ja")).when(~pl.col(c)).then(pl.lit("Nej"))
          .otherwise(None).alias(c) for c in BOOLEAN_COLUMNS if c in rows.columns],
    )
    return out.rename({c: DANISH_HEADERS[c] for c in out.columns if c in DANISH_HEADERS})


def view_export(values: pl.DataFrame, programme: ProgrammeSpec, org_units: pl.DataFrame, *,
                view: ExportView, danish_headers: bool = True) -> pl.DataFrame:
    """What the page ``view.page`` shows, as the table to write (see :func:`export_table`)."""
    return export_table(view_rows(values, programme, org_units, view=view),
                        danish_headers=danish_headers)
