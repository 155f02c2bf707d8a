"""Reference copy of indicators/suppression.py before its passes closed only the groups with a
changed row (tests/unit/test_suppression_equivalence.py).

Secondary suppression: a withheld value must not be derivable from a total and its visible
parts.

Primary suppression (in :mod:`indicators.engine`) withholds every value resting on fewer than
``min_n`` subjects. That is not enough: an area's numerator minus its visible institutions'
numerators gives the one withheld institution. So, for every group of cells that add up to a
visible total, the withheld cells of the group must together rest on at least ``min_n`` subjects;
if they do not, the next smallest visible cell of the group is withheld too, until they do.

The groups ("a total and its parts"):

- **Org tree**: the institutions of an area add up to the area, the areas to the municipality.
- **Age**: ``0-2`` and ``3-5`` add up to ``alle`` (same unit, period, vulnerable flag).
- **Vulnerable**: ``alle`` minus "vulnerable only" is the other children; if that difference rests
  on fewer than ``min_n`` children, the vulnerable-only cell is withheld.

A withheld cell is also never left alone in its group (the total minus the visible parts would
give it back exactly), even when it rests on enough subjects.

For shares, the counts protected are n, the numerator (children with the attribute) and the rest
(denominator − numerator): a group's withheld cells must never add up to 1 … ``min_n``-1 of any of
them, and the unpublished complement "other children" neither.

The group rules are iterated to a fixed point across all relation kinds at once. Then the exact
audit (:mod:`indicators.disclosure_audit`) checks the whole linked system; for every cell it finds
recoverable, the smallest visible cell in a relation with it is withheld too, and the rules run
again, until the audit finds nothing. Ties are broken by the cells' keys: deterministic.

The rule runs at refresh time over the whole tree, so every screen and export — and any
combination of them — shows the same, safe set of cells. Rows withheld here are marked
``suppressed`` like primary ones and lose value, numerator and denominator.
"""

from __future__ import annotations

import polars as pl

from indicators.disclosure_audit import Finding, audit_indicator

MAX_PASSES = 50
COUNTS = ("n", "_num", "_rest")


def _small(total: pl.Expr, min_n: int) -> pl.Expr:
    return (total >= 1) & (total < min_n)


def _close_groups(frame: pl.DataFrame, group_keys: list[str], min_n: int,
                  counts: tuple[str, ...]) -> list[int]:
    """Rows (``_row``) to withhold so that, in every group of ``frame`` with something withheld,
    the withheld rows rest on at least ``min_n`` subjects together, never add up to 1 …
    ``min_n``-1 of a protected count, and are never a single row: the smallest visible rows
    first, as few as needed."""
    hidden = pl.col("suppressed")
    groups = frame.group_by(group_keys).agg(
        *[pl.col(c).filter(hidden).sum().alias(f"hidden{c}") for c in counts],
        hidden.sum().alias("hidden_count"),
    ).filter(pl.col("hidden_count") > 0)
    visible = (
        frame.filter(~hidden)
        .join(groups, on=group_keys, how="inner")
        # Ties are broken by the cells' own keys, never by row order: the same data must give
        # the same withheld cells in every run and every process.
        .sort([*group_keys, "n", "unit_id", "age_group", "vulnerable_only"])
        .with_columns(
            *[(pl.col(c).cum_sum().over(group_keys) - pl.col(c)).alias(f"before{c}")
              for c in counts],
            pl.int_range(pl.len()).over(group_keys).alias("rank"),
        )
    )
    with_before = {c: pl.col(f"hidden{c}") + pl.col(f"before{c}") for c in counts}
    unsafe = with_before["n"] < min_n
    for c in counts[1:]:
        unsafe = unsafe | _small(with_before[c], min_n)
    # Withhold the prefix of the sorted visible rows up to the first one the group is safe
    # without; and never leave one withheld cell alone next to its total.
    pick = (~(~unsafe).cast(pl.Int8).cum_max().over(group_keys).cast(pl.Boolean)) | (
        (pl.col("hidden_count") == 1) & (pl.col("rank") == 0))
    return visible.filter(pick)["_row"].to_list()


def _withhold(values: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    if not rows:
        return values
    hit = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(pl.Series(rows, dtype=pl.UInt32).implode())
    return values.with_columns((pl.col("suppressed") | hit).alias("suppressed"))


def _group_rules(out: pl.DataFrame, min_n: int, counts: tuple[str, ...]) -> pl.DataFrame:
    for _ in range(MAX_PASSES):
        before = int(out["suppressed"].sum())
        # Org tree: the units under one parent, per period and subgroup.
        indexed = out.with_row_index("_row").filter(pl.col("parent_id").is_not_null())
        out = _withhold(out, _close_groups(
            indexed, ["parent_id", "period", "age_group", "vulnerable_only"], min_n, counts))
        # Age: 0-2 and 3-5 under "alle".
        indexed = out.with_row_index("_row").filter(pl.col("age_group") != "alle")
        out = _withhold(out, _close_groups(indexed, ["unit_id", "period", "vulnerable_only"],
                                           min_n, counts))
        out = _withhold_small_complement(out, min_n, counts)
        if int(out["suppressed"].sum()) == before:
            break
    return out


def _audit_picks(out: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                 aggregation: str, periods: set[str] | None) -> list[int]:
    """Rows to withhold next: for every cell the exact audit finds recoverable (in ``periods``,
    or all), the smallest visible cell in a relation with it."""
    if periods is not None:
        out = out.with_row_index("_orig").filter(pl.col("period").is_in(sorted(periods)))
    cells = out.with_columns(pl.col("_num").alias("numerator"),
                             (pl.col("_num") + pl.col("_rest")).alias("denominator"))
    findings = [f for f in audit_indicator(cells, org_units=org_units, min_n=min_n,
                                           aggregation=aggregation)
                if f.kind != "small_numerator"]
    if not findings:
        return []
    keyed = (out.rename({"_orig": "_row"}) if periods is not None
             else out.with_row_index("_row")).select(
        "_row", "unit_id", "period", "age_group",
        pl.when(pl.col("vulnerable_only")).then(pl.lit("vulnerable")).otherwise(pl.lit("all"))
        .alias("population"))
    return _first_rows(findings, keyed)


def _first_rows(findings: list[Finding], keyed: pl.DataFrame) -> list[int]:
    """Per finding, the row (``_row`` of ``keyed``) of its first neighbour that is a row (the
    same period); the distinct rows, sorted. Neighbour by neighbour, only for the findings
    still without one: in practice one join."""
    keys = ["unit_id", "period", "age_group", "population"]
    # A key twice: its last row (as a dict built from the rows would keep it).
    keyed = keyed.unique(subset=keys, keep="last")
    picks: set[int] = set()
    pending = [f for f in findings if f.neighbours]
    depth = 0
    while pending:
        wanted = pl.DataFrame(
            [(k, *f.neighbours[depth][:1], f.period, *f.neighbours[depth][1:])
             for k, f in enumerate(pending)],
            schema={"_finding": pl.Int64, "unit_id": keyed.schema["unit_id"],
                    "period": pl.Utf8, "age_group": pl.Utf8, "population": pl.Utf8},
            orient="row")
        hit = wanted.join(keyed.with_columns(pl.col("period").cast(pl.Utf8)), on=keys,
                          how="inner")
        picks.update(hit["_row"].to_list())
        matched = set(hit["_finding"].to_list())
        depth += 1
        pending = [f for k, f in enumerate(pending)
                   if k not in matched and len(f.neighbours) > depth]
    return sorted(picks)


def secondary_suppression(values: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                          aggregation: str = "sum") -> pl.DataFrame:
    """Apply the rules above to one indicator's values (``engine.VALUE_SCHEMA``, primary
    suppression marked in ``suppressed`` but numerator and denominator still present).

    Withheld rows lose value, numerator and denominator on the way out.
    """
    if values.is_empty():
        return values
    share = aggregation == "share"
    counts = COUNTS if share else COUNTS[:1]
    parents = org_units.select(pl.col("id").alias("unit_id"), pl.col("parent_id"))
    out = values.join(parents, on="unit_id", how="left").with_columns(
        pl.col("numerator").fill_null(0.0).alias("_num"),
        (pl.col("denominator") - pl.col("numerator")).fill_null(0.0).alias("_rest"),
    )
    periods: set[str] | None = None  # the first audit sees every period; later ones only
    for _ in range(values.height + 1):  # the periods where something changed (rounds: as now)
        before = out["suppressed"]
        out = _group_rules(out, min_n, counts)
        if periods is not None:
            periods |= set(out.filter(out["suppressed"] != before)["period"].to_list())
        picks = _audit_picks(out, org_units=org_units, min_n=min_n, aggregation=aggregation,
                             periods=periods)
        if not picks:
            break
        out = _withhold(out, picks)
        periods = set(out[picks]["period"].to_list())
    hidden = pl.col("suppressed")
    return out.drop("parent_id", "_num", "_rest").with_columns(
        *[pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("value", "numerator", "denominator")])


def _withhold_small_complement(values: pl.DataFrame, min_n: int,
                               counts: tuple[str, ...]) -> pl.DataFrame:
    """Withhold "vulnerable only" where the other children (alle − vulnerable) would show 1 …
    ``min_n``-1 in a protected count next to a visible "alle" cell."""
    keys = ["unit_id", "period", "age_group"]
    whole = values.filter(~pl.col("vulnerable_only")).select(
        *keys, *[pl.col(c).alias(f"{c}_all") for c in counts])
    indexed = values.with_row_index("_row").join(whole, on=keys, how="left")
    risky = pl.lit(False)
    for c in counts:
        others = pl.col(f"{c}_all") - pl.col(c)
        risky = risky | _small(others, min_n)
    rows = indexed.filter(
        pl.col("vulnerable_only") & ~pl.col("suppressed") & risky
    )["_row"]
    return _withhold(values, rows.to_list())
