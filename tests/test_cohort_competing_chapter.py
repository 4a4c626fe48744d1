"""A cohort whose study description declares a competing outcome and RMSTs: the chapter's
results match R (tests/reference/competing_chapter.R on the cohort of
``tests.cohort_competing_data``), output checking holds at threshold 5, a badly declared
outcome is refused, and the page shows the section in both languages (only when declared)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import CHAPTERS
from analysis.chapters.cohort import page, tables
from analysis.chapters.cohort.chapter import CohortResults, analyse
from analysis.chapters.cohort.data import CohortData, load
from analysis.core.disclosure import SMALL_GROUP
from analysis.core.display import FigureFolder
from analysis.core.i18n import t
from analysis.core.problems import InputError
from analysis.core.settings import LANGS, PHONE_FIGURE_SUFFIX
from analysis.pipeline.sources import contract_includes
from tests.conftest import share_build
from tests.helpers import (
    COMPETING_INPUT as INPUT,
)
from tests.helpers import (
    COMPETING_R_COLUMNS as R_COLUMNS,
)
from tests.helpers import (
    COMPETING_STUDY as STUDY,
)
from tests.helpers import (
    article_text,
    competing_cohort,
    figures_undrawn,
)

NAME = "leaving_sick_leave"
CAUSES = ("rtw", "aap", "uforetrygd")
FOLLOW_UP = 360
THRESHOLD = 5
ABS = 1e-6


def write_data(folder: Path, study: str = STUDY, frame: pd.DataFrame | None = None) -> Path:
    folder.mkdir(parents=True)
    (competing_cohort() if frame is None else frame).to_csv(folder / "cohort.csv", index=False)
    (folder / "cohort.study.yaml").write_text(study, encoding="utf-8")
    return folder


share_build("methods", "cohort", write_data)  # with the continuous review


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_data(tmp_path_factory.mktemp("competing") / "data")


@pytest.fixture(scope="module")
def loaded(data_dir: Path) -> CohortData:
    return load(data_dir)


@pytest.fixture(scope="module")
def unchecked(loaded: CohortData) -> CohortResults:
    return analyse(loaded, suppress_below=0)


@pytest.fixture(scope="module")
def checked(loaded: CohortData) -> CohortResults:
    return analyse(loaded, suppress_below=THRESHOLD)


@pytest.fixture(scope="module")
def values() -> pd.DataFrame:
    frame = pd.read_csv(
        INPUT.with_name("competing_chapter_values.csv"), keep_default_na=False, dtype=str
    )
    frame["value"] = frame["value"].replace("NA", "nan").astype(float)
    return frame


def _r(values: pd.DataFrame, analysis: str, statistic: str, group: str = "") -> pd.Series:
    rows = values[
        (values.analysis == analysis) & (values.statistic == statistic) & (values.group == group)
    ]
    assert len(rows), (analysis, statistic, group)
    return rows.set_index("term")["value"]


def test_the_cohort_is_the_one_r_read() -> None:
    written = pd.read_csv(INPUT, dtype={"coordinator": str, "end_type": str})
    pd.testing.assert_frame_equal(competing_cohort()[R_COLUMNS].reset_index(drop=True), written)


def test_cumulative_incidence_and_risk_tables_match_r(
    unchecked: CohortResults, values: pd.DataFrame
) -> None:
    result = unchecked.declared.competing[NAME]
    assert result.causes == CAUSES and result.withheld == ()
    compared = 0
    for level in ("yes", "no"):
        for cause in CAUSES:
            got = result.at_times(level, cause)
            for statistic, column in (
                ("estimate", "estimate"),
                ("lower", "ci_low"),
                ("upper", "ci_high"),
            ):
                expected = _r(values, "cif", f"{statistic}_{cause}", level)
                at = got.loc[expected.index.astype(float), column].to_numpy()
                assert at == pytest.approx(expected.to_numpy(), abs=ABS)
                compared += len(expected)
        table = result.risk_tables[level]
        for statistic, counts in (
            ("at_risk", table.at_risk),
            ("events", table.events),
            ("censored", table.censored),
        ):
            expected = _r(values, "risk_table", statistic, level)
            shown = dict(zip(result.times, counts, strict=True))
            assert [shown[float(time)] for time in expected.index] == expected.tolist()
    assert compared == 2 * 3 * 3 * 5


def test_cause_specific_tests_and_hazard_ratios_match_r(
    unchecked: CohortResults, values: pd.DataFrame
) -> None:
    tests = {test.cause: test for test in unchecked.declared.competing[NAME].tests}
    assert list(tests) == list(CAUSES)
    for cause, test in tests.items():
        assert test.logrank.chi2 == pytest.approx(
            _r(values, f"logrank_{cause}", "chisq")[""], abs=ABS
        )
        ratio = test.hazard_ratio
        for statistic, got in (
            ("hr", ratio.hr),
            ("lower", ratio.ci_low),
            ("upper", ratio.ci_high),
            ("p", ratio.p),
        ):
            assert got == pytest.approx(_r(values, f"cox_{cause}", statistic)[""], abs=ABS)


@pytest.mark.parametrize(("name", "horizon"), [(NAME, 180.0), ("first_rtw", 360.0)])
def test_restricted_means_and_contrasts_match_r(
    unchecked: CohortResults, values: pd.DataFrame, name: str, horizon: float
) -> None:
    result = unchecked.declared.restricted_means[name]
    assert result.horizon == horizon and set(result.means) == {"yes", "no"}
    for level, mean in result.means.items():
        assert mean.estimate == pytest.approx(
            _r(values, f"rmst_{name}", "rmean", level)[""], abs=ABS
        )
        assert mean.se == pytest.approx(_r(values, f"rmst_{name}", "se", level)[""], abs=ABS)
    for contrast in result.contrasts:
        assert (contrast.level, contrast.reference) == ("yes", "no")
        expected = _r(values, f"rmst_{name}", contrast.measure, "yes-no")
        for statistic, got in (
            ("estimate", contrast.estimate),
            ("lower", contrast.ci_low),
            ("upper", contrast.ci_high),
            ("p", contrast.p),
        ):
            assert got == pytest.approx(expected[statistic], abs=ABS)
    assert {c.measure for c in result.contrasts} == {"difference", "ratio"}


def _followed(frame: pd.DataFrame, level: str) -> pd.DataFrame:
    """Days and end of the group ``level``, followed up to day 360 (read as the test's own
    plain reading of the rule, not the chapter's code)."""
    rows = frame[frame["coordinator"] == level]
    days = rows["days_to_end"].to_numpy(float)
    ended = np.where(days <= FOLLOW_UP, rows["end_type"].to_numpy(object), "censored")
    return pd.DataFrame({"days": np.minimum(days, FOLLOW_UP), "end": ended})


def test_no_step_of_a_curve_pools_fewer_than_the_threshold(checked: CohortResults) -> None:
    """Each published step of every cumulative incidence closes a run of at least 5 persons
    leaving follow-up (by any end or censoring), so no step height gives a smaller count
    away; the values at the declared days are read off those steps."""
    frame = competing_cohort()
    result = checked.declared.competing[NAME]
    for level, curves in result.incidence.items():
        followed = _followed(frame, level)
        days = np.sort(followed["days"].to_numpy())
        for cause, curve in zip(result.causes, curves, strict=True):
            edges = np.concatenate([[-np.inf], curve.times])
            leaving = np.diff(np.searchsorted(days, edges, side="right"))
            assert len(curve.times) > 10 and (leaving >= THRESHOLD).all()
            shown = result.at_times(level, cause)
            steps = np.searchsorted(curve.times, np.asarray(result.times), side="right") - 1
            expected = np.where(steps < 0, 0.0, curve.estimate[np.maximum(steps, 0)])
            assert shown["estimate"].to_numpy() == pytest.approx(expected)


def test_risk_tables_show_whole_columns_that_give_no_small_count_away(
    checked: CohortResults,
) -> None:
    frame = competing_cohort()
    result = checked.declared.competing[NAME]
    hidden_columns = 0
    for level, table in result.risk_tables.items():
        followed = _followed(frame, level)
        previous = None
        for time, *column in zip(
            result.times, table.at_risk, table.events, table.censored, strict=True
        ):
            if column[0] is None:
                assert column == [None, None, None]
                hidden_columns += 1
                continue
            assert all(count == 0 or count >= THRESHOLD for count in column)
            if previous is not None:
                assert all(
                    abs(a - b) == 0 or abs(a - b) >= THRESHOLD
                    for a, b in zip(column, previous, strict=True)
                )
            at_exactly = int((followed["days"] == time).sum())
            assert at_exactly == 0 or at_exactly >= THRESHOLD
            previous = column
    assert hidden_columns > 0  # the rule was put to work
    checks = {c["artefact"]: c for c in checked.to_json()["disclosure"]["checks"]}
    assert checks[f"figure.cif.{NAME}.risk_table.yes"]["hidden"] >= 0


def test_a_group_below_the_threshold_is_withheld_everywhere(tmp_path: Path) -> None:
    """Four employees with a coordinator: their group is withheld, and so is the other (its
    size, with the cohort's, would give theirs away, as in Table 1): no curve, risk table,
    test or RMST, each decision in the disclosure report, and the page says so."""
    frame = competing_cohort()
    frame["coordinator"] = "no"
    frame.loc[frame.index[:4], "coordinator"] = "yes"
    results = analyse(load(write_data(tmp_path / "data", frame=frame)), suppress_below=THRESHOLD)
    result = results.declared.competing[NAME]
    assert result.incidence == {} and result.risk_tables == {}
    assert set(result.withheld) == {"yes", "no"}
    assert all(test.hazard_ratio.hr is None and test.logrank.chi2 is None for test in result.tests)
    means = results.declared.restricted_means[NAME]
    assert means.means == {} and means.contrasts == () and means.reason == "too_few_shown"
    payload = results.to_json()
    assert payload["competing_outcomes"][NAME]["cumulative_incidence"] == {"yes": None, "no": None}
    assert payload["competing_outcomes"][NAME]["risk_table"] == {}
    assert payload["rmst"][NAME]["by_group"] == {"yes": None, "no": None}
    suppressed = payload["disclosure"]["suppressed"]
    assert suppressed[f"competing_outcomes.{NAME}.cumulative_incidence.yes"] == SMALL_GROUP
    checks = {c["artefact"]: c for c in payload["disclosure"]["checks"]}
    assert checks[f"figure.cif.{NAME}.yes"]["withheld"] == SMALL_GROUP
    assert checks[f"rmst.{NAME}.by_group.yes"]["shown"] is False
    shown = page.declared_analyses(results, "en", FigureFolder(tmp_path / "book"))
    text = "\n".join(str(getattr(item, "data", "")) for item in shown)
    assert "none of their statistics are shown" in text
    assert not (tmp_path / "book" / "figures").exists()


@pytest.mark.parametrize(
    ("study", "key"),
    [
        (STUDY.replace("    time: days_to_end\n", ""), f"competing_outcomes.{NAME}.time"),
        (
            STUDY.replace("  first_rtw:\n", "  first_rtw:\n    time: days\n"),
            "outcomes.first_rtw.time",
        ),
        (
            STUDY.replace("censored: censored", "censored: rtw"),
            f"competing_outcomes.{NAME}.codes",
        ),
    ],
)
def test_a_badly_declared_outcome_is_refused_with_its_key(
    tmp_path: Path, study: str, key: str
) -> None:
    with pytest.raises(InputError) as error:
        load(write_data(tmp_path / "data", study))
    assert key in [problem.key for problem in error.value.problems]


def test_an_event_type_the_description_does_not_declare_is_refused_with_its_row(
    tmp_path: Path,
) -> None:
    study = STUDY.replace(
        "        - {code: uforetrygd, name: {en: disability pension, nb: uføretrygd}}\n", ""
    )
    with pytest.raises(InputError) as error:
        load(write_data(tmp_path / "data", study))
    rows = [p.row for p in error.value.problems if p.column == "end_type"]
    expected = competing_cohort().index[competing_cohort()["end_type"] == "uforetrygd"] + 1
    assert rows and set(rows) <= set(expected)


def test_the_page_shows_the_section_in_both_languages(
    checked: CohortResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    figures_undrawn(monkeypatch)  # drawn by test_the_declared_figures_are_drawn
    folder = FigureFolder(tmp_path)
    for lang, title in (("en", "Competing outcomes"), ("nb", "Konkurrerende utfall")):
        shown = page.declared_analyses(checked, lang, folder)
        text = "\n".join(str(getattr(item, "data", "")) for item in shown)
        assert title in text and "{" not in text.replace("{#", "").replace("{figure}", "")
        for name in (f"cohort-cif-{NAME}-{lang}", f"cohort-rmst-{lang}"):
            assert f"figures/{name}.svg" in text


@pytest.mark.parametrize("lang", LANGS)
def test_tables_say_95_ci_in_their_headers_only(unchecked: CohortResults, lang: str) -> None:
    """An estimate column of the RMST, incidence, cause-specific and Cox tables says "95 % CI"
    in its header, so that its cells hold an estimate and its interval alone (short enough for
    the column, no wrapping)."""
    ci = t("common.ci95", lang)
    rmst = tables.rmst_table(unchecked, lang)
    estimates = [column for column in rmst.columns if ci in column]
    assert len(estimates) == 4  # the two groups, the difference and the ratio
    cells = [cell for column in estimates for cell in rmst[column]]
    assert len(cells) == 4 * len(unchecked.declared.restricted_means)
    assert all(re.fullmatch(r"−?[\d.,]+ \(−?[\d.,]+–−?[\d.,]+\)", cell) for cell in cells), cells
    outcome = next(iter(unchecked.outcomes))
    for table in (
        rmst,
        tables.incidence_table(unchecked, NAME, lang),
        tables.cause_specific_table(unchecked, NAME, lang),
        tables.cox_table(unchecked, outcome, lang),
    ):
        assert any(ci in column for column in table.columns)
        assert not any(ci in str(cell) for cell in table.to_numpy().ravel())


@pytest.mark.parametrize("lang", LANGS)
def test_the_contract_describes_the_outcome_s_columns(data_dir: Path, lang: str) -> None:
    """The re-run page's contract of these data (written in each language) describes the
    time and event-type columns the description declares."""
    contract = contract_includes([CHAPTERS["cohort"]], data_dir)(lang)[
        "includes/contract-cohort.md"
    ]
    rows = dict(re.findall(r"^\* - `(\w+)`\n  - .*\n  - (.+)$", contract, re.M))
    assert rows["days_to_end"] and rows["end_type"] and rows["days_to_end"] != rows["end_type"]


@pytest.mark.slow
def test_the_declared_figures_are_drawn(checked: CohortResults, tmp_path: Path) -> None:
    """For a screen's column and a phone's (in English; in Norwegian only the words differ)."""
    page.declared_analyses(checked, "en", FigureFolder(tmp_path))
    for name in (f"cohort-cif-{NAME}-en", "cohort-rmst-en"):
        for suffix in ("", PHONE_FIGURE_SUFFIX):
            assert (tmp_path / "figures" / f"{name}{suffix}.svg").stat().st_size > 1000


def test_without_a_declaration_the_page_has_no_such_section(shipped, tmp_path: Path) -> None:
    results = shipped.results("cohort")
    assert not results.declared.competing and not results.declared.restricted_means
    assert page.declared_analyses(results, "en", FigureFolder(tmp_path)) == []
    assert "competing_outcomes" not in results.to_json()


def test_the_built_book_shows_the_declared_analyses(shared_book) -> None:
    out = shared_book("methods")
    payload = json.loads((out / "results" / "cohort.json").read_text(encoding="utf-8"))
    assert set(payload["competing_outcomes"]) == {NAME} and set(payload["rmst"]) == {
        NAME,
        "first_rtw",
    }
    expected = {
        "en": (
            "Competing outcomes: return to work",
            "work assessment allowance",
            "Restricted mean time",
            "Up to day 180",
        ),
        "nb": (
            "Konkurrerende utfall: tilbakeføring til arbeid",
            "arbeidsavklaringspenger",
            "Begrenset gjennomsnittstid",
            "Til og med dag 180",
        ),
    }
    for lang, phrases in expected.items():
        text = article_text(out / "html" / lang / "cohort.html")
        for phrase in phrases:
            assert phrase in text, (lang, phrase)
        images = out / "html" / lang / "_images"
        assert (images / f"cohort-cif-{NAME}-{lang}-phone.svg").is_file()
