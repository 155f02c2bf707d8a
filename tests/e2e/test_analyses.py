"""The analysis views in real Chromium at 1366×768: the M2 Sankey's counts are the store's, the
Dagtilbud page shows a funnel, a box and a chart point open the right views, a withheld point is a
visible marker, and the low-completeness daycare is flagged. Screenshots go to ``artifacts/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from data_access.db import get_engine
from indicators.flows import LABELS, POSITIONS
from indicators.periods import period_label
from tests.e2e.test_browser import log_in
from tests.support.browser import chromium_page, streamlit_server

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WAIT_MS = 30_000
WIDTH, HEIGHT = 1366, 768
FILTERS = "program=aabenraa&fra=2025H1&til=2026H2&alder=alle&udsatte=0"


@pytest.fixture(scope="module")
def server(sqlite_demo: str, browser_ready: None) -> Iterator[str]:
    ARTIFACTS.mkdir(exist_ok=True)
    with streamlit_server({"DATABASE_URL": sqlite_demo, "DEMO_MODE": "1"}) as url:
        yield url


def _figures(page: Page) -> list[dict]:
    """Every plotly figure on the page: its traces' type, name, meta, labels and points."""
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].map(gd => ({
        traces: gd.data.map(t => ({type: t.type, name: t.name, meta: t.meta || null,
                                   labels: t.node ? t.node.label : null,
                                   x: t.x || null, text: t.text || null})),
        title: gd.layout.title && gd.layout.title.text}))""")


def _show(page: Page, locator_text: str) -> None:
    page.get_by_text(locator_text, exact=False).first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)


def test_the_m2_page_shows_a_sankey_whose_counts_match_the_store(server: str,
                                                                 sqlite_demo: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "leder", f"?side=lag-mellemlang-sigt&{FILTERS}&enhed=580")
        expect(page.get_by_text("Positionsskift og tid i gul").first).to_be_visible(
            timeout=WAIT_MS)
        _show(page, "Positionsskift og tid i gul")
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .some(gd => gd.data && gd.data[0].type === 'sankey')""", timeout=WAIT_MS)
        sankey = next(t for f in _figures(page) for t in f["traces"] if t["type"] == "sankey")
        with get_engine(sqlite_demo).connect() as conn:
            unit = conn.execute(sa.text("SELECT id FROM org_unit WHERE code = '580'")).scalar()
            last = conn.execute(sa.text("SELECT max(from_round) FROM position_flow WHERE "
                                        "unit_id = :u"), {"u": unit}).scalar()
            rows = conn.execute(sa.text(
                "SELECT from_position, to_position, count, withheld FROM position_flow WHERE "
                "unit_id = :u AND from_round = :r"), {"u": unit, "r": last}).all()
        cells = {(a, b): ("< 5" if hidden else str(count)) for a, b, count, hidden in rows}
        assert sankey["labels"] == ([f"{LABELS[p]}: {cells[p, 'alle']}" for p in POSITIONS]
                                    + [f"{LABELS[p]}: {cells['alle', p]}" for p in POSITIONS])
        page.locator(".js-plotly-plot .sankey").first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "m2_flows_1366.png"))


def _best_share_indicator(store: str) -> str:
    """The name of the share indicator with the most daycares visible in 2026H2 (the linked
    suppression withholds most daycare cells of the small demo's flow indicators)."""
    from core.model_config import load_programmes
    from core.settings import CONFIG_PATH
    from indicators.registry import COMPUTATIONS

    programme = load_programmes(CONFIG_PATH, computations=COMPUTATIONS).programme("aabenraa")
    shares = {i.id: i.name for i in programme.indicators()
              if COMPUTATIONS[i.computation].aggregation == "share"}
    stmt = sa.text("SELECT v.indicator_id, count(*) FROM indicator_value v JOIN org_unit o "
                   "ON o.id = v.unit_id WHERE o.level = 'institution' AND v.period = '2026H2' "
                   "AND v.programme_id = 'aabenraa' AND v.age_group = 'alle' "
                   "AND NOT v.vulnerable_only AND NOT v.suppressed GROUP BY v.indicator_id")
    with get_engine(store).connect() as conn:
        visible = {i: n for i, n in conn.execute(stmt).all() if i in shares}
    return shares[max(sorted(visible), key=lambda i: visible[i])]


def test_the_dagtilbud_page_shows_a_funnel_plot(server: str, sqlite_demo: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "leder", f"?side=dagtilbud&{FILTERS}&enhed=580")
        expect(page.get_by_role("heading", name="Sammenligning af dagtilbud")).to_be_visible(
            timeout=WAIT_MS)
        page.get_by_label("Indikator").click()
        page.get_by_role("option", name=_best_share_indicator(sqlite_demo), exact=True).click()
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .some(gd => gd.data.some(t => t.name === '95 %-grænser'))""", timeout=WAIT_MS)
        names = {t["name"] for f in _figures(page) for t in f["traces"]}
        assert {"95 %-grænser", "99,8 %-grænser"} <= names
        assert any(n.startswith("Aabenraa Kommune (demo): ") for n in names if n)
        page.locator(".js-plotly-plot").last.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "dagtilbud_funnel_1366.png"))


def test_clicking_a_box_opens_its_layer_page_at_the_box(server: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "leder")
        expect(page.locator(".cm-tile")).to_have_count(15, timeout=WAIT_MS)
        page.locator('.cm-tile[data-box="M2"]').click()
        page.wait_for_url("**/lag-mellemlang-sigt?**", timeout=WAIT_MS)
        assert page.url.endswith("#boks-m2")
        heading = page.get_by_role("heading", name="M2 · Kun kortvarigt i gul position")
        expect(heading).to_be_visible(timeout=WAIT_MS)
        expect(heading).to_be_in_viewport(timeout=WAIT_MS)  # opened at the box
        page.screenshot(path=str(ARTIFACTS / "box_drill_1366.png"))


def test_clicking_a_point_opens_the_daycares_behind_it(server: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "leder", f"?side=lag-mellemlang-sigt&{FILTERS}&enhed=580")
        heading = page.get_by_role("heading", name="M2 · Kun kortvarigt i gul position")
        expect(heading).to_be_visible(timeout=WAIT_MS)
        chart = page.locator(".stPlotlyChart").filter(
            has_text="Børn i gul position, der er grønne").first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(1000)
        point = chart.locator(".scatterlayer .trace").first.locator(".points path").nth(2)
        point.click(force=True)
        expect(page.get_by_role("button", name="← Tilbage")).to_be_visible(timeout=WAIT_MS)
        opened = re.search(r"punkt=M2_yellow_to_green(?:%40|@)(\d{4}H[12])", page.url)
        assert opened, page.url
        crumbs = page.get_by_text("Børnehuset Solsikken", exact=False)  # a daycare behind it
        expect(crumbs.first).to_be_attached(timeout=WAIT_MS)  # a canvas grid cell
        expect(page.get_by_text(f"Aabenraa Kommune (demo), {period_label(opened[1])}",
                                exact=False).first).to_be_visible()
        page.get_by_role("button", name="← Tilbage").scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        page.screenshot(path=str(ARTIFACTS / "point_drill_1366.png"))
        page.get_by_role("button", name="← Tilbage").click()
        expect(page.get_by_role("button", name="← Tilbage")).to_have_count(0, timeout=WAIT_MS)
        assert "punkt=" not in page.url


def test_a_withheld_point_is_drawn_as_a_marker(server: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "institution", f"?side=lag-mellemlang-sigt&{FILTERS}")
        heading = page.get_by_role("heading", name="M2 · Kun kortvarigt i gul position")
        expect(heading).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("""() => [...document.querySelectorAll('.js-plotly-plot')]
            .some(gd => gd.data && gd.data.some(t => t.meta === 'withheld'))""", timeout=WAIT_MS)
        withheld = [(f["title"], t) for f in _figures(page) for t in f["traces"]
                    if t["meta"] == "withheld"]
        assert withheld, "no withheld point on the page"
        title, trace = withheld[0]
        assert trace["text"][0] == "< 5"
        chart = page.locator(".stPlotlyChart").filter(
            has_text=re.sub(r"<[^>]+>", "", title)).first
        chart.scroll_into_view_if_needed()
        page.wait_for_timeout(800)
        # The marker and its "< 5" are in the drawn SVG, not only in the data.
        expect(chart.locator(".scatterlayer text", has_text="< 5").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "withheld_marker_1366.png"))


def test_the_low_completeness_daycare_is_flagged(server: str) -> None:
    with chromium_page(width=WIDTH, height=HEIGHT) as page:
        log_in(page, server, "leder", f"?{FILTERS}&enhed=580-005")
        tile = page.locator('.cm-tile[data-box="M2"]')
        expect(tile).to_be_visible(timeout=WAIT_MS)
        expect(tile.locator(".cm-uncertain")).to_have_text("⚠ usikkert datagrundlag")
        expect(tile.locator(".cm-complete")).to_contain_text("Datakomplethed")
        tile.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(ARTIFACTS / "low_completeness_1366.png"))
