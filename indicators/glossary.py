"""A short Danish glossary of the words the dashboard uses, for a help page and tooltips.

The texts take their numbers (the small-number limit, the completeness threshold, the ±15 % band)
and labels from the modules that define them, so the help cannot drift from what is computed.

The small-number limit and its text (``Settings.min_n``, ``Settings.withheld_text``) are
configuration, so the caller passes them.

Examples
--------
>>> terms(min_n=5, withheld_text="< 5")["n"].title
'n'
>>> glossary_markdown(min_n=5, withheld_text="< 5").startswith("**n**")
True
"""

from __future__ import annotations

from dataclasses import dataclass

from indicators.completeness import DEFAULT_THRESHOLD, UNCERTAIN_TEXT
from indicators.format import format_value
from indicators.status import STATUS_LABELS, TOLERANCE


@dataclass(frozen=True)
class Term:
    title: str
    text: str


def _terms(*, min_n: int, withheld_text: str, threshold: float) -> list[Term]:
    band = format_value(TOLERANCE * 100, "%").replace(",0 %", " %")
    limit = format_value(threshold, "%").replace(",0 %", " %")
    return [
        Term("n", "Antallet, som et tal bygger på: for de fleste indikatorer antal børn, for "
             "andre antal forældre, medarbejdere, møder eller dagtilbud. Står ved siden af "
             "værdien, så man kan se, hvor sikkert tallet er."),
        Term(withheld_text, f"Tallet er skjult af hensyn til fortroligheden, fordi det bygger "
             f"på færre end {min_n} børn (eller forældre eller medarbejdere) – eller fordi det "
             "ellers ville kunne regnes ud fra de andre tal, man kan se. Et skjult tal er ikke "
             "det samme som manglende data, der vises som \"Ingen data\"."),
        Term(STATUS_LABELS["on_track"], "Målet er nået: værdien er på eller over målet (eller "
             "på eller under, når lavere er bedre)."),
        Term(STATUS_LABELS["close"], f"Målet er ikke nået, men værdien er højst {band} fra "
             "målet."),
        Term(STATUS_LABELS["off_track"], f"Værdien er mere end {band} fra målet."),
        Term("Børn i udsatte positioner", "Børn, hvis familie ud fra social baggrund (fx "
             "forældres uddannelse og beskæftigelse) er markeret som udsat. Oplysningen er "
             "følsom og vises kun samlet for en gruppe børn, aldrig for det enkelte barn."),
        Term("Grøn, gul og rød position", "Barnets trivselsposition i TOPI/Opsporingsmodellen. "
             "Grøn: barnet trives. Gul: tegn på, at trivslen er i ubalance – ekstra "
             "opmærksomhed, forældrene inddrages. Rød: trivslen er alvorligt udfordret – "
             "tværfaglig hjælp. En position er ikke en etiket: den kan ændre sig."),
        Term("Halvår (vurderingsrunde)", "Børnene vurderes typisk to gange om året. Et barns "
             "position i et halvår er den seneste vurdering i halvåret."),
        Term("Positionsskift", "Hvor mange børn der gik fra grøn, gul eller rød i ét halvår "
             "til grøn, gul eller rød i det næste. Kun børn, der er vurderet i begge halvår, "
             "tæller med."),
        Term("Tid i gul", "Blandt børn, der kommer i gul position, andelen der stadig er i gul "
             "1, 2 og 3 halvår senere. Børn, der flytter eller ikke bliver vurderet igen, "
             "tæller med, så længe vi ved, at de var i gul – de regnes ikke som børn, der er "
             "kommet ud af gul. Mediantiden er det antal halvår, hvorefter højst halvdelen "
             "stadig er i gul."),
        Term("Datakomplethed", "Andelen af de børn, der var indskrevet i perioden, som faktisk "
             f"er blevet vurderet. Under {limit} markeres værdien \"{UNCERTAIN_TEXT}\": tallet "
             "vises, men det bygger kun på en del af børnene og kan give et skævt billede."),
        Term("Tragtdiagram", "Viser hvert dagtilbud som et punkt: værdien op ad aksen og "
             "antallet (n) hen ad aksen. Den vandrette linje er kommunens værdi. De buede "
             "linjer er grænser for, hvor meget et dagtilbud af den størrelse kan afvige af ren "
             "tilfældighed (95 % og 99,8 %). Kun dagtilbud uden for grænserne skiller sig "
             "reelt ud; små dagtilbud straffes ikke for tilfældige udsving."),
        Term("Forskel mellem grupper", "Andelen blandt øvrige børn minus andelen blandt børn i "
             "udsatte positioner, i procentpoint. Når forskellen bliver mindre, får børnene mere "
             "lige chancer. Begge gruppers andele vises, så man kan se, hvorfor forskellen "
             "ændrer sig."),
    ]


def glossary(*, min_n: int, withheld_text: str,
             threshold: float = DEFAULT_THRESHOLD) -> list[Term]:
    """The terms in reading order, with the configured small-number limit, its text and the
    completeness threshold."""
    return _terms(min_n=min_n, withheld_text=withheld_text, threshold=threshold)


def terms(*, min_n: int, withheld_text: str,
          threshold: float = DEFAULT_THRESHOLD) -> dict[str, Term]:
    """The terms by title (for a tooltip on one word)."""
    return {t.title: t for t in glossary(min_n=min_n, withheld_text=withheld_text,
                                         threshold=threshold)}


def glossary_markdown(*, min_n: int, withheld_text: str,
                      threshold: float = DEFAULT_THRESHOLD) -> str:
    """The glossary as Markdown (``st.markdown`` on a help page): a bold term, then its text."""
    return "\n\n".join(f"**{t.title}**  \n{t.text}" for t in glossary(
        min_n=min_n, withheld_text=withheld_text, threshold=threshold))
