"""The meeting pack on the demo store: content, suppression, archive, audit, PDF pages, CLI."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import shutil
import subprocess
from html import escape
from pathlib import Path

import polars as pl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from cli import meeting_pack as cli
from core.settings import CONFIG_PATH, Settings
from data_access.db import get_engine
from data_access.interpretations import INTERPRETATION_COLUMNS, add_interpretation
from data_access.meeting_store import find_view, load_pack_html, load_packs
from data_access.models import AuditEvent, OrgUnit
from data_access.scope import scope_for_codes
from demo.generator import DemoSpec
from demo.meeting import STANDARD_VIEW
from indicators.periods import period_label
from indicators.status import STATUS_LABELS
from pipeline.demo_store import build_demo_store
from reports.assemble import PackRequest, build_pack_html, make_and_archive, metas_of
from reports.meeting_pack import build_meeting_pack
from tests.conftest import require
from tests.support.browser import chromium_available

MEETING = dt.date(2026, 11, 23)
SETTINGS = Settings(database_url="sqlite://", demo_mode=True, config_path=CONFIG_PATH)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, config) -> Engine:
    url = f"sqlite:///{tmp_path_factory.mktemp('pack') / 'store.sqlite'}"
    engine = get_engine(url)
    build_demo_store(engine, config, DemoSpec(scale=0.25, years=2))
    scope = scope_for_codes(engine, ["580"])
    add_interpretation(engine, scope=scope, username="styregruppe", roles=("styregruppe",),
                       programme_id="aabenraa", box_id="M2", indicator_id=None,
                       unit_id=scope.root_ids[0], period="2026H2", kind="beslutning",
                       text="Beslutning om <b>M2</b> & opfølgning")
    return engine


@pytest.fixture(scope="module")
def pack(store: Engine, config) -> str:
    html, _unit = build_pack_html(
        store, scope=scope_for_codes(store, ["580"]), username="styregruppe", meeting_date=MEETING,
        request=PackRequest(config.programme("aabenraa"), "580-N", "2025H1", "2026H2"), min_n=5)
    return html


def test_the_pack_has_every_box_its_status_and_the_notes(pack: str, config) -> None:
    programme = config.programme("aabenraa")
    for _layer, box in programme.boxes():
        assert f'data-box="{box.id}"' in pack
        assert escape(box.title) in pack
    for layer in programme.layers:
        assert f'id="lag-{layer.id}"' in pack and escape(layer.title) in pack
    assert any(label in pack for label in STATUS_LABELS.values())
    assert "Styregruppemøde 23.11.2026" in pack and "Område Nord" in pack
    assert "Beslutning om &lt;b&gt;M2&lt;/b&gt; &amp; opfølgning" not in pack  # other unit (580)
    assert pack.count("<section") == 2 + len(programme.layers)
    # offline and small: every chart a static SVG inside the file, no script, nothing fetched
    assert "<script" not in pack and "http://" not in pack and "https://" not in pack
    assert pack.count('<img class="chart" src="data:image/svg+xml;base64,') >= 10
    assert len(pack.encode("utf-8")) < 1_000_000


def test_the_pack_charts_have_period_labels_units_and_a_legend(pack: str) -> None:
    svgs = images(pack)
    first = svgs[0]
    assert "1. halvår" in first and "2025" in first  # horizontal two-line period labels
    assert "Område Nord" in first and "Mål: " in first  # the legend: the unit and the target
    assert any("pct.-point" in s or "dage" in s or " %" in s for s in svgs)  # units on the axis


def test_danish_numbers_do_not_break_and_user_text_is_escaped(pack: str) -> None:
    values = re.findall(r'<span class="v">([^<]*)</span>', pack)
    assert values and all(" " not in v for v in values)  # "46,0 %" only with a no-break space
    assert any("\u00a0%" in v for v in values)


def test_notes_of_the_unit_are_in_the_pack_escaped(store: Engine, config) -> None:
    html, _ = build_pack_html(
        store, scope=scope_for_codes(store, ["580"]), username="admin", meeting_date=MEETING,
        request=PackRequest(config.programme("aabenraa"), "580", "2025H1", "2026H2"), min_n=5)
    assert "Beslutning om &lt;b&gt;M2&lt;/b&gt; &amp; opfølgning" in html
    assert "Åben rådgivning udvides" in html  # the demo decision
    assert "Plan for de sidste aktionslæringsdage" in html  # the demo follow-up


def pack_with_one_withheld_value(programme, *, min_n: int) -> str:
    box = programme.layers[0].boxes[0]
    rows = [
        {"indicator_id": box.headline.id, "unit_id": 1, "period": "2026H2", "value": 987.654,
         "numerator": 321.0, "denominator": 3.0, "n": 3, "suppressed": True,
         "target": box.headline.target, "status": "no_data"},
        {"indicator_id": box.headline.id, "unit_id": 1, "period": "2026H1", "value": 0.75,
         "numerator": 3.0, "denominator": 4.0, "n": 12, "suppressed": False,
         "target": box.headline.target, "status": "close"},
    ]
    notes = pl.DataFrame(schema=INTERPRETATION_COLUMNS)
    return build_meeting_pack(
        programme=programme, metas=metas_of(programme), values=pl.DataFrame(rows),
        unit_id=1, unit_names={1: "Testenhed"}, period_from="2026H1", period="2026H2",
        interpretations=notes, meeting_date=MEETING, author="test", min_n=min_n)


def test_a_suppressed_value_never_shows_a_number(config) -> None:
    programme = config.programme("aabenraa")
    html = pack_with_one_withheld_value(programme, min_n=5)
    own = without_images(html)
    assert "98765" not in own and "98.765" not in own and "54321" not in own
    assert escape("< 5") in html
    charts = " ".join(images(html))  # the charts neither: no value, no n of the withheld point
    assert "987" not in charts and "n=3" not in charts
    assert "n=12" in charts


def test_the_withheld_mark_follows_the_min_n_setting(config) -> None:
    own = without_images(pack_with_one_withheld_value(config.programme("aabenraa"), min_n=10))
    assert '<span class="v">&lt;\u00a010</span>' in own
    assert "færre end 10 vises som “&lt; 10”" in own
    assert escape("< 5") not in own and "færre end 5" not in own


def images(html: str) -> list[str]:
    """The pack's chart images, decoded (SVG text)."""
    import base64

    return [base64.b64decode(m).decode("utf-8") for m in
            re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)]


def without_images(html: str) -> str:
    """The pack minus its embedded chart images (whose base64 holds all sorts of digits)."""
    return re.sub(r'src="data:image/svg\+xml;base64,[^"]*"', 'src=""', html)


def test_a_pack_is_archived_and_audited(store: Engine, config) -> None:
    scope = scope_for_codes(store, ["580"])
    files, pack_id = make_and_archive(
        store, scope=scope, username="styregruppe", meeting_date=MEETING,
        request=PackRequest(config.programme("aabenraa"), "580", "2025H1", "2026H2",
                            view_name=STANDARD_VIEW), min_n=5)
    packs = load_packs(store, scope=scope, programme_id="aabenraa")
    assert packs["id"][0] == pack_id and packs["author"][0] == "styregruppe"
    assert load_pack_html(store, scope=scope, pack_id=pack_id) == files["html"].decode()
    assert load_packs(store, scope=scope_for_codes(store, ["580-S"]),
                      programme_id="aabenraa").filter(pl.col("id") == pack_id).is_empty()
    with store.connect() as conn:
        detail = conn.execute(sa.select(AuditEvent.detail).where(
            AuditEvent.action == "export", AuditEvent.username == "styregruppe",
        ).order_by(AuditEvent.id.desc())).scalar()
    assert f"pakke={pack_id}" in detail and "mødepakke" in detail


def test_a_viewer_cannot_make_a_pack_for_a_unit_outside_their_scope(store: Engine,
                                                                    config) -> None:
    with pytest.raises(PermissionError):
        build_pack_html(store, scope=scope_for_codes(store, ["580-S"]), username="x",
                        meeting_date=MEETING,
                        request=PackRequest(config.programme("aabenraa"), "580-N", "2025H1",
                                            "2026H2"), min_n=5)


def pdf_page_count(path: Path) -> int:
    return len(PdfReader(str(path)).pages)


def test_the_cli_writes_html_and_a_pdf_with_one_page_per_section(store: Engine, config,
                                                                 tmp_path: Path) -> None:
    html_out = tmp_path / "pakke.html"
    assert cli.run(store, config, view=STANDARD_VIEW, period="2026H2", out=html_out,
                   meeting_date=MEETING, settings=SETTINGS) == 0
    html = html_out.read_text(encoding="utf-8")
    sections = html.count("<section")
    assert sections == 2 + len(config.programme("aabenraa").layers)
    assert cli.run(store, config, view="Findes ikke", period="2026H2", out=html_out,
                   settings=SETTINGS) == 1
    assert cli.run(store, config, view=STANDARD_VIEW, period="2031H1", out=html_out,
                   settings=SETTINGS) == 1
    assert cli.run(store, config, view=STANDARD_VIEW, period=None, out=tmp_path / "x.doc",
                   settings=SETTINGS) == 1
    require(chromium_available())
    pdf_out = tmp_path / "pakke.pdf"
    assert cli.run(store, config, view=STANDARD_VIEW, period="2026H2", out=pdf_out,
                   meeting_date=MEETING, settings=SETTINGS) == 0
    assert pdf_out.read_bytes().startswith(b"%PDF")
    assert pdf_page_count(pdf_out) >= sections  # every section starts a page
    text = " ".join(page.extract_text() for page in PdfReader(str(pdf_out)).pages)
    assert "Styregruppemøde 23.11.2026" in text
    assert re.search(r"Resultater på kort sigt", text)
    # the charts are vector text in the PDF: period labels and legends can be read
    assert "halvår" in text and "Mål:" in text and "Aabenraa Kommune" in text
    pages = [page.extract_text() for page in PdfReader(str(pdf_out)).pages]
    for page in pages:  # no empty page (a heading pushed alone onto a page of its own)
        assert len(page.strip()) > 80
    # The pages as pictures, for a person to look at (artifacts/pack/side-N.png)
    require(None if shutil.which("pdftoppm") else "pdftoppm (poppler-utils) mangler")
    out = Path(__file__).resolve().parents[2] / "artifacts" / "pack"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf_out), str(out / "side")], check=True)
    assert len(list(out.glob("side-*.png"))) >= len(pages)


def test_the_cli_registers_its_command() -> None:
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["meeting-pack", "--view", "V", "--period", "2026H2", "--out",
                              "x.pdf"])
    assert args.func is cli.cmd_meeting_pack and args.view == "V" and args.out == "x.pdf"
    assert parser.parse_args(["meeting-pack", "--out", "x.pdf"]).view is None


def test_the_cli_without_view_makes_the_pack_of_the_standard_view(
    store: Engine, config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "standard.html"
    assert cli.run(store, config, view=None, period=None, out=out, meeting_date=MEETING,
                   settings=SETTINGS) == 0
    html = out.read_text(encoding="utf-8")
    assert f"visning: {escape(STANDARD_VIEW)}" in html
    standard = find_view(store, scope=scope_for_codes(store, ["580"]), name=STANDARD_VIEW)
    assert standard is not None
    with store.connect() as conn:
        unit_name = conn.execute(sa.select(OrgUnit.name).where(
            OrgUnit.code == standard["unit_code"])).scalar_one()
    assert f"{escape(config.programme('aabenraa').title)} · {escape(unit_name)}" in html
    assert escape(period_label(standard["period_to"])) in html  # the view's own period
    assert f"Mødepakken er skrevet til {out}" in capsys.readouterr().out


def test_the_cli_without_view_says_in_danish_when_there_is_no_standard_view(
    store: Engine, config, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = dataclasses.replace(SETTINGS, standard_view="Ingen sådan visning")
    out = tmp_path / "none.html"
    assert cli.run(store, config, view=None, period="2026H2", out=out, settings=settings) == 1
    err = capsys.readouterr().err
    assert "Der er ingen standardvisning ('Ingen sådan visning')" in err
    assert "--view" in err
    assert not out.exists()
