"""Small numbers are withheld, and a withheld value cannot be worked out from the visible ones."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.disclosure_audit import audit_indicator
from indicators.engine import VALUE_SCHEMA, aggregate
from indicators.sources import frame

MIN_N = 5


@st.composite
def trees_and_observations(draw):  # type: ignore[no-untyped-def]
    units = [dict(id=1, code="K", name="K", level="municipality", parent_id=None, path="/1/")]
    institutions = []
    next_id = 2
    for _a in range(draw(st.integers(1, 3))):
        area = next_id
        next_id += 1
        units.append(dict(id=area, code=f"O{area}", name="O", level="area", parent_id=1,
                          path=f"/1/{area}/"))
        for _i in range(draw(st.integers(1, 4))):
            units.append(dict(id=next_id, code=f"I{next_id}", name="I", level="institution",
                              parent_id=area, path=f"/1/{area}/{next_id}/"))
            institutions.append(next_id)
            next_id += 1
    obs = []
    subject = 0
    for inst in institutions:
        for _c in range(draw(st.integers(0, 12))):
            subject += 1
            obs.append(dict(
                institution_id=inst, period="2025H1", subject=str(subject),
                num=float(draw(st.booleans())), den=1.0,
                age_group=draw(st.sampled_from(["0-2", "3-5"])), vulnerable=draw(st.booleans()),
                group=None))
    return frame("org_units", units), obs


def observations(rows: list[dict]) -> pl.DataFrame:
    from indicators.sources import OBSERVATION_SCHEMA

    return pl.DataFrame(rows, schema=OBSERVATION_SCHEMA)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees_and_observations())
def test_no_visible_value_rests_on_few_and_no_withheld_value_can_be_recomputed(data) -> None:
    units, rows = data
    values = aggregate(observations(rows), org_units=units, aggregation="share", min_n=MIN_N,
                       subgroups=True)
    # 1. Primary: nothing visible rests on fewer than MIN_N subjects.
    visible = values.filter(~pl.col("suppressed"))
    assert (visible["n"] >= MIN_N).all()
    assert values.filter(pl.col("suppressed"))["value"].null_count() == \
        values.filter(pl.col("suppressed")).height
    # 2. Secondary, per group of parts that add up to a total: the withheld parts are never a
    #    single cell, and rest together on at least MIN_N subjects.
    parents = units.select(pl.col("id").alias("unit_id"), "parent_id")
    with_parent = values.join(parents, on="unit_id")
    groupings = [
        (with_parent.filter(pl.col("parent_id").is_not_null()),
         ["parent_id", "period", "age_group", "vulnerable_only"]),
        (values.filter(pl.col("age_group") != "alle"), ["unit_id", "period", "vulnerable_only"]),
    ]
    for cells, keys in groupings:
        for _key, group in cells.group_by(keys):
            hidden = group.filter(pl.col("suppressed"))
            if hidden.is_empty() or hidden.height == group.height:
                continue
            assert hidden.height >= 2, group
            assert hidden["n"].sum() >= MIN_N, group
    # 3. The other children (all − vulnerable) never rest on 1-4 children next to visible cells.
    whole = values.filter(~pl.col("vulnerable_only"))
    vuln = values.filter(pl.col("vulnerable_only") & ~pl.col("suppressed"))
    pairs = vuln.join(whole, on=["unit_id", "period", "age_group"], suffix="_all")
    others = pairs.filter(~pl.col("suppressed_all"))["n_all"] - pairs.filter(
        ~pl.col("suppressed_all"))["n"]
    assert not ((others > 0) & (others < MIN_N)).any()
    # 4. Small-numerator policy: no visible share shows a count or rest of 1-4 children.
    rest = visible["denominator"] - visible["numerator"]
    assert not (((visible["numerator"] >= 1) & (visible["numerator"] < MIN_N))
                | ((rest >= 1) & (rest < MIN_N))).any()


def test_a_lone_small_institution_takes_its_smallest_sibling_with_it() -> None:
    units = frame("org_units", [
        dict(id=1, code="K", name="K", level="municipality", parent_id=None, path="/1/"),
        dict(id=2, code="O", name="O", level="area", parent_id=1, path="/1/2/"),
        *[dict(id=i, code=f"I{i}", name="I", level="institution", parent_id=2, path=f"/1/2/{i}/")
          for i in (3, 4, 5)],
    ])
    sizes = {3: 2, 4: 6, 5: 9}  # institution 3 is small; 4 is the smallest of the others
    rows = [dict(institution_id=i, period="2025H1", subject=f"{i}-{k}", num=1.0, den=1.0)
            for i, n in sizes.items() for k in range(n)]
    values = aggregate(observations(rows), org_units=units, aggregation="share", min_n=MIN_N,
                       subgroups=False)
    hidden = set(values.filter(pl.col("suppressed"))["unit_id"])
    assert hidden == {3, 4}
    assert values.filter(pl.col("unit_id") == 2)["value"].item() == 100.0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees_and_observations(), st.randoms())
def test_the_same_data_in_any_row_order_withholds_the_same_cells(data, rnd) -> None:
    units, rows = data
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    first, second = (aggregate(observations(r), org_units=units, aggregation="share",
                               min_n=MIN_N, subgroups=True) for r in (rows, shuffled))
    assert first.equals(second)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees_and_observations())
def test_the_exact_audit_finds_no_recoverable_cell_in_random_trees(data) -> None:
    units, rows = data
    values = aggregate(observations(rows), org_units=units, aggregation="share", min_n=MIN_N,
                       subgroups=True)
    assert audit_indicator(values, org_units=units, min_n=MIN_N, aggregation="share") == []


def _cell(unit_id: int, age_group: str, n: int, num: float, *, hidden: bool,
          vulnerable: bool = False) -> dict:
    return dict(unit_id=unit_id, period="2025H1", age_group=age_group, vulnerable_only=vulnerable,
                value=None if hidden else 100 * num / n, numerator=None if hidden else num,
                denominator=None if hidden else float(n), n=n, suppressed=hidden)


def test_the_audit_catches_alle_withheld_while_3_5_is_visible_and_0_2_does_not_exist() -> None:
    units = frame("org_units", [
        dict(id=1, code="O", name="O", level="area", parent_id=None, path="/1/"),
        dict(id=2, code="I2", name="I", level="institution", parent_id=1, path="/1/2/"),
        dict(id=3, code="I3", name="I", level="institution", parent_id=1, path="/1/3/"),
    ])
    # Daycare 2's "alle" cell is withheld by the tree rule, but it has only 3-5 children, whose
    # cell is visible: alle = 0-2 (absent, so 0) + 3-5 gives it back.
    values = pl.DataFrame([
        _cell(1, "alle", 22, 11.0, hidden=False), _cell(1, "3-5", 22, 11.0, hidden=False),
        _cell(2, "alle", 10, 5.0, hidden=True), _cell(2, "3-5", 10, 5.0, hidden=False),
        _cell(3, "alle", 12, 6.0, hidden=True), _cell(3, "3-5", 12, 6.0, hidden=True),
    ], schema=VALUE_SCHEMA)
    findings = audit_indicator(values, org_units=units, min_n=MIN_N, aggregation="share",
                               indicator_id="X")
    determined = {(f.unit_id, f.age_group) for f in findings if f.kind == "determined"}
    # 2/alle from its own 3-5; then 3/alle = area − 2/alle, and 3/3-5 the same way.
    assert determined == {(2, "alle"), (3, "alle"), (3, "3-5")}
    assert len(findings) == 3
    assert findings[0].describe().endswith("kan beregnes præcist (n 10)")


def test_the_audit_reports_a_complement_resting_on_1_to_4_children() -> None:
    units = frame("org_units", [
        dict(id=1, code="I", name="I", level="institution", parent_id=None, path="/1/")])
    values = pl.DataFrame([
        _cell(1, "alle", 9, 0.0, hidden=False),
        _cell(1, "alle", 6, 0.0, hidden=False, vulnerable=True),  # others: 3 children
    ], schema=VALUE_SCHEMA)
    findings = audit_indicator(values, org_units=units, min_n=MIN_N, aggregation="share")
    assert [(f.population, f.kind, f.lower) for f in findings] == [("others", "small_count", 3.0)]


def test_suppression_withholds_what_the_audit_would_catch() -> None:
    units = frame("org_units", [
        dict(id=1, code="O", name="O", level="area", parent_id=None, path="/1/"),
        *[dict(id=i, code=f"I{i}", name="I", level="institution", parent_id=1, path=f"/1/{i}/")
          for i in (2, 3, 4)],
    ])
    # Daycare 2 has only 3-5 children (2 of them, withheld); 3 and 4 are large and mixed.
    rows = []
    for inst, ages in {2: ["3-5"] * 2, 3: ["0-2"] * 6 + ["3-5"] * 7, 4: ["0-2"] * 8 + ["3-5"] * 9
                       }.items():
        for k, age in enumerate(ages):
            rows.append(dict(institution_id=inst, period="2025H1", subject=f"{inst}-{k}",
                             num=float(k % 2 == 0 or k > 5), den=1.0, age_group=age,
                             vulnerable=False, group=None))
    values = aggregate(observations(rows), org_units=units, aggregation="share", min_n=MIN_N,
                       subgroups=True)
    assert audit_indicator(values, org_units=units, min_n=MIN_N, aggregation="share") == []
    hidden = set(values.filter(pl.col("suppressed")).select("unit_id", "age_group").iter_rows())
    assert {(2, "alle"), (2, "3-5")} <= hidden


def test_small_numerator_policy_withholds_a_share_whose_count_or_rest_is_1_to_4() -> None:
    units = frame("org_units", [
        dict(id=1, code="K", name="K", level="municipality", parent_id=None, path="/1/"),
        *[dict(id=i, code=f"I{i}", name="I", level="institution", parent_id=1, path=f"/1/{i}/")
          for i in (2, 3, 4, 5)],
    ])
    # 10 children each; green: 3 (withheld), 0 (shown: 0 %), 10 (shown: 100 %), 7 (rest 3:
    # withheld). The municipality has 20 of 40 green.
    greens = {2: 3, 3: 0, 4: 10, 5: 7}
    rows = [dict(institution_id=i, period="2025H1", subject=f"{i}-{k}", num=float(k < g),
                 den=1.0) for i, g in greens.items() for k in range(10)]
    values = aggregate(observations(rows), org_units=units, aggregation="share", min_n=MIN_N,
                       subgroups=False)
    shown = dict(values.filter(~pl.col("suppressed")).select("unit_id", "value").iter_rows())
    assert shown == {1: 50.0, 3: 0.0, 4: 100.0}
    # The same counts as a mean (not a share of children) are not subject to the policy.
    means = aggregate(observations(rows), org_units=units, aggregation="mean", min_n=MIN_N,
                      subgroups=False)
    assert not means["suppressed"].any()
    # And no visible share in any random tree shows a count or rest of 1-4.
    visible = values.filter(~pl.col("suppressed"))
    rest = visible["denominator"] - visible["numerator"]
    assert not (((visible["numerator"] >= 1) & (visible["numerator"] < MIN_N))
                | ((rest >= 1) & (rest < MIN_N))).any()
