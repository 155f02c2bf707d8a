"""The meeting page through AppTest: the standard view, the walk-through, writing a note."""

from __future__ import annotations

from streamlit.util import calc_hash


def open_meeting(at):  # type: ignore[no-untyped-def]
    at._page_hash = calc_hash("moede")  # noqa: SLF001 (AppTest has no public way)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_meeting_starts_from_the_standard_view_and_walks_through_the_layers(app,
                                                                                config) -> None:
    at = open_meeting(app("styregruppe", enhed="580-N"))
    assert [t.value for t in at.title] == ["Styregruppemøde"]
    assert at.query_params["enhed"] in ("580", ["580"])  # the standard view
    assert any("Styregruppens standardvisning" in c.value for c in at.caption)
    programme = config.programme("aabenraa")
    assert any("Resumé" in m.value for m in at.markdown)
    for layer in programme.layers:
        at.button(key="meeting_next").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert any(f'class="mt-section">{layer.title}' in m.value for m in at.markdown)
    at.button(key="meeting_prev").click().run()
    assert any(programme.layers[-2].title in m.value for m in at.markdown
               if "mt-section" in m.value)


def test_a_leader_has_the_meeting_page_and_sees_the_demo_notes(app) -> None:
    at = open_meeting(app("leder"))
    at.button(key="meeting_next").click().run()
    text = " ".join(m.value for m in at.markdown)
    assert "Åben rådgivning udvides" in text  # the demo decision on A1
