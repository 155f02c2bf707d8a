"""The national user and the Aalborg-like municipality's leader, logged in for real: the
programme picker, the pages and the names they may see."""

from __future__ import annotations

import polars as pl
import pytest

from data_access.db import get_engine
from data_access.raw import load_org_unit_frame
from tests.app.test_access import visible_text
from tests.app.test_pages import _hash

PAGES = {
    "national": ["oversigt", "lag-temaer", "lag-resultater", "lag-formaal"],
    "aalborg": ["oversigt", "lag-aktiviteter", "lag-kort-sigt", "lag-mellemlang-sigt",
                "lag-lang-sigt", "dagtilbud"],
}
PROGRAMME = {"national": ("socialstyrelsen",
                          "Løft kvalitet i dagtilbud – og styrk børn i udsatte positioner"),
             "aalborg": ("aalborg", "Opsporingsmodellen og ressourcepladser")}


def forbidden_names(url: str, username: str) -> list[str]:
    with get_engine(url).connect() as conn:
        units = load_org_unit_frame(conn)
    if username == "national":  # every area and daycare
        return units.filter(pl.col("level").is_in(["area", "institution"]))["name"].to_list()
    own = units.filter(pl.col("code") == "851")["path"].item()
    return units.filter(~pl.col("path").str.starts_with(own)
                        & (pl.col("level") != "national"))["name"].to_list()


@pytest.mark.parametrize("username", sorted(PAGES))
def test_the_viewer_gets_only_their_programme_and_never_a_unit_outside_their_level_or_scope(
    app, sqlite_demo: str, username: str
) -> None:
    at = app(username)
    programme_id, title = PROGRAMME[username]
    picker = next(box for box in at.selectbox if box.label == "Program")
    assert picker.options == [title]
    assert picker.value == programme_id
    forbidden = forbidden_names(sqlite_demo, username)
    assert forbidden  # guards against a vacuous check
    for url_path in PAGES[username]:
        at._page_hash = _hash(url_path)  # noqa: SLF001
        at.run()
        assert not at.exception, (url_path, [e.value for e in at.exception])
        text = visible_text(at)
        assert [name for name in forbidden if name in text] == [], (username, url_path)
    if username == "national":
        # The municipalities are offered for comparison, the national level on top.
        units = next(box for box in at.selectbox if box.label == "Kommune")
        assert {"Fjordby Kommune (demo)", "Skovlund Kommune (demo)",
                "Havnsø Kommune (demo)"} <= set(units.options)
