"""Register extracts: spells become times to return, checked day by day against a plain
reading of the rules; bad spells are reported with file, row and fix."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest

from analysis.chapters.cohort import coxph, extract, survival
from analysis.chapters.cohort import spells as register
from analysis.chapters.cohort.chapter import analyse
from analysis.chapters.cohort.collapsed import check, collapse
from analysis.chapters.cohort.data import (
    DEFAULT_PLAN,
    CohortData,
    check_strata,
    input_files,
    load,
    persons_schema,
    prepare,
)
from analysis.core.problems import InputError
from analysis.core.settings import BOOK, DUCKDB
from analysis.generators import register as generator
from analysis.pipeline.build import select_chapters
from tests.helpers import (
    COLLAPSED_BY,
    REGISTER_STUDY,
    assert_bad_persons_named,
    assert_bad_spells_named,
    assert_same_results,
    cohort_page_text,
    design,
    plain,
    random_register,
    write_register,
)


def plain_reading(
    persons: pd.DataFrame, spells: pd.DataFrame, rules: extract.Derivation
) -> pd.DataFrame:
    """The rules of ``spells``' module applied day by day to one person at a time."""
    by_person: dict[str, list] = {}
    for spell in spells.itertuples():
        by_person.setdefault(spell.id, []).append(spell)
    out = []
    for person in persons.itertuples():
        own = by_person.get(person.id, [])
        limit = person.entry_date + dt.timedelta(days=rules.horizon_days)
        died = person.death_date is not None and not pd.isna(person.death_date)
        if died:
            limit = min(limit, person.death_date)
        follow = (limit - person.entry_date).days

        def covered_days(chosen: list, entry: dt.date) -> set[int]:
            covered = set()
            for spell in chosen:
                covered |= {
                    (spell.start - entry).days + k
                    for k in range((spell.end - spell.start).days + 1)
                }
            if covered:  # gaps of at most bridge_days are bridged
                days = sorted(covered)
                for a, b in itertools.pairwise(days):
                    if 1 < b - a <= rules.bridge_days + 1:
                        covered |= set(range(a + 1, b))
            return covered

        def first_uncovered(chosen: list, entry: dt.date) -> int | None:
            covered = covered_days(chosen, entry)
            if 0 not in covered:
                return None
            day = 0
            while day in covered:
                day += 1
            return day

        def first_sustained(covered: set[int], days: int) -> int:
            day = 0
            while any(day + k in covered for k in range(days)):
                day += 1
            return day

        full = first_uncovered(own, person.entry_date)
        first = first_uncovered([s for s in own if s.grade == 100], person.entry_date)
        first = None if full is None else (first or 0)
        returns = {"first_rtw": first, "full_rtw": full}
        if rules.sustainable_days is not None:
            sustained = first_sustained(
                covered_days(own, person.entry_date), rules.sustainable_days
            )
            returns["sustainable_rtw"] = None if full is None else sustained

        def first_start(chosen: list, entry: dt.date, benefits: tuple[str, ...]):
            starts = [
                (s.start - entry).days for s in chosen if s.benefit in benefits and s.start >= entry
            ]
            return min(starts) if starts else None

        competing = first_start(own, person.entry_date, extract.COMPETING)
        row = {"id": person.id, "covered": full is not None}
        for outcome, day in returns.items():
            ends = min(follow, competing if competing is not None else follow)
            returned = day is not None and day <= ends
            row[f"days_to_{outcome}"] = day if returned else ends
            row[outcome] = int(returned)
            row[f"{outcome}_competing"] = int(
                not returned and competing is not None and competing <= follow
            )
        if rules.ends is not None:
            candidates = [(extract.RETURNED, returns[rules.ends.event])]
            candidates += [
                (benefit, first_start(own, person.entry_date, (benefit,)))
                for benefit in extract.COMPETING
            ]
            if rules.ends.death == "competing" and died:
                candidates.append(("death", (person.death_date - person.entry_date).days))
            end = min([follow, *(day for _, day in candidates if day is not None)])
            row["days_to_end"] = end
            row["end_type"] = next(
                (code for code, day in candidates if day == end), extract.CENSORED
            )
        out.append(row)
    return pd.DataFrame(out)


@pytest.fixture(scope="module")
def derived() -> Iterator[Callable[[int, extract.Derivation], tuple[pd.DataFrame, ...]]]:
    """``derived(seed, rules)``: the random register of ``seed`` (its persons and spells, put
    into the module's one DuckDB connection once) and its derivation under ``rules``, by id."""
    con = register.connect()
    registers = {}

    def derive(seed: int, rules: extract.Derivation) -> tuple[pd.DataFrame, ...]:
        if seed not in registers:
            persons, spells = random_register(seed)
            tables = (
                con.create_table(f"spells_{seed}", spells),
                con.create_table(f"persons_{seed}", persons),
            )
            registers[seed] = persons, spells, tables
        persons, spells, tables = registers[seed]
        got = register.derive(*tables, rules).execute().sort_values("id")
        return persons, spells, got.reset_index(drop=True)

    yield derive
    con.disconnect()


# One register in `make test-fast`, six in `make test`.
@pytest.mark.parametrize(
    "seed", [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 6))]
)
@pytest.mark.parametrize("bridge", [0, 2, 7])
def test_derived_times_follow_the_rules_day_by_day(derived, seed, bridge):
    rules = extract.Derivation(bridge_days=bridge, horizon_days=45)
    persons, spells, got = derived(seed, rules)
    expected = plain_reading(persons, spells, rules).sort_values("id").reset_index(drop=True)
    got = got[expected.columns].astype(expected.dtypes.to_dict())
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    assert expected[["first_rtw", "full_rtw", "full_rtw_competing"]].sum().min() > 0


# One register in `make test-fast`, three in `make test`.
@pytest.mark.parametrize(
    "seed", [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in range(1, 3))]
)
@pytest.mark.parametrize(
    "rules",
    [
        extract.Derivation(
            bridge_days=0, horizon_days=45, sustainable_days=10,
            ends=extract.Ends("sustainable_rtw", death="competing"),
        ),
        extract.Derivation(
            bridge_days=3, horizon_days=45, sustainable_days=10, ends=extract.Ends("first_rtw")
        ),
        extract.Derivation(bridge_days=2, horizon_days=60, sustainable_days=20),
    ],
    ids=["sustained-death-competing", "first-bridged", "sustained-only"],
)  # fmt: skip
def test_sustainable_returns_and_ends_follow_the_rules_day_by_day(derived, seed, rules):
    persons, spells, got = derived(seed, rules)
    expected = plain_reading(persons, spells, rules).sort_values("id").reset_index(drop=True)
    assert list(got.columns) == list(expected.columns)
    got = got.astype(expected.dtypes.to_dict())
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)
    covered = expected[expected.covered]
    # a sustained return is a full return, and some persons returned but not for long enough
    assert (covered.days_to_sustainable_rtw >= covered.days_to_full_rtw).all()
    assert covered.sustainable_rtw.sum() > 0
    assert (covered.full_rtw > covered.sustainable_rtw).any()
    if rules.ends is not None:
        kinds = set(covered.end_type)
        assert {extract.RETURNED, "work_assessment_allowance"} <= kinds <= set(rules.ends.codes())
        assert ("death" in kinds) == (rules.ends.death == "competing")
        event = covered[rules.ends.event] == 1
        assert (covered.end_type[event] == extract.RETURNED).all()


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_bad_spells_are_named_by_file_row_and_fix(tmp_path, kind):
    assert_bad_spells_named(tmp_path, kind, DUCKDB)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_bad_persons_are_named_by_the_engine_as_in_a_cohort_csv(tmp_path, kind):
    assert_bad_persons_named(tmp_path, kind, DUCKDB)


def test_a_person_without_a_stratum_is_named_by_row_in_the_engine():
    plan = DEFAULT_PLAN.model_copy(update={"strata": "sex"})
    cohort = ibis.memtable({"sex": ["female", None, "male", None], "_row": [1, 2, 3, 4]})
    with pytest.raises(InputError) as caught:
        check_strata(cohort, plan, "data/register/persons.parquet")
    assert [(p.column, p.row, p.issue.key) for p in caught.value.problems] == [
        ("sex", row, "cohort.input.plan.stratum_missing") for row in (2, 4)
    ]
    check_strata(cohort.filter(cohort.sex.notnull()), plan, "data/register/persons.parquet")


@pytest.mark.slow  # a whole extract, derived
def test_the_generated_register_derives_the_cohort_it_was_made_from(tmp_path):
    made = generator.generate(2000, seed=5)
    generator.write(made, tmp_path, partitions=3)
    data = load(tmp_path)
    assert data.frame["weight"].sum() == len(made.persons)
    cohort = register.derived_cohort(register.connect(), tmp_path, data.derivation)
    got = cohort.execute().set_index("id")
    expected = made.expected.set_index("id").loc[got.index]
    for column in ("days_to_first_rtw", "first_rtw", "days_to_full_rtw", "full_rtw"):
        assert got[column].astype(int).tolist() == expected[column].astype(int).tolist(), column
    assert data.derivation == extract.Derivation(
        persons="register/persons.parquet", spells="register/spells"
    )
    # every pattern the generator documents is in it
    spells = made.spells
    assert set(spells.benefit) == set(extract.BENEFITS)
    assert (spells.grade < 100).any() and spells.groupby("id").size().max() >= 8
    assert made.persons.emigration_date.notna().any()
    assert (made.expected.days_to_full_rtw < generator.HORIZON).any()


@pytest.mark.slow  # the generator, writing an extract in chunks
def test_a_register_written_in_chunks_is_its_chunks_and_derives_their_cohorts(tmp_path):
    """``write_generated`` holds one chunk in memory at a time (the 100 M-spell benchmark did
    not fit at once): the extract is the chunks' extracts, ids kept apart by their prefix."""
    spells = generator.write_generated(700, tmp_path, seed=5, chunk=300)
    chunks = [
        generator.generate(300, 5),
        generator.generate(300, 6, "K1-"),
        generator.generate(100, 7, "K2-"),
    ]
    assert spells == sum(len(chunk.spells) for chunk in chunks)
    folder = tmp_path / extract.FOLDER
    persons = pd.read_parquet(folder / "persons.parquet")
    assert persons["id"].tolist() == [i for c in chunks for i in c.persons["id"]]
    assert sorted(p.name for p in (folder / "spells").iterdir()) == [
        "part-0-0.parquet",
        "part-1-0.parquet",
        "part-2-0.parquet",
    ]
    # the persons checked as load checks them (ids unique across the chunks), derived once
    rules = extract.Derivation(persons="register/persons.parquet", spells="register/spells")
    cohort = register.derived_cohort(
        register.connect(), tmp_path, rules, persons_schema=persons_schema(DEFAULT_PLAN)
    )
    got = cohort.execute().set_index("id").sort_index()
    expected = pd.concat([c.expected for c in chunks]).set_index("id").loc[got.index]
    assert len(got) == 700
    for column in ("days_to_first_rtw", "first_rtw", "days_to_full_rtw", "full_rtw"):
        assert got[column].astype(int).tolist() == expected[column].astype(int).tolist(), column


def test_a_person_on_no_leave_at_entry_and_bad_rules_are_input_errors(tmp_path):
    made = generator.generate(50, seed=1)
    persons = made.persons.copy()
    persons.loc[3, "entry_date"] = persons.loc[3, "entry_date"] - pd.Timedelta(days=700)
    generator.write(generator.Register(persons, made.spells, made.expected), tmp_path)
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.column, problem.row) == (
        f"{tmp_path.name}/register/persons.parquet",
        "entry_date",
        4,
    )
    (tmp_path / "cohort.study.yaml").write_text("spells: {bridge: 3}\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    assert [p.key for p in caught.value.problems] == ["spells.bridge"]
    assert "bridge_days" in caught.value.problems[0].text("nb")


@pytest.mark.slow  # a whole extract, derived and analysed twice
def test_a_register_extract_gives_the_results_of_its_cohort_and_says_how(tmp_path, monkeypatch):
    made = generator.generate(600, seed=3)
    generator.write(made, tmp_path / "register-data")
    (tmp_path / "csv-data").mkdir()
    made.expected.to_csv(tmp_path / "csv-data" / "cohort.csv", index=False)
    from_register = analyse(load(tmp_path / "register-data"))
    from_rows = analyse(load(tmp_path / "csv-data"))
    derived = from_register.to_json()
    assert derived.pop("derivation")["persons"] == "register/persons.parquet"
    assert_same_results(derived, from_rows.to_json())
    said = {
        "en": "first day not covered by a full-time (100%) benefit spell",
        "nb": "første dag som ikke dekkes av en ytelsesperiode på heltid (100\u00a0%)",
    }
    for lang, words in said.items():
        text = cohort_page_text(from_register, monkeypatch, lang)
        assert words in text and "`register/spells`" in text, lang
        assert words not in cohort_page_text(from_rows, monkeypatch, lang)


@pytest.mark.slow  # a whole extract, derived and analysed
def test_a_register_extract_gives_sustained_returns_and_competing_ends_to_the_chapter(
    tmp_path, monkeypatch
):
    made = generator.generate(600, seed=6)
    generator.write(made, tmp_path)
    (tmp_path / "cohort.study.yaml").write_text(REGISTER_STUDY, encoding="utf-8")
    data = load(tmp_path)
    frame = data.frame
    sustained = frame["sustainable_rtw"] == 1
    assert (frame["full_rtw"] >= frame["sustainable_rtw"]).all()
    assert (frame["full_rtw"] > frame["sustainable_rtw"]).any()  # some came back for a while
    assert (frame.loc[sustained, "end_type"] == "rtw").all()
    assert frame.loc[sustained, "days_to_end"].tolist() == (
        frame.loc[sustained, "days_to_sustainable_rtw"].tolist()
    )
    codes = ("rtw", "work_assessment_allowance", "disability_pension", "emigration")
    assert set(frame["end_type"]) == {*codes, "censored"}
    result = analyse(data).declared.competing["leaving_sick_leave"]
    assert result.causes == codes
    assert set(result.incidence) == {"yes", "no"}
    assert [test.cause for test in result.tests] == list(codes)
    said = {
        "en": (
            "after which no new spell starts within 60 days",
            "the first of the sustainable return to work, the start of a work assessment "
            "allowance spell, the start of a disability pension spell and emigration",
            "or earlier at death",
            "Competing outcomes",
        ),
        "nb": (
            "som ikke følges av en ny periode innen 60 dager",
            "det første av varig tilbakeføring til arbeid, starten på en periode med "
            "arbeidsavklaringspenger, starten på en periode med uføretrygd og utvandring",
            "eller tidligere ved død",
            "Konkurrerende utfall",
        ),
    }
    results = analyse(data)
    for lang, words in said.items():
        text = cohort_page_text(results, monkeypatch, lang)
        for phrase in words:
            assert phrase in text, (lang, phrase)


@pytest.fixture(scope="module")
def collapsed_extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[CohortData, int]:
    """A generated extract with a sustainable return, competing ends and restricted means,
    loaded (collapsed) once for the module, and its number of persons."""
    folder = tmp_path_factory.mktemp("collapsed")
    made = generator.generate(800, seed=4)
    generator.write(made, folder)
    (folder / "cohort.study.yaml").write_text(
        REGISTER_STUDY + "outcomes: {first_rtw: {rmst: {horizon_days: 180}}}\n", encoding="utf-8"
    )
    return load(folder), len(made.persons)


@pytest.mark.slow  # two whole chapters
@pytest.mark.parametrize("suppress_below", [0, 5])
def test_the_chapter_on_the_collapsed_cohort_equals_the_chapter_on_its_persons(
    collapsed_extract, suppress_below
):
    data, persons_count = collapsed_extract
    collapsed = data.frame
    # one row per pattern, as many persons as the extract, ages only in bands
    assert collapsed["weight"].sum() == persons_count > len(collapsed)
    assert "id" not in collapsed and "age" not in collapsed and "age_group" in collapsed
    persons_rows = collapsed.index.repeat(collapsed["weight"])
    rows = collapsed.drop(columns="weight").loc[persons_rows].reset_index(drop=True)
    persons = replace(data, frame=rows)
    from_patterns = analyse(data, suppress_below=suppress_below)
    assert from_patterns.declared.competing and from_patterns.declared.restricted_means
    assert_same_results(
        from_patterns.to_json(), analyse(persons, suppress_below=suppress_below).to_json()
    )


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``register/`` folder of a small generated extract, written once for the tests
    that need an extract in their data folder but never derive it."""
    folder = tmp_path_factory.mktemp("small")
    return generator.write(generator.generate(20, seed=2), folder)


@pytest.mark.parametrize(
    ("change", "key", "fix"),
    [
        (("  ends: {event: sustainable_rtw, emigration: competing}\n", ""), "spells.ends",
         "ends: {event: full_rtw}"),
        (("  sustainable_days: 60\n", ""), "spells.ends.event", "spells.sustainable_days"),
        (("time: days_to_end", "time: days"), "competing_outcomes.leaving_sick_leave.time",
         "days_to_end"),
        (("event_type: end_type", "event_type: ended"),
         "competing_outcomes.leaving_sick_leave.event_type", "end_type"),
        (("emigration: competing}", "emigration: censored}"),
         "competing_outcomes.leaving_sick_leave.codes",
         "work_assessment_allowance, disability_pension"),
        (("event: rtw", "event: back"), "competing_outcomes.leaving_sick_leave.codes",
         "event: rtw"),
        (("emigration: competing}", "emigration: compete}"), "spells.ends.emigration",
         "censored, competing"),
        (("event: sustainable_rtw", "event: sustained"), "spells.ends.event", "sustainable_rtw"),
    ],
)  # fmt: skip
def test_ends_a_register_extract_cannot_give_are_named_by_key_and_fix(
    tmp_path, small_extract, change, key, fix
):
    (tmp_path / extract.FOLDER).symlink_to(small_extract, target_is_directory=True)
    (tmp_path / "cohort.study.yaml").write_text(REGISTER_STUDY.replace(*change), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == ("cohort.study.yaml", key)
    for lang in ("en", "nb"):
        assert fix in problem.remedy.text(lang), lang
        assert problem.issue.text(lang) != problem.issue.text("nb" if lang == "en" else "en")


def test_a_register_file_without_a_required_column_is_named_with_the_fix(tmp_path):
    made = generator.generate(20, seed=2)
    generator.write(
        generator.Register(made.persons.drop(columns="entry_date"), made.spells, made.expected),
        tmp_path,
    )
    with pytest.raises(InputError) as caught:
        load(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.column) == (
        f"{tmp_path.name}/register/persons.parquet",
        "entry_date",
    )
    assert "entry_date" in problem.text("nb") and "tid null" in problem.text("nb")


def test_a_data_folder_with_only_a_register_extract_builds_the_cohort_chapter(
    tmp_path, small_extract
):
    (tmp_path / extract.FOLDER).symlink_to(small_extract, target_is_directory=True)
    assert [chapter.name for chapter in select_chapters(None, BOOK, tmp_path)] == ["cohort"]
    (tmp_path / "cohort.csv").write_text("id\n", encoding="utf-8")
    assert extract.register_files(tmp_path) is not None
    assert input_files(tmp_path) == [tmp_path / "cohort.csv"]  # the table wins over register/


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_the_data_page_lists_the_register_files_with_their_rows(tmp_path, kind):
    from analysis.chapters import CHAPTERS
    from analysis.pipeline.front import data_page, read_front

    persons, spells = random_register(3, persons=12)
    write_register(tmp_path, persons, spells, kind)
    front = read_front(tmp_path, [CHAPTERS["cohort"]])
    shown = "register/spells.csv" if kind == "csv" else "register/spells/"
    assert [(f.name, f.rows) for f in front.files["cohort"]] == [
        ("register/persons.csv", len(persons)),
        (shown, len(spells)),
    ]
    page = "\n".join(cell.source for cell in data_page(front).cells)
    assert f"| `{shown}` |" in page and f"| {len(spells)} |" in page
    assert "`register/`" in page  # the chapter's section names the folder


def engine_statistics(frame: pd.DataFrame, weights: np.ndarray | None) -> np.ndarray:
    """Every number of the chapter's survival statistics on ``frame`` (``time``, ``event``,
    ``COLLAPSED_BY``, ``cluster``; row-level when ``weights`` is None): Kaplan–Meier steps and
    medians by coordinator, the log-rank test, Cox fits (Efron and Breslow) with robust SEs
    per person and per programme."""
    time, event = frame["time"].to_numpy(float), frame["event"].to_numpy(int)
    groups = frame["coordinator"].astype(str).to_numpy()
    w = np.ones(len(frame)) if weights is None else weights
    numbers = []
    for level in ("no", "yes"):
        rows = groups == level
        numbers.append(survival.km_steps(time[rows], event[rows], w[rows]).to_numpy(float))
        median = survival.median_summary(time[rows], event[rows], weights=w[rows])
        numbers.append([median.spss.estimate or np.nan, median.n, median.events])
    test = survival.logrank_test(time, event, groups, ["no", "yes"], weights)
    numbers.append([test.chi2, test.p])
    x = design(frame)
    for ties in coxph.TIES:
        model = coxph.fit(time, event, x, [""] * x.shape[1], ties, weights=weights)
        numbers += [model.coef, np.sqrt(np.diag(model.vcov)), [model.loglik]]
        numbers += [coxph.robust_se(model), coxph.robust_se(model, frame["cluster"].to_numpy())]
    return np.concatenate([np.ravel(np.asarray(part, float)) for part in numbers])


@pytest.mark.slow
def test_collapsed_in_the_engine_gives_the_row_level_statistics(tmp_path):
    made = generator.generate(14_000, seed=11)
    assert len(made.spells) >= 95_000  # about 100 k spells
    generator.write(made, tmp_path, partitions=3)
    data = load(tmp_path)
    persons = data.frame.index.repeat(data.frame.pop("weight"))  # the collapsed cohort's rows
    rows = prepare(data.frame.loc[persons].reset_index(drop=True)).rename(
        columns={"days_to_first_rtw": "time", "first_rtw": "event", "programme_id": "cluster"}
    )[["time", "event", *COLLAPSED_BY, "cluster"]]
    con = register.connect()
    cohort = register.derived_cohort(con, tmp_path, data.derivation)
    table = register.collapsed(cohort, "first_rtw", COLLAPSED_BY, cluster="programme_id")
    check(table, COLLAPSED_BY)
    assert table["weight"].sum() == len(rows) and len(table) < len(rows)
    in_pandas = collapse(rows, list(COLLAPSED_BY))
    # The same rows: the engine orders the exposure's codes alphabetically, pandas by the plan.
    keys = ["time", "event", *COLLAPSED_BY, "cluster"]

    def ordered(frame: pd.DataFrame) -> pd.DataFrame:
        return plain(frame).sort_values(keys, key=lambda c: c.astype(str)).reset_index(drop=True)

    pd.testing.assert_frame_equal(ordered(table), ordered(in_pandas))
    row_level = engine_statistics(rows, None)
    from_engine = engine_statistics(table, table["weight"].to_numpy(float))
    assert np.isfinite(row_level).all()
    np.testing.assert_allclose(from_engine, row_level, rtol=0, atol=1e-10)
    patterns = register.collapsed(cohort, "first_rtw", COLLAPSED_BY)
    assert len(patterns) < len(table) / 3  # collapsing pays without programmes
    assert patterns[list(COLLAPSED_BY)].isna().any().any()  # missing values join too
    time, event = rows["time"].to_numpy(float), rows["event"].to_numpy(int)
    for ties in coxph.TIES:
        x = design(patterns)
        names = [""] * x.shape[1]
        model = coxph.fit(
            patterns["time"], patterns["event"], x, names, ties, weights=patterns["weight"]
        )
        summed = register.cluster_sums(
            cohort, "first_rtw", patterns, coxph.input_dfbeta(model), "programme_id"
        )
        assert len(summed) == rows["cluster"].nunique()
        by_rows = coxph.fit(time, event, design(rows), names, ties)
        np.testing.assert_allclose(
            coxph.cluster_robust_se(summed),
            coxph.robust_se(by_rows, rows["cluster"].to_numpy()),
            rtol=0,
            atol=1e-10,
        )
