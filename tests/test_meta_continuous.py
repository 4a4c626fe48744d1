"""The meta-analysis chapter on a review of its own making with continuous outcomes and
subgroups: a mean difference (lower pain is better) in three settings, one of them a single
study, a standardised mean difference without subgroups, and a risk-ratio analysis in two
settings. The chapter must pool each with its measure, test the subgroup differences and show
both in both languages; the numbers are checked against the statistics modules that the
metafor reference tests check (``tests/test_meta_methods.py``), computed here from the raw
columns."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Polygon

from analysis.chapters.meta import figures, narrative, page, tables
from analysis.chapters.meta.chapter import MetaResults, analyse
from analysis.chapters.meta.data import load
from analysis.chapters.meta.effects import binary_effects, continuous_effects
from analysis.chapters.meta.pooling import rma
from analysis.chapters.meta.subgroups import subgroup_analysis
from analysis.core.display import PHONE_WIDTH, FigureFolder
from analysis.core.i18n import LANGS
from analysis.core.validation import InputError
from tests.conftest import share_build
from tests.helpers import article_text, figures_undrawn

SETTINGS = {
    "primary": ("Primary care", "Primærhelsetjenesten"),
    "hospital": ("Hospital", "Sykehus"),
    "specialist": ("Specialist clinic", "Spesialistklinikk"),
}
# study, setting, mean/SD/n of the intervention arm, then of the control arm
PAIN = [
    ("Aalto 2016", "primary", 4.1, 1.9, 60, 5.0, 2.1, 58),
    ("Berg 2017", "primary", 3.8, 2.2, 45, 4.9, 2.0, 47),
    ("Costa 2018", "primary", 4.6, 1.7, 80, 4.8, 1.8, 82),
    ("Dahl 2019", "hospital", 5.2, 2.4, 35, 5.3, 2.3, 36),
    ("Eriksen 2020", "hospital", 4.9, 2.0, 50, 5.6, 2.2, 49),
    ("Fischer 2021", "specialist", 3.1, 1.5, 30, 5.2, 1.6, 31),
]
FUNCTION = [
    ("Garcia 2015", 62.0, 14.0, 40, 55.0, 15.0, 41),
    ("Hansen 2017", 30.5, 6.1, 25, 29.0, 6.4, 24),
    ("Ito 2019", 71.0, 18.0, 90, 64.0, 17.5, 88),
    ("Jensen 2022", 12.2, 3.1, 33, 11.9, 3.3, 35),
]
# study, setting, events/total of the intervention arm, then of the control arm
WORK = [
    ("Kim 2016", "primary", 30, 60, 22, 58),
    ("Lund 2018", "primary", 25, 50, 20, 52),
    ("Moe 2019", "hospital", 18, 40, 17, 41),
    ("Nagy 2021", "hospital", 28, 55, 21, 54),
]
ANALYSES = [
    ("pain", "MD", "education", "Pain education vs usual care",
     "Smerteundervisning mot vanlig praksis", "Pain (0–10)", "Smerte (0–10)", "harmful", True),
    ("function", "SMD", "exercise", "Exercise vs usual care", "Trening mot vanlig praksis",
     "Physical function", "Fysisk funksjon", "beneficial", False),
    ("work", "RR", "exercise", "Exercise vs usual care", "Trening mot vanlig praksis",
     "At work", "I arbeid", "beneficial", True),
]  # fmt: skip
DOMAINS = ("risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias")


def _setting(key: str) -> dict[str, str]:
    return {"subgroup_en": SETTINGS[key][0], "subgroup_nb": SETTINGS[key][1]}


def write_continuous_review(folder: Path) -> Path:
    """The review's two required files; returns the data folder."""
    meta = folder / "meta"
    meta.mkdir(parents=True)
    rows = [
        {"analysis_id": "pain", "study": study, **_setting(setting),
         **dict(zip(("mean_intervention", "sd_intervention", "n_intervention",
                     "mean_control", "sd_control", "n_control"), arms, strict=True))}
        for study, setting, *arms in PAIN
    ] + [
        {"analysis_id": "function", "study": study,
         **dict(zip(("mean_intervention", "sd_intervention", "n_intervention",
                     "mean_control", "sd_control", "n_control"), arms, strict=True))}
        for study, *arms in FUNCTION
    ] + [
        {"analysis_id": "work", "study": study, **_setting(setting),
         **dict(zip(("events_intervention", "n_intervention", "events_control", "n_control"),
                    counts, strict=True))}
        for study, setting, *counts in WORK
    ]  # fmt: skip
    studies = pd.DataFrame(rows).assign(
        year=lambda frame: frame["study"].str[-4:], source="primary"
    )
    for column in ("events_intervention", "events_control"):
        studies[column] = studies[column].astype("Int64")
    studies.to_csv(meta / "studies.csv", index=False)
    analyses = pd.DataFrame(
        {
            "analysis_id": key,
            "comparison_id": comparison,
            "comparison_en": comparison_en,
            "comparison_nb": comparison_nb,
            "outcome_en": outcome_en,
            "outcome_nb": outcome_nb,
            "follow_up_months": 6,
            "measure": measure,
            "control_risk_per_100": 40 if measure == "RR" else None,
            "subgroups_en": "Setting" if subgroups else None,
            "subgroups_nb": "Behandlingssted" if subgroups else None,
            "direction": direction,
            **dict.fromkeys(DOMAINS, "not_serious"),
            **{f"{domain}_note_{lang}": None for domain in DOMAINS for lang in LANGS},
            "certainty": "moderate",
        }
        for (key, measure, comparison, comparison_en, comparison_nb, outcome_en, outcome_nb,
             direction, subgroups) in ANALYSES
    )  # fmt: skip
    analyses.to_csv(meta / "analyses.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> MetaResults:
    return analyse(load(write_continuous_review(tmp_path_factory.mktemp("continuous"))))


def _arms(rows: list[tuple]) -> list[np.ndarray]:
    return [np.array([row[i] for row in rows], dtype=float) for i in range(-6, 0)]


def test_each_analysis_pools_its_measure(review: MetaResults) -> None:
    """MD and SMD per study as escalc, pooled by DerSimonian–Laird (the headline, as RevMan 5)
    and REML (the current default); only the inverse-variance models for them."""
    for key, rows, measure in (("pain", PAIN, "MD"), ("function", FUNCTION, "SMD")):
        result = review.analyses[key]
        effects = continuous_effects(*_arms(rows), measure)
        assert result.measure == measure and not result.ratio
        np.testing.assert_allclose(result.effects["effect"], effects.yi, rtol=1e-12)
        assert list(result.models) == ["fixed_iv", "random", "hksj"]
        assert result.headline == "random" and result.absolute is None
        dl = rma(effects.yi, effects.vi, "DL")
        assert result.pooled.estimate == pytest.approx(dl.estimate, rel=1e-9)
        assert result.pooled.ci_low == pytest.approx(dl.ci_low, rel=1e-9)
        assert result.pooled.tau2 == pytest.approx(dl.tau2, rel=1e-9, abs=1e-12)
        reml = rma(effects.yi, effects.vi, "REML")
        assert review.current[key].default.estimate == pytest.approx(reml.estimate, rel=1e-9)
    md = review.analyses["pain"]
    assert md.pooled.estimate < 0  # less pain with the intervention
    expected = sum(r[-3] * r[-1] for r in PAIN) / sum(r[-1] for r in PAIN)
    assert md.observed_control_mean == pytest.approx(expected)


def test_subgroups_are_pooled_and_tested(review: MetaResults) -> None:
    """REML per subgroup (the one-study subgroup is its own estimate) and Q between them, for
    an MD and for a risk-ratio analysis (shown as ratios)."""
    pain = review.current["pain"].subgroups
    effects = continuous_effects(*_arms(PAIN), "MD")
    expected = subgroup_analysis(effects.yi, effects.vi, [SETTINGS[r[1]][0] for r in PAIN])
    assert [row.subgroup for row in pain.subgroups] == [name for name, _ in SETTINGS.values()]
    assert [row.k for row in pain.subgroups] == [3, 2, 1]
    for row, fit in zip(pain.subgroups, expected.subgroups.values(), strict=True):
        assert row.estimate == pytest.approx(fit.estimate, rel=1e-12)
    single = pain.subgroups[-1]
    assert single.estimate == pytest.approx(effects.yi[-1]) and math.isnan(single.tau2)
    assert pain.test.df == 2 and pain.test.q == pytest.approx(expected.test.q, rel=1e-12)
    assert pain.test.q > 0 and 0 < pain.test.p < 1
    work = review.current["work"].subgroups
    counts = [np.array([row[i] for row in WORK], dtype=float) for i in range(2, 6)]
    ratios = binary_effects(*counts, "RR")
    tested = subgroup_analysis(ratios.yi, ratios.vi, [SETTINGS[r[1]][0] for r in WORK])
    first = next(iter(tested.subgroups.values()))
    assert work.subgroups[0].estimate == pytest.approx(math.exp(first.estimate), rel=1e-12)
    assert work.test.q == pytest.approx(tested.test.q, rel=1e-12)
    assert review.current["function"].subgroups is None
    contract = review.to_json()["analyses"]["pain"]
    assert contract["measure"] == "MD"
    assert contract["current"]["subgroups"]["test"]["df"] == 2


@pytest.mark.parametrize("lang", LANGS)
def test_tables_and_texts_name_the_measures(
    review: MetaResults,
    lang: str,
    figure_folder: FigureFolder,
    monkeypatch: pytest.MonkeyPatch,
    quick: bool,
) -> None:
    if quick or lang != LANGS[0]:
        figures_undrawn(monkeypatch)  # drawn by `make test`, in the first language only
    words = {
        "en": ("Mean difference", "lower", "mean ", "Test for subgroup differences", "Setting"),
        "nb": ("Gjennomsnittsforskjell", "lavere", "gjennomsnitt ", "forskjeller mellom",
               "Behandlingssted"),
    }[lang]  # fmt: skip
    forest = tables.forest_table(review.analyses["pain"], lang)
    assert words[0] in " ".join(forest.columns) and len(forest) == len(PAIN) + 1
    sof = tables.sof_table(review, lang).astype(str)
    pain_row = " ".join(sof.iloc[0])
    assert "MD " in pain_row and words[1] in pain_row and words[2] in pain_row
    assert "RR " in " ".join(sof.iloc[2]) and "SMD" in " ".join(sof.iloc[1])
    models = tables.models_table(review, lang)
    assert len(models) == 3 + 3 + 6  # the MD and SMD analyses have the IV models only
    assert any(cell.startswith("SMD ") for cell in models.iloc[:, 2])
    subgroup = tables.subgroup_table(review, "pain", lang)
    assert subgroup.columns[0] == words[4] and len(subgroup) == 3
    shown = page.subgroups(review, lang, figure_folder)
    text = " ".join(str(getattr(item, "data", "")) for item in shown)
    assert words[3] in text and "df = 2" in text
    assert narrative.subgroups_missing(review, lang) == ""
    summary = narrative.summary(review, lang)
    assert "MD " in summary and "SMD " in summary and "RR " in summary


def test_a_review_without_risk_ratios_has_no_risk_columns(tmp_path: Path) -> None:
    folder = write_continuous_review(tmp_path / "data")
    for name in ("studies.csv", "analyses.csv"):
        path = folder / "meta" / name
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table[table["analysis_id"] != "work"].to_csv(path, index=False)
    results = analyse(load(folder))
    assert list(results.analyses) == ["pain", "function"]
    for lang, header in (("en", "Mean with control"), ("nb", "Gjennomsnitt med kontroll")):
        columns = list(tables.sof_table(results, lang).columns)
        assert header in columns and not any("100" in column for column in columns)
        assert "RR" not in narrative.summary(results, lang)


def test_the_subgroup_forest_plot_has_a_diamond_per_subgroup(review: MetaResults) -> None:
    for key, ratio in (("pain", False), ("work", True)):
        subgroups = review.current[key].subgroups
        fig = figures.subgroup_forest_plot(review.analyses[key], subgroups, "nb", PHONE_WIDTH)
        ax = fig.axes[0]
        diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
        assert len(diamonds) == len(subgroups.subgroups)
        assert (ax.get_xscale() == "log") is ratio
        assert "Sykehus" in [label.get_text() for label in ax.get_yticklabels()]
        plt.close(fig)


def _edit(folder: Path, name: str, row: int, column: str, value: object) -> None:
    path = folder / "meta" / name
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    table.loc[row, column] = value
    table.to_csv(path, index=False)


@pytest.mark.parametrize(
    ("name", "row", "column", "value", "where", "message"),
    [
        ("studies.csv", 1, "sd_control", "", ("sd_control", 2), "needs the mean, SD and size"),
        ("studies.csv", 6, "events_control", "3", ("events_control", 7), "gives events"),
        ("studies.csv", 0, "sd_intervention", "0", ("sd_intervention", 1), "no variance"),
        ("studies.csv", 3, "subgroup_nb", "", ("subgroup_nb", 4), "names none"),
        ("studies.csv", 10, "mean_control", "5", ("mean_control", 11), "gives a mean or SD"),
        ("analyses.csv", 2, "control_risk_per_100", "", ("control_risk_per_100", 3),
         "control risk"),
    ],
)  # fmt: skip
def test_bad_continuous_input_is_located(
    tmp_path: Path, name: str, row: int, column: str, value: str, where: tuple, message: str
) -> None:
    folder = write_continuous_review(tmp_path / "data")
    _edit(folder, name, row, column, value)
    with pytest.raises(InputError) as error:
        load(folder)
    (problem,) = error.value.problems
    assert problem.file.endswith(name) and (problem.column, problem.row) == where
    assert message in problem.message
    assert problem.text("nb") != problem.text("en")


share_build("methods", "meta", write_continuous_review)  # with the competing cohort


def test_the_book_builds_with_continuous_outcomes_and_subgroups(shared_book) -> None:
    out = shared_book("methods")
    payload = json.loads((out / "results" / "meta.json").read_text(encoding="utf-8"))
    assert [a["measure"] for a in payload["analyses"].values()] == ["MD", "SMD", "RR"]
    expected = {
        "en": ("Subgroup analyses", "Test for subgroup differences", "Mean difference", "SMD "),
        "nb": ("Undergruppeanalyser", "Test for forskjeller mellom undergrupper",
               "Gjennomsnittsforskjell", "SMD "),
    }  # fmt: skip
    for lang in LANGS:
        text = article_text(out / "html" / lang / "meta.html")
        for phrase in expected[lang]:
            assert phrase in text, (lang, phrase)
        assert len(list((out / "html" / lang).rglob("meta-subgroups-*"))) >= 2
