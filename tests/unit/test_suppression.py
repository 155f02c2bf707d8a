"""Small numbers are withheld, and a withheld value cannot be worked out from the visible ones."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.engine import aggregate
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
