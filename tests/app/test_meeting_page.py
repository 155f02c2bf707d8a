"""The meeting page through AppTest: the standard view, the walk-through, writing a note."""

from __future__ import annotations

import re

import pytest
from streamlit.util import calc_hash


def open_meeting(at):  # type: ignore[no-untyped-def]
    at._page_hash = calc_hash("moede")  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sections(at):  # type: ignore[no-untyped-def]
    return [m.value for m in at.markdown if 'class="mt-section"' in m.value]


def statement(at) -> str:  # type: ignore[no-untyped-def]
    """The statement bar's HTML without its no-wrap spans (``<b>`` stays)."""
    html = next(m.value for m in at.markdown if 'class="mt-statement"' in m.value)
    return re.sub(r"</?span[^>]*>", "", html)


@pytest.mark.parametrize("role", ["styregruppe", "admin"])
def test_the_meeting_shows_the_standard_view_in_every_section_whatever_the_sidebar_says(
        app, config, role: str) -> None:
    # The sidebar says Område Nord from 2024H1; the standard view is the municipality 2025H1-2026H2
    at = open_meeting(app(role, enhed="580-N", fra="2024H1", til="2026H2"))
    assert [t.value for t in at.title] == ["Styregruppemøde"]
    programme = config.programme("aabenraa")
    wanted = "Aabenraa Kommune (demo) · 1. halvår 2025 – 2. halvår 2026"
    assert "<b>Styregruppens standardvisning</b>" in statement(at)
    assert wanted in statement(at)
    assert any("Resumé" in m.value for m in at.markdown)
    for layer in programme.layers:
        at.button(key="meeting_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(f'class="mt-section">{layer.title}' in m.value for m in at.markdown)
        assert wanted in statement(at)
        assert any(wanted in c.value and "visning: Styregruppens standardvisning" in c.value
                   for c in at.caption)
        # the chart's table starts at the view's first period, not the sidebar's
        assert at.dataframe[0].value["Periode"].iloc[0] == "1. halvår 2025"
    at.button(key="meeting_prev").click().run()
    assert sections(at) == [
        f'<h2 class="mt-section">{programme.layers[-2].title} · 2. halvår 2026</h2>']


def test_choosing_the_sidebar_shows_the_sidebars_filters(app) -> None:
    at = open_meeting(app("styregruppe", enhed="580-N", fra="2024H1", til="2026H2"))
    at.selectbox(key="meeting_view").select("__sidepanel__").run()
    assert "<b>filtrene i sidepanelet</b>" in statement(at)
    assert "En bedre chance i livet · Område Nord · " in statement(at)


def test_a_leader_has_the_meeting_page_and_sees_the_demo_notes(app) -> None:
    at = open_meeting(app("leder"))
    at.button(key="meeting_next").click().run()
    text = " ".join(m.value for m in at.markdown)
    assert "Åben rådgivning udvides" in text  # the demo decision on A1
