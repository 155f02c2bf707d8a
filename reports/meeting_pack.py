"""The meeting pack: one self-contained HTML file (charts and plotly.js embedded, opens offline),
laid out for A4 landscape print: a summary, the model picture, then one page per layer.

Pure apart from plotly: it takes the programme, the values frame (``with_status`` applied, for the
chosen unit and its benchmark units), the unit names and the interpretations, and returns HTML.
Withheld values are shown as ``withheld_text(min_n)`` ("< 5") and never carry a number into the
file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

import polars as pl

from charts.trend import trend_chart, trend_series
from core.model_config import LayerSpec, ProgrammeSpec
from core.settings import withheld_text
from indicators.format import (
    NO_DATA_TEXT,
    format_change,
    format_date,
    format_datetime,
    format_value,
)
from indicators.meeting import (
    FOLLOWUP_LABELS,
    KIND_LABELS,
    biggest_moves,
    order_followups,
    status_counts,
)
from indicators.periods import period_label, periods_between
from indicators.status import STATUS_COLOURS, STATUS_LABELS, STATUS_TEXT_COLOURS
from indicators.summary import IndicatorMeta

CHART_WIDTH, CHART_HEIGHT = 330, 160

PACK_CSS = """
@page { size: A4 landscape; margin: 9mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, sans-serif; color: #111; margin: 0 auto;
  max-width: 279mm; font-size: 11px; line-height: 1.3; }
h1 { font-size: 24px; margin: 0 0 4px 0; color: #0b2e4f; }
h2 { font-size: 20px; margin: 0 0 8px 0; color: #0b2e4f; border-bottom: 3px solid #0b4f8a; }
h3 { font-size: 13px; margin: 0 0 3px 0; color: #0b2e4f; }
.meta { color: #333; margin-bottom: 8px; }
.sec { padding: 4px 0; }
.sec + .sec { break-before: page; page-break-before: always; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; }
th, td { border: 1px solid #c9d1db; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
td.num { text-align: right; }
.badge { display: inline-block; border-radius: 8px; padding: 0 6px; font-weight: 700;
  font-size: 10px; background: var(--s); color: var(--t); white-space: nowrap; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
.model { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
.model h3 { border-bottom: 2px solid #0b4f8a; }
.tile { border: 1px solid #c9d1db; border-left: 6px solid var(--s); border-radius: 4px;
  padding: 3px 6px; margin-bottom: 4px; break-inside: avoid; }
.tile .t { font-weight: 700; font-size: 10.5px; }
.tile .v { font-size: 14px; font-weight: 700; }
.boxes { display: grid; grid-template-columns: repeat(3, 1fr); gap: 8px; }
.box { border: 1px solid #c9d1db; border-top: 6px solid var(--s); border-radius: 4px;
  padding: 4px 6px; break-inside: avoid; overflow: hidden; }
.box .v { font-size: 16px; font-weight: 700; }
.box ul, .notes { margin: 2px 0; padding-left: 14px; }
.ind { font-size: 10px; color: #333; }
.note { font-size: 10px; margin-bottom: 2px; }
.note b { color: #0b2e4f; }
.legend { font-size: 10px; color: #333; margin-bottom: 6px; }
.chart { width: 330px; height: 160px; }
"""


def _badge(status: str) -> str:
    return (f'<span class="badge" style="--s:{STATUS_COLOURS[status]};'
            f'--t:{STATUS_TEXT_COLOURS[status]}">{escape(STATUS_LABELS[status])}</span>')


def _safe(values: pl.DataFrame) -> pl.DataFrame:
    """Withheld rows lose their numbers here, whatever the store held."""
    hidden = pl.col("suppressed")
    return values.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("value", "numerator", "denominator") if c in values.columns
    )


def _note_html(row: dict) -> str:
    kind = KIND_LABELS.get(row["kind"], row["kind"])
    extra = ""
    if row["kind"] == "opfoelgning":
        due = format_date(row["due_on"]) if row["due_on"] else "ingen frist"
        extra = (f" (ansvarlig: {escape(row['owner'] or '–')}, frist {due}, "
                 f"{escape(FOLLOWUP_LABELS.get(row['status'] or '', row['status'] or ''))})")
    when = format_date(row["created_at"].date()) if row["created_at"] else ""
    return (f'<div class="note"><b>{kind}</b>{extra} · {escape(row["author"])} {when} · '
            f'{escape(period_label(row["period"]))}<br>{escape(row["text"])}</div>')


class _Charts:
    """Embeds plotly figures; plotly.js itself goes in once, with the first figure."""

    def __init__(self) -> None:
        self.first = True

    def html(self, fig) -> str:  # type: ignore[no-untyped-def]
        fig.update_layout(width=CHART_WIDTH, height=CHART_HEIGHT, showlegend=False,
                          title={"text": ""}, margin={"l": 4, "r": 4, "t": 8, "b": 4},
                          font={"size": 9})
        out = fig.to_html(full_html=False, include_plotlyjs=self.first,
                          config={"staticPlot": True, "displayModeBar": False},
                          default_width=f"{CHART_WIDTH}px", default_height=f"{CHART_HEIGHT}px")
        self.first = False
        return f'<div class="chart">{out}</div>'


def build_meeting_pack(
    *, programme: ProgrammeSpec, metas: dict[str, IndicatorMeta], values: pl.DataFrame,
    unit_id: int, unit_names: dict[int, str], period_from: str, period: str,
    interpretations: pl.DataFrame, meeting_date: dt.date, author: str, min_n: int,
    view_name: str = "", created_at: dt.datetime | None = None,
) -> str:
    """The whole pack as one HTML document.

    ``unit_names`` maps the chosen unit and its benchmark units to names, chosen unit first.
    ``min_n`` (``Settings.min_n``) is what the withheld values are marked with (``< 5``).
    ``interpretations`` has ``data_access.interpretations.INTERPRETATION_COLUMNS``.
    """
    created_at = created_at or dt.datetime.now()
    values = _safe(values)
    shown = _Shown(withheld_text(min_n), min_n)
    periods = periods_between(period_from, period)
    notes = interpretations.filter(
        (pl.col("unit_id") == unit_id) & (pl.col("period") <= period) & ~pl.col("withdrawn"))
    charts = _Charts()
    title = f"Styregruppemøde {format_date(meeting_date)}"
    header = (
        f"<h1>{escape(title)}</h1>"
        f'<div class="meta">{escape(programme.title)} · {escape(unit_names[unit_id])} · '
        f"{escape(period_label(period))}"
        + (f" · visning: {escape(view_name)}" if view_name else "")
        + f" · lavet {format_datetime(created_at)} af {escape(author)}</div>"
    )
    sections = [
        _summary_section(header, programme, metas, values, unit_id, period, notes, meeting_date),
        _model_section(programme, values, unit_id, period, shown),
    ]
    sections += [
        _layer_section(layer, values, unit_id, unit_names, period, periods, notes, charts,
                       shown)
        for layer in programme.layers
    ]
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="da"><head><meta charset="utf-8">'
        f"<title>{escape(title)} · {escape(programme.title)}</title>"
        f"<style>{PACK_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )


def _now_rows(values: pl.DataFrame, unit_id: int, period: str) -> dict[str, dict]:
    now = values.filter((pl.col("unit_id") == unit_id) & (pl.col("period") == period))
    return {r["indicator_id"]: r for r in now.iter_rows(named=True)}


@dataclass(frozen=True)
class _Shown:
    """How withheld values are marked in this pack."""

    withheld_text: str
    min_n: int

    def value(self, row: dict | None, unit: str) -> str:
        if row is None:
            return NO_DATA_TEXT
        return format_value(row["value"], unit, suppressed=row["suppressed"],
                            withheld_text=self.withheld_text)


def _summary_section(header: str, programme: ProgrammeSpec, metas: dict[str, IndicatorMeta],
                     values: pl.DataFrame, unit_id: int, period: str, notes: pl.DataFrame,
                     meeting_date: dt.date) -> str:
    layers = {lay.id: [b.headline.id for b in lay.boxes] for lay in programme.layers}
    counts = status_counts(values, layers, unit_id=unit_id, period=period)
    titles = {lay.id: lay.title for lay in programme.layers}
    rows = "".join(
        f"<tr><td>{escape(titles[r['layer_id']])}</td>"
        + "".join(f'<td class="num">{r[s]}</td>' for s in STATUS_LABELS)
        + f'<td class="num">{r["total"]}</td></tr>'
        for r in counts.iter_rows(named=True)
    )
    table = ("<table><tr><th>Lag (bokse)</th>"
             + "".join(f"<th>{_badge(s)}</th>" for s in STATUS_LABELS)
             + f"<th>I alt</th></tr>{rows}</table>")
    moves = biggest_moves(values, metas, unit_id=unit_id, period=period)
    move_rows = "".join(
        f"<tr><td>{escape(programme.box_of(r['indicator_id'])[1].id)} · "
        f"{escape(metas[r['indicator_id']].name)}</td>"
        f"<td>{escape(format_value(r['previous_value'], metas[r['indicator_id']].unit))} → "
        f"{escape(format_value(r['value'], metas[r['indicator_id']].unit))}</td>"
        f"<td>{escape(format_change(r['change'], metas[r['indicator_id']].unit))} "
        f"({'bedre' if r['improved'] else 'dårligere'})</td><td>{_badge(r['status'])}</td></tr>"
        for r in moves.iter_rows(named=True)
    ) or '<tr><td colspan="4">Ingen sammenlignelige ændringer.</td></tr>'
    followups = order_followups(
        notes.filter((pl.col("kind") == "opfoelgning") & (pl.col("status") != "afsluttet")),
        meeting_date=meeting_date)
    follow_rows = "".join(
        f"<tr><td>{'<b>Forfalden</b> ' if r['due_before_meeting'] else ''}"
        f"{format_date(r['due_on']) if r['due_on'] else '–'}</td>"
        f"<td>{escape(r['owner'] or '–')}</td><td>{escape(r['box_id'])}: {escape(r['text'])}</td>"
        f"<td>{escape(FOLLOWUP_LABELS.get(r['status'] or '', ''))}</td></tr>"
        for r in followups.iter_rows(named=True)
    ) or '<tr><td colspan="4">Ingen åbne opfølgninger.</td></tr>'
    decisions = notes.filter(pl.col("kind") == "beslutning").sort("created_at", descending=True)
    decision_html = "".join(_note_html(r) for r in decisions.head(6).iter_rows(named=True)) \
        or "<p>Ingen beslutninger registreret.</p>"
    return (
        f'<section class="sec" id="resume">{header}<h2>Resumé</h2>{table}'
        '<div class="cols"><div><h3>Største ændringer siden forrige periode</h3>'
        "<table><tr><th>Indikator</th><th>Før → nu</th><th>Ændring</th><th>Status</th></tr>"
        f"{move_rows}</table><h3>Beslutninger</h3>{decision_html}</div>"
        "<div><h3>Opfølgninger (forfaldne før mødet først)</h3>"
        "<table><tr><th>Frist</th><th>Ansvarlig</th><th>Opfølgning</th><th>Status</th></tr>"
        f"{follow_rows}</table></div></div></section>"
    )


def _model_section(programme: ProgrammeSpec, values: pl.DataFrame, unit_id: int, period: str,
                   shown: _Shown) -> str:
    now = _now_rows(values, unit_id, period)
    columns = []
    for layer in programme.layers:
        tiles = []
        for box in layer.boxes:
            row = now.get(box.headline.id)
            status = row["status"] if row else "no_data"
            tiles.append(
                f'<div class="tile" data-box="{escape(box.id)}" '
                f'style="--s:{STATUS_COLOURS[status]}"><div class="t">{escape(box.id)} · '
                f"{escape(box.title)}</div><div class=\"ind\">{escape(box.headline.name)}</div>"
                f'<span class="v">{escape(shown.value(row, box.headline.unit))}</span> '
                f"{_badge(status)}</div>")
        columns.append(f"<div><h3>{escape(layer.title)} →</h3>{''.join(tiles)}</div>")
    return (f'<section class="sec" id="model"><h2>Forandringsmodellen · '
            f"{escape(period_label(period))}</h2>"
            f'<div class="model">{"".join(columns)}</div></section>')


def _layer_section(layer: LayerSpec, values: pl.DataFrame, unit_id: int,
                   unit_names: dict[int, str], period: str, periods: list[str],
                   notes: pl.DataFrame, charts: _Charts, shown: _Shown) -> str:
    now = _now_rows(values, unit_id, period)
    cards = []
    for box in layer.boxes:
        spec = box.headline
        row = now.get(spec.id)
        status = row["status"] if row else "no_data"
        series = trend_series(values, indicator_id=spec.id, unit_names=unit_names)
        chart = (charts.html(trend_chart(series, unit=spec.unit, target=spec.target, title="",
                                         periods=periods, withheld_text=shown.withheld_text))
                 if not series.is_empty() else '<p class="ind">Ingen data for perioden.</p>')
        others = "".join(
            f"<li>{escape(ind.name)}: {escape(shown.value(now.get(ind.id), ind.unit))}</li>"
            for ind in box.indicators[1:])
        box_notes = notes.filter(pl.col("box_id") == box.id)
        cards.append(
            f'<div class="box" data-box="{escape(box.id)}" style="--s:{STATUS_COLOURS[status]}">'
            f"<h3>{escape(box.id)} · {escape(box.title)}</h3>"
            f'<div class="ind">{escape(spec.name)} · mål {spec.target_year}: '
            f"{escape(format_value(spec.target, spec.unit))}</div>"
            f'<span class="v">{escape(shown.value(row, spec.unit))}</span> {_badge(status)}'
            f"{chart}" + (f"<ul class=\"ind\">{others}</ul>" if others else "")
            + "".join(_note_html(r) for r in box_notes.iter_rows(named=True))
            + "</div>")
    names = list(unit_names.values())
    legend = (f'<div class="legend">Tyk linje: {escape(names[0])}'
              + (f"; prikkede linjer: {escape(', '.join(names[1:]))}" if len(names) > 1 else "")
              + f"; stiplet grøn linje: mål. Værdier bygget på færre end {shown.min_n} vises som "
              f"“{escape(shown.withheld_text)}”.</div>")
    return (f'<section class="sec layer" id="lag-{escape(layer.id)}">'
            f"<h2>{escape(layer.title)} · {escape(period_label(period))}</h2>{legend}"
            f'<div class="boxes">{"".join(cards)}</div></section>')
