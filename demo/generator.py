"""A deterministic, fictional demo municipality (or, with ``scale`` > 1, a fictional country).

One function builds the data for the tests, the ``make run`` demo store and the benchmarks:
``scale=1`` gives one municipality with 4 areas, 40 institutions and about 2,500 children over
``years`` years; ``scale=112, years=10`` gives about 4,500 institutions and 300,000 children under
a national root. Institutions follow one of three stories (improving, steady, struggling), so the
dashboard has something to tell. Every name is made up; there are no names of people at all.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

AREAS = ("Nord", "Syd", "Øst", "Vest")
KINDS = ("Børnehuset", "Vuggestuen", "Dagtilbud", "Naturbørnehaven", "Børnehaven")
WORDS = (
    "Solsikken", "Mælkebøtten", "Skovly", "Regnbuen", "Kastanjen", "Fyrtårnet", "Spiren",
    "Humlebien", "Troldebo", "Bakkely", "Æblehaven", "Havblik", "Mosebo", "Lærkereden",
    "Stjernen", "Egebo", "Bølgen", "Grantoppen", "Kløverbo", "Svalereden", "Birkely", "Marken",
    "Ugleredet", "Valmuen", "Pilehuset", "Snebolden", "Mariehønen", "Rønnebær", "Sneglehuset",
    "Engblommen", "Bækkely", "Skovsneglen", "Fuglereden", "Lyngbo", "Sandslottet", "Møllen",
    "Rosenhaven", "Tusindfryd", "Hasselbo", "Vibereden",
)
QUESTIONS = ("styrket_foraelderrolle", "ved_hvor_raad", "hjemmelaering_3x_ugen",
             "deltager_foraeldrefaellesskab")
PROFESSIONS = ("sundhedspleje", "tidlig_forebyggelse", "ppr_psykolog", "ppr_fysioterapeut",
               "ppr_tale_hoere")
STORIES = ("improving", "steady", "struggling")
INSTITUTIONS_PER_MUNICIPALITY = 40
CHILDREN_PER_INSTITUTION = 62
STAFF_PER_INSTITUTION = 11
TABLE_ORDER = (
    "org_unit", "child", "assessment", "relation_mapping", "counselling_session", "family_group",
    "family_group_session", "family_group_attendance", "staff", "staff_training",
    "parent_survey_answer", "cross_sector_meeting", "child_interview", "practice_self_assessment",
    "language_assessment", "resource_places", "support_placement",
)


@dataclass
class _Ids:
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


@dataclass(frozen=True)
class DemoSpec:
    scale: float = 1.0
    years: int = 3
    end: dt.date = dt.date(2026, 11, 15)  # data up to the autumn 2026 window
    seed: int = 20261123
    # With one municipality (scale <= 1): also the other programmes' fictional municipalities
    # under a national root (see ``OTHER_MUNICIPALITIES``). The Aabenraa-like one is unchanged.
    other_programmes: bool = True

    @property
    def start(self) -> dt.date:
        return dt.date(self.end.year - self.years + 1, 1, 1)

    @property
    def municipalities(self) -> int:
        return max(1, round(self.scale))

    @property
    def institutions_in_last(self) -> int:
        """Institutions in the last municipality (scale 0.25 gives a 10-institution store)."""
        whole = INSTITUTIONS_PER_MUNICIPALITY * self.scale
        if self.scale >= 1:
            return INSTITUTIONS_PER_MUNICIPALITY
        return max(4, round(whole))


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _clip(value: float, low: int = 1, high: int = 5) -> int:
    return int(min(high, max(low, round(value))))


def _progress(spec: DemoSpec, day: dt.date) -> float:
    """0 at the start of the data, 1 at the end: how far the programme has come."""
    return max(0.0, min(1.0, (day - spec.start).days / max(1, (spec.end - spec.start).days)))


def _effect(story: str, progress: float) -> float:
    """The programme's effect in an institution at a point in time, -1..1."""
    return {"improving": progress, "steady": 0.2 * progress, "struggling": -0.6 * progress}[story]


def _windows(spec: DemoSpec) -> list[tuple[dt.date, dt.date]]:
    """Assessment windows: spring (March-April) and autumn (September-October)."""
    out = []
    for year in range(spec.start.year, spec.end.year + 1):
        for first, last in ((dt.date(year, 3, 1), dt.date(year, 4, 30)),
                            (dt.date(year, 9, 1), dt.date(year, 10, 31))):
            if last <= spec.end:
                out.append((first, last))
    return out


def generate(spec: DemoSpec) -> Iterator[tuple[str, list[dict]]]:
    """Yield ``(table, rows)`` batches in foreign-key order, one municipality at a time."""
    rng = random.Random(spec.seed)
    ids = _Ids()
    national_id = None
    if spec.municipalities > 1:
        national_id = ids.next("org_unit")
        yield "org_unit", [dict(id=national_id, code="DK", name="Danmark (demo)",
                                level="national", parent_id=None, path=f"/{national_id}/")]
    elif spec.other_programmes:
        yield from _with_other_programmes(spec, rng, ids)
        return
    for m in range(spec.municipalities):
        yield from _municipality(spec, rng, ids, m, national_id)


def _municipality(spec: DemoSpec, rng: random.Random, ids: _Ids, index: int,
                  national_id: int | None) -> Iterator[tuple[str, list[dict]]]:
    tables = _municipality_tables(spec, rng, ids, index, national_id, {})
    for table in TABLE_ORDER:
        if tables[table]:
            yield table, tables[table]


def _municipality_tables(spec: DemoSpec, rng: random.Random, ids: _Ids, index: int,
                         national_id: int | None, stories: dict[int, str]
                         ) -> dict[str, list[dict]]:
    tables: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}
    single = spec.municipalities == 1
    muni_id = ids.next("org_unit")
    muni_code = "580" if single else f"K{index + 1:03d}"
    muni_path = (f"/{national_id}/" if national_id else "/") + f"{muni_id}/"
    tables["org_unit"].append(dict(
        id=muni_id, code=muni_code, level="municipality", parent_id=national_id, path=muni_path,
        name="Aabenraa Kommune (demo)" if single else f"Demokommune {index + 1}",
    ))
    last = index == spec.municipalities - 1
    n_inst = spec.institutions_in_last if last else INSTITUTIONS_PER_MUNICIPALITY
    windows = _windows(spec)
    for a, area in enumerate(AREAS):
        area_id = ids.next("org_unit")
        area_path = f"{muni_path}{area_id}/"
        tables["org_unit"].append(dict(
            id=area_id, code=f"{muni_code}-{area[0]}", name=f"Område {area}", level="area",
            parent_id=muni_id, path=area_path,
        ))
        for i in range(a, n_inst, len(AREAS)):
            inst_id = ids.next("org_unit")
            name = f"{KINDS[i % len(KINDS)]} {WORDS[i % len(WORDS)]}"
            tables["org_unit"].append(dict(
                id=inst_id, code=f"{muni_code}-{i + 1:03d}", name=name, level="institution",
                parent_id=area_id, path=f"{area_path}{inst_id}/",
            ))
            story = STORIES[rng.choices(range(3), weights=(4, 4, 2))[0]]
            stories[inst_id] = story
            _institution(spec, rng, ids, tables, inst_id, story, windows)
    return tables


def _institution(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
                 inst: int, story: str, windows: list[tuple[dt.date, dt.date]],
                 children_mean: int = CHILDREN_PER_INSTITUTION) -> None:
    vulnerable_rate = rng.uniform(0.08, 0.35)
    n_children = max(8, round(rng.gauss(children_mean, 12 * children_mean
                                        / CHILDREN_PER_INSTITUTION)))
    for _ in range(n_children):
        _child(spec, rng, ids, t, inst, story, vulnerable_rate, windows)
    _counselling(spec, rng, ids, t, inst, story)
    _family_groups(spec, rng, ids, t, inst, story)
    _staff(spec, rng, ids, t, inst, story)
    for year in range(spec.start.year, spec.end.year + 1):
        for month in (5, 11):
            day = dt.date(year, month, rng.randint(1, 14))
            if day <= spec.end:
                base = 2.6 + 1.8 * max(0.0, _effect(story, _progress(spec, day)))
                t["practice_self_assessment"].append(dict(
                    id=ids.next("practice_self_assessment"), institution_id=inst,
                    assessed_on=day, theme="tvaerfagligt_samarbejde",
                    score=_clip(rng.gauss(base, 0.6)),
                ))


def _child(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]], inst: int,
           story: str, vulnerable_rate: float, windows: list[tuple[dt.date, dt.date]]) -> None:
    child = ids.next("child")
    born = _day(rng, spec.start - dt.timedelta(days=6 * 365), spec.end - dt.timedelta(days=300))
    born = born.replace(day=1)
    enrolled = max(born + dt.timedelta(days=300), spec.start - dt.timedelta(days=rng.randint(0,
                                                                                         400)))
    leaves = born + dt.timedelta(days=int(5.9 * 365))
    vulnerable = rng.random() < vulnerable_rate
    t["child"].append(dict(
        id=child, code=f"B{child:07d}", birth_month=born, vulnerable=vulnerable,
        institution_id=inst, enrolled_on=enrolled, left_on=leaves if leaves <= spec.end else None,
    ))
    position = None
    for first, last in windows:
        day = _day(rng, first, last)
        if not (enrolled <= day <= leaves):
            continue
        effect = _effect(story, _progress(spec, day))
        position = _next_position(rng, position, vulnerable, effect)
        base = {"green": 4.0, "yellow": 3.0, "red": 2.0}[position] + 0.3 * effect
        t["assessment"].append(dict(
            id=ids.next("assessment"), child_id=child, institution_id=inst, assessed_on=day,
            position=position,
            **{f"score_{area}": _clip(rng.gauss(base, 0.7))
               for area in ("cognitive", "emotional", "social", "physical")},
        ))
        if position != "green" and rng.random() < 0.55 + 0.35 * max(0.0, effect):
            invited = rng.random() < 0.86 + 0.12 * max(0.0, effect)
            present = invited and rng.random() < 0.85
            t["cross_sector_meeting"].append(dict(
                id=ids.next("cross_sector_meeting"), child_id=child, institution_id=inst,
                held_on=min(spec.end, day + dt.timedelta(days=rng.randint(3, 45))),
                n_professions=rng.randint(2, 4), parents_invited=invited,
                parents_present=present,
                plan_agreed=present and rng.random() < 0.55 + 0.4 * max(0.0, effect),
            ))
        if day.month >= 9:
            _yearly_child_data(spec, rng, ids, t, inst, child, born, day, position, vulnerable,
                               effect)


def _next_position(rng: random.Random, previous: str | None, vulnerable: bool,
                   effect: float) -> str:
    if previous is None:
        green = (0.62 if vulnerable else 0.86) + 0.08 * effect
        red = 0.08 if vulnerable else 0.02
        roll = rng.random()
        return "green" if roll < green else ("red" if roll > 1 - red else "yellow")
    if previous == "green":
        to_yellow = (0.16 if vulnerable else 0.06) - 0.05 * effect
        to_red = 0.015
        roll = rng.random()
        return "yellow" if roll < to_yellow else ("red" if roll < to_yellow + to_red else "green")
    if previous == "yellow":
        to_green = (0.38 if vulnerable else 0.48) + 0.28 * effect
        to_red = max(0.02, 0.12 - 0.08 * effect)
        roll = rng.random()
        return "green" if roll < to_green else ("red" if roll < to_green + to_red else "yellow")
    roll = rng.random()
    return "yellow" if roll < 0.35 + 0.15 * effect else ("green" if roll > 0.9 else "red")


def _yearly_child_data(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
                       inst: int, child: int, born: dt.date, day: dt.date, position: str,
                       vulnerable: bool, effect: float) -> None:
    """Autumn: relationship mapping, the child interview (age 4-5) and the parent survey."""
    good = {"green": 0.85, "yellow": 0.62, "red": 0.42}[position] + 0.12 * effect
    mutual = rng.random() < good
    t["relation_mapping"].append(dict(
        id=ids.next("relation_mapping"), child_id=child, institution_id=inst,
        mapped_on=day + dt.timedelta(days=7),
        has_close_adult=rng.random() < good + 0.12,
        best_friendship_rating=_clip(rng.gauss(4.2 if mutual else 2.6, 0.6)),
        mutual_play_relation=mutual,
    ))
    age_years = (day - born).days / 365.25
    if age_years >= 4:
        p_yes = (0.72 if not vulnerable else 0.55) + 0.15 * effect
        roll = rng.random()
        t["child_interview"].append(dict(
            id=ids.next("child_interview"), child_id=child, institution_id=inst,
            interviewed_on=day + dt.timedelta(days=14),
            feels_important=3 if roll < p_yes else (2 if roll < p_yes + 0.2 else 1),
        ))
    if rng.random() < 0.7:  # response rate
        answered = day + dt.timedelta(days=21)
        for q, question in enumerate(QUESTIONS):
            mean = 3.6 + (0.0 if not vulnerable else -0.4) + 0.6 * effect - 0.25 * (q == 3)
            t["parent_survey_answer"].append(dict(
                id=ids.next("parent_survey_answer"), child_id=child, institution_id=inst,
                answered_on=answered, question=question, answer=_clip(rng.gauss(mean, 0.9)),
            ))


def _counselling(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
                 inst: int, story: str) -> None:
    month = dt.date(spec.start.year, spec.start.month, 1)
    while month <= spec.end:
        effect = _effect(story, _progress(spec, month))
        for first_day, last_day in ((3, 13), (16, 27)):
            if rng.random() < 0.35 + 0.3 * effect:
                day = month.replace(day=rng.randint(first_day, last_day))
                if day > spec.end:
                    continue
                professions = rng.sample(PROFESSIONS, rng.choices((1, 2, 3), weights=(
                    4 - 2 * max(0.0, effect), 4, 2))[0])
                t["counselling_session"].append(dict(
                    id=ids.next("counselling_session"), institution_id=inst, held_on=day,
                    professions=",".join(sorted(professions)), n_professions=len(professions),
                    staff_consultations=rng.randint(0, 5),
                    parent_consultations=_clip(rng.gauss(1.2 + 0.8 * effect, 1), 0, 6),
                ))
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _family_groups(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
                   inst: int, story: str) -> None:
    for year in range(spec.start.year, spec.end.year + 1):
        for start_month in (2, 9):
            start = dt.date(year, start_month, rng.randint(1, 20))
            effect = _effect(story, _progress(spec, start))
            if start > spec.end or rng.random() > 0.45 + 0.3 * effect:
                continue
            group = ids.next("family_group")
            planned = rng.randint(6, 8)
            t["family_group"].append(dict(
                id=group, code=f"FG{group:06d}", institution_id=inst, started_on=start,
                planned_sessions=planned,
            ))
            families = [f"F{group:06d}-{k + 1}" for k in range(rng.randint(5, 9))]
            keen = {f: rng.uniform(0.45, 0.95) + 0.1 * effect for f in families}
            for s in range(planned):
                held = start + dt.timedelta(days=14 * s)
                if held > spec.end:
                    break
                session = ids.next("family_group_session")
                t["family_group_session"].append(dict(id=session, group_id=group, held_on=held))
                for family in families:
                    t["family_group_attendance"].append(dict(
                        id=ids.next("family_group_attendance"), session_id=session,
                        family_code=family, present=rng.random() < keen[family],
                    ))


def _staff(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
           inst: int, story: str) -> None:
    # The institution joins the competence programme at some point (struggling ones late).
    delay = {"improving": 0.0, "steady": 0.3, "struggling": 0.6}[story] + rng.uniform(0, 0.3)
    programme_start = spec.start + dt.timedelta(days=int(delay * (spec.end - spec.start).days))
    for _ in range(max(4, round(rng.gauss(STAFF_PER_INSTITUTION, 2)))):
        staff = ids.next("staff")
        employed_from = _day(rng, spec.start - dt.timedelta(days=3000), spec.end)
        leaves = rng.random() < 0.25
        t["staff"].append(dict(
            id=staff, code=f"M{staff:07d}", institution_id=inst,
            role=rng.choice(("paedagog", "paedagog", "paedagogmedhjaelper", "dagplejer")),
            employed_from=employed_from,
            employed_to=_day(rng, employed_from, spec.end) if leaves else None,
        ))
        if rng.random() > 0.85:
            continue  # not (yet) enrolled in the programme
        first = max(programme_start, employed_from) + dt.timedelta(days=rng.randint(0, 120))
        days = [("uddannelsesdag", k) for k in range(6)] + [("aktionslaering", k) for k in range(5)]
        for n, (kind, _k) in enumerate(days):
            held = first + dt.timedelta(days=30 * n + rng.randint(0, 6))
            if held > spec.end or rng.random() < 0.04:
                continue
            t["staff_training"].append(dict(
                id=ids.next("staff_training"), staff_id=staff, held_on=held, kind=kind,
                self_assessment=_clip(rng.gauss(2.8 + 0.12 * n, 0.6)) if kind ==
                "uddannelsesdag" else None,
            ))


# --- The other programmes' municipalities (national level) ------------------------------------


@dataclass(frozen=True)
class OtherMunicipality:
    """A small fictional municipality for another programme (sizes keep the demo build fast)."""

    code: str
    name: str
    areas: tuple[str, ...]
    institutions: int
    children: int  # mean per institution
    words: tuple[str, ...]  # daycare names, unique in the whole demo
    window: tuple[int, int] | None = None  # (first, last) year of data; None = the spec's
    themes: bool = False  # Socialstyrelsen's four themes assessed per daycare
    resource_places: bool = False  # Aalborg's resource places and support placements


OTHER_MUNICIPALITIES = (
    OtherMunicipality("167", "Hvidovre Kommune (demo)", ("Hvidovre Nord", "Hvidovre Syd"), 6, 26,
                      ("Ankeret", "Brobyggeren", "Citronhuset", "Delfinen", "Elverhøjen",
                       "Fregatten")),
    OtherMunicipality("851", "Aalborg Kommune (demo)",
                      ("Aalborg Øst", "Aalborg Vest", "Aalborg Midt", "Aalborg Syd"), 16, 26,
                      ("Limfjorden", "Skansen", "Hasseris Have", "Vejgårdhuset", "Gug Bakke",
                       "Nørresundby Hus", "Lindholm", "Vestbyen", "Hornbæk Huset", "Østparken",
                       "Klarup Kilde", "Svenstrup Eng", "Visse Skov", "Hals Strand",
                       "Vodskov Vænge", "Sulsted Stien"),
                      resource_places=True),
    OtherMunicipality("901", "Fjordby Kommune (demo)", ("Fjordby By",), 5, 24,
                      ("Fjordperlen", "Sildebenet", "Tangloppen", "Kuttern", "Fyrskibet"),
                      window=(2016, 2019), themes=True),
    OtherMunicipality("902", "Skovlund Kommune (demo)", ("Skovlund By",), 5, 24,
                      ("Egekronen", "Bøgelyset", "Hjortespringet", "Mosekonen", "Rævegraven"),
                      window=(2016, 2019), themes=True),
    OtherMunicipality("903", "Havnsø Kommune (demo)", ("Havnsø By",), 5, 24,
                      ("Kajen", "Ankerpladsen", "Molen", "Bølgebryderen", "Slusen"),
                      window=(2016, 2019), themes=True),
)
SOCIALSTYRELSEN_THEMES = ("ledelse_data", "laeringsmiljoe", "foraeldresamarbejde")


def _with_other_programmes(spec: DemoSpec, rng: random.Random,
                           ids: _Ids) -> Iterator[tuple[str, list[dict]]]:
    """The Aabenraa-like municipality exactly as on its own (same ids and random draws), then
    the other programmes' municipalities, all under a national root."""
    stories: dict[int, str] = {}
    main = _municipality_tables(spec, rng, ids, 0, None, stories)
    national_id = ids.next("org_unit")
    for unit in main["org_unit"]:
        unit["path"] = f"/{national_id}{unit['path']}"
        if unit["parent_id"] is None:
            unit["parent_id"] = national_id
    yield "org_unit", [dict(id=national_id, code="DK", name="Danmark (demo)", level="national",
                            parent_id=None, path=f"/{national_id}/")]
    _language(spec, random.Random(spec.seed + 1), ids, main, stories)
    for table in TABLE_ORDER:
        if main[table]:
            yield table, main[table]
    for k, other in enumerate(OTHER_MUNICIPALITIES):
        tables = _other_municipality(spec, random.Random(spec.seed + 10 + k), ids, other,
                                     national_id)
        for table in TABLE_ORDER:
            if tables[table]:
                yield table, tables[table]


def _other_municipality(spec: DemoSpec, rng: random.Random, ids: _Ids, other: OtherMunicipality,
                        national_id: int) -> dict[str, list[dict]]:
    if other.window:
        first, last = other.window
        spec = dataclasses.replace(spec, end=dt.date(last, 11, 15), years=last - first + 1)
    tables: dict[str, list[dict]] = {name: [] for name in TABLE_ORDER}
    stories: dict[int, str] = {}
    muni_id = ids.next("org_unit")
    muni_path = f"/{national_id}/{muni_id}/"
    tables["org_unit"].append(dict(id=muni_id, code=other.code, name=other.name,
                                   level="municipality", parent_id=national_id, path=muni_path))
    windows = _windows(spec)
    for a, area in enumerate(other.areas):
        area_id = ids.next("org_unit")
        area_path = f"{muni_path}{area_id}/"
        tables["org_unit"].append(dict(id=area_id, code=f"{other.code}-{area.split()[-1][0]}",
                                       name=area, level="area", parent_id=muni_id,
                                       path=area_path))
        for i in range(a, other.institutions, len(other.areas)):
            inst_id = ids.next("org_unit")
            tables["org_unit"].append(dict(
                id=inst_id, code=f"{other.code}-{i + 1:03d}", level="institution",
                name=f"{KINDS[i % len(KINDS)]} {other.words[i]}", parent_id=area_id,
                path=f"{area_path}{inst_id}/"))
            story = STORIES[rng.choices(range(3), weights=(4, 4, 2))[0]]
            stories[inst_id] = story
            _institution(spec, rng, ids, tables, inst_id, story, windows,
                         children_mean=other.children)
    _language(spec, rng, ids, tables, stories)
    if other.themes:
        _themes(spec, rng, ids, tables, stories)
    if other.resource_places:
        _resource_places(spec, rng, ids, tables, stories)
    return tables


def _language(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
              stories: dict[int, str]) -> None:
    """Sprogvurdering at age 3 (and again at 5 for a few): generel / fokuseret / særlig."""
    for kid in t["child"]:
        story = stories[kid["institution_id"]]
        for age in (3, 5):
            day = kid["birth_month"] + dt.timedelta(days=int(365.25 * age) + rng.randint(0, 150))
            left = kid["left_on"] or spec.end
            if not (spec.start <= day <= spec.end and kid["enrolled_on"] <= day <= left):
                continue
            if age == 5 and rng.random() > 0.6:
                continue
            effect = _effect(story, _progress(spec, day))
            generel = (0.72 if kid["vulnerable"] else 0.89) + 0.1 * effect
            roll = rng.random()
            group = ("generel" if roll < generel
                     else "saerlig" if roll > 1 - (0.1 if kid["vulnerable"] else 0.03)
                     else "fokuseret")
            t["language_assessment"].append(dict(
                id=ids.next("language_assessment"), child_id=kid["id"],
                institution_id=kid["institution_id"], assessed_on=day, age_years=age,
                language_group=group))


def _themes(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
            stories: dict[int, str]) -> None:
    """Socialstyrelsen's themes, assessed per daycare each May and November."""
    for inst, story in stories.items():
        for year in range(spec.start.year, spec.end.year + 1):
            for month in (5, 11):
                day = dt.date(year, month, rng.randint(1, 14))
                if day > spec.end:
                    continue
                base = 2.7 + 1.7 * max(0.0, _effect(story, _progress(spec, day)))
                for theme in SOCIALSTYRELSEN_THEMES:
                    t["practice_self_assessment"].append(dict(
                        id=ids.next("practice_self_assessment"), institution_id=inst,
                        assessed_on=day, theme=theme, score=_clip(rng.gauss(base, 0.7))))


def _resource_places(spec: DemoSpec, rng: random.Random, ids: _Ids, t: dict[str, list[dict]],
                     stories: dict[int, str]) -> None:
    """Aalborg: resource places in 10 daycares, spread to 15 during the data, and support
    placements for children in red (some in yellow): locally or in a special offer."""
    institutions = sorted(stories)
    opened: dict[int, dt.date] = {}
    for k, inst in enumerate(institutions[:15]):
        if k < 10:
            start = dt.date(2020, 8, 1)
        else:  # the spread from 10 to 15, over the data's span
            start = spec.start + (spec.end - spec.start) * (k - 8) / 7
        opened[inst] = start
        t["resource_places"].append(dict(
            id=ids.next("resource_places"), institution_id=inst, places=rng.randint(3, 5),
            valid_from=start, valid_to=None))
    placed: set[int] = set()
    left_on = {kid["id"]: kid["left_on"] for kid in t["child"]}
    for row in sorted(t["assessment"], key=lambda r: r["assessed_on"]):
        kid = row["child_id"]
        wanted = {"red": 0.7, "yellow": 0.12}.get(row["position"], 0.0)
        if kid in placed or rng.random() >= wanted:
            continue
        placed.add(kid)
        start = row["assessed_on"] + dt.timedelta(days=rng.randint(20, 60))
        if start > spec.end:
            continue
        inst = row["institution_id"]
        local = 0.5 + 0.3 * _progress(spec, start)
        if rng.random() < local:
            has_places = inst in opened and opened[inst] <= start
            offer = "ressourceplads" if has_places else "lokal_stoette"
        else:
            offer = "specialtilbud"
        t["support_placement"].append(dict(
            id=ids.next("support_placement"), child_id=kid, institution_id=inst, offer=offer,
            placed_from=start, placed_to=left_on[kid]))
