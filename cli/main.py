"""``manage.py``: one argparse parser; each command is a function ``cmd_*`` taking the args.

Messages for people are in Danish; exit code 0 on success, 1 on a user error, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from core.model_config import ChangeModelConfig, ConfigError, load_programmes
from core.settings import DEFAULT_SQLITE_PATH, Settings, load_settings
from data_access.db import create_schema, get_engine
from demo.generator import DemoSpec
from imports.validate import RowError
from indicators.format import format_number
from indicators.registry import COMPUTATIONS


def _context() -> tuple[Settings, ChangeModelConfig, Engine]:
    settings = load_settings()
    config = load_programmes(settings.config_path, computations=COMPUTATIONS)
    return settings, config, get_engine(settings.database_url)


def cmd_migrate(args: argparse.Namespace) -> int:
    settings, _config, engine = _context()
    create_schema(engine)
    print("Databasens skema er opdateret.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo_store import build_demo_store

    settings, config, engine = _context()
    if args.if_missing and not settings.demo_mode:
        # `make run` on a municipality's own store: nothing to build, start the app on that store
        print("DATABASE_URL peger på en anden database end demo-databasen: "
              "demo-data springes over.")
        return 0
    if not settings.demo_mode and not args.force:
        print("Demo-data må kun skrives til demo-databasen (brug --force for at overskrive "
              f"{settings.database_url}).", file=sys.stderr)
        return 1
    if args.if_missing and settings.is_sqlite and DEFAULT_SQLITE_PATH.exists():
        from data_access.db import data_version

        if data_version(engine) > 0:
            print("Demo-databasen findes allerede (make demo bygger den forfra).")
            return 0
    Path(DEFAULT_SQLITE_PATH).parent.mkdir(parents=True, exist_ok=True)
    spec = DemoSpec(scale=args.scale, years=args.years)
    report = build_demo_store(engine, config, spec)
    total = sum(report.rows.values())
    print(f"Demo-data skrevet: {format_number(total, 0)} rækker på "
          f"{format_number(report.write_seconds)} s; {format_number(report.refresh.rows, 0)} "
          f"indikatorværdier beregnet på {format_number(report.refresh.seconds)} s.")
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from pipeline.refresh import refresh, refused_message

    _settings, config, engine = _context()
    report = refresh(engine, config)
    print(f"{format_number(report.rows, 0)} indikatorværdier beregnet for "
          f"{len(report.periods)} perioder på {format_number(report.seconds)} s.")
    for programme_id, audit in report.refused.items():
        print(refused_message(programme_id, audit), file=sys.stderr)
    return 1 if report.refused else 0


def cmd_check_config(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = load_programmes(settings.config_path, computations=COMPUTATIONS)
    for programme in config.programmes:
        print(f"{programme.id}: {len(programme.boxes())} bokse, "
              f"{len(programme.indicators())} indikatorer")
    return 0


INDICATOR_DOCS = Path(__file__).resolve().parent.parent / "docs" / "INDICATORS.md"


def cmd_indicator_docs(args: argparse.Namespace) -> int:
    """Write docs/INDICATORS.md from the registry, or with --check say whether it is current."""
    from indicators.docs import render_markdown, undocumented

    gaps = undocumented(COMPUTATIONS)
    if gaps:
        for name, missing in gaps.items():
            print(f"Beregningen {name} mangler dokumentation: {', '.join(missing)}",
                  file=sys.stderr)
        return 1
    out, text = Path(args.out), render_markdown(COMPUTATIONS)
    if args.check:
        current = out.read_text(encoding="utf-8") if out.exists() else ""
        if current != text:
            print(f"{out} er ikke opdateret (kør: python manage.py indicator-docs).",
                  file=sys.stderr)
            return 1
        print(f"{out} er opdateret.")
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"Skrevet: {out} ({len(COMPUTATIONS)} beregninger).")
    return 0


def _default_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "cli"


def print_errors(errors: Sequence[RowError], limit: int = 200) -> None:
    """The error table: row, column, explanation (at most ``limit`` lines)."""
    print(f"{'Række':>7}  {'Kolonne':<22}  Forklaring", file=sys.stderr)
    for err in errors[:limit]:
        row = format_number(err.row, 0) if err.row else "–"
        print(f"{row:>7}  {err.column or '–':<22}  {err.message}", file=sys.stderr)
    if len(errors) > limit:
        print(f"… og {format_number(len(errors) - limit, 0)} fejl mere.", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from imports.load import import_file

    _settings, config, engine = _context()
    result = import_file(engine, config, args.kind, Path(args.file),
                         username=args.user or _default_user())
    if not result.ok:
        from imports.wording import count

        errors = result.errors
        if len(errors) == 1 and not errors[0].row:  # the file as a whole
            print(f"Filen {Path(args.file).name} blev ikke indlæst, og intet er gemt. "
                  f"{errors[0].message}", file=sys.stderr)
            return 1
        print(f"Filen {Path(args.file).name} blev ikke indlæst, og intet er gemt: "
              f"{count(len(errors), 'fejl', 'fejl')}.", file=sys.stderr)
        print_errors(errors)
        return 1
    print(f"Indlæst {result.file_name} ({args.kind}): {result.summary()}.")
    return 0


def cmd_import_template(args: argparse.Namespace) -> int:
    from imports.templates import template_bytes

    out = Path(args.out or f"skabelon_{args.kind}.{args.format}")
    out.write_bytes(template_bytes(args.kind, args.format))
    print(f"Skabelon skrevet: {out}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """The app's export API (exports.view/tables/files) for an org unit and everything below it:
    the overview (every indicator) or, with --layer, one layer; Danish headers unless --codes."""
    import datetime as dt

    from data_access.accounts import record_event
    from data_access.analytics import load_indicator_values
    from data_access.scope import load_org_units, scope_for_codes
    from exports.files import to_csv_bytes, to_xlsx_bytes
    from exports.tables import export_table, view_rows
    from exports.view import ExportView, export_filename

    _settings, config, engine = _context()
    try:
        programme = config.programme(args.programme)
    except KeyError:
        print(f"Ukendt programme '{args.programme}'.", file=sys.stderr)
        return 1
    layers = {lay.id: lay for lay in programme.layers}
    if args.layer and args.layer not in layers:
        print(f"Ukendt lag '{args.layer}' – vælg et af: {', '.join(layers)}.", file=sys.stderr)
        return 1
    scope = scope_for_codes(engine, [args.org_unit])
    if scope.is_empty:
        print(f"Ukendt enhedskode '{args.org_unit}'.", file=sys.stderr)
        return 1
    values = load_indicator_values(engine, scope=scope, programme_id=programme.id,
                                   period_from=args.period_from, period_to=args.period_to,
                                   age_group=args.age_group, vulnerable_only=args.udsatte)
    units = load_org_units(engine, scope=scope)
    top = units.filter(units["code"] == args.org_unit).row(0, named=True)
    layer = layers.get(args.layer or "")
    view = ExportView(
        page="layer" if layer else "overview", programme_id=programme.id,
        programme_title=programme.title, unit_code=args.org_unit, unit_name=top["name"],
        period_from=args.period_from, period_to=args.period_to, age_group=args.age_group,
        vulnerable_only=args.udsatte, layer_id=layer.id if layer else None,
        layer_title=layer.title if layer else None, created=dt.date.today())
    frame = export_table(view_rows(values, programme, units, view=view),
                         danish_headers=not args.codes)
    data = (to_csv_bytes(frame) if args.format == "csv" else to_xlsx_bytes(frame, view=view))
    out = Path(args.out or export_filename(view, args.format))
    out.write_bytes(data)
    record_event(engine, username=args.user or _default_user(), action="export",
                 detail=f"{view.page_slug()}: program={programme.id} enhed={args.org_unit} "
                        f"periode={args.period_from}-{args.period_to} alder={args.age_group} "
                        f"udsatte={'ja' if args.udsatte else 'nej'} format={args.format} "
                        f"fil={out.name}", rows=frame.height)
    print(f"{format_number(frame.height, 0)} rækker eksporteret til {out}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description="Forandringsmodel-dashboard")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="opret/opdater databasens skema").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="byg demo-databasen forfra")
    demo.add_argument("--scale", type=float, default=1.0,
                      help="antal kommuner à 40 dagtilbud (1 = én kommune)")
    demo.add_argument("--years", type=int, default=3, help="antal år med data")
    demo.add_argument("--if-missing", action="store_true", help="kun hvis der ingen data er")
    demo.add_argument("--force", action="store_true", help="overskriv en ikke-demo-database")
    demo.set_defaults(func=cmd_demo)
    refresh = sub.add_parser("refresh", help="beregn alle indikatorværdierne igen")
    refresh.add_argument("--all", action="store_true",
                         help="alt (standard; en indlæsning beregner selv kun det berørte)")
    refresh.set_defaults(func=cmd_refresh)
    sub.add_parser("check-config", help="valider config.toml").set_defaults(
        func=cmd_check_config)
    docs = sub.add_parser("indicator-docs", help="skriv docs/INDICATORS.md ud fra beregningerne")
    docs.add_argument("--out", default=str(INDICATOR_DOCS), help="filnavn")
    docs.add_argument("--check", action="store_true", help="kun kontrollér, at filen er opdateret")
    docs.set_defaults(func=cmd_indicator_docs)
    from imports.kinds import KINDS

    imp = sub.add_parser("import", help="importér en CSV- eller Excel-fil")
    imp.add_argument("kind", choices=list(KINDS), help="datatype")
    imp.add_argument("file", help="filen der skal importeres (.csv eller .xlsx)")
    imp.add_argument("--user", help="brugernavn i revisionsloggen")
    imp.set_defaults(func=cmd_import)
    tpl = sub.add_parser("import-template", help="skriv en skabelon til en datatype")
    tpl.add_argument("kind", choices=list(KINDS), help="datatype")
    tpl.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    tpl.add_argument("--out", help="filnavn (standard: skabelon_TYPE.FORMAT)")
    tpl.set_defaults(func=cmd_import_template)
    exp = sub.add_parser("export", help="eksportér indikatorværdier som CSV eller Excel")
    exp.add_argument("--programme", required=True, help="programmets id (fx aabenraa)")
    exp.add_argument("--org-unit", required=True, help="enhedens kode (fx 580)")
    exp.add_argument("--from", dest="period_from", required=True, help="første periode, fx 2025H1")
    exp.add_argument("--to", dest="period_to", required=True, help="sidste periode, fx 2026H2")
    exp.add_argument("--layer", help="kun ét lag (lagets id), som lagsiden")
    exp.add_argument("--age-group", choices=("alle", "0-2", "3-5"), default="alle")
    exp.add_argument("--udsatte", action="store_true", help="kun børn i udsatte positioner")
    exp.add_argument("--codes", action="store_true",
                     help="kodenavne og maskinværdier i stedet for danske overskrifter")
    exp.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exp.add_argument("--out", help="filnavn (standard: et navn med program, side, enhed, "
                                   "perioder og filtre)")
    exp.add_argument("--user", help="brugernavn i revisionsloggen")
    exp.set_defaults(func=cmd_export)
    _register_modules(sub)
    return parser


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.national import StepFailed, print_figures, run

    settings = load_settings()
    print(f"Benchmark: skala {args.scale}, {args.years} år …", flush=True)
    try:
        figures = run(settings.config_path, scale=args.scale, years=args.years,
                      database_url=args.database_url, sessions=args.sessions,
                      repeat=args.repeat, keep=args.keep)
    except StepFailed as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print_figures(figures)
    return 0


def _register_modules(sub: argparse._SubParsersAction) -> None:
    """Commands that live in their own modules."""
    from cli import meeting_pack, privacy, users

    privacy.register(sub)
    users.register(sub)
    meeting_pack.register(sub)
    bench = sub.add_parser("bench", help="mål ydelse på en stor demo-database")
    bench.add_argument("--scale", type=float, default=112.0)
    bench.add_argument("--years", type=int, default=10)
    bench.add_argument("--database-url", help="brug denne (tomme) database i stedet for SQLite")
    bench.add_argument("--sessions", type=int, default=5,
                       help="sessioner åbnet på én gang på den rigtige server (0: spring over)")
    bench.add_argument("--repeat", type=int, default=5, help="varme kørsler af hver side")
    bench.add_argument("--keep", action="store_true",
                       help="behold lageret og modellen bagefter (mappen skrives til sidst)")
    bench.set_defaults(func=cmd_bench)


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except sa_exc.OperationalError as exc:
        print("Databasen kan ikke nås, eller dens skema er ikke opdateret "
              f"(kør: python manage.py migrate).\nDetaljer: {exc.orig}", file=sys.stderr)
        return 1
