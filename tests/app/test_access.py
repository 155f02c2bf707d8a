"""Every role × every page, on SQLite: only the role's pages open, and a viewer scoped below the
municipality sees no unit outside their scope anywhere (text, tables, pickers, chart series,
downloads), on every page including every section of the meeting.

Units *above* the scope (the area and the municipality) are allowed: they are the aggregate
benchmarks shown next to the viewer's own units. The guard tests at the bottom show that the same
collector does find those names when a wider viewer gets them, in every channel it reads.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from tests.app.conftest import SCOPED_USERS, Start, logged_in_as
from tests.app.visible import visible_parts, visible_text

LAYER_PAGES = ["lag-aktiviteter", "lag-kort-sigt", "lag-mellemlang-sigt", "lag-lang-sigt"]
ADMIN_PAGES = ["indlaes", "log", "brugere"]
ALL_PAGES = ["oversigt", *LAYER_PAGES, "dagtilbud", "moede", *ADMIN_PAGES]
TITLES = {
    "oversigt": "En bedre chance i livet", "lag-aktiviteter": "Aktiviteter",
    "lag-kort-sigt": "Resultater på kort sigt",
    "lag-mellemlang-sigt": "Virkninger på mellemlang sigt",
    "lag-lang-sigt": "Virkninger på lang sigt", "dagtilbud": "Dagtilbud",
    "moede": "Styregruppemøde", "indlaes": "Indlæs data", "log": "Revisionslog",
    "brugere": "Brugere",
}
# Written out by hand (not read from core.capabilities): this is what the product brief says.
ROLE_PAGES = {
    "admin": ALL_PAGES,
    "leder": ["oversigt", *LAYER_PAGES, "dagtilbud", "moede"],
    "konsulent": ["oversigt", *LAYER_PAGES, "dagtilbud", "moede"],
    "styregruppe": ["oversigt", *LAYER_PAGES, "moede"],
}
# username: (role, scope). Admin is global by design (administrators manage every unit); the
# other roles each have a user scoped to an area and, where the role sees single daycares, one
# scoped to a daycare.
USERS: dict[str, tuple[str, str]] = {
    "admin": ("admin", "580"),
    "omraade": ("leder", "580-N"),  # the demo's area leader
    "institution": ("leder", "580-001"),  # the demo's daycare leader
    **SCOPED_USERS,
}
MEETING_SECTIONS = 5  # the summary and one per layer


def units_of(url: str) -> pl.DataFrame:
    with get_engine(url).connect() as conn:
        return load_org_unit_frame(conn)


def out_of_scope(units: pl.DataFrame, own_code: str) -> list[str]:
    """Names and codes of the units neither in the scope nor above it."""
    own = units.filter(pl.col("code") == own_code).row(0, named=True)
    inside = units.filter(pl.col("path").str.starts_with(own["path"]))["id"].to_list()
    above = [int(x) for x in own["path"].strip("/").split("/")]
    hidden = units.filter(~pl.col("id").is_in(inside + above))
    # Names like "Område Nord" and codes like "580-N" are unique in the small demo.
    return hidden["name"].to_list() + hidden["code"].to_list()


def leaks(forbidden: list[str], text: str) -> list[str]:
    """The names and codes of ``forbidden`` in ``text``, each as a whole token (the code 851 is
    not found in 0.851 or 1851px)."""
    return [name for name in forbidden
            if re.search(rf"(?<![\w.,-]){re.escape(name)}(?![\w.,-])", text)]


def renders(at: AppTest, url_path: str) -> Iterator[AppTest]:
    """Open ``url_path``; for the meeting also every section and the last meeting's pack.
    Yields after each of these runs (the same AppTest, to be read before the next run)."""
    at._page_hash = calc_hash(url_path)  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, (url_path, [e.value for e in at.exception])
    yield at
    if url_path != "moede" or [t.value for t in at.title] != [TITLES["moede"]]:
        return
    assert at.get("download_button") == []  # no pack made, no last meeting shown yet
    for section in range(1, MEETING_SECTIONS):
        at.button(key="meeting_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert f"{section + 1} af {MEETING_SECTIONS}" in visible_text(at)
        yield at
    at.segmented_control(key="meeting_mode").set_value("Sidste møde").run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    at.segmented_control(key="meeting_mode").set_value("I dag").run()


def opened(at: AppTest, url_path: str) -> AppTest:
    """``url_path`` opened (its first run only)."""
    return next(renders(at, url_path))


@pytest.mark.parametrize("username", sorted(USERS))
def test_each_role_opens_exactly_its_pages_and_sees_only_its_units(
    sqlite_app, sqlite_demo: str, scoped_users, downloads, username: str
) -> None:
    role, scope_code = USERS[username]
    units = units_of(sqlite_demo)
    forbidden = out_of_scope(units, scope_code)
    own_name = units.filter(pl.col("code") == scope_code)["name"].item()
    assert forbidden != []  # every user here, the admin too, is scoped below the whole store
    at = sqlite_app(username)
    for url_path in ALL_PAGES:
        for shown in renders(at, url_path):
            titles = [t.value for t in shown.title]
            if url_path not in ROLE_PAGES[role]:
                # Not in the role's navigation: Streamlit falls back to the default page.
                assert titles == [TITLES["oversigt"]], (username, url_path, titles)
                continue
            assert titles == [TITLES[url_path]], (username, url_path, titles)
            if url_path in ADMIN_PAGES:
                continue  # global by design: administrators manage every account and unit
            text = visible_text(shown, downloads)
            assert own_name in text, (username, url_path)  # the collector saw the page
            assert leaks(forbidden, text) == [], (username, url_path)


# Guards: the collector finds out-of-scope names when they are on screen, in every channel.

def test_the_collector_finds_the_other_areas_in_the_pickers_of_every_page(
    sqlite_app, sqlite_demo: str, downloads
) -> None:
    """The municipality's leader gets every page a daycare leader gets, with other areas in the
    picker: the matrix above would report them for the scoped user."""
    forbidden = out_of_scope(units_of(sqlite_demo), USERS["t-leder-dagtilbud"][1])
    at = sqlite_app("leder")
    for url_path in ROLE_PAGES["leder"]:
        for shown in renders(at, url_path):
            found = set(leaks(forbidden, visible_text(shown, downloads)))
            assert {"Område Nord", "Område Øst", "Område Vest"} <= found, url_path


def test_the_collector_finds_names_in_tables_charts_and_downloads(
    sqlite_app, downloads
) -> None:
    at = sqlite_app("konsulent", enhed="580-N")
    opened(at, "dagtilbud")
    at.segmented_control(key="compare_view").set_value("Rangering").run()
    parts = visible_parts(at, downloads)
    # The ranking of the area's daycares (a table) and the export of them (CSV and XLSX).
    assert "Børnehaven Kastanjen" in parts["tables"]
    assert parts["downloads"].count("Børnehaven Kastanjen") >= 2  # in both files
    opened(at, "lag-aktiviteter")
    parts = visible_parts(at, downloads)
    assert '"name": "Område Nord"' in parts["charts"]  # a trend series of the chosen area


def test_a_download_the_collector_cannot_read_fails_the_check(sqlite_app) -> None:
    at = sqlite_app("konsulent")
    with pytest.raises(AssertionError, match="download not captured"):
        visible_text(at, {})


@pytest.fixture
def store_copy(sqlite_demo: str, scoped_users, tmp_path: Path,
               monkeypatch: pytest.MonkeyPatch) -> Start:
    """``sqlite_app`` on a private copy of the SQLite demo store (for tests that write)."""
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(sqlite_demo.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(copy) as target:
        source.backup(target)
    url = f"sqlite:///{copy}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DEMO_MODE", "1")
    st.cache_resource.clear()
    st.cache_data.clear()
    return logged_in_as(url)


@pytest.mark.browser  # the pack's PDF is printed by Chromium (reports/pdf.py)
def test_a_meeting_pack_made_by_a_scoped_viewer_holds_only_their_units(
    store_copy, sqlite_demo: str, downloads, browser_ready: None
) -> None:
    """The pack (HTML; the PDF is printed from it) and the last meeting shown afterwards, for
    the narrowest scope (one daycare: its siblings and the other areas are out of scope). One
    user only: a pack takes seconds to make."""
    username = "t-leder-dagtilbud"
    _role, scope_code = USERS[username]
    units = units_of(sqlite_demo)
    forbidden = out_of_scope(units, scope_code)
    own_name = units.filter(pl.col("code") == scope_code)["name"].item()
    at = store_copy(username)
    opened(at, "moede")
    at.button(key="make_pack").click().run()
    assert not at.exception, [e.value for e in at.exception]
    made = visible_parts(at, downloads)["downloads"]
    assert [b.proto.label for b in at.get("download_button")] == ["Hent PDF", "Hent HTML"]
    assert own_name in made
    assert leaks(forbidden, made) == []
    # "Sidste møde" is the last pack made before the meeting date: look from the next meeting
    at.date_input(key="meeting_date").set_value(dt.date.today() + dt.timedelta(days=14)).run()
    at.segmented_control(key="meeting_mode").set_value("Sidste møde").run()
    shown = visible_text(at, downloads)
    assert [b.proto.label for b in at.get("download_button")] == [
        "Hent PDF", "Hent HTML", "Hent sidste mødepakke (HTML)"]
    assert own_name in shown
    assert leaks(forbidden, shown) == []
