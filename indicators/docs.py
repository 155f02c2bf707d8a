"""``docs/INDICATORS.md``: the computations as documentation for config editors, in Danish.

Generated from the registry (``python manage.py indicator-docs``), so it cannot drift from the code;
``tests/unit/test_indicator_docs.py`` fails when a computation lacks a text or the file is stale.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any

from indicators.contract import Computation

AGGREGATION_TEXT = {
    "share": "andel: 100 × tæller / nævner, i %",
    "rate": "rate: tæller / nævner",
    "mean": "gennemsnit: tæller / nævner",
    "sum": "antal: summen af tælleren",
    "gap": "forskel: andel blandt de øvrige børn − andel blandt børn i udsatte positioner, "
           "i procentpoint",
}
TYPE_TEXT = {int: "helt tal", float: "tal", str: "tekst", bool: "true eller false"}
BOUND_TEXT = {"ge": "mindst {}", "gt": "større end {}", "le": "højst {}", "lt": "mindre end {}",
              "min_length": "mindst {} tegn"}

INTRO = """\
# Indikatorberegninger

<!-- Genereret af `python manage.py indicator-docs` fra indicators/computations.py. Ret ikke i
hånden: ret teksten ved beregningen og kør kommandoen igen. -->

Hver indikator i `config.toml` vælger en beregning med `computation` og giver beregningens
parametre i `params`. Konfigurationen kontrolleres, når appen starter (og med
`python manage.py check-config`): en ukendt beregning, en ukendt parameter eller en ugyldig værdi
stopper appen med en besked, der peger på nøglen, fx

```
programmes[aabenraa].layers[mellemlang-sigt].boxes[M2].indicators[M2_yellow_to_green].params.to:
ugyldig værdi 'gren' – tilladte værdier: green, yellow, red
```

Hver beregning giver for hver enhed og periode en **tæller**, en **nævner** og **n** (antallet af
børn, familier, medarbejdere eller dagtilbud bag tallet). Er n mindre end indikatorens `min_n`,
vises værdien ikke. *Alder og udsatte* siger, om filtrene for aldersgruppe (0-2, 3-5) og "kun børn
i udsatte positioner" gælder for beregningen; ellers er tallet det samme under alle filtre.
"""


def undocumented(computations: Mapping[str, Computation]) -> dict[str, list[str]]:
    """Computation → the Danish texts it lacks (only computations that lack some)."""
    gaps = {name: c.doc.missing(c.parameters()) for name, c in computations.items()}
    return {name: missing for name, missing in gaps.items() if missing}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def allowed_values(field: Any) -> str:
    """A parameter's type and constraints in words, from its pydantic ``FieldInfo``."""
    choices = typing.get_args(field.annotation) if typing.get_origin(
        field.annotation) is typing.Literal else ()
    if choices:
        return "én af: " + ", ".join(f"`{_toml(c)}`" for c in choices)
    words = [TYPE_TEXT.get(field.annotation, str(field.annotation))]
    for rule in field.metadata:  # annotated_types constraints (Ge, Gt, Le, Lt, MinLen)
        for attr, text in BOUND_TEXT.items():
            if getattr(rule, attr, None) is not None:
                words.append(text.format(getattr(rule, attr)))
    return ", ".join(words)


def _example(name: str, computation: Computation) -> str:
    params = [
        f"{key} = {_toml('…') if field.is_required() else _toml(field.default)}"
        for key, field in computation.parameters().items()
    ]
    lines = [f'computation = "{name}"']
    if params:
        lines.append(f"params = {{ {', '.join(params)} }}")
    return "```toml\n" + "\n".join(lines) + "\n```"


def _section(name: str, computation: Computation) -> str:
    doc = computation.doc
    subgroups = ("filtrene gælder" if computation.subgroups
                 else "filtrene gælder ikke (tallet er det samme under alle filtre)")
    lines = [
        f"## `{name}`", "", doc.title, "",
        f"- **Tæller:** {doc.numerator}",
        f"- **Nævner:** {doc.denominator}",
        f"- **n:** {doc.n}",
        f"- **Sammenlægning:** {AGGREGATION_TEXT[computation.aggregation]}",
        f"- **Alder og udsatte:** {subgroups}",
        "",
    ]
    fields = computation.parameters()
    if fields:
        lines += ["| parameter | betydning | tilladte værdier | standard |", "|---|---|---|---|"]
        for key, field in fields.items():
            default = "skal angives" if field.is_required() else f"`{_toml(field.default)}`"
            lines.append(f"| `{key}` | {_cell(doc.params.get(key, ''))} | "
                         f"{allowed_values(field)} | {default} |")
    else:
        lines.append("Ingen parametre.")
    lines += ["", _example(name, computation), ""]
    return "\n".join(lines)


def render_markdown(computations: Mapping[str, Computation]) -> str:
    """The whole of ``docs/INDICATORS.md``."""
    overview = ["## Oversigt", "", "| beregning | hvad den beregner | sammenlægning | alder og "
                "udsatte |", "|---|---|---|---|"]
    for name, c in computations.items():
        short = AGGREGATION_TEXT[c.aggregation].split(":")[0]
        overview.append(f"| [`{name}`](#{name}) | {_cell(c.doc.title)} | "
                        f"{short} | {'ja' if c.subgroups else 'nej'} |")
    parts = [INTRO, "\n".join(overview) + "\n"]
    parts += [_section(name, c) for name, c in computations.items()]
    return "\n".join(parts)
