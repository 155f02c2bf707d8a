"""Check an imported frame against its kind, vectorised in polars.

Every problem becomes a :class:`RowError` with the row number as the file shows it (the header is
row 1, so the first data row is 2), the column and a Danish explanation. Nothing here touches the
store: the codes that must exist come in as :class:`Refs`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from imports import personal_data
from imports.kinds import EXAMPLE_MARK, Column, Kind
from imports.reader import ROW
from imports.wording import number

BOOLS = {"ja": True, "nej": False, "j": True, "n": False, "1": True, "0": False,
         "true": True, "false": False, "sand": True, "falsk": False, "yes": True, "no": False,
         "x": True}
DATE_FORMATS = (
    (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
    (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
)
EARLIEST = dt.date(2000, 1, 1)
# Text columns holding codes: phone numbers only in their unmistakable forms (see personal_data).
CODE_COLUMNS = {"code", "parent_code", "child_id", "institution_code", "group_code",
                "family_code", "staff_code"}
REFERENCE_LABELS = {
    "institution": "dagtilbudskode",
    "child": "barnekode",
    "staff": "medarbejderkode",
    "org_unit": "enhedskode",
}
TYPE_HINTS = {
    "int": "et helt tal",
    "decimal": "et tal (fx 12,5)",
    "bool": "ja eller nej",
    "date": "en gyldig dato (fx 23.11.2026 eller 2026-11-23)",
    "str": "tekst",
}
MAX_VALUE_SHOWN = 40


@dataclass(frozen=True, order=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class Refs:
    """Codes that exist in the store, mapped to their ids."""

    institution: dict[str, int] = field(default_factory=dict)
    child: dict[str, int] = field(default_factory=dict)
    staff: dict[str, int] = field(default_factory=dict)
    org_unit: dict[str, int] = field(default_factory=dict)
    # family group code → institution id (a group belongs to one institution)
    family_group_institution: dict[str, int] = field(default_factory=dict)

    def codes(self, reference: str) -> dict[str, int]:
        return getattr(self, reference)


@dataclass
class Checked:
    frame: pl.DataFrame  # typed values under the file's column names, plus ``_row``
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def latest_allowed(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


def _shown(value: str) -> str:
    """A value as an error message may echo it: shortened, personal identifiers masked."""
    value = personal_data.mask(value)
    return value if len(value) <= MAX_VALUE_SHOWN else value[:MAX_VALUE_SHOWN] + "…"


def normalise_header(name: str) -> str:
    """``Barnekode``, ``barne_kode``… → one spelling: lower case, ``_``/``-`` as spaces."""
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def match_headers(frame: pl.DataFrame, kind: Kind) -> tuple[pl.DataFrame, dict[str, str],
                                                             list[RowError]]:
    """Rename the file's headers (Danish or code names) to the code names.

    Returns the renamed frame, code name → header as the error table shows it (the file's own
    header when present, else the Danish one), and errors for a column given twice.
    """
    accepted = {}
    for c in kind.columns:
        accepted[normalise_header(c.name)] = c.name
        accepted[normalise_header(c.header)] = c.name
    rename: dict[str, str] = {}
    shown = {c.name: c.header for c in kind.columns}
    errors = []
    for col in frame.columns:
        target = accepted.get(normalise_header(col))
        if target is None or col == ROW:
            continue
        if target in rename.values():
            first = next(k for k, v in rename.items() if v == target)
            errors.append(RowError(1, col, f"Kolonnen '{col}' står to gange (også som "
                                           f"'{first}')."))
            continue
        rename[col] = target
        shown[target] = col
    extras = [c for c in frame.columns if c not in rename and c != ROW]
    taken = set(rename.values())
    for col in extras:  # an ignored extra column must not clash with a code name
        if col in taken:
            rename[col] = f"{col}__extra"
            shown[f"{col}__extra"] = col
    for col in extras:
        shown.setdefault(col, col)
    return frame.rename(rename), shown, errors


def parse_expr(column: Column) -> pl.Expr:
    """The expression turning the string column into its typed value (null when invalid)."""
    s = pl.col(column.name)
    if column.type == "int":
        return s.str.replace(r"^\+", "").cast(pl.Int64, strict=False)
    if column.type == "decimal":
        return s.str.replace_all(r"\s", "").str.replace(",", ".", literal=True).cast(
            pl.Float64, strict=False)
    if column.type == "bool":
        return s.str.to_lowercase().replace_strict(BOOLS, default=None, return_dtype=pl.Boolean)
    if column.type == "date":
        parsed = [
            pl.when(s.str.contains(pattern)).then(s.str.strptime(pl.Date, fmt, strict=False))
            for pattern, fmt in DATE_FORMATS
        ]
        return pl.coalesce(parsed)
    if column.allowed is not None:
        return s.str.to_lowercase().replace_strict(column.allowed, default=None,
                                                   return_dtype=pl.Utf8)
    return s


def _collect(frame: pl.DataFrame, condition: pl.Expr, column: str,
             message: str | None = None, template: str | None = None) -> list[RowError]:
    bad = frame.filter(condition).select(ROW, pl.col(column).alias("_value"))
    if template is not None:
        return [RowError(int(r), column, template.format(value=_shown(v)))
                for r, v in bad.iter_rows()]
    return [RowError(int(r), column, message or "") for r in bad[ROW].to_list()]


def _type_message(column: Column) -> str:
    if column.allowed is not None:
        allowed = ", ".join(dict.fromkeys(column.allowed))
        return f"Værdien '{{value}}' er ikke tilladt. Tilladte værdier: {allowed}."
    return f"Værdien '{{value}}' er ikke {TYPE_HINTS[column.type]}."


def header_errors(frame: pl.DataFrame, kind: Kind) -> list[RowError]:
    errors = [
        RowError(1, c.name, f"Kolonnen '{c.header}' mangler i overskriftsrækken (den er "
                            "påkrævet).")
        for c in kind.columns if c.required and c.name not in frame.columns
    ]
    data_columns = [c for c in frame.columns if c != ROW]
    if errors and len(data_columns) == 1 and any(ch in data_columns[0] for ch in "\t|"):
        errors.append(RowError(1, data_columns[0], "Kolonnerne ser ud til at være adskilt med "
                               "tabulator eller '|'. Brug semikolon (;) eller komma (,)."))
    return errors


def check(frame: pl.DataFrame, kind: Kind, refs: Refs, *,
          today: dt.date | None = None) -> Checked:
    """Validate ``frame`` (strings from :mod:`imports.reader`) for ``kind``.

    Error columns are named as the file names them (see :func:`match_headers`).
    """
    frame, shown, twice = match_headers(frame, kind)
    errors = header_errors(frame, kind)
    if twice or errors:
        return Checked(frame, twice + _named(errors, shown))
    if frame.height == 0:
        return Checked(frame, [RowError(1, "", "Filen indeholder kun overskriftsrækken – "
                                                  "der er ingen rækker med data.")])
    personal = personal_data_errors(frame, kind) + example_row_errors(frame, kind)
    frame = frame.with_columns(
        pl.lit("").alias(c.name) for c in kind.columns if c.name not in frame.columns
    ).select([c.name for c in kind.columns] + [ROW])
    typed = frame.with_columns(parse_expr(c).alias(f"_t_{c.name}") for c in kind.columns)
    latest = latest_allowed(today)
    for c in kind.columns:
        raw, val = pl.col(c.name), pl.col(f"_t_{c.name}")
        empty = raw == ""
        if c.required:
            errors += _collect(typed, empty, c.name, "Værdien mangler (kolonnen er påkrævet).")
        if c.type != "str" or c.allowed is not None:
            errors += _collect(typed, ~empty & val.is_null(), c.name,
                               template=_type_message(c))
        if c.minimum is not None or c.maximum is not None:
            low = c.minimum if c.minimum is not None else -(2**62)
            high = c.maximum if c.maximum is not None else 2**62
            errors += _collect(typed, val.is_not_null() & ((val < low) | (val > high)), c.name,
                               template=f"Værdien '{{value}}' skal være mellem {low} og {high}.")
        if c.type == "date":
            errors += _collect(
                typed, val.is_not_null() & ((val < EARLIEST) | (val > latest)), c.name,
                template=f"Datoen '{{value}}' ligger uden for det tilladte interval "
                         f"({EARLIEST:%d.%m.%Y}–{latest:%d.%m.%Y}).")
        if c.reference is not None:
            known = list(refs.codes(c.reference))
            if c.reference == "org_unit":  # parents may also be new units in the same file
                known += typed[kind.key[0]].to_list()
            label = REFERENCE_LABELS[c.reference]
            errors += _collect(typed, ~empty & ~raw.is_in(known), c.name,
                               template=f"Ukendt {label} '{{value}}' (findes ikke i databasen).")
    errors += _duplicate_errors(typed, kind)
    errors += _kind_errors(typed, kind, refs)
    # A cell holding a personal identifier gets that error only (no other message echoes it).
    flagged = {(e.row, e.column) for e in personal}
    errors = personal + [e for e in errors if (e.row, e.column) not in flagged]
    result = typed.select(
        [pl.col(f"_t_{c.name}").alias(c.name) for c in kind.columns] + [pl.col(ROW)]
    )
    return Checked(result, _named(sorted(set(errors)), shown))


def _named(errors: list[RowError], shown: dict[str, str]) -> list[RowError]:
    """Code names → the headers the person importing sees in their file."""
    return [RowError(e.row, shown.get(e.column, e.column), e.message) for e in errors]


def personal_data_errors(frame: pl.DataFrame, kind: Kind) -> list[RowError]:
    """CPR numbers and e-mail addresses in any column, phone numbers where none belong.

    Every column of the file is checked, also the ones the import ignores. The message never
    contains the value.
    """
    free_text = {c.name for c in kind.columns
                 if c.type == "str" and c.allowed is None and c.name not in CODE_COLUMNS}
    known = {c.name for c in kind.columns}
    errors: list[RowError] = []
    for col in frame.columns:
        if col == ROW:
            continue
        phone = personal_data.PHONE_LOOSE if (col in free_text or col not in known) \
            else personal_data.PHONE_STRICT
        raw = pl.col(col)
        found = (pl.when(raw.str.contains(personal_data.CPR)).then(pl.lit("cpr"))
                 .when(raw.str.contains(personal_data.EMAIL)).then(pl.lit("email"))
                 .when(raw.str.contains(phone)).then(pl.lit("phone")))
        bad = frame.select(ROW, found.alias("_what")).drop_nulls("_what")
        errors += [RowError(int(r), col, personal_data.MESSAGES[what])
                   for r, what in bad.iter_rows()]
    return errors


def example_row_errors(frame: pl.DataFrame, kind: Kind) -> list[RowError]:
    """Rows still carrying the template's ``EKSEMPEL`` mark are refused (one error per row)."""
    columns = [c.name for c in kind.columns if c.name in frame.columns]
    if not columns:
        return []
    pattern = rf"(?i)^\s*{EXAMPLE_MARK}\b"
    first = pl.coalesce([pl.when(pl.col(c).str.contains(pattern)).then(pl.lit(c))
                         for c in columns])
    bad = frame.select(ROW, first.alias("_col")).drop_nulls("_col")
    return [RowError(int(r), col, "Rækken er et eksempel fra skabelonen. Slet "
                                  "eksempelrækkerne, før filen indlæses.")
            for r, col in bad.iter_rows()]


def _duplicate_errors(typed: pl.DataFrame, kind: Kind) -> list[RowError]:
    keys = [f"_t_{k}" for k in kind.key]
    complete = typed.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    marked = complete.with_columns(pl.col(ROW).min().over(keys).alias("_first"))
    dups = marked.filter(pl.col(ROW) != pl.col("_first")).select(ROW, "_first")
    headers = [kind.column(k).header for k in kind.key]
    names = headers[0] if len(headers) == 1 else ", ".join(headers[:-1]) + " og " + headers[-1]
    return [RowError(int(r), kind.key[-1], f"Rækken er en dublet af række {number(int(first))} "
                     f"(samme {names}).") for r, first in dups.iter_rows()]


def _kind_errors(typed: pl.DataFrame, kind: Kind, refs: Refs) -> list[RowError]:
    errors: list[RowError] = []
    pairs = {"children": ("enrolled_on", "left_on"), "staff": ("employed_from", "employed_to")}
    if kind.name in pairs:
        first, last = pairs[kind.name]
        errors += _collect(typed, pl.col(f"_t_{last}") < pl.col(f"_t_{first}"), last,
                           template=f"Datoen '{{value}}' ligger før "
                                    f"{kind.column(first).header}.")
    if kind.name == "org_units":
        errors += _collect(typed, pl.col("parent_code") == pl.col("code"), "parent_code",
                           "En enhed kan ikke ligge under sig selv.")
    if kind.name == "family_attendance":
        errors += _family_group_errors(typed, refs.institution, refs.family_group_institution)
    return errors


def _family_group_errors(typed: pl.DataFrame, institutions: Mapping[str, int],
                         groups: Mapping[str, int]) -> list[RowError]:
    errors: list[RowError] = []
    many = typed.filter(pl.col("institution_code").n_unique().over("group_code") > 1)
    errors += [RowError(int(r), "institution_code", f"Familiegruppen '{g}' står med flere "
                        "forskellige dagtilbud i filen.")
               for r, g in many.select(ROW, "group_code").iter_rows()]
    existing = typed.filter(pl.col("group_code").is_in(list(groups)))
    for row, group, inst in existing.select(ROW, "group_code", "institution_code").iter_rows():
        if institutions.get(inst) not in (None, groups[group]):
            errors.append(RowError(int(row), "institution_code", f"Familiegruppen '{group}' "
                                   "hører til et andet dagtilbud i databasen."))
    return errors
