"""Import rules without a store: decoding, personal identifiers both ways, headers, wording."""

from __future__ import annotations

import pytest

from core.settings import ImportLimits
from imports.kinds import HEADERS, KINDS
from imports.personal_data import mask
from imports.reader import ReadError, read_csv_bytes
from imports.validate import Refs, check
from imports.wording import count, lines, size

REFS = Refs(institution={"580-001": 1}, child={"B0000001": 1, "12345678": 2},
            org_unit={"580-N": 2}, staff={"M0000001": 1})


def errors_for(kind: str, text: str) -> list[tuple[int, str, str]]:
    frame = read_csv_bytes(text.encode("utf-8"))
    return [(e.row, e.column, e.message) for e in check(frame, KINDS[kind], REFS).errors]


@pytest.mark.parametrize("value", ["0101901234", "010190-1234", "010190 1234",
                                   "Barn 010190-1234", "B0101901234", "310199–1234",
                                   "cpr:0101901234."])
def test_cpr_like_values_are_refused_without_being_echoed(value: str) -> None:
    errors = errors_for("org_units", f"kode;navn;niveau\n580-970;{value};dagtilbud\n")
    assert [(r, c) for r, c, _m in errors] == [(2, "navn")]
    assert "CPR-nummer" in errors[0][2]
    assert "1234" not in errors[0][2]


@pytest.mark.parametrize(("column", "value"), [
    ("vurderingsdato", "23.11.2026"), ("vurderingsdato", "2026-11-23"),
    ("vurderingsdato", "23-11-2026"), ("barnekode", "B0000001"),
    ("barnekode", "12345678"),  # a numeric pseudonym is a code, not a phone number
])
def test_dates_and_codes_are_not_mistaken_for_personal_data(column: str, value: str) -> None:
    row = {"barnekode": "B0000001", "dagtilbudskode": "580-001", "vurderingsdato": "20.11.2026",
           "position": "grøn"} | {column: value}
    text = ";".join(row) + "\n" + ";".join(row.values()) + "\n"
    assert errors_for("assessments", text) == []


@pytest.mark.parametrize(("value", "refused"), [
    ("Børnehuset Solsikken", False), ("580-001 Afdeling 2", False),
    ("Huset 1234567890", False),  # 12/34 is no date: not a CPR number
    ("Ring 12 34 56 78", True), ("Ring 12345678", True), ("Tlf +45 1234 5678", True),
    ("anna@kommune.dk", True), ("Vuggestuen 3201901234", False),
])
def test_free_text_is_checked_for_phone_numbers_and_e_mail(value: str, refused: bool) -> None:
    errors = errors_for("org_units", f"kode;navn;niveau\n580-970;{value};dagtilbud\n")
    assert bool(errors) == refused, errors
    if refused:
        assert "Personoplysninger" in errors[0][2] and value[-4:] not in errors[0][2]


def test_code_columns_refuse_only_unmistakable_phone_numbers() -> None:
    header = "gruppekode;dagtilbudskode;dato;familiekode;mødt op\n"
    ok = errors_for("family_attendance", header + "FG1;580-001;02.11.2026;87654321;ja\n")
    bad = errors_for("family_attendance", header + "FG1;580-001;02.11.2026;+4587654321;ja\n")
    assert ok == []
    assert [(r, c) for r, c, _m in bad] == [(2, "familiekode")]


def test_a_cpr_number_in_a_number_column_gets_one_error_that_hides_it() -> None:
    errors = errors_for("assessments", "barnekode;dagtilbudskode;vurderingsdato;position;"
                        "score social\nB0000001;580-001;20.11.2026;grøn;0101901234\n")
    assert len(errors) == 1 and "0101901234" not in errors[0][2]


def test_mask_hides_every_identifier_in_an_echoed_value() -> None:
    assert mask("B0101901234 og 12 34 56 78, a@b.dk") == "B••• og •••, •••"


def test_danish_and_code_headers_are_both_accepted_and_errors_use_the_files_header() -> None:
    danish = errors_for("assessments", "Barnekode;Dagtilbudskode;Vurderingsdato;Position\n"
                        "B0000001;580-001;31.02.2026;grøn\n")
    code = errors_for("assessments", "child_id;institution_code;assessed_on;position\n"
                      "B0000001;580-001;31.02.2026;grøn\n")
    assert [(r, c) for r, c, _m in danish] == [(2, "vurderingsdato")]
    assert [(r, c) for r, c, _m in code] == [(2, "assessed_on")]


def test_a_column_given_twice_is_refused() -> None:
    errors = errors_for("assessments", "barnekode;child_id;dagtilbudskode;vurderingsdato;"
                        "position\nB0000001;B0000001;580-001;20.11.2026;grøn\n")
    assert [(r, c) for r, c, _m in errors] == [(1, "child_id")]


def test_every_column_has_a_danish_header_unique_within_its_kind() -> None:
    for kind in KINDS.values():
        assert all(c.name in HEADERS for c in kind.columns), kind.name
        assert len(set(kind.headers)) == len(kind.headers)


def test_whole_file_windows_1252_is_read_and_a_mixture_is_refused_with_its_lines() -> None:
    cp = "kode;navn;niveau\n580-950;Børnehuset Æblegården;dagtilbud\n".encode("cp1252")
    assert read_csv_bytes(cp)["navn"].to_list() == ["Børnehuset Æblegården"]
    utf = "kode;navn;niveau\n" + "580-951;Ærø;dagtilbud\n" * 5
    mixed = utf.encode() + "580-952;Æblegården;dagtilbud\n".encode("cp1252")
    with pytest.raises(ReadError, match="linje 7 er Windows-1252"):
        read_csv_bytes(mixed)


def test_limits_come_before_parsing() -> None:
    small = ImportLimits(max_bytes=100, max_rows=2, max_columns=3, max_line_bytes=30)
    with pytest.raises(ReadError, match="Filen fylder 101 B"):
        read_csv_bytes(b"a;b\n" + b"x" * 97, small)
    with pytest.raises(ReadError, match="3 rækker"):
        read_csv_bytes(b"a;b\n1;2\n3;4\n5;6\n", small)
    with pytest.raises(ReadError, match="Linje 2 er for lang"):
        read_csv_bytes(b"a;b\n" + b"1" * 31 + b"\n", small)
    with pytest.raises(ReadError, match="4 kolonner"):
        read_csv_bytes(b"a;b;c;d\n1;2;3;4\n", small)


def test_wording_is_danish() -> None:
    assert size(189) == "189 B" and size(1_234_567) == "1,2 MB" and size(200_000_000) == "200 MB"
    assert count(1, "ny række", "nye rækker") == "1 ny række"
    assert count(2_000, "ny række", "nye rækker") == "2.000 nye rækker"
    assert lines([2]) == "2" and lines([2, 5]) == "2 og 5"
    assert lines(list(range(1, 13))) == "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 og 2 linjer mere"
