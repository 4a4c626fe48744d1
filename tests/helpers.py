"""What several test modules share: the shipped inputs, readers of built pages, the attacker's
solvers of disclosure control, test data writers. Plain constants and functions; the fixtures
are in ``conftest.py``. Test modules import from here, never from one another."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import itertools
import re
import tempfile
from functools import partial
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from bs4 import BeautifulSoup
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from analysis.chapters import CHAPTERS
from analysis.chapters.cohort import extract
from analysis.chapters.cohort import page as cohort_page
from analysis.chapters.cohort.chapter import CohortResults
from analysis.chapters.cohort.data import DEFAULT_PLAN, load, persons_schema
from analysis.core import display
from analysis.core.display import FigureFolder
from analysis.core.identifiers import FNR_WEIGHTS_1, FNR_WEIGHTS_2
from analysis.core.problems import InputError, Message, Notes, Problem
from analysis.core.settings import LANGS, PHONE_FIGURE_SUFFIX, SUPPRESS_BELOW, Engine
from analysis.core.validation import validate_frame
from analysis.generators import register as generator

FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED_DATA = FIXTURES / "shipped-data"


class Shipped:
    """The shipped data of each chapter as its loader returns them, and the chapter's results
    on them per set of parameters, each made once on first use and shared by the tests (which
    must not change them)."""

    def __init__(self) -> None:
        self._data: dict[str, object] = {}
        self._results: dict[tuple, object] = {}

    def data(self, chapter: str) -> object:
        """``chapter``'s shipped data, loaded and validated."""
        if chapter not in self._data:
            loader = importlib.import_module(f"analysis.chapters.{chapter}.data")
            self._data[chapter] = loader.load(SHIPPED_DATA)
        return self._data[chapter]

    def results(self, chapter: str, **parameters: object) -> object:
        """``chapter``'s ``analyse()`` of its shipped data with ``parameters`` (made once for
        every spelling of the same parameters: a default given or left out)."""
        analyse = CHAPTERS[chapter].module().analyse
        bound = inspect.signature(analyse).bind_partial(**parameters)
        bound.apply_defaults()
        key = (chapter, *sorted(bound.arguments.items()))
        if key not in self._results:
            self._results[key] = analyse(self.data(chapter), **parameters)
        return self._results[key]


def article_text(page: Path, separator: str = " ") -> str:
    """The article of a built page as a reader meets it: its text and the alt texts of its
    images, without the code cells; runs of spaces and line breaks read as one space (the
    no-break and thin spaces of the number style stay). ``separator`` joins the texts of
    neighbouring elements ("" keeps inline markup such as ``<code>x</code>:`` as read)."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article") or soup
    for tag in article.select("div.cell_input, script, style"):
        tag.decompose()
    texts = [
        article.get_text(separator),
        *(image.get("alt", "") for image in article.select("img")),
    ]
    return re.sub(r"[ \t\r\n]+", " ", " ".join(texts))


# The thresholds the output-checking issue's attacks run at: the default in `make test-fast`,
# all three in `make test`.
THRESHOLDS = (
    SUPPRESS_BELOW,
    *(pytest.param(threshold, marks=pytest.mark.slow) for threshold in (10, 20)),
)


# --- foreign cohorts ---

FOREIGN_N, FOREIGN_PROGRAMMES, FOREIGN_WITHOUT_TYPE = 1500, 20, 10


def foreign_cohort(seed: int = 2024) -> pd.DataFrame:
    """A cohort unlike the shipped one, as written to CSV: 1,500 employees in 20 programmes,
    a coordinator hazard ratio of 1.3, coordinators a little more common in the slow programme
    types, ten employees without a programme type, no household income column, fewer category
    levels (``test_cohort_foreign``; with a competing outcome, ``competing_cohort``)."""
    rng = np.random.default_rng(seed)
    kinds = np.array(
        ["occupational_rehabilitation"] * 10 + ["treatment"] * 6 + ["follow_up"] * 4, dtype=object
    )
    programme = rng.integers(0, FOREIGN_PROGRAMMES, FOREIGN_N)
    kind = kinds[programme]
    rate = {"treatment": 1 / 50, "occupational_rehabilitation": 1 / 140, "follow_up": 1 / 300}
    share = {"treatment": 0.45, "occupational_rehabilitation": 0.5, "follow_up": 0.55}
    coordinator = rng.uniform(size=FOREIGN_N) < pd.Series(kind).map(share).to_numpy()
    hazard = pd.Series(kind).map(rate).to_numpy() * np.where(coordinator, 1.3, 1.0)
    first = np.ceil(rng.exponential(1 / hazard))
    full = first + np.where(
        rng.uniform(size=FOREIGN_N) < 0.4, 0, np.ceil(rng.exponential(45, FOREIGN_N))
    )
    frame = pd.DataFrame(
        {
            "id": [f"X{i:05d}" for i in range(FOREIGN_N)],
            "programme_id": [f"K{p + 1:02d}" for p in programme],
            "coordinator": np.where(coordinator, "yes", "no"),
            "programme_type": kind,
        }
    )
    frame.loc[rng.choice(FOREIGN_N, FOREIGN_WITHOUT_TYPE, replace=False), "programme_type"] = ""
    for name, days in (("first", first), ("full", full)):
        event = days <= 400
        frame[f"days_to_{name}_rtw"] = np.where(event, days, 400).astype(int)
        frame[f"{name}_rtw"] = event.astype(int)

    def draw(levels: list[str], missing: float = 0.0) -> np.ndarray:
        values = rng.choice(levels, FOREIGN_N).astype(object)
        values[rng.uniform(size=FOREIGN_N) < missing] = ""
        return values

    frame["sex"] = draw(["female", "male"])
    frame["age"] = rng.integers(20, 67, FOREIGN_N)
    frame["marital_status"] = draw(["partner", "no_partner"], 0.01)
    frame["education"] = draw(["elementary", "upper_secondary", "university_short"], 0.02)
    frame["diagnosis"] = draw(["musculoskeletal", "psychiatric", "other"])
    for symptom in ("pain_rest", "pain_activity", "depressive_mood", "anxiety"):
        frame[symptom] = draw(["yes", "no"], 0.02)
    frame["prior_sick_leave"] = draw(["yes", "no"])
    frame["sector"] = draw(["public", "private"], 0.03)
    return frame


COMPETING_INPUT = FIXTURES.parent / "reference" / "competing_chapter_input.csv"
COMPETING_END = 400
COMPETING_STUDY = """\
outcomes:
  first_rtw:
    rmst: {}
competing_outcomes:
  leaving_sick_leave:
    name: {en: return to work, nb: tilbakeføring til arbeid}
    direction: beneficial
    time: days_to_end
    event_type: end_type
    codes:
      event: rtw
      censored: censored
      competing:
        - {code: aap, name: {en: work assessment allowance, nb: arbeidsavklaringspenger}}
        - {code: uforetrygd, name: {en: disability pension, nb: uføretrygd}}
    times: [30, 90, 180, 270, 360]
    rmst: {horizon_days: 180}
"""
# The columns R reads (the outcome columns as written, before the chapter's follow-up).
COMPETING_R_COLUMNS = ["coordinator", "days_to_first_rtw", "first_rtw", "days_to_end", "end_type"]


def competing_cohort(seed: int = 21) -> pd.DataFrame:
    """The foreign cohort with a competing outcome: ``days_to_end`` and ``end_type``, the first
    of a return to work (``rtw``, the first RTW), a work assessment allowance (``aap``, more
    often without a coordinator), a disability pension (``uforetrygd``, rare: few persons per
    step) and censoring (``censored``) at day 400. ``tests/reference/competing_chapter.R``
    reads its ``COMPETING_R_COLUMNS`` (``write_competing_reference_input``)."""
    frame = foreign_cohort()
    rng = np.random.default_rng(seed)
    n = len(frame)
    with_coordinator = (frame["coordinator"] == "yes").to_numpy()
    returned = np.where(frame["first_rtw"] == 1, frame["days_to_first_rtw"].to_numpy(float), np.inf)
    aap = np.ceil(rng.exponential(np.where(with_coordinator, 1400.0, 700.0)))
    disability = np.ceil(rng.exponential(6000.0, n))
    days = np.minimum.reduce([returned, aap, disability, np.full(n, float(COMPETING_END))])
    kind = np.select(
        [days == returned, days == aap, days == disability],
        ["rtw", "aap", "uforetrygd"],
        default="censored",
    )
    return frame.assign(days_to_end=days.astype(int), end_type=kind)


def write_competing_reference_input() -> None:
    """Write the columns R reads (run once when the generator changes, then the R script)."""
    competing_cohort()[COMPETING_R_COLUMNS].to_csv(COMPETING_INPUT, index=False)


class _Texts(HTMLParser):
    """The text pieces of a piece of markup (what ``BeautifulSoup(...).get_text(" ")`` gives,
    without building a tree: page tests read thousands of cells)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []

    def handle_data(self, data: str) -> None:
        self.pieces.append(data)


# An inline style: no text, but most of the characters of a table's markup (dropped unparsed).
_STYLE = re.compile(r' style="[^"<>]*"')


def markup_text(markup: str) -> str:
    """The text of ``markup`` (HTML or Markdown with HTML in it), its pieces joined by a space."""
    parser = _Texts()
    parser.feed(_STYLE.sub("", markup))
    parser.close()
    return " ".join(parser.pieces)


# --- pages ---


def figures_undrawn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Figures keep their captions and alt texts but are not drawn (each leaves an empty file):
    for tests of a page's text, where drawing would take most of the time. The slow tests draw
    every figure."""

    def touch(_draw: object, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", PHONE_FIGURE_SUFFIX):
            path.with_stem(f"{path.stem}{suffix}").touch()

    monkeypatch.setattr(display, "draw_renditions", touch)


def cohort_page_text(
    results: CohortResults,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    figure_folder: FigureFolder | None = None,
) -> str:
    """Every cell of the cohort page in ``lang``, and every glued text, as text; the figures
    are drawn into ``figure_folder`` if one is given, else not drawn (captions and alt texts
    are made either way)."""
    if figure_folder is None:
        figures_undrawn(monkeypatch)
    texts = []
    monkeypatch.setattr(
        display,
        "glue",
        lambda _name, value, display=False: texts.append(str(getattr(value, "data", value))),
    )
    with tempfile.TemporaryDirectory() as folder:
        figure_folder = figure_folder or FigureFolder(folder)
        for cell in (
            cohort_page.opening,
            cohort_page.employees,
            partial(cohort_page.time_to_rtw, figure_folder=figure_folder),
            cohort_page.cox,
            partial(cohort_page.proportional_hazards, figure_folder=figure_folder),
            partial(cohort_page.programme_types, figure_folder=figure_folder),
            partial(cohort_page.declared_analyses, figure_folder=figure_folder),
            cohort_page.reproduction_section,
        ):
            for shown in cell(results, lang):
                body = getattr(shown, "data", "")
                texts.append(markup_text(str(body)))
    return "\n".join(texts)


# --- an attacker's solver of disclosure control, independent of the module ---


def attack_one_way(shown: list[int | None], total: int) -> dict[int, tuple[float, float]]:
    """Least and greatest value of each hidden cell given the shown cells and the total (LP),
    checked against every whole-number completion when the table is small."""
    hidden = [i for i, value in enumerate(shown) if value is None]
    rest = total - sum(value for value in shown if value is not None)
    ranges = {}
    for position, cell in enumerate(hidden):
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(hidden))
            objective[position] = sign
            solved = linprog(
                objective, A_eq=np.ones((1, len(hidden))), b_eq=[rest], bounds=(0, None)
            )
            assert solved.status == 0
            bounds.append(sign * solved.fun)
        ranges[cell] = (bounds[0], bounds[1])
    if hidden and len(hidden) <= 4 and rest <= 40:
        completions = [  # the last hidden cell is what the others leave of the rest
            (*values, rest - sum(values))
            for values in itertools.product(range(rest + 1), repeat=len(hidden) - 1)
            if sum(values) <= rest
        ]
        for position, cell in enumerate(hidden):
            values = [completion[position] for completion in completions]
            assert (min(values), max(values)) == pytest.approx(ranges[cell])
    return ranges


def attack_two_way(shown: pd.DataFrame, grand: int) -> dict[tuple, tuple[float, float]]:
    """Whole-number least and greatest value (MILP) of each hidden cell or total of a two-way
    table published as ``shown``: cells, a ``total`` column and a ``total`` row (None = hidden)."""
    rows = [r for r in shown.index if r != "total"]
    cols = [c for c in shown.columns if c != "total"]
    names = [key for key in itertools.product(shown.index, shown.columns) if key != ("total",) * 2]
    hidden = [key for key in names if shown.loc[key] is None or pd.isna(shown.loc[key])]
    index = {key: i for i, key in enumerate(hidden)}

    def value(key):
        return grand if key == ("total", "total") else shown.loc[key]

    # (parts, their total)
    equations = [([(r, c) for c in cols], (r, "total")) for r in rows]
    equations += [([(r, c) for r in rows], ("total", c)) for c in cols]
    equations += [([(r, "total") for r in rows], ("total", "total"))]
    equations += [([("total", c) for c in cols], ("total", "total"))]
    matrix, rhs = [], []
    for parts, total in equations:
        row, known = np.zeros(len(hidden)), 0.0
        for key, sign in [*((part, 1) for part in parts), (total, -1)]:
            if key in index:
                row[index[key]] += sign
            else:
                known += sign * value(key)
        if row.any():
            matrix.append(row)
            rhs.append(-known)
        else:
            assert known == 0, "the published table contradicts itself"
    constraints = [LinearConstraint(np.array(matrix), rhs, rhs)] if matrix else []
    ranges = {}
    for key, position in index.items():
        bounds = []
        for sign in (1, -1):
            objective = np.zeros(len(hidden))
            objective[position] = sign
            solved = milp(
                objective,
                constraints=constraints,
                integrality=np.ones(len(hidden)),
                bounds=Bounds(0, grand),
            )
            assert solved.status == 0
            bounds.append(sign * solved.fun)
        ranges[key] = (bounds[0], bounds[1])
    return ranges


def check_rule(ranges: dict, sensitive: set, threshold: int) -> None:
    """The protection rule: a sensitive cell may be 0 and may be ``threshold`` or more; no
    hidden cell is pinned to one value."""
    for key, (low, high) in ranges.items():
        assert high - low >= 1, (key, low, high)
        if key in sensitive:
            assert low == 0 and high >= threshold, (key, low, high)


# --- identifiers ---


def control_digits(nine: str) -> str | None:
    """The fødselsnummer with valid control digits for ``nine`` digits (None if none exist)."""
    digits = [int(c) for c in nine]
    for weights in (FNR_WEIGHTS_1, FNR_WEIGHTS_2):
        control = (11 - sum(w * d for w, d in zip(weights, digits, strict=False)) % 11) % 11
        if control == 10:
            return None
        digits.append(control)
    return "".join(map(str, digits))


FNR = next(f for s in range(100, 999) if (f := control_digits(f"030570{s}")))


# --- a foreign review (meta-analysis chapter) ---

_COUNTS = ("events_intervention", "n_intervention", "events_control", "n_control")
# More people still on sick leave with the intervention (harmful outcome: favours control);
# Delta 2018 has no events in either arm.
REVIEW_STUDIES = {
    "sl": [
        ("Alpha 2015", 30, 50, 20, 50),
        ("Beta 2016", 25, 40, 18, 42),
        ("Gamma 2017", 40, 70, 30, 68),
        ("Delta 2018", 0, 20, 0, 22),
    ],
    "dp": [
        ("Epsilon 2019", 6, 100, 4, 100),
        ("Zeta 2020", 5, 80, 3, 85),
        ("Eta 2021", 7, 120, 6, 118),
    ],
}
REVIEW_ANALYSES = [
    {
        "analysis_id": "sl",
        "comparison_id": "graded_activity",
        "comparison_en": "Graded activity vs usual care",
        "comparison_nb": "Gradert aktivitet mot vanlig praksis",
        "outcome_en": "Still on sick leave",
        "outcome_nb": "Fortsatt sykmeldt",
        "follow_up_months": "",
        "control_risk_per_100": "40",
        "direction": "harmful",
        "certainty": "low",
        "risk_of_bias_note_en": "Open-label trials only (note Q7)",
        "risk_of_bias_note_nb": "Bare åpne studier (note Q7)",
    },
    {
        "analysis_id": "dp",
        "comparison_id": "case_management",
        "comparison_en": "Case management vs waiting list",
        "comparison_nb": "Oppfølging mot venteliste",
        "outcome_en": "Disability pension",
        "outcome_nb": "Uføretrygd",
        "follow_up_months": "",
        "control_risk_per_100": "5",
        "direction": "harmful",
        "certainty": "moderate",
    },
]
_JUDGEMENTS = {
    "risk_of_bias": "serious",
    "inconsistency": "not_serious",
    "indirectness": "not_serious",
    "imprecision": "not_serious",
    "publication_bias": "not_serious",
}


def write_review(
    data_dir: Path,
    studies: dict[str, list[tuple]] = REVIEW_STUDIES,
    analyses: list[dict[str, str]] = REVIEW_ANALYSES,
) -> Path:
    """A review's two required files (nothing else); by default the small review's."""
    folder = data_dir / "meta"
    folder.mkdir(parents=True)
    frame = pd.DataFrame(
        [
            {
                "analysis_id": analysis_id,
                "study": study,
                "year": study[-4:],
                **dict(zip(_COUNTS, counts, strict=True)),
                "follow_up_months": "",
                "source": "primary",
            }
            for analysis_id, rows in studies.items()
            for study, *counts in rows
        ]
    )
    frame.to_csv(folder / "studies.csv", index=False)
    notes = {
        f"{domain}_note_{lang}": ""
        for domain in _JUDGEMENTS
        for lang in LANGS
        if domain != "risk_of_bias"
    }
    table = pd.DataFrame([{**_JUDGEMENTS, **notes, **row} for row in analyses]).fillna("")
    table.to_csv(folder / "analyses.csv", index=False)
    return data_dir


# Register extracts (tests/test_register.py, tests/test_register_spark.py)
DAY0 = dt.date(2020, 1, 1)


# What the chapter's statistics need of a register extract, collapsed in the engine.
def random_register(seed: int, persons: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Small persons and spells tables with the patterns that matter: graded leave, gaps of a
    few days, recurrent spells, competing benefits, deaths, spells ending before entry."""
    rng = np.random.default_rng(seed)
    people, rows = [], []
    for i in range(persons):
        entry = DAY0 + dt.timedelta(days=int(rng.integers(0, 30)))
        death = entry + dt.timedelta(days=int(rng.integers(1, 60))) if rng.random() < 0.1 else None
        people.append({"id": f"p{i}", "entry_date": entry, "death_date": death})
        day = entry - dt.timedelta(days=int(rng.integers(0, 4)))
        for _ in range(int(rng.integers(1, 6))):
            length = int(rng.integers(1, 25))
            benefit = rng.choice(extract.BENEFITS, p=[0.8, 0.15, 0.05])
            grade = int(rng.choice([100, 100, 50, 20]))
            rows.append(
                {
                    "id": f"p{i}",
                    "start": day,
                    "end": day + dt.timedelta(days=length - 1),
                    "grade": grade,
                    "benefit": str(benefit),
                }
            )
            day += dt.timedelta(days=length + int(rng.choice([0, 0, 1, 2, 3, 8])))
    return pd.DataFrame(people), pd.DataFrame(rows)


# A register extract's description: a sustainable return, and competing ends derived for the
# chapter's competing-outcomes section (emigration competing).
REGISTER_STUDY = """\
spells:
  sustainable_days: 60
  ends: {event: sustainable_rtw, emigration: competing}
competing_outcomes:
  leaving_sick_leave:
    name: {en: sustainable return to work, nb: varig tilbakeføring til arbeid}
    direction: beneficial
    time: days_to_end
    event_type: end_type
    codes:
      event: rtw
      censored: censored
      competing:
        - {code: work_assessment_allowance,
           name: {en: work assessment allowance, nb: arbeidsavklaringspenger}}
        - {code: disability_pension, name: {en: disability pension, nb: uføretrygd}}
        - {code: emigration, name: {en: emigration, nb: utvandring}}
    times: [90, 180, 360]
"""


def write_register(folder, persons: pd.DataFrame, spells: pd.DataFrame, kind: str) -> None:
    (folder / "register").mkdir(parents=True)
    persons.to_csv(folder / "register" / "persons.csv", index=False)
    if kind == "csv":
        spells.to_csv(folder / "register" / "spells.csv", index=False)
    else:
        parts = folder / "register" / "spells"
        parts.mkdir()
        half = len(spells) // 2
        spells.iloc[:half].to_parquet(parts / "part-0.parquet")
        spells.iloc[half:].to_parquet(parts / "part-1.parquet")


def assert_bad_spells_named(tmp_path, kind: str, engine: Engine) -> None:
    """Bad spells written as ``kind`` (csv, or parquet partitions) stop ``engine``'s check,
    each named by its file, row and fix."""
    persons, spells = random_register(1, persons=8)
    spells = spells.sort_values(["id", "start"]).reset_index(drop=True)
    bad = spells.copy()
    bad.loc[0, "end"] = bad.loc[0, "start"] - dt.timedelta(days=1)
    bad.loc[1, "grade"] = 120
    bad.loc[2, "benefit"] = "pension"
    bad.loc[3, ["grade", "benefit"]] = None  # missing: the grade column is then of floats
    bad.loc[len(bad) - 1, "id"] = "stranger"
    later = next(i for i in range(4, len(bad) - 1) if bad.id[i] == bad.id[i - 1])
    bad.loc[later, "start"] = bad.loc[later - 1, "end"]  # overlaps the spell before
    write_register(tmp_path, persons, bad, kind)
    from analysis.chapters.cohort import spells as register  # Ibis: only the register tests

    persons_file, spells_file = extract.register_files(tmp_path)
    con = register.connect(engine)
    table = register.read(con, spells_file, "spells", tmp_path)
    people = register.read(con, persons_file, "persons", tmp_path)
    with pytest.raises(InputError) as caught:
        register.check_spells(table, people)
    problems = caught.value.problems
    found = {(p.column, p.issue.key, p.file, p.row) for p in problems}
    half = len(bad) // 2

    def where(index: int) -> tuple[str, int]:
        if kind == "csv":
            return f"{tmp_path.name}/register/spells.csv", index + 1
        part = int(index >= half)
        return f"{tmp_path.name}/register/spells/part-{part}.parquet", index - part * half + 1

    expected = {
        ("end", "cohort.input.spell.end_before_start"): 0,
        ("grade", "cohort.input.spell.grade_range"): 1,
        ("benefit", "cohort.input.spell.unknown_benefit"): 2,
        ("grade", "cohort.input.spell.grade_missing"): 3,
        ("benefit", "cohort.input.spell.benefit_missing"): 3,
        ("id", "cohort.input.spell.unknown_person"): len(bad) - 1,
        ("start", "cohort.input.spell.overlap"): later,
    }
    assert found == {(*key, *where(index)) for key, index in expected.items()}
    assert all(problem.text(lang) for problem in problems for lang in ("en", "nb"))
    assert "pension" in next(p for p in problems if p.column == "benefit").text("nb")
    grade = next(p for p in problems if p.issue.key == "cohort.input.spell.grade_range")
    assert "grade 120 is" in grade.text("en")  # not 120.0


def assert_bad_persons_named(tmp_path: Path, kind: str, engine: Engine) -> None:
    """Bad persons written as ``kind`` (csv or parquet) stop ``engine``'s check, each named by
    file, row and fix as :func:`validate_frame` names them on the same cells (a cohort.csv),
    in both languages."""
    made = generator.generate(60, seed=2)
    generator.write(made, tmp_path)
    (tmp_path / "register" / "persons.parquet").unlink()
    persons = made.persons.astype(object)
    persons.loc[2, "coordinator"] = "maybe"  # not a level
    persons.loc[4, "id"] = None  # missing
    persons.loc[7, "id"] = persons.loc[6, "id"]  # twice
    persons.loc[13:, "age"] = 95  # above the maximum, in many rows
    persons["note"] = ""
    persons.loc[11, "note"] = f"fnr {FNR}"  # a direct identifier
    persons["entry_date"] = persons["entry_date"].astype(str)
    persons.loc[9, "entry_date"] = "2020-02-30"  # no date
    file = f"{tmp_path.name}/register/persons.{kind}"
    if kind == "csv":
        persons.to_csv(tmp_path / "register" / "persons.csv", index=False)
    else:
        persons.astype({"age": "int64"}).to_parquet(tmp_path / "register" / "persons.parquet")
    with pytest.raises(InputError) as caught:
        load(tmp_path, engine=engine)
    # The value rules and identifiers as validate_frame words them on the same cells
    # (a cohort.csv), and the unreadable date.
    cells = persons.drop(columns=["entry_date", "emigration_date"])
    cells = cells.where(cells.notna(), "").astype(str)
    with pytest.raises(InputError) as in_python:
        validate_frame(cells, persons_schema(DEFAULT_PLAN), file, Notes())
    date = Problem(
        file,
        "entry_date",
        10,
        Message("cohort.input.spell.not_a_date", value="'2020-02-30'"),
        Message("cohort.input.spell.fix.not_a_date"),
    )
    expected = sorted([*in_python.value.problems, date], key=lambda p: (p.row, p.column or ""))
    assert {(p.column, p.row) for p in expected} >= {
        ("coordinator", 3), ("id", 5), ("id", 7), ("id", 8), ("entry_date", 10), ("note", 12),
        ("age", 14),
    }  # fmt: skip
    for lang in ("en", "nb"):
        assert [p.text(lang) for p in caught.value.problems] == [p.text(lang) for p in expected]


COLLAPSED_BY = ("coordinator", "sex", "diagnosis", "programme_type")


def design(frame: pd.DataFrame) -> np.ndarray:
    """Indicators of ``COLLAPSED_BY``'s levels but the first (missing values in none)."""
    return np.column_stack(
        [
            (frame[name].astype(str) == level).to_numpy(float)
            for name in COLLAPSED_BY
            for level in sorted(frame[name].dropna().astype(str).unique())[1:]
        ]
    )


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s cells as Python objects, missing ones None (engines and pandas type them
    differently)."""
    cells = frame.astype(object)
    return cells.where(cells.notna(), None)


# A cohort with an analysis plan of its own (tests/test_cohort_plan.py, tests/test_text_audit.py):
# another exposure (``arm``), another cluster (``clinic``), other covariates, a horizon of 180
# days, two model blocks and a subgroup analysis by region.
PLANNED_N, PLANNED_CLINICS, PLANNED_HORIZON = 400, 16, 180

PLANNED_COHORT = {
    "exposure": {
        "column": "arm",
        "label": {"en": "Study arm", "nb": "Studiearm"},
        "levels": {
            "intervention": {"en": "Intervention", "nb": "Intervensjon"},
            "control": {"en": "Control", "nb": "Kontroll"},
        },
        "reference": "control",
    },
    "cluster": "clinic",
    "horizon_days": PLANNED_HORIZON,
    "variables": {
        "region": {
            "label": {"en": "Region", "nb": "Landsdel"},
            "levels": {
                "north": {"en": "North", "nb": "Nord"},
                "middle": {"en": "Middle", "nb": "Midt"},
                "south": {"en": "South", "nb": "Sør"},
            },
        },
        "age_band": {
            "column": "age",
            "label": {"en": "Age band", "nb": "Aldersgruppe"},
            "bands": [
                {"level": "-39", "up_to": 39, "label": {"en": "Up to 39", "nb": "Til og med 39"}},
                {"level": "40-54", "up_to": 54, "label": {"en": "40 to 54", "nb": "40 til 54"}},
                {"level": "55+", "label": {"en": "55 or older", "nb": "55 eller eldre"}},
            ],
            "minimum": 16,
            "maximum": 75,
        },
        "grade": {
            "label": {"en": "Sick-leave grade", "nb": "Sykmeldingsgrad"},
            "levels": {
                "50": {"en": "Graded (50%)", "nb": "Gradert (50 %)"},
                "100": {"en": "Full (100%)", "nb": "Full (100 %)"},
            },
            "reference": "100",
        },
    },
    "table1": ["age_band", "grade", "region"],
    "models": {
        "unadjusted": {
            "covariates": [],
            "ph_test": True,
            "label": {"en": "Unadjusted", "nb": "Ujustert"},
        },
        "adjusted": {
            "covariates": ["age_band", "grade", "region"],
            "ph_test": True,
            "label": {
                "en": "Adjusted for age, grade and region",
                "nb": "Justert for alder, grad og landsdel",
            },
        },
    },
    "subgroups": {"by_region": {"variable": "region", "odds_ratio_reference": "south"}},
}


def plan_cohort(seed: int = 21) -> pd.DataFrame:
    """The cohort (as written to CSV): a hazard ratio of 1.4 for the intervention, slower
    returns on full sick leave and in the north, some ages and regions missing."""
    rng = np.random.default_rng(seed)
    clinic = rng.integers(1, PLANNED_CLINICS + 1, PLANNED_N)
    arm = rng.uniform(size=PLANNED_N) < 0.5
    grade = np.where(rng.uniform(size=PLANNED_N) < 0.4, "50", "100")
    region = rng.choice(["north", "middle", "south"], PLANNED_N, p=[0.3, 0.4, 0.3]).astype(object)
    age = rng.integers(18, 70, PLANNED_N).astype(object)
    log_hazard = (
        np.log(1 / 90)
        + np.log(1.4) * arm
        + 0.3 * (grade == "50")
        - 0.25 * (region == "north")
        + 0.15 * (age.astype(int) < 40)
    )
    first = np.ceil(rng.exponential(np.exp(-log_hazard)))
    same_day = rng.uniform(size=PLANNED_N) < 0.5  # drawn before the days later, as ever
    full = first + np.where(same_day, 0, np.ceil(rng.exponential(30, PLANNED_N)))
    region[rng.uniform(size=PLANNED_N) < 0.04] = ""
    age[rng.uniform(size=PLANNED_N) < 0.03] = ""
    frame = pd.DataFrame(
        {
            "id": [f"P{i:04d}" for i in range(PLANNED_N)],
            "clinic": [f"C{c:02d}" for c in clinic],
            "arm": np.where(arm, "intervention", "control"),
            "region": region,
        }
    )
    for name, days in (("first", first), ("full", full)):
        event = days <= 250
        frame[f"days_to_{name}_rtw"] = np.where(event, days, 250).astype(int)
        frame[f"{name}_rtw"] = event.astype(int)
    frame["age"] = age
    frame["grade"] = grade
    return frame


def write_planned_cohort(folder: Path, plan: dict = PLANNED_COHORT) -> Path:
    """A data folder with the cohort and a study description holding ``plan``."""
    folder.mkdir(parents=True, exist_ok=True)
    plan_cohort().to_csv(folder / "cohort.csv", index=False)
    description = {"title": {"en": "Graded sick leave", "nb": "Gradert sykmelding"}, "plan": plan}
    (folder / "cohort.study.yaml").write_text(
        yaml.safe_dump(description, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return folder


# The book's cohort: the planned one with a competing outcome (a work assessment allowance,
# ``aap``, ends the sick leave too), an RMST, a second subgroup analysis (by sick-leave grade),
# and a description naming its persons and clusters.
PLANNED_BOOK_DESCRIPTION = {
    "title": {
        "en": "Graded sick leave in general practice",
        "nb": "Gradert sykmelding hos fastlegen",
    },
    "persons": {
        "en": {"one": "patient", "other": "patients"},
        "nb": {"one": "pasient", "other": "pasienter"},
    },
    "units": {
        "en": {"one": "practice", "other": "practices"},
        "nb": {"one": "legekontor", "other": "legekontorer"},
    },
    "outcomes": {"first_rtw": {"rmst": {}}},
    "competing_outcomes": {
        "leaving_sick_leave": {
            "name": {"en": "return to work", "nb": "tilbakeføring til arbeid"},
            "direction": "beneficial",
            "time": "days_to_end",
            "event_type": "end_type",
            "codes": {
                "event": "rtw",
                "censored": "censored",
                "competing": [
                    {
                        "code": "aap",
                        "name": {
                            "en": "work assessment allowance",
                            "nb": "arbeidsavklaringspenger",
                        },
                    }
                ],
            },
            "times": [30, 90, 180],
        }
    },
    "plan": PLANNED_COHORT
    | {"subgroups": PLANNED_COHORT["subgroups"] | {"by_grade": {"variable": "grade"}}},
}


def write_planned_book(folder: Path) -> Path:
    """The book's data folder: the cohort with ``days_to_end`` and ``end_type`` (the first of a
    return to work, a work assessment allowance or censoring at day 250) and
    ``PLANNED_BOOK_DESCRIPTION``."""
    folder.mkdir(parents=True)
    frame = plan_cohort()
    returned = np.where(frame["first_rtw"] == 1, frame["days_to_first_rtw"], np.inf)
    allowance = np.ceil(np.random.default_rng(7).exponential(400.0, len(frame)))
    days = np.minimum.reduce([returned, allowance, np.full(len(frame), 250.0)])
    kind = np.select([days == returned, days == allowance], ["rtw", "aap"], default="censored")
    frame.assign(days_to_end=days.astype(int), end_type=kind).to_csv(
        folder / "cohort.csv", index=False
    )
    (folder / "cohort.study.yaml").write_text(
        yaml.safe_dump(PLANNED_BOOK_DESCRIPTION, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return folder


def assert_same_results(got: object, expected: object, path: str = "") -> None:
    """Two results JSONs are the same: floats to 1e-10 (NaN equal to NaN), everything else
    (keys, counts, nulls, reason codes, disclosure decisions, order of lists) identical."""
    if isinstance(expected, dict):
        assert isinstance(got, dict) and list(got) == list(expected), path
        for key, value in expected.items():
            assert_same_results(got[key], value, f"{path}.{key}")
    elif isinstance(expected, list | tuple):
        assert type(got) is type(expected) and len(got) == len(expected), path
        for i, (one, other) in enumerate(zip(got, expected, strict=True)):
            assert_same_results(one, other, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(got, bool):
        assert isinstance(got, float | int), path
        assert got == pytest.approx(expected, rel=0, abs=1e-10, nan_ok=True), path
    else:
        assert got == expected and type(got) is type(expected), path


def table1_truth(frame: pd.DataFrame) -> pd.DataFrame:
    """The true Table 1 counts of a prepared cohort with the shipped plan, counted row by row
    apart from the chapter's code (an attacker's ground truth): one row per variable and level
    ('' missing) with the persons in total and with (``yes``) and without (``no``) the
    exposure."""
    exposure = frame["coordinator"].astype(object)  # the shipped plan's exposure
    records = []
    for variable in DEFAULT_PLAN.table1:
        values = frame[variable].astype(object)
        if values.isna().all():
            continue
        for level in (*DEFAULT_PLAN.variables[variable].codes, ""):
            chosen = values.isna() if level == "" else values == level
            records.append(
                {
                    "variable": variable,
                    "level": level,
                    "total": int(chosen.sum()),
                    "yes": int((chosen & (exposure == "yes")).sum()),
                    "no": int((chosen & (exposure == "no")).sum()),
                }
            )
    return pd.DataFrame(records)
