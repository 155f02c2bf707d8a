"""The per-table implementations of flow suppression and the per-unit analysis tables, kept as
they were before the batch versions, as the reference for the randomized equivalence tests.

- :func:`suppress_flow_table`: one table at a time, the pinned check by linear programming
  (:func:`indicators.flows.flow_intervals`, two HiGHS solves per withheld cell).
- :func:`flow_tables` / :func:`survival_tables`: one Python loop over units and rounds, one
  call of the single-table functions each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import polars as pl

from indicators.engine import ancestors
from indicators.flows import (
    POSITIONS,
    flow_frame,
    flow_intervals,
    yellow_episodes,
    yellow_summary,
    yellow_survival,
)
from indicators.unit_analyses import (
    MAX_PASSES,
    UNIT_FLOW_SCHEMA,
    UNIT_SUMMARY_SCHEMA,
    UNIT_SURVIVAL_SCHEMA,
    _tree_withheld,
    flow_count_frame,
)

# --- One flow table ---------------------------------------------------------------------------


def _with_margins(table: np.ndarray) -> np.ndarray:
    full = np.zeros((4, 4), dtype=np.int64)
    full[:3, :3] = table
    full[:3, 3] = table.sum(axis=1)
    full[3, :3] = table.sum(axis=0)
    full[3, 3] = table.sum()
    return full


def _lines() -> list[list[tuple[int, int]]]:
    rows = [[(i, j) for j in range(4)] for i in range(4)]
    cols = [[(i, j) for i in range(4)] for j in range(4)]
    return rows + cols


Pinned = Callable[[np.ndarray, np.ndarray], list[tuple[int, int]]]


def suppress_flow_table(table: np.ndarray, *, min_n: int = 5,
                        withheld: np.ndarray | None = None,
                        pinned: Pinned | None = None) -> np.ma.MaskedArray:
    """The rules of :func:`indicators.flows.suppress_flow_table`, one table, pinned cells by LP
    (or by ``pinned(full, hidden)``, e.g. to run many tables through the same loop fast)."""
    pinned = pinned or _pinned_cells
    full = _with_margins(np.asarray(table, dtype=np.int64))
    hidden = (full >= 1) & (full < min_n)
    if withheld is not None:
        hidden |= np.asarray(withheld, dtype=bool) & (full > 0)
    if 0 < full[3, 3] < min_n:
        hidden[:, :] = True
    for _ in range(32):
        before = hidden.sum()
        for line in _lines():
            _close_line(full, hidden, line, min_n)
        if hidden.sum() == before:
            for cell in pinned(full, hidden):
                _widen(full, hidden, cell)
        if hidden.sum() == before:
            break
    return np.ma.MaskedArray(full, mask=hidden)


def _close_line(full: np.ndarray, hidden: np.ndarray, line: list[tuple[int, int]],
                min_n: int) -> None:
    *parts, total = line
    if not any(hidden[p] for p in line):
        return
    candidates = sorted((int(full[p]), k) for k, p in enumerate(parts)
                        if not hidden[p] and full[p] > 0)

    def exposed() -> bool:
        withheld = [p for p in line if hidden[p]]
        if len(withheld) < 2:
            return True
        return not hidden[total] and sum(int(full[p]) for p in withheld) < min_n

    while candidates and exposed():
        _, k = candidates.pop(0)
        hidden[parts[k]] = True


def _widen(full: np.ndarray, hidden: np.ndarray, cell: tuple[int, int]) -> None:
    i, j = cell
    neighbours = [(i, k) for k in range(4)] + [(k, j) for k in range(4)]
    visible = sorted((int(full[p]), p) for p in neighbours if not hidden[p] and full[p] > 0)
    if visible:
        hidden[visible[0][1]] = True
    else:
        hidden[:, :] = True


def _pinned_cells(full: np.ndarray, hidden: np.ndarray) -> list[tuple[int, int]]:
    if not hidden.any() or hidden.all():
        return []
    intervals = flow_intervals(np.ma.MaskedArray(full, mask=hidden))
    return [cell for cell, (low, high) in intervals.items() if high - low < 0.5]


# --- Every unit -------------------------------------------------------------------------------


def flow_tables(assessments: pl.DataFrame, org_units: pl.DataFrame, *, rounds: Sequence[str],
                min_n: int = 5) -> pl.DataFrame:
    """:func:`indicators.unit_analyses.flow_tables`, one table at a time."""
    counts = flow_count_frame(assessments, org_units, rounds=rounds)
    tables: dict[tuple[int, str], np.ndarray] = {}
    for (unit_id, from_round), part in counts.group_by("unit_id", "from_round"):
        table = np.zeros((3, 3), dtype=np.int64)
        for source, target, count in part.select(
                "from_position", "to_position", "count").iter_rows():
            table[POSITIONS.index(source), POSITIONS.index(target)] = count
        tables[int(unit_id), str(from_round)] = table
    published = {key: suppress_flow_table(t, min_n=min_n) for key, t in tables.items()}
    for _ in range(MAX_PASSES):
        cells = pl.DataFrame(
            [{"unit_id": u, "key": f"{r}|{i}{j}", "n": int(m.data[i, j]),
              "withheld": bool(np.ma.getmaskarray(m)[i, j])}
             for (u, r), m in published.items() for i in range(4) for j in range(4)],
            schema={"unit_id": pl.Int64, "key": pl.Utf8, "n": pl.Int64, "withheld": pl.Boolean})
        hidden = _tree_withheld(cells, org_units, min_n)
        wanted: dict[tuple[int, str], np.ndarray] = {}
        for unit_id, key in hidden.iter_rows():
            from_round, cell = key.split("|")
            mask = wanted.setdefault((unit_id, from_round), np.zeros((4, 4), dtype=bool))
            mask[int(cell[0]), int(cell[1])] = True
        changed = False
        for key, mask in wanted.items():
            current = np.ma.getmaskarray(published[key])
            if (mask & ~current).any():
                published[key] = suppress_flow_table(tables[key], min_n=min_n,
                                                     withheld=mask | current)
                changed = True
        if not changed:
            break
    parts = [flow_frame(m).select(pl.lit(u).alias("unit_id"), pl.lit(r).alias("from_round"),
                                  pl.all())
             for (u, r), m in sorted(published.items())]
    if not parts:
        return pl.DataFrame(schema=UNIT_FLOW_SCHEMA)
    return pl.concat(parts).cast(UNIT_FLOW_SCHEMA)  # type: ignore[arg-type]


def survival_tables(assessments: pl.DataFrame, org_units: pl.DataFrame, *,
                    rounds: Sequence[str], min_n: int = 5,
                    max_rounds: int = 3) -> tuple[pl.DataFrame, pl.DataFrame]:
    """:func:`indicators.unit_analyses.survival_tables`, one unit and entry round at a time."""
    episodes = yellow_episodes(assessments).filter(pl.col("entry_round").is_in(list(rounds)))
    by_unit = episodes.join(ancestors(org_units), on="institution_id", how="inner")
    curves, summaries = [], []
    for (unit_id, entry_round), part in by_unit.group_by("unit_id", "entry_round"):
        keys = [pl.lit(unit_id, pl.Int64).alias("unit_id"),
                pl.lit(entry_round, pl.Utf8).alias("entry_round")]
        curves.append(yellow_survival(part, max_rounds=max_rounds, min_n=min_n).select(
            *keys, pl.all()))
        summaries.append(yellow_summary(part, min_n=min_n).select(*keys, pl.all()))
    if not curves:
        return (pl.DataFrame(schema=UNIT_SURVIVAL_SCHEMA),
                pl.DataFrame(schema=UNIT_SUMMARY_SCHEMA))
    survival = pl.concat(curves).cast(UNIT_SURVIVAL_SCHEMA)  # type: ignore[arg-type]
    summary = pl.concat(summaries).cast(UNIT_SUMMARY_SCHEMA)  # type: ignore[arg-type]
    raw_risk = {(int(u), str(r), t): int(((g["duration"] >= t)).sum())
                for (u, r), g in by_unit.group_by("unit_id", "entry_round")
                for t in range(max_rounds + 1)}
    raw_entered = {(int(u), str(r)): g.height
                   for (u, r), g in by_unit.group_by("unit_id", "entry_round")}
    raw_ended = {(int(u), str(r)): int(g["ended"].sum())
                 for (u, r), g in by_unit.group_by("unit_id", "entry_round")}
    cells = pl.DataFrame(
        [{"unit_id": u, "key": f"{r}|risk{t}", "n": n,
          "withheld": bool(w)}
         for (u, r, t, w) in survival.select("unit_id", "entry_round", "rounds",
                                             "withheld").iter_rows()
         for n in [raw_risk[u, r, t]]]
        + [{"unit_id": u, "key": f"{r}|entered", "n": raw_entered[u, r], "withheld": bool(w)}
           for (u, r, w) in summary.select("unit_id", "entry_round", "withheld").iter_rows()]
        + [{"unit_id": u, "key": f"{r}|ended", "n": raw_ended[u, r], "withheld": e is None}
           for (u, r, e) in summary.select("unit_id", "entry_round", "ended").iter_rows()],
        schema={"unit_id": pl.Int64, "key": pl.Utf8, "n": pl.Int64, "withheld": pl.Boolean})
    hidden = _tree_withheld(cells, org_units, min_n).with_columns(
        pl.col("key").str.split("|").list.get(0).alias("entry_round"),
        pl.col("key").str.split("|").list.get(1).alias("what"))
    risk = hidden.filter(pl.col("what").str.starts_with("risk")).select(
        "unit_id", "entry_round",
        pl.col("what").str.slice(4).cast(pl.Int64).alias("first_hidden"),
    ).group_by("unit_id", "entry_round").agg(pl.col("first_hidden").min())
    survival = survival.join(risk, on=["unit_id", "entry_round"], how="left").with_columns(
        (pl.col("withheld") | (pl.col("rounds") >= pl.col("first_hidden")).fill_null(False))
        .alias("withheld"))
    survival = survival.with_columns(
        *[pl.when(pl.col("withheld")).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("at_risk", "still_yellow")]).drop("first_hidden")
    whole = hidden.filter(pl.col("what") == "entered").select(
        "unit_id", "entry_round", pl.lit(True).alias("_all"))
    ended = hidden.filter(pl.col("what") == "ended").select(
        "unit_id", "entry_round", pl.lit(True).alias("_ended"))
    summary = (
        summary.join(whole, on=["unit_id", "entry_round"], how="left")
        .join(ended, on=["unit_id", "entry_round"], how="left")
        .with_columns(pl.col("_all").fill_null(False), pl.col("_ended").fill_null(False))
        .with_columns(
            (pl.col("withheld") | pl.col("_all")).alias("withheld"),
            pl.when(pl.col("_all")).then(None).otherwise(pl.col("entered")).alias("entered"),
            pl.when(pl.col("_all")).then(None).otherwise(pl.col("median_rounds"))
            .alias("median_rounds"),
            *[pl.when(pl.col("_all") | pl.col("_ended")).then(None).otherwise(pl.col(c)).alias(c)
              for c in ("ended", "to_red_share")],
        ).drop("_all", "_ended")
    )
    return (survival.sort("unit_id", "entry_round", "rounds").select(list(UNIT_SURVIVAL_SCHEMA)),
            summary.sort("unit_id", "entry_round").select(list(UNIT_SUMMARY_SCHEMA)))
