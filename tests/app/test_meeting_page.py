"""The meeting page through AppTest: the standard view, the walk-through, writing a note."""

from __future__ import annotations

from streamlit.util import calc_hash


def open_meeting(at):  # type: ignore[no-untyped-def]
    at._page_hash = calc_hash("moede")  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def sections(at):  # type: ignore[no-untyped-def]
    return [m.value for m in at.markdown if 'class="mt-section"' in m.value]


def test_the_meeting_starts_from_the_standard_view_and_walks_through_the_layers(app,
                                                                                config) -> None:
    at = open_meeting(app("styregruppe", enhed="580-N"))
    assert [t.value for t in at.title] == ["Styregruppemøde"]
    assert at.query_params["enhed"] == "580"  # the standard view (AppTest: one value, a str)
    programme = config.programme("aabenraa")
    assert at.caption[0].value == ("En bedre chance i livet · Aabenraa Kommune (demo) · "
                                   "1. halvår 2025 – 2. halvår 2026 · visning: "
                                   "Styregruppens standardvisning")
    assert '<div class="mt-step">1 af 5 · Resumé</div>' in [m.value for m in at.markdown]
    for layer in programme.layers:
        at.button(key="meeting_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert sections(at) == [f'<div class="mt-section">{layer.title} · 2. halvår 2026</div>']
    at.button(key="meeting_prev").click().run()
    assert sections(at) == [
        f'<div class="mt-section">{programme.layers[-2].title} · 2. halvår 2026</div>']


def test_a_leader_has_the_meeting_page_and_sees_the_demo_notes(app) -> None:
    at = open_meeting(app("leder"))
    at.button(key="meeting_next").click().run()
    text = " ".join(m.value for m in at.markdown)
    assert "Åben rådgivning udvides" in text  # the demo decision on A1
