"""The Danish glossary covers the words the analysis pages use, with the numbers in force."""

from __future__ import annotations

from indicators.glossary import glossary, glossary_markdown, terms
from indicators.status import STATUS_LABELS

TERMS = terms(min_n=5, withheld_text="< 5")


def test_the_glossary_explains_the_words_on_screen() -> None:
    for word in ("n", "< 5", "Tæt på", "På sporet", "Børn i udsatte positioner",
                 "Datakomplethed", "Tragtdiagram", "Tid i gul", "Positionsskift"):
        assert word in TERMS and len(TERMS[word].text) > 40, word
    assert STATUS_LABELS["close"] in TERMS and STATUS_LABELS["on_track"] in TERMS


def test_the_numbers_in_the_texts_are_the_ones_computed() -> None:
    assert "højst 15 % fra målet" in TERMS["Tæt på"].text
    assert "færre end 5 børn" in TERMS["< 5"].text
    assert "Under 80 % markeres værdien \"usikkert datagrundlag\"" in TERMS["Datakomplethed"].text
    custom = {t.title: t for t in glossary(min_n=5, withheld_text="< 5", threshold=75.0)}
    assert "Under 75 % markeres" in custom["Datakomplethed"].text


def test_markdown_has_one_paragraph_per_term() -> None:
    text = glossary_markdown(min_n=5, withheld_text="< 5")
    assert text.count("**") == 2 * len(glossary(min_n=5, withheld_text="< 5"))
    assert text.startswith("**n**  \nAntallet")


def test_the_small_number_text_follows_the_configured_limit() -> None:
    seven = terms(min_n=7, withheld_text="< 7")
    assert "< 5" not in seven and "færre end 7 børn" in seven["< 7"].text
