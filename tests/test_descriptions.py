"""The study descriptions: their schemas validate the shipped files, refuse mistakes at the
key, and make the reference tables of the re-run page."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.chapters import CHAPTERS
from analysis.core.describe import description_table, keys
from analysis.core.problems import InputError
from analysis.core.settings import LANGS
from analysis.core.study import load_study
from analysis.pipeline.build import validate
from analysis.pipeline.front import data_page, landing, read_front
from analysis.pipeline.template import init
from tests.helpers import SHIPPED_DATA, write_review


def description(name: str):
    return importlib.import_module(f"analysis.chapters.{name}.data").DESCRIPTION


@pytest.mark.parametrize("name", CHAPTERS)
def test_the_shipped_description_is_valid_and_reproduces_its_publication(name: str) -> None:
    study = load_study(SHIPPED_DATA, name, description(name))
    assert study.described and study.reproduces in description(name).publications


@pytest.mark.parametrize("name", CHAPTERS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_reference_lists_every_key_with_its_meaning(name: str, lang: str) -> None:
    table = description_table(description(name), f"{name}.study.yaml", lang)
    rows = [line for line in table.splitlines() if line.startswith("* - `")]
    paths = [path for path, _, _ in keys(description(name))]
    assert [row.removeprefix("* - ").strip("`") for row in rows] == paths
    assert {"title", "provenance", "reproduces", "outcomes"} <= set(paths)
    assert "\n  - \n" not in table  # every cell has something
    assert description(name).publications[0] in table


def test_the_reference_gives_each_chapter_its_own_facts_and_forms() -> None:
    interviews = [path for path, _, _ in keys(description("interviews"))]
    assert "facts.n_invited" in interviews
    cohort_facts = [path for path, _, _ in keys(description("cohort")) if path.startswith("facts")]
    assert cohort_facts == ["facts", "facts.question"]
    cohort = description_table(description("cohort"), "cohort.study.yaml", "nb")
    assert "`first_rtw`, `full_rtw`" in cohort and "kohortstudien" in cohort


def write(folder: Path, name: str, text: str) -> None:
    (folder / f"{name}.study.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("name", "text", "key", "fix"),
    [
        ("cohort", "provenance: synthetic\n", "provenance", "generated"),
        ("cohort", "outcomes: {return: {direction: beneficial}}\n", "outcomes.return", "first_rtw"),
        ("meta", "reproduces: berg2015provider\n", "reproduces", "fhi2019review"),
        ("meta", "outcomes: {a: {direction: harmful}, b: {}}\n", "outcomes.b.direction", "harmful"),
        ("meta", "title: {en: Only English}\n", "title", "nb:"),
        ("provider", "facts: {randomised: true}\n", "facts.randomised", "remove"),
        ("interviews", "facts: {n_invited: many}\n", "facts.n_invited", "n_invited: 40"),
    ],
)
def test_a_mistake_names_the_file_and_the_key_with_the_fix(
    tmp_path: Path, name: str, text: str, key: str, fix: str
) -> None:
    write(tmp_path, name, text)
    with pytest.raises(InputError) as error:
        load_study(tmp_path, name, description(name))
    (problem,) = error.value.problems
    assert (problem.file, problem.key, problem.column) == (f"{name}.study.yaml", key, None)
    assert f"key '{key}'" in problem.text("en") and fix in problem.fix
    assert f"nøkkel '{key}'" in problem.text("nb")


def test_one_outcome_needs_no_direction(tmp_path: Path) -> None:
    write(tmp_path, "meta", "outcomes: {rtw: {name: {en: return, nb: retur}}}\n")
    study = load_study(tmp_path, "meta", description("meta"))
    assert study.outcomes["rtw"].direction == "beneficial" and study.observed


def test_init_writes_a_template_per_chapter_with_data_and_keeps_existing_files(
    tmp_path: Path,
) -> None:
    shutil.copy(SHIPPED_DATA / "providers.csv", tmp_path)
    shutil.copytree(SHIPPED_DATA / "interviews", tmp_path / "interviews")
    (tmp_path / "interviews.study.yaml").write_text("title: {en: Mine, nb: Min}\n")
    written = init(tmp_path, "en", echo=lambda text: None)
    assert sorted(path.name for path in written) == ["book.yaml", "provider.study.yaml"]
    assert (tmp_path / "interviews.study.yaml").read_text() == "title: {en: Mine, nb: Min}\n"
    assert not (tmp_path / "cohort.study.yaml").exists()
    text = (tmp_path / "provider.study.yaml").read_text(encoding="utf-8")
    assert "# The study's title, shown as the chapter's title." in text
    assert "title: {en: '<<…>>', nb: '<<…>>'}" in text
    assert "# reproduces: berg2015provider" in text  # the publication the chapter knows


def test_init_comments_in_the_language_asked_for(tmp_path: Path) -> None:
    shutil.copy(SHIPPED_DATA / "cohort.csv", tmp_path)
    init(tmp_path, "nb", echo=lambda text: None)
    text = (tmp_path / "cohort.study.yaml").read_text(encoding="utf-8")
    assert "# Studiens tittel, vist som kapitlets tittel." in text
    assert "The study's title" not in text
    assert "# outcomes: {first_rtw:" in text


@pytest.mark.parametrize("name", ["book", "provider"])
def test_a_template_is_refused_until_its_placeholders_are_written(
    tmp_path: Path, name: str
) -> None:
    shutil.copy(SHIPPED_DATA / "providers.csv", tmp_path)
    init(tmp_path, "en", echo=lambda text: None)
    if name == "provider":
        (tmp_path / "book.yaml").unlink()
    with pytest.raises(InputError) as error:
        validate(tmp_path, ["provider"], echo=lambda text: None)
    keys = {problem.key for problem in error.value.problems}
    file = "book.yaml" if name == "book" else "provider.study.yaml"
    assert {problem.file for problem in error.value.problems} == {file}
    assert "title.en" in keys and "title.nb" in keys
    assert "placeholder" in error.value.problems[0].message


def test_the_shipped_book_description_gives_the_front_matter() -> None:
    front = read_front(SHIPPED_DATA, [CHAPTERS["provider"], CHAPTERS["meta"]])
    assert front.title("en") == "Return to work after sick leave in Norway"
    assert [file.name for file in front.files["provider"]] == ["providers.csv"]
    rows = pd.read_csv(SHIPPED_DATA / "providers.csv").shape[0]
    assert front.files["provider"][0].rows == rows
    data = "\n".join(cell.source for cell in data_page(front).cells)
    assert "| `providers.csv` |" in data and f" {rows} |" in data
    assert "interviews.study.yaml" not in data and "{doc}`Cohort survival" not in data
    index = "\n".join(cell.source for cell in landing(front).cells)
    assert "{cite:p}`berg2015provider`." in index and "{cite:p}`fhi2019review`." in index
    assert "{doc}`cohort`" not in index


def test_without_a_book_description_the_front_matter_is_neutral(tmp_path: Path) -> None:
    shutil.copy(SHIPPED_DATA / "providers.csv", tmp_path)
    front = read_front(tmp_path, [CHAPTERS["provider"]])
    index = "\n".join(cell.source for cell in landing(front).cells if cell.metadata["lang"] == "en")
    assert index.startswith("# A reproducible report")
    assert "One chapter, each built on one study:" in index and "{cite" not in index
    assert "Norway" not in index and "NAV" not in index
    data = "\n".join(cell.source for cell in data_page(front).cells)
    assert "Not described" in data and "Ikke beskrevet" in data


@pytest.mark.parametrize("lang", LANGS)
def test_the_overview_has_no_empty_section(lang: str) -> None:
    """Without any comparison, each section of the reproduction overview says so."""
    from analysis.chapters import overview

    for shown in (overview.differences([], lang), overview.per_chapter([], lang)):
        assert len(shown) == 1 and shown[0].data.strip()


def _meta_with_outcomes(folder: Path, outcomes: str) -> Path:
    shutil.copytree(SHIPPED_DATA / "meta", folder / "meta")
    write(folder, "meta", f"outcomes: {outcomes}\n")
    return folder


def test_each_analysis_takes_the_direction_of_the_outcome_it_names(tmp_path: Path) -> None:
    from analysis.chapters.meta import data as meta

    data = _meta_with_outcomes(
        tmp_path,
        "{rtw: {direction: beneficial, name: {en: Return to work, nb: Retur}},"
        " sick: {direction: harmful, name: {en: Sick leave, nb: Sykefravær}}}",
    )
    assert set(meta.load(data).analyses["direction"]) == {"beneficial"}
    analyses = data / "meta" / "analyses.csv"
    frame = pd.read_csv(analyses, dtype=str)
    frame.loc[0, "outcome_en"] = "Sick leave"
    frame.to_csv(analyses, index=False)
    assert meta.load(data).analyses["direction"].iloc[0] == "harmful"
    frame.loc[1, "outcome_en"] = "Something else"
    frame.to_csv(analyses, index=False)
    with pytest.raises(InputError) as error:
        meta.load(data)
    (problem,) = error.value.problems
    assert (problem.file, problem.column, problem.row) == ("meta/analyses.csv", "outcome_en", 2)
    assert "Return to work, Sick leave" in problem.fix


def _without_programme_types(folder: Path) -> str:
    frame = pd.read_csv(SHIPPED_DATA / "cohort.csv", dtype=str, keep_default_na=False)
    frame.assign(programme_type="").to_csv(folder / "cohort.csv", index=False)
    return "occupational_rehabilitation, treatment, follow_up"


def _without_coordinator_columns(folder: Path) -> str:
    frame = pd.read_csv(SHIPPED_DATA / "providers.csv", dtype=str, keep_default_na=False)
    frame = frame.drop(columns=[name for name in frame if name.startswith("coord_")])
    frame.to_csv(folder / "providers.csv", index=False)
    return "coord_random_professional"


def _other_review(folder: Path) -> str:
    write_review(folder)
    return "mr_uc_12, mr_active_12, mr_active_24"


def _other_themes(folder: Path) -> str:
    shutil.copytree(SHIPPED_DATA / "interviews", folder / "interviews")
    codebook = folder / "interviews" / "codebook.csv"
    frame = pd.read_csv(codebook, dtype=str, keep_default_na=False)
    frame["theme_id"] = "X" + frame["theme_id"]
    frame.to_csv(codebook, index=False)
    return "T1, T2, T3"


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("cohort", _without_programme_types),
        ("provider", _without_coordinator_columns),
        ("meta", _other_review),
        ("interviews", _other_themes),
    ],
)
def test_a_claim_the_data_cannot_be_compared_on_is_an_input_error(
    tmp_path: Path, name: str, change
) -> None:
    """``reproduces:`` on data with none of the publication's analyses, groups or themes names
    the file, the key and what is missing, instead of a comparison with nothing."""
    missing = change(tmp_path)
    publication = description(name).publications[0]
    loader = importlib.import_module(f"analysis.chapters.{name}.data").load
    loader(tmp_path)  # without the claim the data are fine
    write(tmp_path, name, f"reproduces: {publication}\n")
    with pytest.raises(InputError) as error:
        loader(tmp_path)
    (problem,) = error.value.problems
    assert (problem.file, problem.key) == (f"{name}.study.yaml", "reproduces")
    for lang in LANGS:
        assert missing in problem.text(lang) and "reproduces:" in problem.text(lang)
    assert "publikasjon" in problem.text("nb") and "publication" in problem.text("en")


def test_the_meta_opening_states_population_and_period_only_when_given() -> None:
    from analysis.chapters.meta.narrative import scope
    from analysis.core.study import Study

    population = {"en": "nurses", "nb": "sykepleiere"}
    period = {"en": "2010–2020", "nb": "2010–2020"}
    assert scope(Study(), "en") == ""
    assert scope(Study(population=population), "nb") == "Oversikten gjelder sykepleiere."
    assert scope(Study(period=period), "en") == "The review's period: 2010–2020."
    both = scope(Study(population=population, period=period), "en")
    assert both == "The review is about nurses (2010–2020)."


@pytest.mark.parametrize(
    ("unit", "many", "one"),
    [
        ("{one: klinikken, gender: masculine}", "én av 23 klinikker", "den samme klinikken"),
        ("{one: bedrifta, gender: feminine}", "én av 23 bedrifter", "den samme bedrifta"),
        ("{one: senteret, gender: neuter}", "ett av 23 sentre", "det samme senteret"),
    ],
)
def test_the_cohort_setting_follows_the_units_gender_in_bokmal(
    tmp_path: Path, unit: str, many: str, one: str
) -> None:
    from analysis.chapters.cohort.narrative import started

    plural = many.rpartition(" ")[2]
    write(
        tmp_path,
        "cohort",
        f"setting: {{en: units, nb: {plural}}}\nsetting_unit: {{en: {{one: unit}}, nb: {unit}}}\n",
    )
    study = load_study(tmp_path, "cohort", description("cohort"))
    assert (started(study, 23, "nb"), started(study, 1, "nb")) == (many, one)
    assert (started(study, 23, "en"), started(study, 1, "en")) == (
        "one of 23 units",
        "the same unit",
    )


def test_a_cohort_setting_needs_its_unit(tmp_path: Path) -> None:
    write(tmp_path, "cohort", "setting: {en: clinics, nb: klinikker}\n")
    with pytest.raises(InputError) as error:
        load_study(tmp_path, "cohort", description("cohort"))
    (problem,) = error.value.problems
    assert (problem.file, problem.key) == ("cohort.study.yaml", "setting_unit")
    assert "gender: masculine" in problem.fix


def test_the_guides_examples_are_valid_descriptions() -> None:
    """Every description the re-run guide shows (a YAML block opening with its file name), in
    both languages, passes its schema: a reader who copies one gets no error."""
    import re

    import yaml

    from analysis.core.book import BookDescription
    from analysis.core.settings import BOOK

    guide = (BOOK / "rerun.md").read_text(encoding="utf-8")
    examples = re.findall(r"```yaml\n# (\S+\.yaml)\n(.*?)```", guide, re.S)
    schemas = {f"{name}.study.yaml": description(name) for name in CHAPTERS}
    schemas["book.yaml"] = BookDescription
    assert sorted({file for file, _ in examples}) == sorted(schemas)
    assert len(examples) == 2 * len(schemas)  # each in both languages
    for file, text in examples:
        schemas[file].model_validate(yaml.safe_load(text))
