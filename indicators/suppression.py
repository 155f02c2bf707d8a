"""Secondary suppression: a withheld value must not be derivable from a total and its visible parts.

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

How (fast enough for large trees, where the audit rounds run into the hundreds, most withholding
one cell): the rounds run on numpy arrays (``_rounds``). Each group rule closes only the groups
with a row changed since it last ran, by one pass over those groups' rows in a fixed sort
order; every relation (tree, age, vulnerable, the audit's linked system) lies within one
period, so after the first round the audit reads only the rows of the periods with a pick or a
change. The same cells, row for row, as the polars steps (``_rounds_on_frame``, kept for a frame
with a null key, a cell twice or a count that is not a whole number, whose sums the arrays
could round otherwise); tests/unit/test_suppression_rounds.py compares both with the reference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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


# Rows changed since each rule last closed their groups. A closed group with no changed row
# gives nothing new when closed again (the prefix it withheld makes it safe), so each step
# closes only the groups with a changed row: the same cells as closing every group, and the
# later passes touch a few groups instead of the whole frame.
DIRTY = ("_dirty_tree", "_dirty_age", "_dirty_comp")
TREE_KEYS = ["parent_id", "period", "age_group", "vulnerable_only"]
AGE_KEYS = ["unit_id", "period", "vulnerable_only"]


def _withhold(values: pl.DataFrame, rows: list[int]) -> pl.DataFrame:
    if not rows:
        return values
    hit = pl.int_range(pl.len(), dtype=pl.UInt32).is_in(pl.Series(rows, dtype=pl.UInt32).implode())
    new = hit & ~pl.col("suppressed")
    return values.with_columns((pl.col("suppressed") | hit).alias("suppressed"),
                               *[(pl.col(d) | new).alias(d) for d in DIRTY if d in values.columns])


def _dirty_groups(indexed: pl.DataFrame, keys: list[str], dirty: str) -> pl.DataFrame:
    """The rows of ``indexed`` in groups (by ``keys``) with a row marked ``dirty``."""
    changed = indexed.filter(pl.col(dirty)).select(keys).unique()
    return indexed.join(changed, on=keys, how="semi", nulls_equal=True)


def _group_rules(out: pl.DataFrame, min_n: int, counts: tuple[str, ...]) -> pl.DataFrame:
    if DIRTY[0] not in out.columns:
        out = out.with_columns(*[pl.lit(True).alias(d) for d in DIRTY])
    for _ in range(MAX_PASSES):
        before = int(out["suppressed"].sum())
        # Org tree: the units under one parent, per period and subgroup.
        indexed = out.with_row_index("_row").filter(pl.col("parent_id").is_not_null())
        rows = _close_groups(_dirty_groups(indexed, TREE_KEYS, DIRTY[0]), TREE_KEYS, min_n,
                             counts)
        out = _withhold(out.with_columns(pl.lit(False).alias(DIRTY[0])), rows)
        # Age: 0-2 and 3-5 under "alle".
        indexed = out.with_row_index("_row").filter(pl.col("age_group") != "alle")
        rows = _close_groups(_dirty_groups(indexed, AGE_KEYS, DIRTY[1]), AGE_KEYS, min_n, counts)
        out = _withhold(out.with_columns(pl.lit(False).alias(DIRTY[1])), rows)
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
    rows = _Rows.of(out, counts, min_n)
    if rows is None:
        out = _rounds_on_frame(out, org_units=org_units, min_n=min_n, aggregation=aggregation,
                               counts=counts, rounds=values.height + 1)
    else:
        hidden = _rounds(rows, org_units=org_units, min_n=min_n, aggregation=aggregation,
                         rounds=values.height + 1)
        out = out.with_columns(pl.Series("suppressed", hidden, dtype=pl.Boolean))
    hidden_expr = pl.col("suppressed")
    return out.drop("parent_id", "_num", "_rest", *DIRTY, strict=False).with_columns(
        *[pl.when(hidden_expr).then(None).otherwise(pl.col(c)).alias(c)
          for c in ("value", "numerator", "denominator")])


def _rounds_on_frame(out: pl.DataFrame, *, org_units: pl.DataFrame, min_n: int,
                     aggregation: str, counts: tuple[str, ...], rounds: int) -> pl.DataFrame:
    """The rounds on the frame itself, every rule a polars step over the whole frame: for a
    frame :class:`_Rows` does not take (a null key or flag, a cell twice, a count that is not a
    whole number)."""
    periods: set[str] | None = None  # the first audit sees every period; later ones only
    # the periods where something changed. Each round withholds at least one visible cell, so
    # it ends; a fixed cap left recoverable cells on large trees (found by the publication
    # gate at a third of national size: 50 rounds of one pick each, then refused).
    for _ in range(rounds):
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
    return out


def _withhold_small_complement(values: pl.DataFrame, min_n: int,
                               counts: tuple[str, ...]) -> pl.DataFrame:
    """Withhold "vulnerable only" where the other children (alle − vulnerable) would show 1 …
    ``min_n``-1 in a protected count next to a visible "alle" cell."""
    keys = ["unit_id", "period", "age_group"]
    # Only the rows changed since the last run: the rule reads the counts (fixed) and the row's
    # own withheld flag, so an unchanged row gives the same answer as before.
    dirty = pl.col(DIRTY[2]) if DIRTY[2] in values.columns else pl.lit(True)
    candidates = values.with_row_index("_row").filter(
        dirty & pl.col("vulnerable_only") & ~pl.col("suppressed"))
    if DIRTY[2] in values.columns:
        values = values.with_columns(pl.lit(False).alias(DIRTY[2]))
    if candidates.is_empty():
        return values
    whole = values.filter(~pl.col("vulnerable_only")).select(
        *keys, *[pl.col(c).alias(f"{c}_all") for c in counts])
    indexed = candidates.join(whole, on=keys, how="left")
    risky = pl.lit(False)
    for c in counts:
        others = pl.col(f"{c}_all") - pl.col(c)
        risky = risky | _small(others, min_n)
    return _withhold(values, indexed.filter(risky)["_row"].to_list())


# The rounds on arrays. The rules above, the same cells, without a polars step per rule and
# pass: every row's flags are numpy arrays, each group rule sees only the rows of the groups
# with a changed row, and every relation (org tree, age, vulnerable, the audit's linked
# system) lies within one period, so after the first round the audit reads only the rows of
# the periods with a pick or a change. Counts are whole numbers below 2**52 (checked), so sums
# in any order are exact: the same comparisons as the polars steps.
_EMPTY = np.zeros(0, dtype=np.int64)
_EXACT = 2.0 ** 52
_KEYS = ["unit_id", "period", "age_group", "vulnerable_only"]


@dataclass(frozen=True)
class _Groups:
    """One group rule's groups: ``order`` holds the member rows, group by group, each group's
    rows in the rule's order (n, unit, age group, vulnerable flag); group ``g``'s rows are
    ``order[start[g]:start[g + 1]]``; ``of`` is each row's group, -1 for a row in none."""

    order: np.ndarray
    start: np.ndarray
    of: np.ndarray

    @staticmethod
    def of_keys(member: np.ndarray, group: np.ndarray, within: np.ndarray) -> _Groups:
        """The groups of the ``member`` rows by ``group``, each in the order of ``within``
        (distinct within a group; both not negative)."""
        rows = np.flatnonzero(member)
        if rows.size and (int(group[rows].max()) + 1) * (int(within[rows].max()) + 1) < 2 ** 62:
            order = rows[np.argsort(group[rows] * (int(within[rows].max()) + 1) + within[rows])]
        else:
            rows = rows[np.argsort(within[rows], kind="stable")]
            order = rows[np.argsort(group[rows], kind="stable")]
        key = group[order]
        first = np.r_[True, key[1:] != key[:-1]] if key.size else np.zeros(0, dtype=bool)
        start = np.r_[np.flatnonzero(first), key.size]
        of = np.full(member.size, -1, dtype=np.int64)
        of[order] = np.cumsum(first) - 1
        return _Groups(order, start, of)


@dataclass(frozen=True)
class _Rows:
    """What the rounds need of ``out``, fixed for the whole call: the counts, each row's
    period, the groups of the tree and age rules, the rows whose vulnerable cell gives away a
    small complement, the audit's columns and a lookup from a cell's key to its row."""

    hidden: np.ndarray          # the withheld flags on entry
    counts: list[np.ndarray]    # n (and the numerator and the rest, for shares), as floats
    period: np.ndarray          # period code (index into ``labels``)
    labels: list[str]
    by_period: list[np.ndarray]  # each period's rows, in order
    vulnerable: np.ndarray
    tree: _Groups
    age: _Groups
    complement: np.ndarray      # a vulnerable row whose "other children" are 1 … min_n-1
    audit: pl.DataFrame         # the audit's columns but ``suppressed``
    units: dict[int, int]       # unit id → code
    ages: dict[str, int]        # age group → code
    keys: np.ndarray            # the rows' cell keys (see ``key``), sorted
    key_rows: np.ndarray        # the row of each key

    @staticmethod
    def of(out: pl.DataFrame, counts: tuple[str, ...], min_n: int) -> _Rows | None:
        """The arrays of ``out``, or None for a frame with a null key or flag, a cell twice,
        or a count that is not a whole number below 2**52 (the polars steps decide those)."""
        schema = out.schema
        if schema["age_group"] != pl.Utf8 or not schema["unit_id"].is_integer() or not (
                schema["parent_id"].is_integer()) or schema["vulnerable_only"] != pl.Boolean or (
                schema["suppressed"] != pl.Boolean):
            return None
        if out.select(pl.any_horizontal(pl.col(*_KEYS, "suppressed", "n").is_null().any())
                      ).item():
            return None
        values = [out[c].cast(pl.Float64).to_numpy() for c in counts]
        for x in values:
            if not (np.isfinite(x).all() and (x == np.round(x)).all()
                    and np.abs(x).sum() < _EXACT):
                return None
        labels = out["period"].cast(pl.Utf8).unique().sort().to_list()
        ages = out["age_group"].unique().sort().to_list()  # text: sorted as the rules sort
        period, age = (out[c].cast(pl.Utf8).cast(pl.Enum(v)).to_physical().to_numpy()
                       .astype(np.int64) for c, v in (("period", labels), ("age_group", ages)))
        ids = out["unit_id"].unique().sort().to_numpy()
        unit = _codes(ids, out["unit_id"].to_numpy())
        parent_id = out["parent_id"]
        parents = parent_id.drop_nulls().unique().sort().to_numpy()
        parent = np.where(parent_id.is_null().to_numpy(), -1,
                          _codes(parents, parent_id.fill_null(parents[0] if parents.size else 0)
                                 .to_numpy()))
        vulnerable = out["vulnerable_only"].to_numpy().astype(np.int64)
        n = values[0]
        spread = int(n.max() - n.min()) + 1
        sizes = (len(ids), max(len(parents), 1), len(labels), len(ages))
        if max(sizes[0], sizes[1]) * sizes[2] * sizes[3] * 2 >= 2 ** 62 or (
                spread * max(sizes[0], sizes[3]) >= 2 ** 62):
            return None
        cell = ((unit * len(labels) + period) * len(ages) + age) * 2 + vulnerable
        order = np.argsort(cell, kind="stable")
        keys = cell[order]
        if (keys[1:] == keys[:-1]).any():
            return None
        rank = (n - n.min()).astype(np.int64)
        # The tree rule: the units under one parent (same period and subgroup), by n and unit;
        # the age rule: 0-2 and 3-5 of one unit (same period and flag), by n and age group.
        tree = _Groups.of_keys(parent >= 0, ((parent * len(labels) + period) * len(ages) + age)
                               * 2 + vulnerable, rank * len(ids) + unit)
        age_rule = _Groups.of_keys(~(out["age_group"] == "alle").to_numpy(),
                                   (unit * len(labels) + period) * 2 + vulnerable,
                                   rank * len(ages) + age)
        by_period = np.argsort(period, kind="stable")
        return _Rows(
            out["suppressed"].to_numpy().astype(bool), values, period, labels,
            np.split(by_period, np.searchsorted(period[by_period], np.arange(1, len(labels)))),
            vulnerable.astype(bool), tree, age_rule,
            _small_complements(cell, keys, order, values, min_n),
            out.select(*_KEYS, "n", pl.col("_num").alias("numerator"),
                       (pl.col("_num") + pl.col("_rest")).alias("denominator")),
            {int(u): k for k, u in enumerate(ids.tolist())}, {a: k for k, a in enumerate(ages)},
            keys, order)

    def key(self, unit_id: int, period: int, age_group: str, population: str) -> int:
        """A cell's key (-1 if no row can have it)."""
        unit, age = self.units.get(unit_id), self.ages.get(age_group)
        if unit is None or age is None or population not in ("all", "vulnerable"):
            return -1
        return ((unit * len(self.labels) + period) * len(self.ages) + age) * 2 + (
            population == "vulnerable")


def _codes(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Each of ``values`` (all in ``ids``, sorted distinct integers) as its place in ``ids``:
    by a table when the ids are close together, else by binary search."""
    if ids.size and int(ids[-1]) - int(ids[0]) < 4 * values.size + 1024:
        table = np.zeros(int(ids[-1]) - int(ids[0]) + 1, dtype=np.int64)
        table[ids - ids[0]] = np.arange(ids.size)
        codes: np.ndarray = table[values - ids[0]]
        return codes
    return np.searchsorted(ids, values)


def _small_complements(cell: np.ndarray, keys: np.ndarray, key_rows: np.ndarray,
                       counts: list[np.ndarray], min_n: int) -> np.ndarray:
    """Per row: a vulnerable-only row whose "other children" (its ``alle`` row — same unit,
    period and age group — minus it) show 1 … ``min_n``-1 in a protected count (the test of
    :func:`_withhold_small_complement`; no such row: not risky)."""
    rows = np.flatnonzero(cell % 2 == 1)
    at = np.minimum(np.searchsorted(keys, cell[rows] - 1), keys.size - 1)
    found = keys[at] == cell[rows] - 1
    rows, whole = rows[found], key_rows[at[found]]
    risky = np.zeros(rows.size, dtype=bool)
    for c in counts:
        others = c[whole] - c[rows]
        risky |= (others >= 1) & (others < min_n)
    flags = np.zeros(cell.size, dtype=bool)
    flags[rows[risky]] = True
    return flags


@dataclass
class _State:
    """The withheld flags and, per rule (tree, age, complement), the rows changed since the
    rule last ran (possibly repeated)."""

    hidden: np.ndarray
    dirty: list[np.ndarray]

    def withhold(self, rows: np.ndarray) -> np.ndarray:
        """Withhold ``rows``; the ones not withheld before."""
        new = rows[~self.hidden[rows]]
        if new.size:
            self.hidden[new] = True
            self.dirty = [np.concatenate([d, new]) for d in self.dirty]
        return np.asarray(new)


def _close(groups: _Groups, dirty: np.ndarray, hidden: np.ndarray, counts: list[np.ndarray],
           min_n: int) -> np.ndarray:
    """:func:`_close_groups` for the groups with a row in ``dirty``: the rows to withhold."""
    of = groups.of[dirty]
    chosen = np.unique(of[of >= 0])
    if not chosen.size:
        return _EMPTY
    lo, size = groups.start[chosen], groups.start[chosen + 1] - groups.start[chosen]
    local = np.repeat(np.arange(chosen.size), size)
    rows = groups.order[np.arange(local.size) + np.repeat(lo - (np.cumsum(size) - size), size)]
    hid = hidden[rows]
    hidden_count = np.bincount(local[hid], minlength=chosen.size)
    hidden_sum = [np.bincount(local[hid], weights=c[rows[hid]], minlength=chosen.size)
                  for c in counts]
    visible = ~hid & (hidden_count[local] > 0)
    rows, local = rows[visible], local[visible]
    if not rows.size:
        return _EMPTY
    first = np.r_[True, local[1:] != local[:-1]]
    head = np.flatnonzero(first)
    segment = np.cumsum(first) - 1
    unsafe = np.zeros(rows.size, dtype=bool)
    for k, c in enumerate(counts):
        x = c[rows]
        upto = np.cumsum(x) - x  # exact: whole numbers below 2**52
        total = hidden_sum[k][local] + (upto - upto[head][segment])
        unsafe |= total < min_n if k == 0 else (total >= 1) & (total < min_n)
    safe = np.cumsum(~unsafe)
    pick = safe == (safe - ~unsafe)[head][segment]  # no safe row yet, this one included
    rank = np.arange(rows.size) - head[segment]
    pick |= (hidden_count[local] == 1) & (rank == 0)
    chosen_rows: np.ndarray = rows[pick]
    return chosen_rows


def _rules(rows: _Rows, state: _State, min_n: int) -> np.ndarray:
    """:func:`_group_rules` on the arrays: the rows it withholds."""
    new: list[np.ndarray] = [_EMPTY]
    for _ in range(MAX_PASSES):
        added = 0
        for k, groups in enumerate((rows.tree, rows.age)):
            picks = _close(groups, state.dirty[k], state.hidden, rows.counts, min_n)
            state.dirty[k] = _EMPTY
            new.append(state.withhold(picks))
            added += new[-1].size
        candidates = np.unique(state.dirty[2])
        candidates = candidates[rows.vulnerable[candidates] & ~state.hidden[candidates]
                                & rows.complement[candidates]]
        state.dirty[2] = _EMPTY
        new.append(state.withhold(candidates))
        added += new[-1].size
        if not added:
            break
    changed: np.ndarray = np.concatenate(new)
    return changed


def _rounds(rows: _Rows, *, org_units: pl.DataFrame, min_n: int, aggregation: str,
            rounds: int) -> np.ndarray:
    """The rounds of :func:`_rounds_on_frame` on the arrays: the final withheld flags."""
    everything = np.arange(rows.hidden.size)
    state = _State(rows.hidden.copy(), [everything] * len(DIRTY))
    periods: set[int] | None = None
    for _ in range(rounds):
        changed = _rules(rows, state, min_n)
        if periods is not None:
            periods |= set(np.unique(rows.period[changed]).tolist())
        picks = _array_picks(rows, state.hidden, periods, org_units=org_units, min_n=min_n,
                             aggregation=aggregation)
        if not picks.size:
            break
        state.withhold(picks)
        periods = set(np.unique(rows.period[picks]).tolist())
    hidden: np.ndarray = state.hidden
    return hidden


def _array_picks(rows: _Rows, hidden: np.ndarray, periods: set[int] | None, *,
                 org_units: pl.DataFrame, min_n: int, aggregation: str) -> np.ndarray:
    """:func:`_audit_picks` on the arrays: the audit reads the rows of ``periods`` (or all),
    in their order."""
    if periods is None:
        cells = rows.audit.with_columns(pl.Series("suppressed", hidden, dtype=pl.Boolean))
    else:
        at = np.sort(np.concatenate([rows.by_period[p] for p in periods]))
        cells = rows.audit[at].with_columns(pl.Series("suppressed", hidden[at],
                                                      dtype=pl.Boolean))
    findings = [f for f in audit_indicator(cells, org_units=org_units, min_n=min_n,
                                           aggregation=aggregation)
                if f.kind != "small_numerator"]
    return _neighbour_rows(findings, rows)


def _neighbour_rows(findings: list[Finding], rows: _Rows) -> np.ndarray:
    """:func:`_first_rows` by the rows' keys: per finding, the row of its first neighbour that
    is a row; the distinct rows, sorted."""
    period = {label: k for k, label in enumerate(rows.labels)}
    picks = [_EMPTY]
    pending = [f for f in findings if f.neighbours and f.period in period]
    depth = 0
    while pending:
        wanted = np.array([rows.key(f.neighbours[depth][0], period[f.period],
                                    *f.neighbours[depth][1:]) for f in pending],
                          dtype=np.int64)
        at = np.minimum(np.searchsorted(rows.keys, wanted), rows.keys.size - 1)
        found = (rows.keys[at] == wanted) & (wanted >= 0)
        picks.append(rows.key_rows[at[found]])
        depth += 1
        pending = [f for f, hit in zip(pending, found.tolist(), strict=True)
                   if not hit and len(f.neighbours) > depth]
    distinct: np.ndarray = np.unique(np.concatenate(picks))
    return distinct
