"""Template files per kind: the header and a few example rows using the demo store's codes."""

from __future__ import annotations

import csv
import io

import xlsxwriter

from imports.kinds import EXAMPLE_MARK, Kind, get_kind


def template_rows(kind: Kind) -> list[list[str]]:
    """Danish headers, then the example rows; each example's first cell starts with
    ``EKSEMPEL`` so that an unedited template is refused instead of imported."""
    rows = [kind.headers]
    for example in kind.examples:
        cells = [example.get(name, "") for name in kind.column_names]
        cells[0] = f"{EXAMPLE_MARK} {cells[0]}"
        rows.append(cells)
    return rows


def template_csv(kind_name: str) -> bytes:
    """Danish Excel flavour: UTF-8 with BOM and ``;`` as separator."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows(template_rows(get_kind(kind_name)))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(kind_name: str) -> bytes:
    kind = get_kind(kind_name)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                            "strings_to_formulas": False})
    sheet = workbook.add_worksheet(kind.name[:31])
    bold = workbook.add_format({"bold": True})
    for r, row in enumerate(template_rows(kind)):
        for c, value in enumerate(row):
            sheet.write_string(r, c, value, bold if r == 0 else None)
    for c, column in enumerate(kind.columns):
        sheet.set_column(c, c, max(14, len(column.header) + 2))
        sheet.write_comment(0, c, column.description)
    help_sheet = workbook.add_worksheet("Vejledning")
    help_sheet.write_string(0, 0, "Rækker der starter med EKSEMPEL er eksempler: slet dem, før "
                                  "filen indlæses.", bold)
    for r, column in enumerate(kind.columns, start=2):
        help_sheet.write_string(r, 0, column.header, bold)
        help_sheet.write_string(r, 1, "påkrævet" if column.required else "valgfri")
        help_sheet.write_string(r, 2, column.description)
    help_sheet.set_column(0, 0, 24)
    help_sheet.set_column(2, 2, 80)
    workbook.close()
    return buffer.getvalue()


def template_bytes(kind_name: str, fmt: str) -> bytes:
    if fmt == "csv":
        return template_csv(kind_name)
    if fmt == "xlsx":
        return template_xlsx(kind_name)
    raise ValueError(f"Ukendt format '{fmt}' (brug csv eller xlsx).")
