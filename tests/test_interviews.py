"""Interview chapter: published facts, κ against a hand calculation, validation, disclosure."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import interviews
from analysis.build.pipeline import ROOT
from analysis.core.validation import InputError

DATA = ROOT / "data"
SEED = ROOT.parent / "shared" / "seeds" / "interviews-early-follow-up.txt"


@pytest.fixture(scope="module")
def shipped() -> interviews.Interviews:
    return interviews.load(DATA)


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    shutil.copytree(DATA / "interviews", tmp_path / "data" / "interviews")
    return tmp_path / "data"


def _edit(data_dir: Path, file: str, change) -> None:
    path = data_dir / "interviews" / file
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    change(frame)
    frame.to_csv(path, index=False)


def _problems(data_dir: Path) -> list:
    with pytest.raises(InputError) as caught:
        interviews.load(data_dir)
    return caught.value.problems


# --- published facts ---------------------------------------------------------------------------


def test_published_sample_is_reproduced(shipped):
    stats = interviews.characteristics(shipped)
    assert stats["n_invited"] == 40
    assert stats["n_participants"] == 26
    assert stats["sex"] == {"female": 19, "male": 7}
    assert (stats["age_min"], stats["age_max"]) == (31, 61)
    assert stats["diagnosis_group"] == {"mental": 11, "musculoskeletal": 8, "other": 7}
    assert (stats["sick_leave_min"], stats["sick_leave_max"]) == (50, 100)


def test_three_themes_in_published_order(shipped):
    themes = shipped.themes()
    assert list(themes.index) == ["T1", "T2", "T3"]
    assert themes.at["T1", "theme_en"] == "Getting an outsider's perspective"
    assert "framework for long-term sick leave" in themes.at["T2", "theme_en"]
    assert "empathic and personal face" in themes.at["T3", "theme_en"]


def test_quoted_interviews_per_theme(shipped):
    assert interviews.quote_index(shipped) == {
        "T1": ("P03",), "T2": ("P02", "P10"), "T3": ("P05", "P06", "P19")}
    # Seven quotations; Interview 5 is quoted twice, both under theme 3.
    quoted = shipped.coded_segments().query("quoted == 1")
    assert len(quoted) == 7
    assert quoted["participant_id"].value_counts()["P05"] == 2


def test_negative_cases_present(shipped):
    cases = interviews.negative_cases(shipped).set_index("code_id")
    assert cases.at["T2.10", "n_participants"] >= 13  # "frequently": half or more
    assert 2 <= cases.at["T3.10", "n_participants"] <= 5  # "some": a small minority
    assert cases.at["T2.4", "n_participants"] == 1  # "one participant"
    assert not shipped.segments.query("code_id == 'T3.10'")["quoted"].any()


def test_every_participant_contributes(shipped):
    matrix = interviews.theme_matrix(shipped)
    assert matrix.shape == (26, 3)
    assert (matrix.sum(axis=1) > 0).all()


def test_reproduction_rows_all_match(shipped):
    rows = interviews.reproduction_rows(shipped)
    assert len(rows) == 17
    assert {row["status"] for row in rows} <= {"exact_by_construction", "matches"}
    response = next(row for row in rows if row["quantity"]["en"].startswith("Took part"))
    assert response["computed"] == pytest.approx(65.0)


def test_reproduction_flags_other_data(data_copy):
    _edit(data_copy, "segments.csv", lambda f: f.__setitem__(
        "quoted", np.where(f["participant_id"] == "P10", "0", f["quoted"])))
    rows = interviews.reproduction_rows(interviews.load(data_copy))
    t2 = next(row for row in rows if "theme T2" in row["quantity"]["en"])
    assert t2["status"] == "differs"
    assert "P02" in t2["reason"]["en"]


@pytest.mark.skipif(not SEED.exists(), reason="source paper not available")
def test_excerpts_are_not_the_papers_quotes(shipped):
    """No excerpt shares a run of five words with the article's text."""
    def grams(text: str, n: int = 5) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z']+", text.lower().replace("’", "'"))
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}

    paper = grams(SEED.read_text(encoding="utf-8"))
    shared = {excerpt: grams(excerpt) & paper for excerpt in shipped.segments["excerpt_en"]}
    assert {excerpt: hit for excerpt, hit in shared.items() if hit} == {}


def test_excerpts_are_short_and_bilingual(shipped):
    words = shipped.segments["excerpt_en"].str.split().str.len()
    assert words.max() <= 25
    assert (shipped.segments["excerpt_en"] != shipped.segments["excerpt_nb"]).all()


# --- Cohen's kappa -----------------------------------------------------------------------------


def _two_coders(first: list[int], second: list[int], code: str = "X") -> pd.DataFrame:
    rows = []
    for coder, applied in (("A", first), ("B", second)):
        for i, flag in enumerate(applied):
            rows.append({"segment_id": f"S{i}", "coder": coder,
                         "code_id": code if flag else "other"})
    return pd.DataFrame(rows)


def test_kappa_matches_hand_calculation():
    # 10 segments; A applies X to 4, B to 4, they agree on 8 (3 yes, 5 no).
    # p_o = 0.8, p_e = 0.4·0.4 + 0.6·0.6 = 0.52, κ = (0.8 − 0.52) / (1 − 0.52) = 0.58333…
    coded = _two_coders([1, 1, 1, 0, 0, 0, 0, 1, 0, 0], [1, 1, 0, 0, 0, 0, 1, 1, 0, 0])
    kappa = interviews.kappa_per_code(coded).set_index("code_id")
    assert kappa.at["X", "kappa"] == pytest.approx(0.28 / 0.48)
    assert kappa.at["X", "agreement"] == pytest.approx(0.8)
    assert (kappa.at["X", "n_first"], kappa.at["X", "n_second"]) == (4, 4)
    # "other" is the complement of X here, so its κ is the same.
    assert kappa.at["other", "kappa"] == pytest.approx(0.28 / 0.48)


def test_kappa_perfect_and_undefined():
    perfect = interviews.kappa_per_code(_two_coders([1, 0, 1], [1, 0, 1])).set_index("code_id")
    assert perfect.at["X", "kappa"] == pytest.approx(1.0)
    constant = interviews.kappa_per_code(_two_coders([1, 1, 1], [1, 1, 1])).set_index("code_id")
    assert np.isnan(constant.at["X", "kappa"])
    assert "other" not in constant.index  # never applied by either coder


def test_kappa_applicability(shipped):
    assert interviews.kappa_not_applicable(shipped.coded) == "interviews.kappa.no_coder"
    assert "does not apply" in interviews.kappa_sentence(shipped, "en")
    three = _two_coders([1], [1])
    three = pd.concat([three, three.assign(coder="C")])
    assert interviews.kappa_not_applicable(three) == "interviews.kappa.not_two"
    apart = _two_coders([1], [1]).assign(segment_id=["S0", "S9"])
    assert interviews.kappa_not_applicable(apart) == "interviews.kappa.no_overlap"
    assert interviews.kappa_not_applicable(_two_coders([1], [0])) is None


def test_two_coders_in_segments_file(data_copy):
    path = data_copy / "interviews" / "segments.csv"
    first = pd.read_csv(path, dtype=str, keep_default_na=False).assign(coder="VSF")
    second = first.assign(coder="MIS")
    second.loc[second["segment_id"] == "S001", "code_id"] = "T1.2"
    pd.concat([first, second]).to_csv(path, index=False)
    data = interviews.load(data_copy)
    assert len(data.segments) == len(first)  # tables use the first coder's rows
    kappa = interviews.kappa_per_code(data.coded).set_index("code_id")
    assert kappa.at["T2.1", "kappa"] == pytest.approx(1.0)
    assert kappa.at["T1.1", "n_second"] == kappa.at["T1.1", "n_first"] - 1
    table = interviews.kappa_table(data, "nb")
    assert "Brukt av MIS" in table.columns


# --- validation --------------------------------------------------------------------------------


def test_unknown_participant_named_by_file_column_row(data_copy):
    _edit(data_copy, "segments.csv", lambda f: f.__setitem__(
        "participant_id", f["participant_id"].replace({"P03": "P99"})))
    problems = _problems(data_copy)
    assert {p.file for p in problems} == {"data/interviews/segments.csv"}
    assert {p.column for p in problems} == {"participant_id"}
    assert [p.row for p in problems] == [9, 10, 11, 12]
    assert "not in participants.csv" in str(problems[0])


def test_unknown_code(data_copy):
    _edit(data_copy, "segments.csv", lambda f: f.__setitem__(
        "code_id", f["code_id"].replace({"T3.10": "T3.11"})))
    problems = _problems(data_copy)
    assert {(p.column, p.message) for p in problems} == {
        ("code_id", "the code is not in codebook.csv")}


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
    _edit(data_copy, "codebook.csv", lambda f: f.__setitem__(
        "theme_nb", np.where(f["code_id"] == "T1.4", "Annet navn", f["theme_nb"])))
    problems = _problems(data_copy)
    assert [(p.file, p.column, p.row) for p in problems] == [
        ("data/interviews/codebook.csv", "theme_nb", r + 1) for r in range(9)]


def test_invited_below_participants(data_copy):
    _edit(data_copy, "study.csv", lambda f: f.__setitem__("n_invited", "20"))
    problems = _problems(data_copy)
    assert (problems[0].file, problems[0].column) == ("data/interviews/study.csv", "n_invited")


def test_missing_file(data_copy):
    (data_copy / "interviews" / "codebook.csv").unlink()
    assert "does not exist" in _problems(data_copy)[0].message


# --- disclosure control and display ------------------------------------------------------------


def test_small_counts_suppressed_with_complement(shipped):
    table = interviews.characteristics_table(shipped, "en", suppress_below=8)
    values = dict(zip(table["Characteristic"], table["Value"], strict=True))
    assert values["Men"] == "<8"
    assert values["Women"] == "hidden"  # else 26 − 19 would give the men away
    assert values["Other disorder"] == "<8"
    assert values["Musculoskeletal disorder"] == "hidden"
    assert values["Mental health disorder"] == "11 (42%)"
    payload = interviews.results_payload(shipped, suppress_below=8)
    assert payload["sex"] == {"female": None, "male": None}
    assert payload["diagnosis_group"]["mental"] == 11


def test_characteristics_unsuppressed_in_norwegian(shipped):
    table = interviews.characteristics_table(shipped, "nb", suppress_below=0)
    values = dict(zip(table["Kjennetegn"], table["Verdi"], strict=True))
    assert values["Kvinner"] == "19 (73\u00a0%)"
    assert values["Sykmeldingsgrad, variasjonsbredde"] == "50–100\u00a0%"


def test_results_payload_contract(shipped):
    payload = interviews.results_payload(shipped, suppress_below=5)
    assert set(payload) == {"n_participants", "n_invited", "sex", "age_min", "age_max",
                            "diagnosis_group", "themes", "reproduction"}
    assert payload["themes"].keys() == {"T1", "T2", "T3"}
    t2 = shipped.coded_segments().query("theme_id == 'T2'")
    assert payload["themes"]["T2"] == {"n_participants": t2["participant_id"].nunique(),
                                       "n_segments": t2["segment_id"].nunique()}


def test_excerpt_boxes_prefer_quoted_and_escape(shipped):
    chosen = interviews.excerpts(shipped, "T3")
    assert list(chosen["participant_id"]) == ["P05", "P06", "P19"]
    assert chosen["participant_id"].is_unique
    assert interviews._escape("a *b* [c] `d`") == r"a \*b\* \[c\] \`d\`"
    markdown = interviews.theme_markdown(shipped, "T1", "nb")
    assert markdown.count("```{admonition}") == 3
    assert "P03 · Veiledning utenfra" in markdown


@pytest.mark.book
def test_built_chapter(built_book):
    payload = json.loads((built_book / "results" / "interviews.json").read_text())
    assert payload["n_participants"] == 26 and payload["n_invited"] == 40
    assert payload["sex"] == {"female": 19, "male": 7}
    assert (payload["age_min"], payload["age_max"]) == (31, 61)
    assert payload["diagnosis_group"] == {"mental": 11, "musculoskeletal": 8, "other": 7}
    for lang, phrase in (("en", "illustrative paraphrases written for this book, not quotes"),
                         ("nb", "illustrerende omskrivinger skrevet for denne boka")):
        html = (built_book / "html" / lang / "interviews.html").read_text(encoding="utf-8")
        assert phrase in html
        assert f"interviews-matrix-{lang}.png" in html
