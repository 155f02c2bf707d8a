"""What can be imported: per kind its columns, types, rules and natural key.

Pure declarations (no database, no polars): the reader, the validation, the loader, the
templates and ``docs/IMPORT.md`` all follow these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["str", "int", "bool", "date", "decimal"]
Reference = Literal["institution", "child", "staff", "org_unit"]

POSITIONS = {"grøn": "green", "gul": "yellow", "rød": "red",
             "green": "green", "yellow": "yellow", "red": "red"}
ORG_LEVELS = {"national": "national", "municipality": "municipality", "area": "area",
              "institution": "institution", "land": "national", "kommune": "municipality",
              "område": "area", "dagtilbud": "institution"}
ROLES = {r: r for r in ("paedagog", "paedagogmedhjaelper", "dagplejer", "leder", "andet")}
# Danish headers: what templates carry and error tables show. The code names are accepted too.
HEADERS = {
    "code": "kode", "name": "navn", "level": "niveau", "parent_code": "overordnet kode",
    "child_id": "barnekode", "birth_month": "fødselsmåned", "vulnerable": "udsat position",
    "institution_code": "dagtilbudskode", "enrolled_on": "startdato", "left_on": "slutdato",
    "assessed_on": "vurderingsdato", "position": "position",
    "score_cognitive": "score kognitiv", "score_emotional": "score emotionel",
    "score_social": "score social", "score_physical": "score fysisk",
    "mapped_on": "dato", "has_close_adult": "tæt voksenrelation",
    "best_friendship_rating": "bedste venskab", "mutual_play_relation": "gensidig legerelation",
    "held_on": "dato", "professions": "faggrupper", "n_professions": "antal faggrupper",
    "staff_consultations": "samtaler med personale",
    "parent_consultations": "samtaler med forældre",
    "group_code": "gruppekode", "family_code": "familiekode", "present": "mødt op",
    "planned_sessions": "planlagte gange", "staff_code": "medarbejderkode", "role": "funktion",
    "employed_from": "ansat fra", "employed_to": "ansat til", "kind": "type",
    "self_assessment": "selvvurdering", "answered_on": "besvaret", "question": "spørgsmål",
    "answer": "svar", "parents_invited": "forældre inviteret",
    "parents_present": "forældre deltog", "plan_agreed": "plan aftalt",
    "interviewed_on": "interviewdato", "feels_important": "føler sig vigtig", "theme": "tema",
    "score": "score", "age_years": "alder (år)", "language_group": "sproggruppe",
    "places": "antal pladser", "valid_from": "fra dato", "valid_to": "til dato",
    "offer": "tilbud", "placed_from": "placeret fra", "placed_to": "placeret til",
}
# Marks the template's example rows (first cell); a row carrying it is refused.
EXAMPLE_MARK = "EKSEMPEL"

TRAINING_KINDS = {"uddannelsesdag": "uddannelsesdag", "aktionslaering": "aktionslaering",
                  "aktionslæring": "aktionslaering"}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True
    # Accepted spellings (lower case) → the value stored. None: any value of the type.
    allowed: dict[str, str] | None = None
    minimum: int | None = None
    maximum: int | None = None
    # A code that must exist in the store (looked up and stored as the row's id).
    reference: Reference | None = None
    # The table column the value is stored in (defaults to ``name``).
    target: str | None = None

    @property
    def stored_as(self) -> str:
        return self.target or self.name

    @property
    def header(self) -> str:
        """The Danish column header of templates and error tables (the code name also works)."""
        return HEADERS.get(self.name, self.name)


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # file column names forming the natural key
    description: str = ""
    examples: tuple[dict[str, str], ...] = field(default_factory=tuple)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


def _inst(desc: str = "Dagtilbuddets kode (fx 580-001)") -> Column:
    return Column("institution_code", "str", desc, reference="institution",
                  target="institution_id")


def _child() -> Column:
    return Column("child_id", "str", "Barnets pseudonym-kode (fx B0000001) – aldrig CPR-nummer",
                  reference="child", target="child_id")


def _score(name: str, desc: str, *, required: bool = False, high: int = 5) -> Column:
    return Column(name, "int", desc, required=required, minimum=1, maximum=high)


KINDS: dict[str, Kind] = {}


def _add(kind: Kind) -> None:
    KINDS[kind.name] = kind


_add(Kind(
    "org_units", "Organisation (kommune, område, dagtilbud)", "org_unit",
    (
        Column("code", "str", "Enhedens kode (fx 580-001)"),
        Column("name", "str", "Enhedens navn"),
        Column("level", "str", "Niveau: national, municipality, area eller institution "
               "(også land, kommune, område, dagtilbud)", allowed=ORG_LEVELS),
        Column("parent_code", "str", "Koden på enheden ovenover (tom for øverste enhed)",
               required=False, reference="org_unit", target="parent_id"),
    ),
    key=("code",),
    examples=(
        {"code": "580-901", "name": "Børnehuset Testhaven", "level": "institution",
         "parent_code": "580-N"},
        {"code": "580-902", "name": "Vuggestuen Prøvestenen", "level": "dagtilbud",
         "parent_code": "580-S"},
    ),
))
_add(Kind(
    "children", "Børn", "child",
    (
        Column("child_id", "str", "Barnets pseudonym-kode (fx B0000001) – aldrig CPR-nummer",
               target="code"),
        Column("birth_month", "date", "Fødselsmåned (gemmes som den 1. i måneden)"),
        Column("vulnerable", "bool", "Barn i udsat position (ja/nej; tom = nej)", required=False),
        _inst(),
        Column("enrolled_on", "date", "Startdato i dagtilbuddet"),
        Column("left_on", "date", "Slutdato (tom hvis barnet stadig går der)", required=False),
    ),
    key=("child_id",),
    examples=(
        {"child_id": "B9000001", "birth_month": "01.03.2022", "vulnerable": "nej",
         "institution_code": "580-001", "enrolled_on": "01.02.2023", "left_on": ""},
        {"child_id": "B9000002", "birth_month": "2021-08-01", "vulnerable": "ja",
         "institution_code": "580-005", "enrolled_on": "15.06.2022", "left_on": ""},
    ),
))
_add(Kind(
    "assessments", "Trivselsvurderinger (TOPI / Opsporingsmodellen)", "assessment",
    (
        _child(), _inst(),
        Column("assessed_on", "date", "Dato for vurderingen"),
        Column("position", "str", "Position: grøn, gul eller rød (også green/yellow/red)",
               allowed=POSITIONS),
        _score("score_cognitive", "Kognitiv udvikling 1-5 (valgfri)"),
        _score("score_emotional", "Emotionel udvikling 1-5 (valgfri)"),
        _score("score_social", "Social udvikling 1-5 (valgfri)"),
        _score("score_physical", "Fysisk udvikling 1-5 (valgfri)"),
    ),
    key=("child_id", "assessed_on"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "assessed_on": "23.11.2026",
         "position": "grøn", "score_cognitive": "4", "score_emotional": "4",
         "score_social": "5", "score_physical": "4"},
        {"child_id": "B0000002", "institution_code": "580-001", "assessed_on": "2026-11-24",
         "position": "gul", "score_cognitive": "3", "score_emotional": "2",
         "score_social": "3", "score_physical": ""},
    ),
))
_add(Kind(
    "relations", "Relationsskemaer", "relation_mapping",
    (
        _child(), _inst(),
        Column("mapped_on", "date", "Dato for relationsskemaet"),
        Column("has_close_adult", "bool", "Barnet har en tæt voksenrelation (ja/nej)"),
        _score("best_friendship_rating", "Bedste venskab 1-5", required=True),
        Column("mutual_play_relation", "bool", "Gensidig legerelation (ja/nej)"),
    ),
    key=("child_id", "mapped_on"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "mapped_on": "20.11.2026",
         "has_close_adult": "ja", "best_friendship_rating": "4", "mutual_play_relation": "ja"},
        {"child_id": "B0000002", "institution_code": "580-001", "mapped_on": "20.11.2026",
         "has_close_adult": "nej", "best_friendship_rating": "2",
         "mutual_play_relation": "nej"},
    ),
))
_add(Kind(
    "counselling_sessions", "Åben rådgivning", "counselling_session",
    (
        _inst(),
        Column("held_on", "date", "Dato for rådgivningen"),
        Column("professions", "str", "Deltagende faggrupper, adskilt med komma "
               "(fx sundhedspleje,ppr_psykolog)"),
        Column("n_professions", "int", "Antal faggrupper (tom = tælles fra professions)",
               required=False, minimum=1, maximum=20),
        Column("staff_consultations", "int", "Antal samtaler med personale", minimum=0,
               maximum=100),
        Column("parent_consultations", "int", "Antal samtaler med forældre", minimum=0,
               maximum=100),
    ),
    key=("institution_code", "held_on"),
    examples=(
        {"institution_code": "580-001", "held_on": "24.11.2026",
         "professions": "sundhedspleje,ppr_psykolog", "n_professions": "2",
         "staff_consultations": "3", "parent_consultations": "2"},
        {"institution_code": "580-005", "held_on": "25.11.2026", "professions": "ppr_tale_hoere",
         "n_professions": "", "staff_consultations": "1", "parent_consultations": "0"},
    ),
))
_add(Kind(
    "family_attendance", "Familiegrupper: fremmøde", "family_group_attendance",
    (
        Column("group_code", "str", "Familiegruppens kode (oprettes hvis den ikke findes)"),
        _inst("Dagtilbuddet der holder gruppen (fx 580-001)"),
        Column("held_on", "date", "Dato for gangen (oprettes hvis den ikke findes)"),
        Column("family_code", "str", "Familiens kode (pseudonym)"),
        Column("present", "bool", "Familien mødte op (ja/nej)"),
        Column("planned_sessions", "int", "Planlagte gange (bruges kun når gruppen oprettes)",
               required=False, minimum=1, maximum=52),
    ),
    key=("group_code", "held_on", "family_code"),
    examples=(
        {"group_code": "FG900001", "institution_code": "580-001", "held_on": "02.11.2026",
         "family_code": "F900001-1", "present": "ja", "planned_sessions": "6"},
        {"group_code": "FG900001", "institution_code": "580-001", "held_on": "02.11.2026",
         "family_code": "F900001-2", "present": "nej", "planned_sessions": "6"},
        {"group_code": "FG900001", "institution_code": "580-001", "held_on": "16.11.2026",
         "family_code": "F900001-1", "present": "ja", "planned_sessions": "6"},
    ),
))
_add(Kind(
    "staff", "Medarbejdere", "staff",
    (
        Column("staff_code", "str", "Medarbejderens pseudonym-kode (fx M0000001)",
               target="code"),
        _inst(),
        Column("role", "str", "Funktion: paedagog, paedagogmedhjaelper, dagplejer, leder "
               "eller andet", allowed=ROLES),
        Column("employed_from", "date", "Ansat fra"),
        Column("employed_to", "date", "Ansat til (tom hvis stadig ansat)", required=False),
    ),
    key=("staff_code",),
    examples=(
        {"staff_code": "M9000001", "institution_code": "580-001", "role": "paedagog",
         "employed_from": "01.08.2020", "employed_to": ""},
        {"staff_code": "M9000002", "institution_code": "580-005",
         "role": "paedagogmedhjaelper", "employed_from": "2024-01-01",
         "employed_to": "31.10.2026"},
    ),
))
_add(Kind(
    "staff_training", "Kompetenceudvikling (uddannelses- og aktionslæringsdage)",
    "staff_training",
    (
        Column("staff_code", "str", "Medarbejderens kode (skal findes)", reference="staff",
               target="staff_id"),
        Column("held_on", "date", "Dato for dagen"),
        Column("kind", "str", "Type: uddannelsesdag eller aktionslaering",
               allowed=TRAINING_KINDS),
        _score("self_assessment", "Selvvurderet kompetence 1-5 (valgfri)"),
    ),
    key=("staff_code", "held_on", "kind"),
    examples=(
        {"staff_code": "M0000001", "held_on": "03.11.2026", "kind": "uddannelsesdag",
         "self_assessment": "4"},
        {"staff_code": "M0000002", "held_on": "10.11.2026", "kind": "aktionslaering",
         "self_assessment": ""},
    ),
))
_add(Kind(
    "parent_survey", "Forældreundersøgelse", "parent_survey_answer",
    (
        _child(), _inst(),
        Column("answered_on", "date", "Dato for besvarelsen"),
        Column("question", "str", "Spørgsmålets kode (fx styrket_foraelderrolle)"),
        _score("answer", "Svar 1-5", required=True),
    ),
    key=("child_id", "answered_on", "question"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "answered_on": "25.11.2026",
         "question": "styrket_foraelderrolle", "answer": "4"},
        {"child_id": "B0000001", "institution_code": "580-001", "answered_on": "25.11.2026",
         "question": "ved_hvor_raad", "answer": "5"},
    ),
))
_add(Kind(
    "cross_sector_meetings", "Tværfaglige møder", "cross_sector_meeting",
    (
        _child(), _inst(),
        Column("held_on", "date", "Dato for mødet"),
        Column("n_professions", "int", "Antal faggrupper på mødet", minimum=1, maximum=20),
        Column("parents_invited", "bool", "Forældrene var inviteret (ja/nej)"),
        Column("parents_present", "bool", "Forældrene deltog (ja/nej)"),
        Column("plan_agreed", "bool", "Skriftlig plan aftalt med forældrene (ja/nej)"),
    ),
    key=("child_id", "held_on"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "held_on": "26.11.2026",
         "n_professions": "3", "parents_invited": "ja", "parents_present": "ja",
         "plan_agreed": "ja"},
        {"child_id": "B0000002", "institution_code": "580-001", "held_on": "27.11.2026",
         "n_professions": "2", "parents_invited": "ja", "parents_present": "nej",
         "plan_agreed": "nej"},
    ),
))
_add(Kind(
    "child_interviews", "Børneinterviews", "child_interview",
    (
        _child(), _inst(),
        Column("interviewed_on", "date", "Dato for interviewet"),
        _score("feels_important", "\"Jeg er vigtig for de andre\": 1 nej, 2 nogle gange, 3 ja",
               required=True, high=3),
    ),
    key=("child_id", "interviewed_on"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "interviewed_on": "24.11.2026",
         "feels_important": "3"},
        {"child_id": "B0000002", "institution_code": "580-001", "interviewed_on": "24.11.2026",
         "feels_important": "2"},
    ),
))
_add(Kind(
    "practice_self_assessments", "Dagtilbuddenes selvevaluering af praksis",
    "practice_self_assessment",
    (
        _inst(),
        Column("assessed_on", "date", "Dato for selvevalueringen"),
        Column("theme", "str", "Temaets kode (fx tvaerfagligt_samarbejde)"),
        _score("score", "Score 1-5", required=True),
    ),
    key=("institution_code", "assessed_on", "theme"),
    examples=(
        {"institution_code": "580-001", "assessed_on": "20.11.2026",
         "theme": "tvaerfagligt_samarbejde", "score": "4"},
        {"institution_code": "580-005", "assessed_on": "20.11.2026",
         "theme": "tvaerfagligt_samarbejde", "score": "3"},
    ),
))


# --- Programme data: Socialstyrelsen, Aalborg and L2's language gap ----------------------------
LANGUAGE_GROUPS = {"generel": "generel", "generel indsats": "generel",
                   "fokuseret": "fokuseret", "fokuseret indsats": "fokuseret",
                   "saerlig": "saerlig", "særlig": "saerlig", "særlig indsats": "saerlig"}
SUPPORT_OFFERS = {"ressourceplads": "ressourceplads", "lokal_stoette": "lokal_stoette",
                  "lokal støtte": "lokal_stoette", "specialtilbud": "specialtilbud"}

_add(Kind(
    "language_assessments", "Sprogvurderinger (Sprogvurdering 3-6)", "language_assessment",
    (
        _child(), _inst(),
        Column("assessed_on", "date", "Dato for sprogvurderingen"),
        Column("age_years", "int", "Barnets alder i år ved vurderingen", minimum=2, maximum=7),
        Column("language_group", "str", "Gruppe: generel, fokuseret eller saerlig (også "
               "særlig, generel indsats, fokuseret indsats, særlig indsats)",
               allowed=LANGUAGE_GROUPS),
    ),
    key=("child_id", "assessed_on"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "assessed_on": "15.09.2026",
         "age_years": "3", "language_group": "generel"},
        {"child_id": "B0000002", "institution_code": "580-001", "assessed_on": "2026-09-16",
         "age_years": "3", "language_group": "fokuseret"},
    ),
))
_add(Kind(
    "resource_places", "Ressourcepladser", "resource_places",
    (
        _inst("Dagtilbuddet med ressourcepladserne (fx 851-001)"),
        Column("places", "int", "Antal ressourcepladser", minimum=0, maximum=50),
        Column("valid_from", "date", "Fra dato"),
        Column("valid_to", "date", "Til dato (tom hvis pladserne stadig findes)",
               required=False),
    ),
    key=("institution_code", "valid_from"),
    examples=(
        {"institution_code": "580-001", "places": "4", "valid_from": "01.08.2020",
         "valid_to": ""},
        {"institution_code": "580-005", "places": "3", "valid_from": "2025-08-01",
         "valid_to": "31.07.2026"},
    ),
))
_add(Kind(
    "placements", "Støtteplaceringer (ressourceplads, lokal støtte, specialtilbud)",
    "support_placement",
    (
        _child(),
        _inst("Barnets dagtilbud i nærmiljøet (ved specialtilbud: det dagtilbud, barnet kom "
              "fra), fx 851-001"),
        Column("offer", "str", "Tilbud: ressourceplads, lokal_stoette (støtte i eget "
               "dagtilbud) eller specialtilbud", allowed=SUPPORT_OFFERS),
        Column("placed_from", "date", "Fra dato"),
        Column("placed_to", "date", "Til dato (tom hvis placeringen løber)", required=False),
    ),
    key=("child_id", "placed_from"),
    examples=(
        {"child_id": "B0000001", "institution_code": "580-001", "offer": "ressourceplads",
         "placed_from": "01.09.2026", "placed_to": ""},
        {"child_id": "B0000002", "institution_code": "580-001", "offer": "specialtilbud",
         "placed_from": "2026-10-01", "placed_to": ""},
    ),
))

def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise KeyError(f"Ukendt datatype '{name}'. Kendte typer: {known}") from None
