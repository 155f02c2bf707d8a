"""Every programme on the demo store: where it runs, what each viewer gets (real SQLite file)."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig
from data_access import analytics
from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import load_org_units, scope_for_codes
from demo.accounts import demo_accounts
from indicators.membership import programmes_for_units


@pytest.fixture(scope="module")
def engine(sqlite_demo: str) -> Engine:
    return get_engine(sqlite_demo)


@pytest.fixture(scope="module")
def tree(engine: Engine) -> pl.DataFrame:
    with engine.connect() as conn:
        return load_org_unit_frame(conn)


def subtree_ids(tree: pl.DataFrame, code: str) -> set[int]:
    path = tree.filter(pl.col("code") == code)["path"].item()
    return set(tree.filter(pl.col("path").str.starts_with(path))["id"])


def values(engine: Engine, programme_id: str, codes: list[str], roles=("admin",),
           **kw) -> pl.DataFrame:
    return analytics.load_indicator_values(
        engine, scope=scope_for_codes(engine, codes, roles=roles), programme_id=programme_id,
        period_from="2000H1", period_to="2100H2", age_group="alle", vulnerable_only=False, **kw)


def test_the_demo_has_six_municipalities_under_a_national_root(tree: pl.DataFrame) -> None:
    municipalities = tree.filter(pl.col("level") == "municipality")
    assert sorted(municipalities["code"]) == ["167", "580", "851", "901", "902", "903"]
    root = tree.filter(pl.col("parent_id").is_null())
    assert root["code"].to_list() == ["DK"]
    assert set(municipalities["parent_id"]) == {root["id"].item()}
    # The Aabenraa-like municipality is unchanged: id 1, 4 areas, 10 daycares (small demo).
    aabenraa = subtree_ids(tree, "580")
    assert tree.filter(pl.col("code") == "580")["id"].item() == 1
    assert tree.filter(pl.col("id").is_in(list(aabenraa))
                       & (pl.col("level") == "institution")).height == 10


def test_every_box_of_every_programme_has_a_value_or_a_withheld_state_for_each_member(
    engine: Engine, config: ChangeModelConfig
) -> None:
    for programme in config.programmes:
        periods = analytics.available_periods(engine, programme_id=programme.id)
        assert periods, programme.id
        for member in programme.membership:
            stored = values(engine, programme.id, [member.unit])
            unit = scope_for_codes(engine, [member.unit]).root_ids[0]
            last = stored.filter((pl.col("unit_id") == unit)
                                 & (pl.col("period") == stored["period"].max()))
            for _layer, box in programme.boxes():
                ids = {spec.id for spec in box.indicators}
                rows = last.filter(pl.col("indicator_id").is_in(list(ids)))
                shown = rows.filter(pl.col("value").is_not_null() | pl.col("suppressed"))
                assert not shown.is_empty(), (programme.id, member.unit, box.id)


def test_values_exist_only_where_and_when_a_programme_runs(
    engine: Engine, tree: pl.DataFrame
) -> None:
    national = tree.filter(pl.col("code") == "DK")["id"].item()
    aabenraa = values(engine, "aabenraa", ["DK"])
    assert set(aabenraa["unit_id"]) == subtree_ids(tree, "580")  # not the national root
    aalborg = values(engine, "aalborg", ["DK"])
    assert set(aalborg["unit_id"]) == subtree_ids(tree, "851")
    social = values(engine, "socialstyrelsen", ["DK"])
    members = subtree_ids(tree, "901") | subtree_ids(tree, "902") | subtree_ids(tree, "903")
    assert set(social["unit_id"]) == members | {national}
    assert analytics.available_periods(engine, programme_id="socialstyrelsen") == [
        f"{y}H{h}" for y in range(2016, 2020) for h in (1, 2)]
    # 903 joined in 2017: nothing for it in 2016.
    in_2016 = social.filter(pl.col("period").str.starts_with("2016"))
    assert not set(in_2016["unit_id"]) & subtree_ids(tree, "903")


def test_aalborg_spreads_resource_places_from_10_to_15_daycares(engine: Engine,
                                                               tree: pl.DataFrame) -> None:
    aalborg = tree.filter(pl.col("code") == "851")["id"].item()
    counts = values(engine, "aalborg", ["851"]).filter(
        (pl.col("indicator_id") == "AAL_resource_daycares") & (pl.col("unit_id") == aalborg)
        & (pl.col("period") >= "2025H1")).sort("period")
    assert counts["value"].to_list()[0] == 10
    assert counts["value"].to_list()[-1] == 15


def test_national_sees_municipalities_and_the_national_level_never_an_area_or_daycare(
    engine: Engine, tree: pl.DataFrame
) -> None:
    scope = scope_for_codes(engine, ["DK"], roles=("national",))
    units = load_org_units(engine, scope=scope)
    assert set(units["level"]) == {"national", "municipality"}
    assert units.height == 7
    social = values(engine, "socialstyrelsen", ["DK"], roles=("national",))
    levels = dict(zip(tree["id"], tree["level"], strict=True))
    assert {levels[u] for u in social["unit_id"]} == {"national", "municipality"}
    assert social.filter(pl.col("unit_id") != scope.root_ids[0])["unit_id"].n_unique() == 3
    # Asked for a daycare directly, the store gives nothing.
    daycare = tree.filter(pl.col("code") == "901-001")["id"].item()
    assert values(engine, "socialstyrelsen", ["DK"], roles=("national",),
                  unit_ids=(daycare,)).is_empty()


def test_an_aalborg_leader_never_gets_another_municipalitys_rows(
    engine: Engine, tree: pl.DataFrame, config: ChangeModelConfig
) -> None:
    own = subtree_ids(tree, "851")
    national = tree.filter(pl.col("code") == "DK")["id"].item()
    for programme in config.programmes:
        # As the pages load: the viewer's units plus the units above them as benchmarks.
        got = values(engine, programme.id, ["851"], roles=("leder",), with_ancestors=True)
        assert set(got["unit_id"]) <= own | {national}, programme.id
        # The national root only as the national programme's aggregate.
        if not programme.is_national:
            assert national not in set(got["unit_id"]), programme.id
    assert load_org_units(engine, scope=scope_for_codes(engine, ["851"]))["id"].to_list()
    assert set(load_org_units(engine, scope=scope_for_codes(engine, ["851"]))["id"]) == own


def test_the_programme_picker_offers_each_viewer_the_programmes_running_in_their_units(
    config: ChangeModelConfig, tree: pl.DataFrame
) -> None:
    def offered(codes: set[str], national_only: bool = False) -> list[str]:
        return [p.id for p in programmes_for_units(config.programmes, codes,
                                                   national_only=national_only)]
    assert offered({"580", "580-N", "DK"}) == ["aabenraa"]
    assert offered({"851-001", "851-O", "851", "DK"}) == ["aalborg"]
    assert offered({"901", "DK"}) == ["socialstyrelsen"]
    assert offered(set(tree["code"]), national_only=True) == ["socialstyrelsen"]


def test_demo_accounts_keep_the_aabenraa_scopes_and_add_the_national_user(
    tree: pl.DataFrame
) -> None:
    accounts = {a["username"]: a for a in demo_accounts(tree)}
    for name in ("admin", "leder", "konsulent", "styregruppe"):
        assert accounts[name]["org_unit_codes"] == ("580",)
    assert accounts["omraade"]["org_unit_codes"] == ("580-N",)
    assert accounts["institution"]["org_unit_codes"] == ("580-001",)
    assert accounts["national"]["roles"] == ("national",)
    assert accounts["national"]["org_unit_codes"] == ("DK",)
    assert accounts["aalborg"]["org_unit_codes"] == ("851",)
