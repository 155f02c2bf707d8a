"""Danish for the page language and for Streamlit's own screen-reader labels that no parameter
sets ("Link to heading" on every heading, "Open" on a select's arrow, a slider thumb's "— start",
the date input's "Choose date", the table toolbar's "Search" …).

One small script, added once per page by ``app.py`` through ``st.html``: it sets
``<html lang="da">`` and rewrites those ``aria-label`` / ``title`` / ``placeholder`` attributes
whenever Streamlit draws them (a MutationObserver). Visible text Streamlit draws itself (the file
uploader's "Drag and drop file here", "Browse files") is left alone: README lists it.
"""

from __future__ import annotations

import json

# Exact attribute values
LABELS = {
    "Link to heading": "Link til overskriften",
    "Open": "Åbn",
    "Close": "Luk",
    "Choose an option": "Vælg",
    "Choose options": "Vælg",
    "Choose date": "Vælg dato",
    "Choose date range": "Vælg datointerval",
    "Clear all": "Ryd alle",
    "Clear value": "Ryd",
    "Show/hide columns": "Vis/skjul kolonner",
    "Download as CSV": "Hent som CSV",
    "Search": "Søg",
    "Fullscreen": "Fuld skærm",
    "Close fullscreen": "Luk fuld skærm",
    "Show password text": "Vis adgangskoden",
    "Hide password text": "Skjul adgangskoden",
}
# (pattern, replacement) for values that carry the widget's label; JavaScript regex syntax
PATTERNS = [
    (r"^(.*) — start$", "$1 — fra"),
    (r"^(.*) — end$", "$1 — til"),
    (r"^(.*) start date$", "$1, startdato"),
    (r"^(.*) end date$", "$1, slutdato"),
    (r"^day, (.*)$", "dag, $1"),
    (r"^month, (.*)$", "måned, $1"),
    (r"^year, (.*)$", "år, $1"),
]

_SCRIPT = """<script>
(() => {
  document.documentElement.lang = 'da';
  if (window.__danishLabels) return;
  window.__danishLabels = true;
  const labels = %(labels)s;
  const patterns = %(patterns)s.map(([p, r]) => [new RegExp(p), r]);
  const attrs = ['aria-label', 'title', 'placeholder'];
  const fix = (el) => {
    for (const a of attrs) {
      const v = el.getAttribute && el.getAttribute(a);
      if (!v) continue;
      let d = labels[v];
      if (d === undefined) {
        const hit = patterns.find(([p]) => p.test(v));
        if (hit) d = v.replace(hit[0], hit[1]);
      }
      if (d !== undefined && d !== v) el.setAttribute(a, d);
    }
  };
  const sweep = (root) => {
    fix(root);
    if (root.querySelectorAll)
      root.querySelectorAll('[aria-label], [title], [placeholder]').forEach(fix);
  };
  sweep(document.body);
  new MutationObserver((changes) => {
    for (const c of changes) {
      if (c.type === 'attributes') fix(c.target);
      else c.addedNodes.forEach((n) => { if (n.nodeType === 1) sweep(n); });
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true,
                             attributeFilter: attrs});
})();
</script>"""


# Layout rules for every page (1366 px wide screens): less empty space above the title, and page
# links that wrap instead of ending in "…" ("Se virkninger på mellemlang s…")
LAYOUT_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.5rem; }
[data-testid="stPageLink"] p, [data-testid="stPageLink-NavLink"] p {
  white-space: normal; overflow: visible; text-overflow: clip; }
</style>"""


def danish_page_script() -> str:
    """The ``<script>`` that makes the page Danish and the layout rules (for ``st.html``)."""
    return LAYOUT_CSS + _SCRIPT % {"labels": json.dumps(LABELS, ensure_ascii=False),
                      "patterns": json.dumps(PATTERNS, ensure_ascii=False)}
