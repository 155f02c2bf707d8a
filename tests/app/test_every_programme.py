"""Every page for every programme in config.toml, as admin and as a leader of a member
municipality, logged in for real: no exception, and every box of the overview shows the stored
value of its headline for the chosen unit and period, "< 5" or "Ingen data".

Nothing here names a programme: the programmes come from config.toml, the leader from the demo
accounts (a ``leder`` whose unit is one of the programme's members).
"""

from __future__ import annotations

import html
import re

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from core.capabilities import Capability, has_capability
from core.model_config import ProgrammeSpec, load_programmes
from core.settings import CONFIG_PATH
from data_access.analytics import load_indicator_values
from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from data_access.scope import Scope
from demo.accounts import demo_accounts
from indicators.format import NO_DATA_TEXT, format_value
from indicators.registry import COMPUTATIONS
from indicators.summary import IndicatorMeta, pick_subgroup
from tests.app.test_pages import _hash

PROGRAMMES = [p.id for p in load_programmes(CONFIG_PATH, computations=COMPUTATIONS).programmes]
TILE = re.compile(r'data-box="([^"]+)".*?<span class="cm-value">([^<]*(?:&lt;[^<]*)?)</span>',
                  re.S)


def member_leader(url: str, programme: ProgrammeSpec) -> str:
    """The demo ``leder`` whose unit is a member of ``programme`` (first in the account list)."""
    with get_engine(url).connect() as conn:
        units = load_org_unit_frame(conn)
    members = {m.unit for m in programme.membership}
    leaders = [a["username"] for a in demo_accounts(units)
               if a["roles"] == ("leder",) and set(a["org_unit_codes"]) & members]
    assert leaders, f"no demo leader runs {programme.id}"
    return leaders[0]


def param(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def stored_headlines(url: str, programme: ProgrammeSpec, *, unit_code: str,
                     period: str) -> dict[str, str]:
    """What each box must show, from the store: the headline's stored value for the unit and
    period (the whole population: the pages' default filters), as on screen."""
    engine = get_engine(url)
    with engine.connect() as conn:
        units = load_org_unit_frame(conn)
    unit_id = units.filter(pl.col("code") == unit_code)["id"].item()
    root = units.filter(pl.col("parent_id").is_null())["id"].to_list()
    values = load_indicator_values(engine, scope=Scope(tuple(root)), programme_id=programme.id,
                                   period_from=period, period_to=period, age_group="alle",
                                   vulnerable_only=False, unit_ids=(unit_id,))
    metas = {spec.id: IndicatorMeta.of(spec) for spec in programme.indicators()}
    found = {r["indicator_id"]: r for r in pick_subgroup(
        values, metas, age_group="alle", vulnerable_only=False).iter_rows(named=True)}
    expected = {}
    for _layer, box in programme.boxes():
        row = found.get(box.headline.id)
        expected[box.id] = (NO_DATA_TEXT if row is None else format_value(
            row["value"], box.headline.unit, suppressed=row["suppressed"], withheld_text="< 5"))
    return expected


def open_page(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = _hash(url_path)  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, (url_path, [e.value for e in at.exception])
    assert not at.error, (url_path, [e.value for e in at.error])
    return at


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
@pytest.mark.parametrize("who", ["admin", "leader"])
@pytest.mark.parametrize("programme_id", PROGRAMMES)
def test_every_page_runs_for_every_programme_and_every_box_shows_its_stored_value(
    app, sqlite_demo: str, config, programme_id: str, who: str
) -> None:
    programme = config.programme(programme_id)
    username = "admin" if who == "admin" else member_leader(sqlite_demo, programme)
    at = app(username, program=programme_id)
    assert param(at, "program") == programme_id
    assert [t.value for t in at.title] == [programme.title]

    # The overview: exactly the programme's boxes, each with the stored headline
    shown = {box: html.unescape(text) for box, text in TILE.findall(
        "".join(m.value for m in at.markdown if 'class="cm-tile"' in m.value))}
    assert set(shown) == {box.id for _layer, box in programme.boxes()}
    expected = stored_headlines(sqlite_demo, programme, unit_code=param(at, "enhed"),
                                period=param(at, "til"))
    assert shown == expected
    assert any(text not in (NO_DATA_TEXT, "< 5") for text in shown.values())  # not all empty

    # Every layer page: its title and a chart or "Ingen data" per indicator
    for layer in programme.layers:
        open_page(at, f"lag-{layer.id}")
        assert [t.value for t in at.title] == [layer.title]
        no_data = [i.value for i in at.info if "Ingen data for perioden" in i.value]
        n_indicators = sum(len(box.indicators) for box in layer.boxes)
        trends = [c for c in at.get("plotly_chart") if c.key.startswith("trend_")]
        assert len(trends) + len(no_data) == n_indicators

    roles = ("admin",) if who == "admin" else ("leder",)
    if has_capability(roles, Capability.MEETING):
        assert [t.value for t in open_page(at, "moede").title][0] == "Styregruppemøde"
    if has_capability(roles, Capability.VIEW_INSTITUTIONS):
        assert "Dagtilbud" in [t.value for t in open_page(at, "dagtilbud").title]

    # Kommuner: for the admin on a national programme; never for a municipal leader
    open_page(at, "kommuner")
    titles = [t.value for t in at.title]
    if who == "admin" and programme.is_national:
        assert titles == ["Kommuner"]
        assert len(at.get("plotly_chart")) == len(programme.indicators())
    else:
        assert titles == [programme.title]  # not in the navigation: the default page
