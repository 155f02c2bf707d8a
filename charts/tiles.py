"""HTML for the change-model picture: one tile per box, coloured by the headline's status."""

from __future__ import annotations

from html import escape

from indicators.completeness import UNCERTAIN_TEXT
from indicators.format import format_change, format_value
from indicators.status import STATUS_COLOURS, STATUS_ICONS, STATUS_LABELS, STATUS_TEXT_COLOURS

TILE_CSS = """
<style>
.cm-layer-title {font-weight:700;font-size:1.05rem;color:#0b2e4f;border-bottom:3px solid #0b4f8a;
  padding-bottom:4px;margin-bottom:8px;}
.cm-tile {position:relative;border:1px solid #d5dbe3;border-left:8px solid var(--status);
  border-radius:8px;padding:10px 12px;margin-bottom:4px;background:#fff;
  box-shadow:0 1px 2px rgba(0,0,0,.05);}
.cm-tile h4 {font-size:.95rem;margin:0 0 4px 0;color:#0b2e4f;line-height:1.25;padding:0;}
.cm-tile .cm-ind {font-size:.78rem;color:#4a5563;margin-bottom:6px;line-height:1.2;}
.cm-tile .cm-value {font-size:1.5rem;font-weight:700;color:#111;}
.cm-tile .cm-change {font-size:.78rem;color:#4a5563;}
.cm-badge {display:inline-block;border-radius:10px;padding:1px 8px;font-size:.75rem;
  font-weight:600;background:var(--status);color:var(--status-text);margin-top:4px;}
.cm-target {font-size:.75rem;color:#4a5563;margin-left:6px;white-space:nowrap;}
.cm-complete {font-size:.75rem;color:#4a5563;margin-top:3px;}
.cm-uncertain {font-size:.75rem;font-weight:600;color:#7a4a00;background:#fff4d6;
  border-radius:4px;padding:1px 6px;margin-top:3px;display:inline-block;}
a.cm-link {text-decoration:none;color:inherit;}
a.cm-link::after {content:"";position:absolute;inset:0;}
a.cm-link:focus-visible {outline:3px solid #0b4f8a;outline-offset:2px;}
.cm-tile:has(a.cm-link):hover {box-shadow:0 2px 8px rgba(11,79,138,.25);border-color:#0b4f8a;}
</style>
"""


def box_tile_html(*, box_id: str, title: str, full_text: str, indicator_name: str,
                  value: float | None, suppressed: bool, change: float | None, unit: str,
                  target: float, status: str, withheld_text: str, href: str | None = None,
                  completeness: str | None = None, uncertain: bool = False) -> str:
    """One box of the model. The full seed text is the tile's tooltip; a withheld value reads
    ``withheld_text``. With ``href`` the tile is a link (to its layer page, at the box);
    ``completeness`` (e.g. "Datakomplethed 92,3 %") is shown under the value, and ``uncertain``
    adds the "usikkert datagrundlag" mark."""
    value_text = format_value(value, unit, suppressed=suppressed, withheld_text=withheld_text)
    change_text = format_change(change, unit)
    change_html = (f'<div class="cm-change" title="Ændring siden forrige periode">'
                   f"{escape(change_text)} siden forrige periode</div>" if change_text else "")
    complete_html = (f'<div class="cm-complete">{escape(completeness)}</div>'
                     if completeness else "")
    if uncertain:
        complete_html += f'<div class="cm-uncertain">⚠ {escape(UNCERTAIN_TEXT)}</div>'
    # With ``href`` the heading is the link (its text names it), stretched over the whole tile
    heading = f"{escape(box_id)} · {escape(title)}"
    if href is not None:
        heading = f'<a class="cm-link" href="{escape(href)}" target="_self">{heading}</a>'
    return (
        f'<div class="cm-tile" title="{escape(full_text)}" data-box="{escape(box_id)}" '
        f'style="--status:{STATUS_COLOURS[status]};--status-text:{STATUS_TEXT_COLOURS[status]}">'
        f"<h4>{heading}</h4>"
        f'<div class="cm-ind">{escape(indicator_name)}</div>'
        f'<div><span class="cm-value">{escape(value_text)}</span>{change_html}</div>'
        f'<span class="cm-badge">{STATUS_ICONS[status]} {escape(STATUS_LABELS[status])}</span>'
        f'<span class="cm-target">Mål {escape(format_value(target, unit))}</span>'
        f"{complete_html}</div>"
    )
