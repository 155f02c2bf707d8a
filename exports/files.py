"""Writing an export table as CSV or XLSX bytes, safe to open in a spreadsheet.

CSV: UTF-8 with BOM, ``;`` and decimal comma (Danish Excel, LibreOffice with the Danish filter),
or ``,`` and ``.`` for international tools. The filters go in columns of every row
(``Aldersgruppe``, ``Kun udsatte``) and in the file name, not in a header block: lines above the
header make spreadsheets guess the columns wrong and stop ``pl.read_csv``/R/pandas from reading
the file as it is.

XLSX: one sheet with the table (widths, ``0.0`` for values, ``0`` for counts, frozen header,
autofilter) and, when the view is given, an "Om udtrækket" sheet with the filters in words; the
filter columns are there too, so a sheet copied out of the workbook still says what it holds.

Strings a spreadsheet would run as a formula are neutralised with a leading ``'`` in both.
"""

from __future__ import annotations

import io
import re
from typing import cast

import polars as pl
import xlsxwriter
from polars._typing import ColumnFormatDict

from exports.columns import column
from exports.view import ExportView

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER_FORMATS = {"decimal": "0.0", "count": "0"}
ABOUT_SHEET = "Om udtrækket"
PIXELS_PER_CHAR = 7
MAX_WIDTH_CHARS = 60
FILTER_BUTTON_CHARS = 3  # the autofilter's arrow sits on the header text


def neutralise(text: object) -> object:
    """Prefix ``'`` to strings a spreadsheet would treat as a formula; other values unchanged."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    starts = "^[" + re.escape("".join(FORMULA_STARTS)) + "]"
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(starts)).then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c)).alias(c)
        for c, t in frame.schema.items() if t == pl.Utf8
    )


def to_csv_bytes(frame: pl.DataFrame, *, danish: bool = True) -> bytes:
    """UTF-8 with BOM; Danish: ``;`` and decimal comma, otherwise ``,`` and ``.``."""
    safe = neutralise_frame(frame)
    text = safe.write_csv(separator=";" if danish else ",", decimal_comma=danish,
                          line_terminator="\r\n")
    return ("\ufeff" + text).encode("utf-8")


def _width_chars(frame: pl.DataFrame, name: str) -> int:
    known = column(name)
    if known is not None and known.width is not None:
        return known.width
    longest = frame.select(pl.col(name).cast(pl.Utf8).str.len_chars().max()).item() or 0
    return min(max(longest, len(name) + FILTER_BUTTON_CHARS) + 2, MAX_WIDTH_CHARS)


def _formats(frame: pl.DataFrame) -> ColumnFormatDict:
    out: dict[str, str] = {}
    for name, dtype in frame.schema.items():
        known = column(name)
        if known is not None and known.kind in NUMBER_FORMATS:
            out[name] = NUMBER_FORMATS[known.kind]
        elif dtype.is_float():
            out[name] = "0.0"
        elif dtype.is_integer():
            out[name] = "0"
    return cast(ColumnFormatDict, out)  # a dict is invariant in its key type


def to_xlsx_bytes(frame: pl.DataFrame, *, sheet: str = "Indikatorer",
                  view: ExportView | None = None) -> bytes:
    """The table on ``sheet`` (with widths, number formats, frozen header and autofilter), and
    the view's filters on an "Om udtrækket" sheet when ``view`` is given."""
    safe = neutralise_frame(frame)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_numbers": False,
                                            "strings_to_urls": False})
    header = {"bold": True, "bottom": 1, "text_wrap": False}
    safe.write_excel(
        workbook, sheet[:31], table_name="Udtraek", table_style=None, autofilter=True,
        freeze_panes=(1, 0), header_format=header, column_formats=_formats(safe),
        column_widths={c: _width_chars(safe, c) * PIXELS_PER_CHAR for c in safe.columns},
        dtype_formats={pl.Boolean: "General"},
    )
    if view is not None:
        about = neutralise_frame(pl.DataFrame(view.about(), schema=["Filter", "Valg"],
                                              orient="row"))
        about.write_excel(
            workbook, ABOUT_SHEET, table_style=None, autofilter=False, header_format=header,
            column_widths={"Filter": 32 * PIXELS_PER_CHAR, "Valg": 50 * PIXELS_PER_CHAR},
        )
    workbook.close()
    return buffer.getvalue()
