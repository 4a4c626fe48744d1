"""Interview chapter: published facts, κ against a hand calculation, validation, disclosure."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.interviews import narrative, page, stats, tables
from analysis.chapters.interviews.chapter import InterviewsResults, analyse
from analysis.chapters.interviews.data import Interviews, load
from analysis.chapters.interviews.reproduction import published
from analysis.core.display import reproduction_frame
from analysis.core.study import Study
from analysis.core.validation import InputError
from tests.helpers import FIXTURES, SHIPPED_DATA, Shipped

# Hashed five-word runs of the article (see the file's header): the article itself stays out.
ARTICLE_GRAMS = FIXTURES / "interviews" / "article-5grams.txt"


# What the shipped sample withholds at any threshold: persons' own lowest and highest values.
EXTREMES = {
    "age_min": "extreme",
    "age_max": "extreme",
    "sick_leave.low": "extreme",
    "sick_leave.high": "extreme",
}

# A withheld reproduction row of the illustrative sample withholds both sides: the computed
# value and the published one it was built to meet.
SIDES = ("computed", "published")


@pytest.fixture(scope="module")
def sample(shipped: Shipped) -> Interviews:
    """The shipped interview sample."""
    return shipped.data("interviews")


@pytest.fixture(scope="module")
def results(shipped: Shipped) -> InterviewsResults:
    return shipped.results("interviews", suppress_below=5)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED_DATA / "interviews", tmp_path / "data" / "interviews")
    shutil.copy(SHIPPED_DATA / "interviews.study.yaml", tmp_path / "data")
    return tmp_path / "data"


def _edit(data_dir: Path, file: str, change) -> None:
    path = data_dir / "interviews" / file
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)


def _problems(data_dir: Path) -> list:
    with pytest.raises(InputError) as caught:
        load(data_dir)
    return caught.value.problems


# --- published facts ---------------------------------------------------------------------------


def test_published_sample_is_reproduced(sample):
    people = stats.characteristics(sample)
    assert people.n_invited == 40
    assert people.n_participants == 26
    assert people.sex.values == {"female": 19, "male": 7}
    assert (people.age.low, people.age.high, people.age.exact) == (31, 61, True)
    assert people.diagnosis_group.values == {"mental": 11, "musculoskeletal": 8, "other": 7}
    assert (people.sick_leave.low, people.sick_leave.high) == (50, 100)
    # The same facts as the published values the reproduction table compares with.
    pub = published()
    assert str(people.n_participants) == pub["n_participants"]
    assert {sex: str(n) for sex, n in people.sex.values.items()} == pub["sex"]
    assert {dx: str(n) for dx, n in people.diagnosis_group.values.items()} == pub["diagnosis_group"]
    # At the default threshold no count of the shipped sample is hidden; the youngest and
    # oldest age and the lowest and highest grade (persons' own values) are never shown.
    assert stats.characteristics(sample, 5).suppressed() == EXTREMES


def test_three_themes_in_published_order(sample):
    themes = sample.themes()
    assert list(themes.index) == ["T1", "T2", "T3"]
    assert themes.at["T1", "theme_en"] == "Getting an outsider's perspective"
    assert "framework for long-term sick leave" in themes.at["T2", "theme_en"]
    assert "empathic and personal face" in themes.at["T3", "theme_en"]


def test_quoted_interviews_per_theme(sample):
    assert stats.quote_index(sample) == {
        "T1": ("P03",),
        "T2": ("P02", "P10"),
        "T3": ("P05", "P06", "P19"),
    }
    # Seven quotations; Interview 5 is quoted twice, both under theme 3.
    quoted = sample.coded_segments().query("quoted == 1")
    assert len(quoted) == 7
    assert quoted["participant_id"].value_counts()["P05"] == 2


def test_negative_cases_present(sample):
    cases = stats.negative_cases(stats.code_counts(sample)).set_index("code_id")
    assert cases.at["T2.10", "n_participants"] >= 13  # "frequently": half or more
    assert 2 <= cases.at["T3.10", "n_participants"] <= 5  # "some": a small minority
    assert cases.at["T2.4", "n_participants"] == 1  # "one participant"
    assert not sample.segments.query("code_id == 'T3.10'")["quoted"].any()
    # One excerpt box per negative or divergent code.
    markdown = page.negative_cases(analyse(sample), "en")[1].data
    assert markdown.count("```{admonition}") == len(cases) == 3


def test_every_participant_contributes(sample):
    matrix = stats.theme_matrix(sample)
    assert matrix.shape == (26, 3)
    assert (matrix.sum(axis=1) > 0).all()


def test_reproduction_rows_all_match(results):
    assert results.compared and results.to_json()["compared"] is True
    rows = results.reproduction
    assert len(rows) == 17
    assert {row["status"] for row in rows} <= {"exact_by_construction", "matches", "withheld"}
    # Withheld only: the lowest and highest age and grade (persons' own values).
    withheld = [i for i, row in enumerate(rows) if row["status"] == "withheld"]
    assert withheld == [5, 6, 10, 11]
    response = next(row for row in rows if row["quantity"].key == "interviews.repro.response")
    assert response["computed"] == pytest.approx(65.0)


def test_reproduction_only_when_compared(sample, data_copy):
    result = analyse(sample, compare=False)
    assert not result.compared and result.reproduction == []
    assert page.published_facts(result, "en") == []  # the page has no such section
    # Real data of the study (not made up) match the published facts; not "by construction".
    study = data_copy / "interviews.study.yaml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("provenance: illustrative", "provenance: collected"), "utf-8")
    rows = analyse(load(data_copy)).reproduction
    assert {row["status"] for row in rows} == {"matches"}


def test_reproduction_flags_other_data(data_copy):
    _edit(
        data_copy,
        "segments.csv",
        lambda f: f.__setitem__("quoted", np.where(f["participant_id"] == "P10", "0", f["quoted"])),
    )
    rows = analyse(load(data_copy)).reproduction
    t2 = next(row for row in rows if ("theme_id", "T2") in row["quantity"].values)
    assert t2["status"] == "differs"
    assert t2["reason"].key == "interviews.reason.quoted"
    assert "P02" in dict(t2["reason"].values)["found"]


def test_excerpts_are_not_the_papers_quotes(sample):
    """No excerpt shares a run of five words with the article's text."""

    def grams(text: str, n: int = 5) -> dict[str, str]:
        words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
        runs = (" ".join(words[i : i + n]) for i in range(len(words) - n + 1))
        return {hashlib.sha256(run.encode()).hexdigest()[:12]: run for run in runs}

    lines = ARTICLE_GRAMS.read_text(encoding="utf-8").splitlines()
    paper = {line for line in lines if line and not line.startswith("#")}
    assert grams("Getting an outsider’s perspective - sick-listed workers’").keys() <= paper
    shared = {
        excerpt: [run for digest, run in grams(excerpt).items() if digest in paper]
        for excerpt in sample.segments["excerpt_en"]
    }
    assert {excerpt: hit for excerpt, hit in shared.items() if hit} == {}


def test_excerpts_are_short_and_bilingual(sample):
    words = sample.segments["excerpt_en"].str.split().str.len()
    assert words.max() <= 25
    assert (sample.segments["excerpt_en"] != sample.segments["excerpt_nb"]).all()


# --- Cohen's kappa -----------------------------------------------------------------------------


def _two_coders(first: list[int], second: list[int], code: str = "X") -> pd.DataFrame:
    rows = []
    for coder, applied in (("A", first), ("B", second)):
        for i, flag in enumerate(applied):
            rows.append(
                {"segment_id": f"S{i}", "coder": coder, "code_id": code if flag else "other"}
            )
    return pd.DataFrame(rows)


def test_kappa_matches_hand_calculation():
    # 10 segments; A applies X to 4, B to 4, they agree on 8 (3 yes, 5 no).
    # p_o = 0.8, p_e = 0.4·0.4 + 0.6·0.6 = 0.52, κ = (0.8 − 0.52) / (1 − 0.52) = 0.58333…
    coded = _two_coders([1, 1, 1, 0, 0, 0, 0, 1, 0, 0], [1, 1, 0, 0, 0, 0, 1, 1, 0, 0])
    kappa = stats.kappa_per_code(coded).set_index("code_id")
    assert kappa.at["X", "kappa"] == pytest.approx(0.28 / 0.48)
    assert kappa.at["X", "agreement"] == pytest.approx(0.8)
    assert (kappa.at["X", "n_first"], kappa.at["X", "n_second"]) == (4, 4)
    # "other" is the complement of X here, so its κ is the same.
    assert kappa.at["other", "kappa"] == pytest.approx(0.28 / 0.48)


def test_kappa_with_unequal_marginals_matches_hand_calculation():
    # A applies X to 4 of 6 segments, B to 2 (both within A's 4): p_o = 4/6,
    # p_e = 4/6·2/6 + 2/6·4/6 = 16/36, κ = (24/36 − 16/36) / (20/36) = 0.4.
    coded = _two_coders([1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0])
    assert stats.kappa_per_code(coded).set_index("code_id").at["X", "kappa"] == pytest.approx(0.4)


def test_kappa_perfect_and_undefined():
    perfect = stats.kappa_per_code(_two_coders([1, 0, 1], [1, 0, 1])).set_index("code_id")
    assert perfect.at["X", "kappa"] == pytest.approx(1.0)
    constant = stats.kappa_per_code(_two_coders([1, 1, 1], [1, 1, 1])).set_index("code_id")
    assert np.isnan(constant.at["X", "kappa"])
    assert "other" not in constant.index  # never applied by either coder


def test_kappa_applicability(results):
    assert results.agreement.not_applicable == "no_coder"
    assert results.agreement.per_code is None
    text = narrative.agreement(results.agreement, results.study, "en")
    assert "does not apply" in text and "(in the study, one author did the coding)" in text
    assert "(" not in narrative.agreement(results.agreement, Study(), "en")
    three = _two_coders([1], [1])
    three = pd.concat([three, three.assign(coder="C")])
    assert stats.kappa_not_applicable(three) == "not_two"
    assert "names 3" in narrative.agreement(stats.agreement(three), Study(), "en")
    apart = _two_coders([1], [1]).assign(segment_id=["S0", "S9"])
    assert stats.kappa_not_applicable(apart) == "no_overlap"
    assert stats.kappa_not_applicable(_two_coders([1], [0])) is None


def test_two_coders_in_segments_file(data_copy):
    path = data_copy / "interviews" / "segments.csv"
    first = pd.read_csv(path, dtype=str, keep_default_na=False).assign(coder="VSF")
    second = first.assign(coder="MIS")
    second.loc[second["segment_id"] == "S001", "code_id"] = "T1.2"
    pd.concat([first, second]).to_csv(path, index=False)
    data = load(data_copy)
    assert len(data.segments) == len(first)  # tables use the first coder's rows
    result = analyse(data)
    kappa = result.agreement.per_code.set_index("code_id")
    assert kappa.at["T2.1", "kappa"] == pytest.approx(1.0)
    assert kappa.at["T1.1", "n_second"] == kappa.at["T1.1", "n_first"] - 1
    table = tables.kappa(result.agreement, result.codebook, "nb")
    assert "Brukt av MIS" in table.columns
    assert "VSF og MIS" in narrative.agreement(result.agreement, result.study, "nb")


# --- validation --------------------------------------------------------------------------------


def test_unknown_participant_named_by_file_column_row(data_copy):
    _edit(
        data_copy,
        "segments.csv",
        lambda f: f.__setitem__("participant_id", f["participant_id"].replace({"P03": "P99"})),
    )
    problems = _problems(data_copy)
    assert {p.file for p in problems} == {"data/interviews/segments.csv"}
    assert {p.column for p in problems} == {"participant_id"}
    assert [p.row for p in problems] == [9, 10, 11, 12]
    assert "not in participants.csv" in str(problems[0])


def test_unknown_code(data_copy):
    _edit(
        data_copy,
        "segments.csv",
        lambda f: f.__setitem__("code_id", f["code_id"].replace({"T3.10": "T3.11"})),
    )
    problems = _problems(data_copy)
    assert {(p.column, p.message) for p in problems} == {
        ("code_id", "the code is not in codebook.csv")
    }


def test_bad_category_and_range(data_copy):
    def spoil(frame: pd.DataFrame) -> None:
        frame.loc[1, "sex"] = "F"
        frame.loc[4, "sick_leave_pct"] = "120"

    _edit(data_copy, "participants.csv", spoil)
    problems = {(p.column, p.row) for p in _problems(data_copy)}
    assert problems == {("sex", 2), ("sick_leave_pct", 5)}


def test_segment_rows_must_agree(data_copy):
    def spoil(frame: pd.DataFrame) -> None:
        frame.loc[1, "segment_id"] = "S001"

    _edit(data_copy, "segments.csv", spoil)
    problems = _problems(data_copy)
    assert [(p.column, p.row) for p in problems] == [("excerpt_en", 1), ("excerpt_en", 2)]
    assert "same segment_id" in problems[0].message


def test_theme_names_consistent(data_copy):
    _edit(
        data_copy,
        "codebook.csv",
        lambda f: f.__setitem__(
            "theme_nb", np.where(f["code_id"] == "T1.4", "Annet navn", f["theme_nb"])
        ),
    )
    problems = _problems(data_copy)
    assert [(p.file, p.column, p.row) for p in problems] == [
        ("data/interviews/codebook.csv", "theme_nb", r + 1) for r in range(9)
    ]


def test_invited_below_participants(data_copy):
    study = data_copy / "interviews.study.yaml"
    text = study.read_text(encoding="utf-8")
    study.write_text(text.replace("n_invited: 40", "n_invited: 20"), "utf-8")
    problems = _problems(data_copy)
    assert (problems[0].file, problems[0].key) == ("interviews.study.yaml", "facts.n_invited")


def test_study_csv_is_replaced_by_the_study_description(data_copy):
    (data_copy / "interviews" / "study.csv").write_text("n_invited,illustrative\n40,1\n")
    (problem,) = _problems(data_copy)
    assert problem.file == "data/interviews/study.csv"
    assert "n_invited: 40" in problem.fix


def test_without_study_description(data_copy):
    (data_copy / "interviews.study.yaml").unlink()
    data = load(data_copy)
    assert data.n_invited is None and not data.illustrative
    result = analyse(data)
    assert not result.compared and result.reproduction == []
    assert result.to_json()["compared"] is False
    assert result.characteristics.response is None


def test_missing_file(data_copy):
    (data_copy / "interviews" / "codebook.csv").unlink()
    assert "does not exist" in _problems(data_copy)[0].message


# --- disclosure control and display ------------------------------------------------------------


def test_small_counts_suppressed_with_complement(sample):
    result = analyse(sample, suppress_below=8)
    assert set(result.characteristics.sex.hidden) == {"female", "male"}
    table = tables.characteristics(result.characteristics, "en")
    values = dict(zip(table["Characteristic"], table["Value"], strict=True))
    # Every hidden count looks the same: which is small and which its complement is not told.
    assert values["Men"] == values["Women"] == "hidden"  # else 26 − 19 would give the men away
    assert values["Other disorder"] == values["Musculoskeletal disorder"] == "hidden"
    assert values["Mental health disorder"] == "11 (42%)"
    payload = result.to_json()
    assert payload["sex"] == {"female": None, "male": None}
    assert payload["diagnosis_group"]["mental"] == 11
    assert payload["disclosure"]["suppressed"] == {
        "sex.female": "count",
        "sex.male": "count",
        "diagnosis_group.musculoskeletal": "count",
        "diagnosis_group.other": "count",
        **{f"reproduction[{i}].{side}": "count" for i in (3, 4, 8, 9) for side in SIDES},
        **EXTREMES,
        **{f"reproduction[{i}].{side}": "extreme" for i in (5, 6, 10, 11) for side in SIDES},
        **result.contributions.suppressed(),  # the counts of the coding (their own tests)
    }
    assert "coding.n_contributing" not in payload["disclosure"]["suppressed"]
    assert values["Age in years, median (range)"].startswith("45 (range within 30–69")


@pytest.mark.parametrize("illustrative", [True, False])
def test_a_withheld_value_is_never_paired_with_the_published_one_it_was_built_to_meet(
    sample, illustrative: bool
):
    # The illustrative sample was written to meet the paper (ages 31-61, grades 50-100 %): the
    # paper's extremes beside its withheld ones would print them. On observed data the paper's
    # value beside a withheld one tells nothing about the data, and stays.
    study = sample.study if illustrative else replace(sample.study, provenance=None)
    result = analyse(replace(sample, study=study), suppress_below=5)
    assert result.illustrative is illustrative
    rows = {row["quantity"].key: (i, row) for i, row in enumerate(result.reproduction)}
    payload = result.to_json()
    pub = published()
    for key, value in (("age_min", "31"), ("age_max", "61"), ("sick_leave_min", "50")):
        i, row = rows[f"interviews.repro.{key}"]
        assert row["computed"] is None and row["status"] == "withheld"
        assert pub[key] == value
        assert row["published"] == (None if illustrative else value)
        hidden = payload["disclosure"]["suppressed"]
        assert (f"reproduction[{i}].published" in hidden) is illustrative
        checks = [c["artefact"] for c in payload["disclosure"]["checks"]]
        assert (f"reproduction[{i}].published" in checks) is illustrative
    frame = reproduction_frame(result.reproduction, "en", "interviews")
    ages = frame[frame.iloc[:, 0].str.contains("youngest|oldest", case=False)]
    assert len(ages) == 2
    cells = " ".join(ages.astype(str).to_numpy().ravel())
    assert ("31" in cells and "61" in cells) is not illustrative, cells


def test_characteristics_unsuppressed_in_norwegian(sample):
    table = tables.characteristics(stats.characteristics(sample, suppress_below=0), "nb")
    values = dict(zip(table["Kjennetegn"], table["Verdi"], strict=True))
    assert values["Kvinner"] == "19 (73\u00a0%)"
    assert values["Sykmeldingsgrad, variasjonsbredde"] == "50–100\u00a0%"


def test_results_payload_contract(sample, results):
    payload = results.to_json()
    assert set(payload) == {
        "n_participants",
        "n_invited",
        "sex",
        "age_min",
        "age_max",
        "age",
        "sick_leave",
        "diagnosis_group",
        "themes",
        "codes",
        "coding",
        "reproduction",
        "compared",
        "disclosure",
    }
    extremes = {f"reproduction[{i}].{side}": "extreme" for i in (5, 6, 10, 11) for side in SIDES}
    coding = results.contributions.suppressed()
    assert payload["disclosure"]["suppressed"] == EXTREMES | extremes | coding
    assert payload["disclosure"]["threshold"] == 5
    assert payload["themes"].keys() == {"T1", "T2", "T3"}
    t1 = sample.coded_segments().query("theme_id == 'T1'")
    assert payload["themes"]["T1"] == {
        "n_participants": t1["participant_id"].nunique(),
        "n_segments": t1["segment_id"].nunique(),
    }
    # 24 of 26 speak to T2: the 2 who do not are a count below 5, so 24 is hidden
    assert payload["themes"]["T2"] == {"n_participants": None, "n_segments": None}
    assert coding["themes.T2.n_participants"] == "count"


def test_excerpt_boxes_prefer_quoted_and_escape(results):
    chosen = results.excerpts["T3"]
    assert list(chosen["participant_id"]) == ["P05", "P06", "P19"]
    assert chosen["participant_id"].is_unique
    assert narrative.escape("a *b* [c] `d`") == r"a \*b\* \[c\] \`d\`"
    markdown = page.themes(results, "nb")[0].data  # the first theme
    assert markdown.count("```{admonition}") == 3
    assert "P03 · Veiledning utenfra" in markdown


@pytest.mark.book
def test_built_chapter(built_book):
    payload = json.loads((built_book / "results" / "interviews.json").read_text())
    assert payload["n_participants"] == 26 and payload["n_invited"] == 40
    assert payload["sex"] == {"female": 19, "male": 7}
    assert (payload["age_min"], payload["age_max"]) == (None, None)  # persons' own ages
    assert payload["diagnosis_group"] == {"mental": 11, "musculoskeletal": 8, "other": 7}
    for lang, phrase in (
        ("en", "illustrative paraphrases written for this book, not quotes"),
        ("nb", "illustrerende omskrivinger skrevet for denne boka"),
    ):
        html = (built_book / "html" / lang / "interviews.html").read_text(encoding="utf-8")
        assert phrase in html
        # one row per participant: not published under disclosure control (threshold 5)
        assert f"interviews-matrix-{lang}.svg" not in html
        assert {"en": "person by person", "nb": "person for person"}[lang] in html


def test_the_study_csv_hint_suggests_no_number_the_file_does_not_give(data_copy):
    (data_copy / "interviews" / "study.csv").write_text("illustrative\n1\n")
    (problem,) = _problems(data_copy)
    assert "n_invited: N" in problem.fix and "40" not in problem.fix


def test_the_excerpt_order_names_the_article_only_beside_it(shipped: Shipped) -> None:
    assert "article quotes" in narrative.excerpt_order(shipped.results("interviews"), "en")
    own = shipped.results("interviews", compare=False)
    assert narrative.excerpt_order(own, "en").startswith("Excerpts marked as quoted in the data")
    assert "artikkel" not in narrative.excerpt_order(own, "nb")
