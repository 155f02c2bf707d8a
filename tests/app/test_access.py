"""Every role × every page: only the role's pages open, and nothing outside the viewer's org units
is shown (names in text, tables, pickers and chart series)."""

from __future__ import annotations

import json

import polars as pl
import pytest

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from tests.app.test_pages import _hash

ALL_PAGES = ["oversigt", "lag-aktiviteter", "lag-kort-sigt", "lag-mellemlang-sigt",
             "lag-lang-sigt", "dagtilbud", "indlaes", "log", "brugere"]
ROLE_PAGES = {
    "admin": ALL_PAGES,
    "leder": ALL_PAGES[:6],
    "omraade": ALL_PAGES[:6],
    "institution": ALL_PAGES[:6],
    "konsulent": ALL_PAGES[:6],
    "styregruppe": ALL_PAGES[:5],
}


def visible_text(at) -> str:  # type: ignore[no-untyped-def]
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [str(e.value) for e in at.title] + [str(e.value) for e in at.subheader]
    parts += [str(e.label) + str(e.value) for e in at.metric]
    for box in at.selectbox:
        parts += [str(o) for o in box.options]
    for frame in at.dataframe:
        parts.append(frame.value.to_csv())
    for chart in at.get("plotly_chart"):
        figure = json.loads(chart.proto.spec)
        parts += [str(trace.get("name", "")) for trace in figure.get("data", [])]
    return "\n".join(parts)


def out_of_scope_names(url: str, own_code: str) -> list[str]:
    with get_engine(url).connect() as conn:
        units = load_org_unit_frame(conn)
    own = units.filter(pl.col("code") == own_code).row(0, named=True)
    inside = units.filter(pl.col("path").str.starts_with(own["path"]))["id"].to_list()
    above = [int(x) for x in own["path"].strip("/").split("/")]
    hidden = units.filter(~pl.col("id").is_in(inside + above))
    # Names like "Område Nord" are unique; institution names are unique in the small demo.
    return hidden["name"].to_list()


@pytest.mark.parametrize("username", sorted(ROLE_PAGES))
def test_each_role_opens_exactly_its_pages_and_sees_only_its_units(
    app, sqlite_demo: str, username: str
) -> None:
    scope_codes = {"admin": "DK", "leder": "580", "konsulent": "580", "styregruppe": "580",
                   "omraade": "580-N", "institution": "580-001"}
    forbidden = out_of_scope_names(sqlite_demo, scope_codes[username])
    at = app(username)
    for url_path in ALL_PAGES:
        at._page_hash = _hash(url_path)  # noqa: SLF001
        at.run()
        assert not at.exception, (url_path, [e.value for e in at.exception])
        titles = [t.value for t in at.title]
        if url_path in ROLE_PAGES[username]:
            text = visible_text(at)
            leaks = [name for name in forbidden if name in text]
            assert leaks == [], (username, url_path, leaks)
        else:
            # Not in the role's navigation: Streamlit falls back to the default page.
            assert titles == ["En bedre chance i livet"], (username, url_path, titles)


def test_the_text_collector_sees_unit_names_where_they_are_allowed(app, sqlite_demo) -> None:
    """Guards the test above against passing vacuously."""
    at = app("leder")
    at._page_hash = _hash("dagtilbud")  # noqa: SLF001
    at.run()
    text = visible_text(at)
    assert "Område Syd" in text  # a picker option
    assert out_of_scope_names(sqlite_demo, "580-N")[0] in text  # a ranked institution
