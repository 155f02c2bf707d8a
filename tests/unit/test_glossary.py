"""The Danish glossary covers the words the analysis pages use, with the numbers in force."""

from __future__ import annotations

from indicators.glossary import TERMS, glossary, glossary_markdown
from indicators.status import STATUS_LABELS


def test_the_glossary_explains_the_words_on_screen() -> None:
    for word in ("n", "< 5", "Tæt på", "På sporet", "Børn i udsatte positioner",
                 "Datakomplethed", "Tragtdiagram", "Tid i gul", "Positionsskift"):
        assert word in TERMS and len(TERMS[word].text) > 40, word
    assert STATUS_LABELS["close"] in TERMS and STATUS_LABELS["on_track"] in TERMS


def test_the_numbers_in_the_texts_are_the_ones_computed() -> None:
    assert "højst 15 % fra målet" in TERMS["Tæt på"].text
    assert "færre end 5 børn" in TERMS["< 5"].text
    assert "Under 80 % markeres værdien \"usikkert datagrundlag\"" in TERMS["Datakomplethed"].text
    custom = {t.title: t for t in glossary(threshold=75.0)}
    assert "Under 75 % markeres" in custom["Datakomplethed"].text


def test_markdown_has_one_paragraph_per_term() -> None:
    text = glossary_markdown()
    assert text.count("**") == 2 * len(glossary())
    assert text.startswith("**n**  \nAntallet")
