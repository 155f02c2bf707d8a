"""Everything an AppTest run put on screen or offered for download, as one text: for leak checks.

Every element of the page (main and sidebar) as its protobuf text (markdown, captions, titles,
metrics, widget labels and options, iframes, …), the cells of every table, the series of every
chart, and the contents of every download (CSV, XLSX cells, HTML; a PDF is checked as the HTML
it is made from).
"""

from __future__ import annotations

import io
import json
import re

from google.protobuf import text_format
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

MEDIA_ID = re.compile(r"/([0-9a-f]{20,})\.\w+$")


def _download_text(content: bytes) -> str:
    if content.startswith(b"PK"):  # XLSX: every cell of every sheet
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(str(cell) for sheet in book.worksheets
                         for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if content.startswith(b"%PDF"):
        return ""
    for encoding in ("utf-8-sig", "cp1252"):  # Danish CSV is written for Excel
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AssertionError("a download that is neither XLSX, PDF nor text")


def visible_parts(at: AppTest, downloads: dict[str, bytes] | None = None) -> dict[str, str]:
    """The text of the last run by where it was found: ``elements`` (every element's protobuf
    text), ``tables`` (cells), ``charts`` (the plotly figures) and ``downloads`` (what the
    download buttons hold, from the ``downloads`` fixture).

    A download button whose bytes are not in ``downloads`` fails: a check that cannot see a
    download must not pass as if it had looked.
    """
    elements = [text_format.MessageToString(node.proto, as_utf8=True)
                for node in at._tree  # noqa: SLF001 (AppTest has no public walk over elements)
                if getattr(node, "proto", None) is not None]
    tables = [frame.value.to_csv() for frame in [*at.dataframe, *at.table]]
    charts = [json.dumps(json.loads(chart.proto.spec), ensure_ascii=False)  # type: ignore[attr-defined]
              for chart in at.get("plotly_chart")]
    files: list[str] = []
    for button in at.get("download_button"):
        if downloads is None:
            break
        url = button.proto.url  # type: ignore[attr-defined]
        deferred = button.proto.deferred_file_id  # type: ignore[attr-defined]
        found = MEDIA_ID.search(url)
        file_id = found[1] if found else deferred
        assert file_id and file_id in downloads, f"download not captured: {url or deferred}"
        files.append(_download_text(downloads[file_id]))
    return {"elements": "\n".join(elements), "tables": "\n".join(tables),
            "charts": "\n".join(charts), "downloads": "\n".join(files)}


def visible_text(at: AppTest, downloads: dict[str, bytes] | None = None) -> str:
    """All of ``visible_parts`` as one text."""
    return "\n".join(visible_parts(at, downloads).values())
