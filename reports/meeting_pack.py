"""The meeting pack: one self-contained HTML file (charts as static SVG images, opens offline,
well under 1 MB), laid out for A4 landscape print: a summary, the model picture, then one page
per layer.

The page is a Jinja2 template (``reports/templates/meeting_pack.html.j2``) with autoescaping on:
every text from the store (names, notes, owners, view names) is escaped by the template, never by
hand. Charts are rendered once to SVG by kaleido (``reports.static_charts``) with period labels,
units and legends, at a size meant for paper. Danish numbers keep their unit on the same line
(``46,0 %`` with a non-breaking space). Withheld values are shown as ``withheld_text(min_n)``
("< 5") and never carry a number into the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import plotly.graph_objects as go
import polars as pl

from charts.presentation import readable_chart, trend_alt
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
from reports.static_charts import svg_images

# Rendered at this size and shown a third of an A4 landscape page wide (about 85 mm): the
# 13 px chart text prints at about 8 pt.
CHART_WIDTH, CHART_HEIGHT, CHART_FONT = 440, 300, 13
UNIT_TITLES = {"procentpoint": "pct.-point", "antal": "antal", "dage": "dage", "score": "score"}
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
)
_NUMBER_THEN_WORD = re.compile(r"(?<=[\d<>]) (?=\S)")


def keep_together(text: str) -> str:
    """A non-breaking space between a number (or ``<``) and what follows: ``46,0 %``,
    ``< 5``, ``3,5 pct.-point`` never break across lines.

    >>> keep_together("46,0 % og < 5")
    '46,0\xa0% og <\xa05'
    """
    return _NUMBER_THEN_WORD.sub("\u00a0", text)


TEMPLATES.filters["nb"] = keep_together


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
/* No heading alone at the foot of a page; no box, tile, table row or note cut in two */
h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
tr, .tile, .box, .note, img { break-inside: avoid; page-break-inside: avoid; }
.v, .badge, td.num { white-space: nowrap; }
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
.chart { display: block; width: 100%; height: auto; margin: 3px 0; }
"""


def _status(status: str) -> dict:
    return {"label": STATUS_LABELS[status], "colour": STATUS_COLOURS[status],
            "text_colour": STATUS_TEXT_COLOURS[status]}


def _safe(values: pl.DataFrame) -> pl.DataFrame:
    """Withheld rows lose their numbers here, whatever the store held."""
    hidden = pl.col("suppressed")
    return values.with_columns(
        pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c)
        for c in ("value", "numerator", "denominator") if c in values.columns
    )


def _note(row: dict) -> dict:
    extra = ""
    if row["kind"] == "opfoelgning":
        due = format_date(row["due_on"]) if row["due_on"] else "ingen frist"
        extra = (f"ansvarlig: {row['owner'] or '–'}, frist {due}, "
                 f"{FOLLOWUP_LABELS.get(row['status'] or '', row['status'] or '')}")
    return {"kind": KIND_LABELS.get(row["kind"], row["kind"]), "extra": extra,
            "author": row["author"],
            "when": format_date(row["created_at"].date()) if row["created_at"] else "",
            "period": period_label(row["period"]), "text": row["text"]}


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


def _now_rows(values: pl.DataFrame, unit_id: int, period: str) -> dict[str, dict]:
    now = values.filter((pl.col("unit_id") == unit_id) & (pl.col("period") == period))
    return {r["indicator_id"]: r for r in now.iter_rows(named=True)}


def pack_chart(series: pl.DataFrame, *, unit: str, target: float, periods: list[str],
               withheld: str) -> go.Figure:
    """A trend chart for paper: legend under it, period labels horizontal, the unit on the axis."""
    fig = readable_chart(trend_chart(series, unit=unit, target=target, title="", periods=periods,
                                     withheld_text=withheld),
                         font_size=CHART_FONT, height=CHART_HEIGHT)
    fig.update_layout(width=CHART_WIDTH, legend={"y": -0.3}, margin={"b": 4})
    if unit in UNIT_TITLES:
        fig.update_yaxes(title={"text": UNIT_TITLES[unit], "font": {"size": CHART_FONT}})
    return fig


def build_meeting_pack(
    *, programme: ProgrammeSpec, metas: dict[str, IndicatorMeta], values: pl.DataFrame,
    unit_id: int, unit_names: dict[int, str], period_from: str, period: str,
    interpretations: pl.DataFrame, meeting_date: dt.date, author: str, min_n: int,
    view_name: str = "", created_at: dt.datetime | None = None, statement: str = "",
) -> str:
    """The whole pack as one HTML document.

    ``unit_names`` maps the chosen unit and its benchmark units to names, chosen unit first.
    ``min_n`` (``Settings.min_n``) is what the withheld values are marked with (``< 5``).
    ``interpretations`` has ``data_access.interpretations.INTERPRETATION_COLUMNS``.
    ``statement``: the filters in words, as the meeting page states them.
    """
    created_at = created_at or dt.datetime.now(dt.UTC)
    values = _safe(values)
    shown = _Shown(withheld_text(min_n), min_n)
    periods = periods_between(period_from, period)
    notes = interpretations.filter(
        (pl.col("unit_id") == unit_id) & (pl.col("period") <= period) & ~pl.col("withdrawn"))
    now = _now_rows(values, unit_id, period)
    layers = [_layer(layer, values, unit_names, now, periods, notes, shown)
              for layer in programme.layers]
    figures = [b["figure"] for layer in layers for b in layer["boxes"] if b["figure"] is not None]
    images = iter(svg_images(figures, width=CHART_WIDTH, height=CHART_HEIGHT))
    for layer in layers:
        for b in layer["boxes"]:
            b["chart"] = next(images) if b.pop("figure") is not None else ""
    names = list(unit_names.values())
    legend = (f"Tyk linje: {names[0]}"
              + (f"; prikkede linjer: {', '.join(names[1:])}" if len(names) > 1 else "")
              + f"; stiplet grøn linje: mål. Værdier bygget på færre end {shown.min_n} vises "
              f"som “{shown.withheld_text}”.")
    return TEMPLATES.get_template("meeting_pack.html.j2").render(
        css=PACK_CSS, title=f"Styregruppemøde {format_date(meeting_date)}",
        programme_title=programme.title, unit_name=unit_names[unit_id],
        period=period_label(period), view_name=view_name, created=format_datetime(created_at),
        author=author, statement=statement or (
            f"{unit_names[unit_id]} · {period_label(period_from)} – {period_label(period)}"),
        statuses=[_status(s) for s in STATUS_LABELS],
        **_summary(programme, metas, values, unit_id, period, notes, meeting_date),
        model=_model(programme, now, shown), layers=layers, legend=legend,
    )


def _summary(programme: ProgrammeSpec, metas: dict[str, IndicatorMeta], values: pl.DataFrame,
             unit_id: int, period: str, notes: pl.DataFrame, meeting_date: dt.date) -> dict:
    layers = {lay.id: [b.headline.id for b in lay.boxes] for lay in programme.layers}
    counts = status_counts(values, layers, unit_id=unit_id, period=period)
    titles = {lay.id: lay.title for lay in programme.layers}
    moves = biggest_moves(values, metas, unit_id=unit_id, period=period)
    followups = order_followups(
        notes.filter((pl.col("kind") == "opfoelgning") & (pl.col("status") != "afsluttet")),
        meeting_date=meeting_date)
    decisions = notes.filter(pl.col("kind") == "beslutning").sort("created_at", descending=True)
    return {
        "counts": [{"title": titles[r["layer_id"]], "counts": [r[s] for s in STATUS_LABELS],
                    "total": r["total"]} for r in counts.iter_rows(named=True)],
        "moves": [{
            "name": f"{programme.box_of(r['indicator_id'])[1].id} · "
                    f"{metas[r['indicator_id']].name}",
            "before": format_value(r["previous_value"], metas[r["indicator_id"]].unit),
            "now": format_value(r["value"], metas[r["indicator_id"]].unit),
            "change": format_change(r["change"], metas[r["indicator_id"]].unit),
            "direction": "bedre" if r["improved"] else "dårligere",
            "status": _status(r["status"]),
        } for r in moves.iter_rows(named=True)],
        "followups": [{
            "overdue": r["due_before_meeting"],
            "due": format_date(r["due_on"]) if r["due_on"] else "–",
            "owner": r["owner"] or "–", "box": r["box_id"], "text": r["text"],
            "status": FOLLOWUP_LABELS.get(r["status"] or "", ""),
        } for r in followups.iter_rows(named=True)],
        "decisions": [_note(r) for r in decisions.head(6).iter_rows(named=True)],
    }


def _model(programme: ProgrammeSpec, now: dict[str, dict], shown: _Shown) -> list[dict]:
    return [{"title": layer.title, "tiles": [{
        "id": box.id, "title": box.title, "indicator": box.headline.name,
        "value": shown.value(now.get(box.headline.id), box.headline.unit),
        "status": _status(now[box.headline.id]["status"] if box.headline.id in now
                          else "no_data"),
    } for box in layer.boxes]} for layer in programme.layers]


def _layer(layer: LayerSpec, values: pl.DataFrame, unit_names: dict[int, str],
           now: dict[str, dict], periods: list[str], notes: pl.DataFrame,
           shown: _Shown) -> dict:
    boxes = []
    for box in layer.boxes:
        spec = box.headline
        row = now.get(spec.id)
        series = trend_series(values, indicator_id=spec.id, unit_names=unit_names)
        boxes.append({
            "id": box.id, "title": box.title, "indicator": spec.name,
            "target_year": spec.target_year, "target": format_value(spec.target, spec.unit),
            "value": shown.value(row, spec.unit),
            "status": _status(row["status"] if row else "no_data"),
            "figure": None if series.is_empty() else pack_chart(
                series, unit=spec.unit, target=spec.target, periods=periods,
                withheld=shown.withheld_text),
            "alt": "" if series.is_empty() else trend_alt(
                series, name=spec.name, unit=spec.unit, periods=periods,
                withheld_text=shown.withheld_text),
            "others": [{"name": ind.name, "value": shown.value(now.get(ind.id), ind.unit)}
                       for ind in box.indicators[1:]],
            "notes": [_note(r) for r in notes.filter(pl.col("box_id") == box.id)
                      .iter_rows(named=True)],
        })
    return {"id": layer.id, "title": layer.title, "boxes": boxes}
