"""Which pages get the data filters, that the filters survive a visit to a page without them,
and that a link naming something the viewer cannot see says so in Danish."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.test_pages import _hash

DATA_FILTERS = {"selectbox": ["Program", "Område"], "select_slider": ["Periode"],
                "radio": ["Aldersgruppe"], "toggle": ["Kun børn i udsatte positioner"]}


def sidebar_filters(at: AppTest) -> dict[str, list[str]]:
    """The labels of the filter widgets in the sidebar, by widget kind."""
    found = {
        "selectbox": [w.label for w in at.sidebar.selectbox],
        "select_slider": [w.label for w in at.sidebar.select_slider],
        "radio": [w.label for w in at.sidebar.radio],
        "toggle": [w.label for w in at.sidebar.toggle],
    }
    assert ("Filtre" in [h.value for h in at.sidebar.header]) == bool(found["select_slider"])
    return found


def open_page(at: AppTest, url_path: str) -> AppTest:
    at._page_hash = _hash(url_path)  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


@pytest.mark.parametrize("url_path,title", [("indlaes", "Indlæs data"), ("log", "Revisionslog"),
                                            ("brugere", "Brugere")])
def test_the_admin_pages_have_no_data_filters(app, url_path: str, title: str) -> None:
    at = open_page(app("admin"), url_path)
    assert [t.value for t in at.title] == [title]
    assert sidebar_filters(at) == {"selectbox": [], "select_slider": [], "radio": [],
                                   "toggle": []}


@pytest.mark.parametrize("url_path", ["oversigt", "moede", "lag-aktiviteter", "dagtilbud"])
def test_the_data_pages_and_the_meeting_have_the_data_filters(app, url_path: str) -> None:
    at = open_page(app("admin"), url_path)
    assert sidebar_filters(at) == DATA_FILTERS


def test_the_filters_are_the_same_after_a_visit_to_an_admin_page(app) -> None:
    at = app("admin")
    area = next(w for w in at.sidebar.selectbox if w.label == "Område")
    area.select_index(1).run()  # Område Nord (sorted by name, after "Alle")
    at.sidebar.radio(key="f_age").set_value("3-5").run()
    at.sidebar.toggle(key="f_vulnerable").set_value(True).run()
    at.sidebar.select_slider(key="f_periods").set_value(("2025H2", "2026H1")).run()
    before = " ".join(m.value for m in at.markdown if "Område Nord" in m.value)
    assert "3-5 år" in before and "1. halvår 2026" in before
    open_page(at, "log")
    assert sidebar_filters(at)["radio"] == []
    open_page(at, "oversigt")
    assert next(w for w in at.sidebar.selectbox if w.label == "Område").key == area.key
    assert at.sidebar.selectbox(key=area.key).index == 1
    assert at.sidebar.radio(key="f_age").value == "3-5"
    assert at.sidebar.toggle(key="f_vulnerable").value is True
    assert at.sidebar.select_slider(key="f_periods").value == ("2025H2", "2026H1")
    after = " ".join(m.value for m in at.markdown if "Område Nord" in m.value)
    assert after == before
    assert at.query_params["enhed"] in (["580-N"], "580-N")
    assert warnings(at) == []


def test_a_link_to_a_unit_outside_the_scope_says_so_and_shows_the_viewers_own(app) -> None:
    at = app("omraade", enhed="580-S")  # Område Syd: not Område Nord's leader's
    shown = warnings(at)
    assert shown == ["Enheden «580-S» i linket findes ikke eller er ikke blandt de enheder, du "
                     "har adgang til. Du ser Område Nord."]
    assert "Område Syd" not in " ".join(m.value for m in at.markdown)
    assert at.query_params["enhed"] in (["580-N"], "580-N")
    at.run()  # said once, for the link; the URL now names what is shown
    assert warnings(at) == []


def test_a_link_to_a_unit_above_the_scope_or_unknown_says_so(app) -> None:
    at = app("institution", enhed="580")
    assert warnings(at) == ["Enheden «580» i linket findes ikke eller er ikke blandt de "
                            "enheder, du har adgang til. Du ser Børnehuset Solsikken."]
    at = app("leder", enhed="999-X")
    assert warnings(at) == ["Enheden «999-X» i linket findes ikke eller er ikke blandt de "
                            "enheder, du har adgang til. Du ser Aabenraa Kommune (demo)."]


def test_the_steering_group_is_told_when_a_link_names_a_single_daycare(app) -> None:
    at = app("styregruppe", enhed="580-001")
    assert len(warnings(at)) == 1 and "«580-001»" in warnings(at)[0]
    assert "Børnehuset Solsikken" not in " ".join(m.value for m in at.markdown)


def test_a_link_to_an_unknown_programme_or_period_says_so(app) -> None:
    at = app("leder", program="hvidovre", fra="2030H1", til="2026H2")
    assert warnings(at) == [
        "Programmet «hvidovre» i linket findes ikke eller kører ikke i dine enheder. Du ser "
        "En bedre chance i livet.",
        "Perioden «2030H1» i linket findes ikke for En bedre chance i livet. Du ser 1. halvår "
        "2024 – 2. halvår 2026.",
    ]
    assert at.sidebar.selectbox(key="f_programme").value == "aabenraa"


def test_a_link_that_is_right_gives_no_warning(app) -> None:
    at = app("omraade", enhed="580-N", fra="2025H1", til="2026H2", alder="0-2")
    assert warnings(at) == []
