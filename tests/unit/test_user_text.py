"""User text is text: escaped for Markdown on pages and for HTML in the meeting pack."""

from __future__ import annotations

import datetime as dt
import string

import pytest

from indicators.format import plain_text
from reports.meeting_pack import TEMPLATES, _note


@pytest.mark.parametrize(("typed", "expected"), [
    ("![x](http://127.0.0.1:9/p.png)", r"\!\[x\]\(http\:\/\/127\.0\.0\.1\:9\/p\.png\)"),
    ("<img src=x onerror=alert(1)>", r"\<img src\=x onerror\=alert\(1\)\>"),
    ("[klik](https://evil.example)", r"\[klik\]\(https\:\/\/evil\.example\)"),
    ("se www.evil.example", r"se www\.evil\.example"),
    ("**fed** og $x$", r"\*\*fed\*\* og \$x\$"),
    ("Møde 23.11.2026 – ok", r"Møde 23\.11\.2026 – ok"),
    ("linje 1\nlinje 2", "linje 1  \nlinje 2"),
    (None, ""),
])
def test_plain_text_escapes_every_markdown_meaning(typed, expected) -> None:
    assert plain_text(typed) == expected


def test_no_markdown_punctuation_is_left_unescaped() -> None:
    typed = string.punctuation + " æøå"
    out = plain_text(typed)
    i = 0
    while i < len(out):  # every punctuation character the renderer acts on comes escaped
        if out[i] == "\\":
            i += 2
            continue
        assert out[i] not in "![]()<>`*_#|~$:/&", (out, i)
        i += 1


def test_the_meeting_pack_escapes_a_note_and_its_owner() -> None:
    # the pack's own template macro renders the note (Jinja2 autoescape)
    macro = TEMPLATES.get_template("notes.html.j2").module.note  # type: ignore[attr-defined]
    html = str(macro(_note(dict(
        kind="opfoelgning", owner="<img src='http://h/o.png'>", due_on=dt.date(2026, 12, 1),
        status="aaben", author="leder", created_at=dt.datetime(2026, 11, 23, 10, 0),
        period="2026H2", text="![x](http://h/p.png) <script>alert(1)</script>"))))
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=&#39;http://h/o.png&#39;&gt;" in html
    assert "![x](http://h/p.png) &lt;script&gt;alert(1)&lt;/script&gt;" in html
