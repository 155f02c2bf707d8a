"""An adversary with each demo login: archives, saved views, comments and decisions never show
anything outside the login's scope, and the steering group never a single daycare."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from data_access.accounts import load_accounts
from data_access.db import get_engine
from data_access.interpretations import add_interpretation, load_interpretations, open_followups
from data_access.meeting_store import (
    find_view,
    load_pack_html,
    load_packs,
    load_views,
    save_view,
)
from data_access.models import OrgUnit
from data_access.scope import Scope, load_org_units, scope_for_codes
from demo.generator import DemoSpec
from pipeline.demo_store import build_demo_store
from reports.assemble import PackRequest, make_and_archive

PROGRAMME = "aabenraa"
SECRET = "Hemmelig note om Solsikken"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, config) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('scope') / 'store.sqlite'}"
    engine = get_engine(url)
    build_demo_store(engine, config, DemoSpec(scale=0.25, years=2))
    return engine


@pytest.fixture(scope="module")
def units(store: Engine) -> pl.DataFrame:
    with store.connect() as conn:
        rows = conn.execute(sa.select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level,
                                      OrgUnit.path)).mappings().all()
    return pl.DataFrame([dict(r) for r in rows])


@pytest.fixture(scope="module")
def daycare_material(store: Engine, units: pl.DataFrame, config) -> dict:
    """A leader who sees everything makes a pack, a view and a comment for one daycare."""
    leader = scope_for_codes(store, ["580"])
    daycare = (units.filter((pl.col("level") == "institution")
                            & pl.col("code").str.starts_with("580-"))
               .sort("code").row(0, named=True))
    note = add_interpretation(
        store, scope=leader, username="leder", roles=("leder",), programme_id=PROGRAMME,
        box_id="A1", indicator_id=None, unit_id=daycare["id"], period="2026H2",
        kind="opfoelgning", text=SECRET, owner="Dagtilbudslederen", due_on=dt.date(2026, 12, 1))
    save_view(store, scope=leader, username="leder", name=f"Kun {daycare['name']}",
              programme_id=PROGRAMME, period_from="2025H1", period_to="2026H2",
              unit_code=daycare["code"], age_group="alle", vulnerable_only=False)
    files, pack_id = make_and_archive(
        store, scope=leader, username="leder", meeting_date=dt.date(2026, 12, 10), min_n=5,
        request=PackRequest(config.programme(PROGRAMME), daycare["code"], "2025H1", "2026H2",
                            view_name=f"Kun {daycare['name']}"), formats=("html",))
    return dict(daycare=daycare, note=note, pack_id=pack_id, html=files["html"].decode())


def scopes(store: Engine) -> dict[str, Scope]:
    return {a.username: scope_for_codes(store, list(a.org_unit_codes), roles=a.roles)
            for a in load_accounts(store)}


def allowed_ids(store: Engine, scope: Scope) -> set[int]:
    return set(load_org_units(store, scope=scope)["id"].to_list())


def test_every_login_lists_only_archives_views_and_notes_inside_its_scope(
        store: Engine, units: pl.DataFrame, daycare_material: dict) -> None:
    by_login = scopes(store)
    assert set(by_login) == {"admin", "leder", "omraade", "institution", "konsulent",
                             "styregruppe", "aalborg", "hvidovre", "fjordby", "national"}
    daycare = daycare_material["daycare"]
    for login, scope in by_login.items():
        allowed = allowed_ids(store, scope)
        assert allowed, login
        packs = load_packs(store, scope=scope, programme_id=PROGRAMME, limit=1000)
        views = load_views(store, scope=scope)
        notes = load_interpretations(store, scope=scope, programme_id=PROGRAMME,
                                     include_withdrawn=True)
        followups = open_followups(store, scope=scope, programme_id=PROGRAMME)
        for name, frame in [("packs", packs), ("views", views), ("notes", notes),
                            ("followups", followups)]:
            assert set(frame["unit_id"].to_list()) <= allowed, (login, name)
        sees_daycare = daycare["id"] in allowed
        assert (daycare_material["pack_id"] in packs["id"].to_list()) == sees_daycare, login
        assert (daycare_material["note"] in notes["id"].to_list()) == sees_daycare, login
        assert (find_view(store, scope=scope, name=f"Kun {daycare['name']}") is not None) \
            == sees_daycare, login
        html = load_pack_html(store, scope=scope, pack_id=daycare_material["pack_id"])
        assert (html is not None) == sees_daycare, login


def test_the_steering_group_never_gets_a_daycare_name_value_or_comment(
        store: Engine, units: pl.DataFrame, daycare_material: dict) -> None:
    scope = scopes(store)["styregruppe"]
    assert scope.aggregates_only
    institutions = units.filter(pl.col("level") == "institution")
    allowed = allowed_ids(store, scope)
    assert not allowed & set(institutions["id"].to_list())
    packs = load_packs(store, scope=scope, programme_id=PROGRAMME, limit=1000)
    names = institutions["name"].to_list()
    for pack_id in packs["id"].to_list():  # every pack it can open, whoever made it
        html = load_pack_html(store, scope=scope, pack_id=pack_id) or ""
        assert not [n for n in names if n in html], pack_id
        assert SECRET not in html
    notes = load_interpretations(store, scope=scope, programme_id=PROGRAMME,
                                 include_withdrawn=True)
    assert SECRET not in " ".join(notes["text"].to_list())
    assert load_pack_html(store, scope=scope, pack_id=daycare_material["pack_id"]) is None
    # The daycare's own pack does carry its name and the note: the test above is not vacuous.
    assert daycare_material["daycare"]["name"] in daycare_material["html"]
    assert SECRET in daycare_material["html"]
    views = load_views(store, scope=scope)
    assert not [v for v in views["unit_code"].to_list()
                if v in institutions["code"].to_list()]


def test_a_view_for_a_unit_outside_the_scope_cannot_be_saved(store: Engine) -> None:
    north = scope_for_codes(store, ["580-N"])
    with pytest.raises(PermissionError):
        save_view(store, scope=north, username="omraade", name="Syd", programme_id=PROGRAMME,
                  period_from="2025H1", period_to="2026H2", unit_code="580-S", age_group="alle",
                  vulnerable_only=False)
