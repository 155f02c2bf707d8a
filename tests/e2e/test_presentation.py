"""The product as a steering group sees it, in real Chromium at 1366×768 and 1920×1080: Danish
page language and tab titles, the meeting's chart text ≥ 18 px with horizontal period labels, no
text cut off, and axe-core's accessibility check. Screenshots and axe reports go to artifacts/.

``test_every_page_of_every_role`` logs in once per demo role and walks every page in its
navigation (the meeting too) at 1366×768 and 1920×1080: axe at 1366, no cut text and no English
word at both sizes, the admin pages without data filters and the data pages with them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import require
from tests.e2e.test_browser import WAIT_MS, log_in
from tests.support.browser import chromium_page, streamlit_server
from tests.support.npm import npm_ready

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "presentation"
AXE_DIR = Path(__file__).resolve().parents[1] / "support" / "axe"
AXE = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
SIZES = {"1366": (1366, 768), "1920": (1920, 1080)}

# Text whose box is narrower than its content, ignoring Streamlit's own scroll areas and the
# chart internals (plotly clips on purpose).
CUT_TEXT_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('[data-testid="stMain"] *, '
                                             + '[data-testid="stSidebarUserContent"] *')) {
    if (el.closest('.js-plotly-plot, [data-testid="stDataFrame"], [data-testid="stCode"], '
                   + 'svg, [data-baseweb="select"], [data-testid="stExpander"] summary')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    if (style.overflowX === 'auto' || style.overflowX === 'scroll') continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0)
      out.push(el.tagName + ': ' + el.textContent.trim().slice(0, 60));
  }
  return out;
}"""


@pytest.fixture(scope="module")
def server(sqlite_demo: str, browser_ready: None) -> Iterator[str]:
    with streamlit_server({"DATABASE_URL": sqlite_demo, "DEMO_MODE": "1"}) as url:
        yield url


def settle(page: Page) -> None:
    expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0, timeout=WAIT_MS)
    page.wait_for_timeout(800)


def axe_violations(page: Page, name: str) -> list[dict]:
    """Serious and critical axe-core violations on the page (the full report to artifacts/)."""
    require(npm_ready(AXE_DIR, "axe-core"))
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    (ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps(result["violations"], ensure_ascii=False, indent=1), encoding="utf-8")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("size", list(SIZES))
def test_the_meeting_reads_from_the_back_of_the_room(server: str, size: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    width, height = SIZES[size]
    with chromium_page(width=width, height=height) as page:
        log_in(page, server, "styregruppe", "?side=moede")
        expect(page.get_by_role("heading", name="Styregruppemøde")).to_be_visible(
            timeout=WAIT_MS)
        expect(page.locator(".mt-statement")).to_contain_text("Styregruppens standardvisning")
        assert page.evaluate("document.documentElement.lang") == "da"
        assert page.title() == "Styregruppemøde · En bedre chance i livet"
        page.screenshot(path=str(ARTIFACTS / f"meeting-resume-{size}.png"))
        page.get_by_role("button", name="Næste").click()
        expect(page.locator(".js-plotly-plot").first).to_be_visible(timeout=WAIT_MS)
        settle(page)
        statement = page.locator(".mt-statement").inner_text()
        assert "1. halvår 2025 – 2. halvår 2026" in statement
        ticks = page.locator(".js-plotly-plot .xtick text").all()
        assert ticks, "period labels on the x axis"
        for tick in ticks:
            size_px = float(tick.evaluate("t => getComputedStyle(t).fontSize").rstrip("px"))
            assert size_px >= 18
            assert "rotate" not in (tick.get_attribute("transform") or "")
        assert "halvår" in " ".join(t.text_content() or "" for t in ticks)
        page.screenshot(path=str(ARTIFACTS / f"meeting-layer-{size}.png"), full_page=True)
        assert page.evaluate(CUT_TEXT_JS) == []
        # A layer section (tiles, charts, notes) passes axe too (the summary: every role below)
        ours = [v["id"] for v in axe_violations(page, f"moede-lag-{size}")
                if v["id"] not in STREAMLIT_OWN]
        assert ours == []


@pytest.mark.parametrize("role,path,title", [
    ("leder", "oversigt", "Forandringsmodellen"),
    ("konsulent", "lag-kort-sigt", "Resultater på kort sigt"),
    ("leder", "dagtilbud", "Dagtilbud"),
    ("admin", "log", "Revisionslog"),
])
def test_pages_at_1366_are_danish_uncut_and_pass_axe(server: str, role: str, path: str,
                                                     title: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium_page(width=1366, height=768) as page:
        log_in(page, server, role, f"?side={path}")
        settle(page)
        assert page.evaluate("document.documentElement.lang") == "da"
        assert page.title() == f"{title} · En bedre chance i livet"
        page.screenshot(path=str(ARTIFACTS / f"{path}-{role}-1366.png"), full_page=True)
        serious = axe_violations(page, f"{path}-{role}")
        ours = [v for v in serious if v["id"] not in STREAMLIT_OWN]
        assert ours == [], json.dumps(ours, ensure_ascii=False)[:3000]


# axe rules whose serious/critical hits are in Streamlit's own markup, not ours (README):
# the sidebar navigation's <ul> holds <div>s around its <li>s.
STREAMLIT_OWN: set[str] = {"list", "listitem"}


# Every demo role (README, "Demo logins")
ROLES = ["admin", "leder", "omraade", "institution", "konsulent", "styregruppe", "aalborg",
         "hvidovre", "fjordby", "national"]
# Pages without the data filters (ui.filters.PAGES_WITHOUT_FILTERS)
NO_FILTER_PAGES = {"indlaes", "log", "brugere"}
# English a user could meet on our pages (whole words, case as shown); Streamlit's own strings
# that cannot be set are left out (README)
ENGLISH = re.compile(r"\b(suppressed|withheld|None|True|False|null|NaN|nan|Choose|Select|"
                     r"No data|No results|Download|Open|Close|Loading|Link to heading|Search|"
                     r"Browse|Upload|Drag|Fullscreen|Show|Hide)\b")
# Streamlit's own strings that no parameter sets (README), one per line of VISIBLE_TEXT_JS: the
# select's "Open" arrow, the slider thumbs' "— start/end", the date input's "day, …" and
# "Choose date", the table toolbar, the file uploader's texts
STREAMLIT_OWN_TEXT = re.compile(
    r"^(Open|Close|Choose date|(day|month|year), .*|.* — (start|end)|Show/hide columns|"
    r"Download as CSV|Search|Fullscreen|Drag and drop files? here|Limit .* per file.*|"
    r"Browse files|Upload)$", re.MULTILINE)
VISIBLE_TEXT_JS = """() => {
  const parts = [];
  for (const root of document.querySelectorAll('[data-testid="stMain"], '
                                               + '[data-testid="stSidebarUserContent"]')) {
    parts.push(root.innerText);
    for (const el of root.querySelectorAll('[aria-label], [title], [placeholder]')) {
      if (el.closest('.modebar')) continue;  // plotly's toolbar: Danish through its locale
      for (const a of ['aria-label', 'title', 'placeholder'])
        if (el.getAttribute(a)) parts.push(el.getAttribute(a));
    }
  }
  return parts.join('\\n');
}"""


def nav_paths(page: Page) -> list[str]:
    """The url paths of the pages in the sidebar navigation, in order."""
    more = page.locator('[data-testid="stSidebarNavViewButton"]')
    if more.count() and "more" in (more.inner_text() or "").lower():
        more.click()
    hrefs = page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
        "links => links.map(a => new URL(a.href).pathname.split('/').pop())")
    return [h or "oversigt" for h in hrefs]


def open_from_nav(page: Page, path: str) -> None:
    link = page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]')
    if path == "oversigt" and not link.count():
        link = page.locator('[data-testid="stSidebarNav"] a').first
    link.first.click()
    expect(page).to_have_url(re.compile(f"/{path}(\\?|$)" if path != "oversigt" else ".*"),
                             timeout=WAIT_MS)
    settle(page)


def page_problems(page: Page, role: str, path: str, size: str) -> list[str]:
    """Cut text, English words and wrong filters on the page on screen (and axe at 1366)."""
    problems = [f"cut: {c}" for c in page.evaluate(CUT_TEXT_JS)]
    problems += [f"English: {m.group(0)!r} in …{text[max(0, m.start() - 40):m.end() + 40]!r}"
                 for text in [STREAMLIT_OWN_TEXT.sub("", page.evaluate(VISIBLE_TEXT_JS))]
                 for m in ENGLISH.finditer(text)]
    has_filters = page.locator('[data-testid="stSidebarUserContent"]').get_by_text(
        "Filtre", exact=True).count() > 0
    if has_filters == (path in NO_FILTER_PAGES):
        problems.append(f"filters shown: {has_filters}")
    if size == "1366":
        problems += [f"axe {v['id']} ({v['impact']}): {v['help']} — "
                     + "; ".join(n["target"][0] if isinstance(n["target"][0], str)
                                 else str(n["target"][0]) for n in v["nodes"][:4])
                     for v in axe_violations(page, f"{role}-{path}")
                     if v["id"] not in STREAMLIT_OWN]
    page.screenshot(path=str(ARTIFACTS / "roles" / f"{role}-{path}-{size}.png"), full_page=True)
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_every_role(server: str, role: str) -> None:
    (ARTIFACTS / "roles").mkdir(parents=True, exist_ok=True)
    found: dict[str, list[str]] = {}
    with chromium_page(width=1366, height=768) as page:
        log_in(page, server, role)
        settle(page)
        paths = nav_paths(page)
        assert paths and ("moede" in paths) == (role not in ("aalborg", "hvidovre", "fjordby",
                                                             "national") or "moede" in paths)
        for path in paths:
            open_from_nav(page, path)
            for size, (width, height) in SIZES.items():
                page.set_viewport_size({"width": width, "height": height})
                settle(page)
                problems = page_problems(page, role, path, size)
                if problems:
                    found[f"{path} {size}"] = problems
            page.set_viewport_size({"width": 1366, "height": 768})
    (ARTIFACTS / "roles" / f"{role}.json").write_text(
        json.dumps(found, ensure_ascii=False, indent=1), encoding="utf-8")
    assert found == {}, json.dumps(found, ensure_ascii=False, indent=1)[:6000]


def test_the_filters_are_kept_across_an_admin_page_without_them(server: str) -> None:
    with chromium_page(width=1366, height=768) as page:
        log_in(page, server, "admin", "?enhed=580-N&alder=3-5&udsatte=1&fra=2025H2&til=2026H1")
        settle(page)
        main = page.locator('[data-testid="stMain"]')
        expect(main).to_contain_text("Område Nord · 1. halvår 2026")
        sidebar = page.locator('[data-testid="stSidebarUserContent"]')
        expect(sidebar.get_by_text("Filtre", exact=True)).to_be_visible()
        open_from_nav(page, "log")
        expect(page.get_by_role("heading", name="Revisionslog")).to_be_visible()
        expect(sidebar.get_by_text("Filtre", exact=True)).to_have_count(0)
        assert sidebar.get_by_label("Aldersgruppe").count() == 0
        open_from_nav(page, "oversigt")
        expect(page.locator(".cm-tile").first).to_be_visible(timeout=WAIT_MS)
        expect(sidebar.get_by_text("Filtre", exact=True)).to_be_visible()
        for key, value in {"enhed": "580-N", "alder": "3-5", "udsatte": "1", "fra": "2025H2",
                           "til": "2026H1"}.items():
            assert f"{key}={value}" in page.url, page.url
        expect(main).to_contain_text("Område Nord · 1. halvår 2026")
        expect(sidebar.get_by_role("switch", name="Kun børn i udsatte positioner")).to_be_checked()
        # What the browser shows, not only what the server holds
        expect(sidebar.get_by_role("radio", name="3-5 år")).to_be_checked()
        expect(sidebar.get_by_role("combobox", name="Område")).to_have_value("Område Nord")
