"""Import a data file into the store: read and validate everything, then write it all or nothing.

``import_file`` reads the file (refusing hostile files before parsing, see ``imports.reader``),
checks every row (nothing is written when a single row is wrong), then in ONE transaction:
takes the import lock, upserts the rows by their natural key, records the import in the audit
log, recomputes the indicator values and bumps the data version. Pages therefore see the old
rows with the old values or the new rows with the new values, never a mix; a crash at any
moment leaves the old state (the database rolls the open transaction back).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import sqlalchemy as sa
from polars._typing import PolarsDataType
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from core.model_config import ChangeModelConfig
from core.settings import ImportLimits, load_settings
from data_access import models as m
from data_access.accounts import record_event
from data_access.analytics import update_statistics
from data_access.import_lock import ImportBusy, take_import_lock
from data_access.raw import date_range, read_frame, sources_reading
from data_access.tables import table_of
from imports.kinds import KINDS, Kind
from imports.reader import ROW, ReadError, read_table
from imports.validate import Refs, RowError, check
from imports.wording import count
from indicators.incremental import SOURCE_DATES, Touched
from indicators.periods import period_expr
from pipeline.analyses import child_episodes, tracked_children
from pipeline.refresh import refresh_in, refresh_touched

BATCH = 10_000
# Up to this many distinct leading key values, the upsert reads only the existing rows with those
# values (the natural key's unique index); beyond, the whole table in one scan.
UPSERT_LOOKUP_MAX = 2_000
Progress = Callable[[float, str], object]  # what it returns is ignored
BUSY_MESSAGE = ("En anden indlæsning er i gang. Vent et øjeblik, og prøv igen – der er ikke "
                "gemt noget fra denne fil.")
# Test hook: pause at a named point (read, locked, written, refreshed, committed) so a test can
# kill the process there. Unset in production.
PAUSE_AT_ENV = "IMPORT_TEST_PAUSE_AT"
PAUSE_FILE_ENV = "IMPORT_TEST_PAUSE_FILE"


def _checkpoint(name: str) -> None:
    if os.environ.get(PAUSE_AT_ENV) != name:
        return
    marker = os.environ.get(PAUSE_FILE_ENV)
    if marker:
        Path(marker).write_text(name)
    time.sleep(float(os.environ.get("IMPORT_TEST_PAUSE_SECONDS", "60")))


@dataclass
class ImportResult:
    kind: str
    file_name: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.new + self.updated + self.unchanged

    def summary(self) -> str:
        """``2 nye rækker, 1 opdateret og 3 uændrede``."""
        return (f"{count(self.new, 'ny række', 'nye rækker')}, "
                f"{count(self.updated, 'opdateret', 'opdaterede')} og "
                f"{count(self.unchanged, 'uændret', 'uændrede')}")


class ImportAborted(Exception):
    """A problem found while writing (e.g. a cycle in the org tree); the transaction rolls back."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors[0].message if errors else "")
        self.errors = errors


def load_refs(conn: Connection) -> Refs:
    ou, ch, st, fg = (table_of(t).c for t in (m.OrgUnit, m.Child, m.Staff, m.FamilyGroup))
    units = conn.execute(sa.select(ou.code, ou.id, ou.level)).all()
    return Refs(
        institution={code: id_ for code, id_, level in units if level == "institution"},
        org_unit={code: id_ for code, id_, _level in units},
        child=dict(conn.execute(sa.select(ch.code, ch.id)).all()),
        staff=dict(conn.execute(sa.select(st.code, st.id)).all()),
        family_group_institution=dict(
            conn.execute(sa.select(fg.code, fg.institution_id)).all()),
    )


def _table(name: str) -> sa.Table:
    return SQLModel.metadata.tables[name]


def table_frame(checked: pl.DataFrame, kind: Kind, refs: Refs) -> pl.DataFrame:
    """Typed file columns → the table's columns (codes replaced by ids)."""
    exprs = []
    for c in kind.columns:
        value = pl.col(c.name)
        if c.reference is not None and c.reference != "org_unit":
            value = value.replace_strict(refs.codes(c.reference), default=None,
                                         return_dtype=pl.Int64)
        exprs.append(value.alias(c.stored_as))
    frame = checked.select(exprs)
    if kind.name == "children":
        frame = frame.with_columns(pl.col("birth_month").dt.month_start(),
                                   pl.col("vulnerable").fill_null(False))
    if kind.name == "counselling_sessions":
        counted = pl.col("professions").str.split(",").list.eval(
            pl.element().str.strip_chars().filter(pl.element() != "")).list.len()
        frame = frame.with_columns(
            pl.col("professions").str.split(",").list.eval(pl.element().str.strip_chars())
            .list.join(","),
            pl.col("n_professions").fill_null(counted.cast(pl.Int64)),
        )
    return frame


def upsert(conn: Connection, table: sa.Table, frame: pl.DataFrame,
           key: list[str]) -> tuple[int, int, int]:
    """Insert new rows, update changed ones (by natural ``key``); returns (new, updated, same)."""
    columns = frame.columns
    values = [c for c in columns if c not in key]
    schema: dict[str, PolarsDataType] = {"id": pl.Int64, **{c: frame.schema[c] for c in columns}}
    stmt = sa.select(table.c.id, *[table.c[c] for c in columns])
    leading = frame[key[0]].drop_nulls().unique()
    if leading.len() <= UPSERT_LOOKUP_MAX:  # a small file: only its keys' rows, by the key index
        stmt = stmt.where(table.c[key[0]].in_(leading.to_list()))
    existing = read_frame(conn, stmt, schema)
    joined = frame.join(existing, on=key, how="left", suffix="_old")
    new = joined.filter(pl.col("id").is_null()).select(columns)
    old = joined.filter(pl.col("id").is_not_null())
    if values:
        differs = pl.any_horizontal(pl.col(c).ne_missing(pl.col(f"{c}_old")) for c in values)
        changed = old.filter(differs)
    else:
        changed = old.clear()
    for chunk in new.iter_slices(BATCH):
        conn.execute(sa.insert(table), chunk.to_dicts())
    if changed.height:
        update = (sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                  .values({c: sa.bindparam(f"b_{c}") for c in values}))
        params = changed.select(pl.col("id").alias("b_id"),
                                *[pl.col(c).alias(f"b_{c}") for c in values])
        for chunk in params.iter_slices(BATCH):
            conn.execute(update, chunk.to_dicts())
    return new.height, changed.height, old.height - changed.height


def _upsert_org_units(conn: Connection, frame: pl.DataFrame) -> tuple[int, int, int]:
    table = _table("org_unit")
    rows = {r["code"]: r for r in frame.iter_rows(named=True)}
    current = {r.code: r for r in conn.execute(
        sa.select(table.c.id, table.c.code, table.c.name, table.c.level, table.c.parent_id))}
    ids = {code: r.id for code, r in current.items()}
    pending, counts = dict(rows), [0, 0, 0]
    while pending:
        ready = [c for c, r in pending.items()
                 if not r["parent_id"] or r["parent_id"] not in pending or
                 r["parent_id"] == c]
        if not ready:
            raise ImportAborted([RowError(1, "parent_code", "Enhederne i filen ligger under "
                                          "hinanden i ring (parent_code).")])
        for code in ready:
            row = pending.pop(code)
            values = dict(name=row["name"], level=row["level"],
                          parent_id=ids.get(row["parent_id"]) if row["parent_id"] else None)
            if code not in current:
                result = conn.execute(sa.insert(table).values(code=code, path="", **values))
                ids[code] = result.inserted_primary_key[0]  # type: ignore[index]  # set by insert
                counts[0] += 1
            elif any(getattr(current[code], k) != v for k, v in values.items()):
                conn.execute(sa.update(table).where(table.c.id == ids[code]).values(**values))
                counts[1] += 1
            else:
                counts[2] += 1
    _rebuild_paths(conn)
    return counts[0], counts[1], counts[2]


def _rebuild_paths(conn: Connection) -> None:
    """Recompute every unit's materialised path ("/1/4/17/") from the parent links."""
    table = _table("org_unit")
    units = {r.id: r for r in conn.execute(sa.select(table.c.id, table.c.parent_id,
                                                        table.c.path))}
    paths: dict[int, str] = {}

    def path_of(unit_id: int, depth: int = 0) -> str:
        if unit_id in paths:
            return paths[unit_id]
        if depth > 50:
            raise ImportAborted([RowError(1, "parent_code", "Organisationen ligger i ring "
                                          "(en enhed ligger under sig selv).")])
        parent = units[unit_id].parent_id
        prefix = path_of(parent, depth + 1) if parent else "/"
        paths[unit_id] = f"{prefix}{unit_id}/"
        return paths[unit_id]

    changed = [{"b_id": i, "b_path": path_of(i)} for i in units
               if path_of(i) != units[i].path]
    if changed:
        conn.execute(sa.update(table).where(table.c.id == sa.bindparam("b_id"))
                     .values(path=sa.bindparam("b_path")), changed)


def _upsert_family_attendance(conn: Connection, frame: pl.DataFrame) -> tuple[int, int, int]:
    groups_t, sessions_t = _table("family_group"), _table("family_group_session")
    data = frame
    group_ids = dict(conn.execute(sa.select(groups_t.c.code, groups_t.c.id)).all())
    new_groups = (
        data.filter(~pl.col("group_code").is_in(list(group_ids)))
        .group_by("group_code", maintain_order=True)
        .agg(pl.col("institution_id").first(), pl.col("held_on").min().alias("started_on"),
             pl.col("planned_sessions").drop_nulls().first().alias("planned"),
             pl.col("held_on").n_unique().alias("n_sessions"))
    )
    if new_groups.height:
        rows = new_groups.select(
            pl.col("group_code").alias("code"), "institution_id", "started_on",
            pl.coalesce("planned", pl.col("n_sessions").cast(pl.Int64))
            .alias("planned_sessions"))
        conn.execute(sa.insert(groups_t), rows.to_dicts())
        group_ids = dict(conn.execute(sa.select(groups_t.c.code, groups_t.c.id)).all())
    data = data.with_columns(pl.col("group_code").replace_strict(group_ids, return_dtype=pl.Int64)
                             .alias("group_id"))
    sessions = data.select("group_id", "held_on").unique()
    upsert(conn, sessions_t, sessions, ["group_id", "held_on"])
    session_ids = read_frame(conn, sa.select(sessions_t.c.group_id, sessions_t.c.held_on,
                                             sessions_t.c.id.label("session_id")),
                             {"group_id": pl.Int64, "held_on": pl.Date, "session_id": pl.Int64})
    attendance = data.join(session_ids, on=["group_id", "held_on"], how="left").select(
        "session_id", "family_code", "present")
    return upsert(conn, _table("family_group_attendance"), attendance,
                  ["session_id", "family_code"])


def write(conn: Connection, kind: Kind, checked: pl.DataFrame, refs: Refs) -> tuple[int, int, int]:
    frame = table_frame(checked, kind, refs)
    if kind.name == "org_units":
        return _upsert_org_units(conn, frame)  # parent_id still holds the parent's code
    if kind.name == "family_attendance":
        return _upsert_family_attendance(conn, frame)
    key = [kind.column(k).stored_as for k in kind.key]
    return upsert(conn, _table(kind.table), frame, key)


def touched_by(kind: Kind, frame: pl.DataFrame) -> Touched:
    """What importing ``frame`` (``table_frame``'s columns) can change: the source frames that
    read the kind's tables, the periods of the rows' event dates (every period when a frame has
    none: children, staff, org units, resource places, placements) and the daycares.

    All rows of the file count, changed or not (a little more work, never a missed change); a
    dated kind's date is part of its key, so an update never moves a row to another period.
    ``children``: the children of a child-level kind's rows (None for other kinds).
    """
    tables = {"family_group", "family_group_session", "family_group_attendance"} if (
        kind.name == "family_attendance") else {kind.table}
    sources = frozenset().union(*(sources_reading(t) for t in tables))
    found: set[str] = set()
    periods: frozenset[str] | None = None
    for source in sources:
        column = SOURCE_DATES.get(source)
        if column is None or column not in frame.columns:
            break  # a kind without event dates touches every period
        found |= set(frame.select(period_expr(column)).to_series().drop_nulls())
    else:
        periods = frozenset(found)
    institutions = (frozenset(frame["institution_id"].drop_nulls().to_list())
                    if "institution_id" in frame.columns else frozenset())
    # Child-level kinds: the children whose rows were written (every row names its child).
    children = (frozenset(frame["child_id"].drop_nulls().to_list())
                if "child_id" in frame.columns else None)
    return Touched(sources, periods, institutions, children)


def import_file(engine: Engine, config: ChangeModelConfig, kind: str, path: Path | str, *,
                username: str, progress: Progress | None = None,
                data: bytes | None = None, limits: ImportLimits | None = None,
                incremental: bool = True) -> ImportResult:
    """Import ``path`` (or ``data`` named ``path``) as ``kind``: all rows and their indicator
    values, or nothing. ``incremental=False`` recomputes every value (a full refresh)."""
    started = time.perf_counter()
    limits = limits or load_settings().import_limits
    path = Path(path)
    result = ImportResult(kind=kind, file_name=path.name)
    report = progress or (lambda _fraction, _text: None)
    spec = KINDS.get(kind)
    if spec is None:
        result.errors = [RowError(0, "", f"Ukendt datatype '{kind}'. Kendte typer: "
                                         f"{', '.join(KINDS)}.")]
        return result
    report(0.05, "Læser filen …")
    try:
        frame = read_table(path, data, limits=limits)
    except ReadError as exc:
        result.errors = [RowError(0, "", str(exc))]
        return result
    data = None  # the bytes are no longer needed
    _checkpoint("read")
    report(0.25, f"Kontrollerer {count(frame.height, 'række', 'rækker')} …")
    # Checked once without the lock, so a wrong file is refused even while another import runs.
    with engine.connect() as conn:
        refs = load_refs(conn)
    checked = check(frame, spec, refs)
    if checked.errors:
        result.errors = checked.errors
        return result
    try:
        with engine.begin() as conn:
            take_import_lock(conn, holder=f"{username}: {kind}",
                             wait_seconds=limits.lock_wait_seconds)
            _checkpoint("locked")
            current = load_refs(conn)
            if current != refs:  # another import changed the codes meanwhile: check again
                checked = check(frame, spec, current)
                if checked.errors:
                    raise ImportAborted(checked.errors)
            del frame
            report(0.5, "Gemmer rækkerne …")
            span_before = date_range(conn)
            rows = checked.frame.drop(ROW)
            touched = touched_by(spec, table_frame(rows, spec, current))
            tracked = tracked_children(touched) if incremental else None
            # Their yellow spells before the write: the refresh compares them with the new ones.
            episodes_before = None if tracked is None else child_episodes(conn, tracked)
            result.new, result.updated, result.unchanged = write(conn, spec, rows, current)
            if not (result.new or result.updated):  # nothing changed: no value can change
                touched = Touched(frozenset(), frozenset())
            _checkpoint("written")
            record_event(conn, username=username, action="import",
                         detail=f"{kind}: {path.name} – {result.summary()}", rows=result.rows)
            report(0.75, "Beregner indikatorerne igen …")
            if incremental:  # both bump the data version
                refresh_touched(conn, config, touched, span_before=span_before,
                                episodes_before=episodes_before)
            else:
                refresh_in(conn, config, uncommitted=True)
            _checkpoint("refreshed")
    except ImportBusy:
        result.errors = [RowError(0, "", BUSY_MESSAGE)]
        result.new = result.updated = result.unchanged = 0
        return result
    except ImportAborted as exc:
        result.errors = exc.errors
        result.new = result.updated = result.unchanged = 0
        return result
    _checkpoint("committed")
    update_statistics(engine)
    report(1.0, "Færdig.")
    result.seconds = time.perf_counter() - started
    return result

