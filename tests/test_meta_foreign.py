"""The meta-analysis chapter on another review's data: a small review with a harmful outcome,
an effect that favours control, a double-zero study, a control risk below 10 %, no follow-up,
none of the optional files and no study description. The page must state this review's facts
and none of the shipped review's."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis.chapters.meta import figures, narrative, page, tables
from analysis.chapters.meta.chapter import MetaResults, analyse
from analysis.chapters.meta.data import load
from analysis.core.display import COLUMN_WIDTH
from analysis.core.i18n import LANGS, t
from tests.conftest import share_build
from tests.helpers import REVIEW_STUDIES, Shipped, article_text, figures_undrawn, write_review

# What the shipped review's page says and a foreign review's page must not.
SHIPPED_FACTS = (
    "fhi2019review",
    "Norwegian Institute of Public Health",
    "Folkehelseinstituttet",
    "Twenty",
    "Tjue",
    "25 publications",
    "25 publikasjoner",
    "RevMan 5 as well",
    "også RevMan 5",
    "as in the review",
    "som i oversikten",
    "Gismervik",
    "Bültmann",
    "Multidisciplinary",
    "Tverrfaglig",
    "reconstructed",
    "rekonstruert",
    "7,186",
    "5,753",
    "RCT",
    "return to work",
    "tilbakeføring til arbeid",
    "– months",
    "– måneder",
    "P = <",
)


@pytest.fixture(scope="module")
def foreign(tmp_path_factory: pytest.TempPathFactory) -> MetaResults:
    return analyse(load(write_review(tmp_path_factory.mktemp("review") / "data")))


def test_optional_files_are_left_out_and_the_counts_agree(foreign: MetaResults) -> None:
    data = foreign.data
    assert (data.prisma, data.risk_of_bias, data.narrative, data.characteristics) == (None,) * 4
    assert not data.study.described
    assert not foreign.compared and foreign.reproduction == []
    assert foreign.to_json()["compared"] is False
    harm = foreign.analyses["sl"]
    assert harm.pooled.estimate > 1 and harm.direction == "harmful"
    assert (harm.k, harm.n_participants) == (4, 100 + 82 + 138 + 42)
    assert harm.not_estimable == ["Delta 2018"]
    assert foreign.n_included == 7 and foreign.n_publications is None


def test_harmful_outcome_turns_the_favours_labels(foreign: MetaResults, shipped: Shipped) -> None:
    def favours(result: object) -> list[str]:
        figure = figures.forest_plot(result, "en", COLUMN_WIDTH)
        texts = sorted(
            (text.get_position()[0], text.get_text())
            for text in figure.axes[0].texts
            if text.get_text().startswith("Favours")
        )
        plt.close(figure)
        return [text for _, text in texts]

    assert favours(foreign.analyses["sl"]) == ["Favours intervention", "Favours control"]
    assert favours(shipped.results("meta").analyses["mr_uc_12"]) == [
        "Favours control",
        "Favours intervention",
    ]


def test_summary_of_findings_per_1000_below_ten_percent(
    foreign: MetaResults, shipped: Shipped
) -> None:
    table = tables.sof_table(foreign, "en")
    risk = "Risk with control (per 100 or 1,000)"
    assert table[risk].tolist() == ["40 per 100", "50 per 1,000"]
    assert table["Outcome"].tolist() == ["Still on sick leave", "Disability pension"]
    assert table["Participants (studies)"].tolist() == ["362 (4 studies)", "603 (3 studies)"]
    note = tables.sof_note(foreign, "en")
    assert "Q7" in note and "Delta 2018" in note
    assert "per 1,000" in narrative.sof_intro(foreign, "en")
    assert narrative.overall_text(foreign.analyses["sl"].pooled, "en").endswith(")")
    small = narrative.overall_text(shipped.results("meta").analyses["mr_uc_12"].pooled, "en")
    assert "(P = 0.939)" in small


def test_p_below_one_in_a_thousand_reads_p_less_than(shipped: Shipped) -> None:
    pooled = shipped.results("meta").analyses["mr_uc_12"].pooled
    tiny = type(pooled)(**{**pooled.__dict__, "p": 1e-6, "q_p": 1e-5})
    assert "(P < 0.001)" in narrative.overall_text(tiny, "en")
    assert "(P < 0,001)" in narrative.heterogeneity_text(tiny, "nb")


def test_a_description_that_reproduces_nothing(
    tmp_path: Path, figure_folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures_undrawn(monkeypatch)  # the page's words are read; the figures are drawn elsewhere
    data_dir = write_review(tmp_path / "data")
    (data_dir / "meta.study.yaml").write_text(
        "reference: {en: 'the Example review of graded activity', "
        "nb: 'Eksempel-oversikten over gradert aktivitet'}\n"
        "provenance: simulated\n"
        "provenance_note: {en: 'Made-up counts for a test.', nb: 'Oppdiktede tall for en test.'}\n"
        "outcomes:\n"
        "  sick_leave: {direction: harmful, name: {en: 'sick leave', nb: 'sykefravær'}}\n",
        encoding="utf-8",
    )
    analyses = data_dir / "meta" / "analyses.csv"
    pd.read_csv(analyses, dtype=str).drop(columns="direction").to_csv(analyses, index=False)
    results = analyse(load(data_dir))
    assert not results.compared and results.reproduction == []
    # Without the column, the direction is that of the one outcome the description names.
    assert {result.direction for result in results.analyses.values()} == {"harmful"}
    for lang, reference, warning in (
        ("en", "the Example review of graded activity", "Made-up counts"),
        ("nb", "Eksempel-oversikten over gradert aktivitet", "Oppdiktede tall"),
    ):
        shown = "\n".join(item.data for item in page.opening(results, lang))
        assert reference in shown and warning in shown
        assert "{cite:p}" not in shown
        assert "RevMan 5" in shown and ("as in the review" not in shown)
        table, figure = page.forest_plots(results, lang, figure_folder)[:2]
        assert "<table" in table.data and figure.data.startswith("```{figure}")
        assert page.reproduction_table(results, lang) == []  # nothing compared, no section


share_build("foreign", "meta", lambda folder: write_review(folder))


def test_the_book_builds_on_another_review(shared_book) -> None:
    out = shared_book("foreign")
    payload = json.loads((out / "results" / "meta.json").read_text(encoding="utf-8"))
    assert payload["compared"] is False and payload["reproduction"] == []
    expected = {
        "en": (
            "7 study results in 2 analyses",
            "This chapter pools 7 studies in two risk-ratio analyses.",
            "Graded activity vs usual care, Still on sick leave:",
            "Seven studies met the inclusion criteria",
            "flow diagram is left out",
            "risk-of-bias summary is left out",
            "table of study characteristics is left out",
            "no results reported without pooling",
            "per 1,000",
            "(note Q7)",
            "Delta 2018",
            "Forest plot of 4 studies",
            "1 study left out (Delta 2018)",
            "REML (current)",
        ),
        "nb": (
            "7 studieresultater i 2 analyser",
            "Dette kapitlet slår sammen 7 studier i to analyser av risikoratio.",
            "Gradert aktivitet mot vanlig praksis, Fortsatt sykmeldt:",
            "Sju studier oppfylte inklusjonskriteriene",
            "flytdiagrammet er utelatt",
            "per 1 000",
            "Delta 2018",
            "Skogplott med 4 studier",
            "1 studie holdt utenfor (Delta 2018)",
        ),
    }
    for lang in LANGS:
        text = article_text(out / "html" / lang / "meta.html")
        for fact in expected[lang]:
            assert fact in text, (lang, fact)
        for fact in SHIPPED_FACTS:
            assert fact not in text, (lang, fact)
        assert "published results" not in text and "publiserte resultatene" not in text


def test_current_methods_sensitivity_and_funnel_on_another_review(
    tmp_path: Path, figure_folder
) -> None:
    """A review with twelve studies in one analysis (one double-zero) gets Egger's test and a
    funnel plot; the small one gets the reason instead; no sentence claims reproduction."""
    many = [
        (f"Trial{i:02d} {2000 + i}", 10 + i, 60 + 5 * i, 8 + (i % 5), 62 + 4 * i) for i in range(11)
    ]
    studies = {"sl": [*many, ("Nil 2019", 0, 30, 0, 31)], "dp": REVIEW_STUDIES["dp"]}
    results = analyse(load(write_review(tmp_path / "data", studies)))
    assert results.current["sl"].dropped == ["Nil 2019"]
    assert results.current["sl"].default.k == 11 and results.current["sl"].funnel is not None
    assert results.current["dp"].funnel is None
    for lang in LANGS:
        current = "\n".join(item.data for item in page.current_methods(results, lang))
        assert current.count("REML") >= 3 and "Nil 2019" in current
        assert t("meta.current.reproduces", lang) not in current
        shown = page.sensitivity(results, lang, figure_folder)
        text = "\n".join(item.data for item in shown)
        assert text.count("<table") == 2  # leave-one-out for both analyses (11 and 3 studies)
        assert "t = " in text and t("meta.egger.not_reported", lang).split("{")[0] in text
        assert sum(item.data.startswith("```{figure}") for item in shown) == 1
