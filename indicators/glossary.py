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

import functools
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from indicators.completeness import DEFAULT_THRESHOLD, UNCERTAIN_TEXT
from indicators.contract import Computation
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


# --- Help text per indicator ------------------------------------------------------------------

# The source frames (``indicators.sources``) in Danish: where a computation's numbers come from.
SOURCE_LABELS = {
    "assessments": "TOPI-vurderinger (Opsporingsmodellen)",
    "children": "indskrivninger (børn, alder og udsatte positioner)",
    "relations": "relationsafdækninger",
    "counselling": "registrering af åben rådgivning",
    "family_attendance": "fremmøde i familiegrupper",
    "staff": "personaleoversigt",
    "training": "kompetenceforløbets uddannelses- og aktionslæringsdage",
    "survey": "forældreundersøgelsen",
    "meetings": "tværfaglige møder om børn",
    "interviews": "børneinterviews",
    "practice": "dagtilbuddenes selvevaluering af praksis",
}
AGGREGATION_LABELS = {
    "share": "andel i %: 100 × tæller / nævner",
    "rate": "tæller / nævner",
    "mean": "gennemsnit: tæller / nævner",
    "sum": "antal",
    "gap": "forskel i procentpoint: andel blandt øvrige børn − andel blandt børn i udsatte "
           "positioner",
}


@functools.cache
def computation_sources(func: Callable[..., object]) -> tuple[str, ...]:
    """The source frames a computation reads (``src.<name>``), its module helpers included
    (read from the source code once per process)."""
    module = inspect.getmodule(func)
    seen: set[str] = set()
    found: list[str] = []

    def visit(f: Callable[..., object]) -> None:
        if f.__name__ in seen:
            return
        seen.add(f.__name__)
        try:
            code = inspect.getsource(f)
        except (OSError, TypeError):
            return
        for name in re.findall(r"src\.(\w+)", code):
            if name in SOURCE_LABELS and name not in found:
                found.append(name)
        for helper in re.findall(r"\b(_\w+)\(", code):
            target = getattr(module, helper, None)
            if inspect.isfunction(target):
                visit(target)

    visit(func)
    return tuple(found)


def completeness_applies(computation: Computation) -> bool:
    """Completeness (the share of enrolled children assessed) belongs next to the indicators about
    children that are computed from the assessments."""
    return computation.subgroups and "assessments" in computation_sources(computation.func)


class _Spec(Protocol):
    @property
    def definition(self) -> str: ...


def indicator_help_markdown(spec: _Spec, computation: Computation, *, min_n: int,
                            withheld_text: str,
                            threshold: float = DEFAULT_THRESHOLD) -> str:
    """What a reader needs to know about one indicator, in Danish Markdown: the definition,
    numerator, denominator, source, what n counts, and which filters apply."""
    doc = computation.doc
    sources = [SOURCE_LABELS[s] for s in computation_sources(computation.func)]
    limit = format_value(threshold, "%").replace(",0 %", " %")
    if computation.subgroups:
        filters = "Filtrene for aldersgruppe og *kun børn i udsatte positioner* gælder."
        if completeness_applies(computation):
            filters += (" Ved siden af værdien står datakompletheden: andelen af de indskrevne "
                        f"børn, der er vurderet i perioden; under {limit} står der "
                        f"*{UNCERTAIN_TEXT}*.")
    else:
        filters = ("Filtrene for aldersgruppe og *kun børn i udsatte positioner* gælder **ikke** "
                   "for denne indikator: tallet er det samme under alle filtre.")
    lines = [
        spec.definition,
        "",
        f"- **Tæller:** {doc.numerator}",
        f"- **Nævner:** {doc.denominator}",
        f"- **Beregning:** {AGGREGATION_LABELS[computation.aggregation]}",
        f"- **n:** {doc.n} Er n under {min_n}, vises «{withheld_text}».",
        f"- **Kilde:** {', '.join(sources) if sources else 'de indlæste data'}",
        f"- **Filtre:** {filters}",
    ]
    return "\n".join(lines)
