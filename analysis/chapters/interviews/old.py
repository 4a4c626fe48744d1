"""Interview study (Standal et al. 2024): reflexive thematic analysis of early NAV sessions.

Inputs in ``data/interviews/``: ``participants.csv`` (one row per interview, pseudonymous id),
``codebook.csv`` (one row per code, grouped into themes), ``segments.csv`` (one row per coded
segment × code; optional ``coder`` and ``quoted`` columns) and ``study.csv`` (one row: the
number invited, which no row can give, and whether the excerpts are illustrative). The chapter
shows aggregate participant characteristics with small-count suppression, the themes and their
codes, a participant × theme matrix (pseudonyms only, no demographics), segment counts, excerpt
boxes, negative cases and, with two coders, Cohen's κ per code.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from sklearn.metrics import cohen_kappa_score

from analysis.core import reproduction
from analysis.core.disclosure import is_suppressed, suppress_count
from analysis.core.i18n import EN_DASH, axis_formatter, fmt_int, fmt_num, fmt_pct, t
from analysis.core.validation import Field, InputError, Problem, Schema, read_table, require

FOLDER = "interviews"
SEXES = ("female", "male")
DIAGNOSES = ("mental", "musculoskeletal", "other")

# Published facts of Standal et al. (2024), Methods and Results: comparison targets only.
PUBLISHED: dict = {
    "n_invited": "40",
    "n_participants": "26",
    "sex": {"female": "19", "male": "7"},
    "age_min": "31",
    "age_max": "61",
    "diagnosis_group": {"mental": "11", "musculoskeletal": "8", "other": "7"},
    "sick_leave_min": "50",
    "sick_leave_max": "100",
    "response_pct": "65",
    "n_themes": "3",
    "n_quotes": "7",
    # Interview numbers the paper quotes under each theme (Interview k = participant Pkk).
    "quoted": {"T1": (3,), "T2": (2, 10), "T3": (5, 6, 19)},
}

PARTICIPANTS = Schema(
    f"{FOLDER}/participants.csv",
    (
        Field("participant_id", "text", unique=True),
        Field("sex", "category", SEXES),
        Field("age", "integer", minimum=16, maximum=80),
        Field("diagnosis_group", "category", DIAGNOSES),
        Field("sick_leave_pct", "integer", minimum=1, maximum=100),
    ),
)
CODEBOOK = Schema(
    f"{FOLDER}/codebook.csv",
    (
        Field("theme_id", "text"),
        Field("code_id", "text", unique=True),
        *(Field(f"{name}_{lang}", "text") for name in ("theme", "code") for lang in ("en", "nb")),
        *(Field(f"description_{lang}", "text", nullable=True) for lang in ("en", "nb")),
        *(
            Field(f"theme_description_{lang}", "text", required=False, nullable=True)
            for lang in ("en", "nb")
        ),
        Field("negative_case", "binary", required=False, nullable=True),
    ),
)
SEGMENTS = Schema(
    f"{FOLDER}/segments.csv",
    (
        Field("segment_id", "text"),
        Field("participant_id", "text"),
        Field("code_id", "text"),
        Field("excerpt_en", "text"),
        Field("excerpt_nb", "text"),
        Field("quoted", "binary", required=False, nullable=True),
        Field("coder", "text", required=False),
    ),
)
STUDY = Schema(
    f"{FOLDER}/study.csv",
    (
        Field("n_invited", "integer", nullable=True, minimum=1),
        Field("illustrative", "binary"),
    ),
)
SCHEMAS = (PARTICIPANTS, CODEBOOK, SEGMENTS, STUDY)


@dataclass(frozen=True)
class Interviews:
    """The validated inputs. ``segments`` holds the first coder's rows; ``coded`` all rows."""

    participants: pd.DataFrame
    codebook: pd.DataFrame
    segments: pd.DataFrame
    coded: pd.DataFrame
    n_invited: int | None
    illustrative: bool

    def themes(self) -> pd.DataFrame:
        """One row per theme, in codebook order."""
        return self.codebook.drop_duplicates("theme_id").set_index("theme_id")

    def coded_segments(self) -> pd.DataFrame:
        """The first coder's segments joined with their theme."""
        return self.segments.merge(self.codebook[["code_id", "theme_id"]], on="code_id")


def _name(data_dir: Path, schema: Schema) -> str:
    return f"{Path(data_dir).name}/{schema.file}"


def _check_codebook(codebook: pd.DataFrame, name: str) -> None:
    for column in ("theme_en", "theme_nb"):
        labels = codebook.groupby("theme_id")[column].transform("nunique")
        require(
            labels.eq(1),
            name,
            column,
            "the same theme_id has different theme names",
            f"give every row of a theme the same {column}",
        )


def _check_segments(segments: pd.DataFrame, data: dict[str, pd.DataFrame], name: str) -> None:
    known = set(data["participants"]["participant_id"])
    require(
        segments["participant_id"].isin(known),
        name,
        "participant_id",
        "the participant is not in participants.csv",
        "add the participant to participants.csv or correct the id",
    )
    require(
        segments["code_id"].isin(set(data["codebook"]["code_id"])),
        name,
        "code_id",
        "the code is not in codebook.csv",
        "add the code to codebook.csv or correct the id",
    )
    keys = ["segment_id", "code_id", "coder"]
    require(
        ~segments.duplicated(keys, keep="first"),
        name,
        "segment_id",
        "the same segment has the same code twice (for the same coder)",
        "remove the duplicate row",
    )
    for column in ("participant_id", "excerpt_en", "excerpt_nb"):
        same = segments.groupby("segment_id")[column].transform("nunique").eq(1)
        require(
            same,
            name,
            column,
            f"rows of the same segment_id differ in {column}",
            "a segment is one passage of one interview: give all its rows the same "
            f"{column}, or give different passages different segment ids",
        )


def load(data_dir: Path) -> Interviews:
    """Read and validate the four input files and the rules that link them."""
    data_dir = Path(data_dir)
    participants, codebook, segments, study = (read_table(data_dir, s) for s in SCHEMAS)
    if len(study) != 1:
        raise InputError(
            [
                Problem(
                    _name(data_dir, STUDY),
                    None,
                    None,
                    f"the file has {len(study)} data rows",
                    "keep exactly one row with n_invited and illustrative",
                )
            ]
        )
    if "negative_case" not in codebook:
        codebook["negative_case"] = pd.Series(0, index=codebook.index, dtype="Int64")
    codebook["negative_case"] = codebook["negative_case"].fillna(0)
    segments["quoted"] = (
        segments["quoted"].fillna(0)
        if "quoted" in segments
        else pd.Series(0, index=segments.index, dtype="Int64")
    )
    segments["coder"] = (
        segments["coder"].fillna("")
        if "coder" in segments
        else pd.Series("", index=segments.index, dtype="string")
    )
    _check_codebook(codebook, _name(data_dir, CODEBOOK))
    _check_segments(
        segments, {"participants": participants, "codebook": codebook}, _name(data_dir, SEGMENTS)
    )
    n_invited = study["n_invited"].iloc[0]
    n_invited = None if pd.isna(n_invited) else int(n_invited)
    require(
        pd.Series([n_invited is None or n_invited >= len(participants)]),
        _name(data_dir, STUDY),
        "n_invited",
        f"fewer invited than the {len(participants)} participants in participants.csv",
        "give the number of people invited to an interview, or leave it empty",
    )
    first = segments["coder"].iloc[0]
    return Interviews(
        participants=participants,
        codebook=codebook,
        segments=segments[segments["coder"] == first].reset_index(drop=True),
        coded=segments,
        n_invited=n_invited,
        illustrative=bool(study["illustrative"].iloc[0]),
    )


# --- participants ------------------------------------------------------------------------------


def characteristics(data: Interviews) -> dict:
    """Counts and ranges of the participants (numbers, not formatted)."""
    people = data.participants
    return {
        "n_participants": len(people),
        "n_invited": data.n_invited,
        "sex": {sex: int(people["sex"].eq(sex).sum()) for sex in SEXES},
        "age_min": int(people["age"].min()),
        "age_max": int(people["age"].max()),
        "age_median": float(people["age"].median()),
        "diagnosis_group": {dx: int(people["diagnosis_group"].eq(dx).sum()) for dx in DIAGNOSES},
        "sick_leave_min": int(people["sick_leave_pct"].min()),
        "sick_leave_max": int(people["sick_leave_pct"].max()),
    }


def hidden(counts: dict[str, int], threshold: int) -> set[str]:
    """Categories to hide: counts below ``threshold``, plus the next smallest count when only
    one would be hidden (else it follows from the total)."""
    small = {key for key, n in counts.items() if is_suppressed(n, threshold)}
    if len(small) == 1 and len(counts) > 1:
        small.add(min((key for key in counts if key not in small), key=counts.__getitem__))
    return small


def _count_cells(counts: dict[str, int], total: int, threshold: int, lang: str) -> list[str]:
    hide = hidden(counts, threshold)
    return [
        (
            suppress_count(n, threshold, lang)
            if is_suppressed(n, threshold)
            else t("interviews.suppressed_secondary", lang)
        )
        if key in hide
        else f"{fmt_int(n, lang)} ({fmt_pct(n / total, lang)})"
        for key, n in counts.items()
    ]


def characteristics_table(data: Interviews, lang: str, suppress_below: int = 0) -> pd.DataFrame:
    """Aggregate participant characteristics; counts below ``suppress_below`` are hidden."""
    stats = characteristics(data)
    n = stats["n_participants"]
    rows = [(t("interviews.char.n", lang), fmt_int(n, lang))]
    if stats["n_invited"]:
        share = fmt_pct(n / stats["n_invited"], lang)
        took_part = t("interviews.char.took_part", lang, share=share)
        rows.append(
            (
                t("interviews.char.invited", lang),
                f"{fmt_int(stats['n_invited'], lang)} ({took_part})",
            )
        )
    rows += zip(
        [t(f"interviews.sex.{sex}", lang) for sex in SEXES],
        _count_cells(stats["sex"], n, suppress_below, lang),
        strict=True,
    )
    rows.append(
        (
            t("interviews.char.age", lang),
            f"{fmt_num(stats['age_median'], lang, 0)} "
            f"({fmt_int(stats['age_min'], lang)}{EN_DASH}{fmt_int(stats['age_max'], lang)})",
        )
    )
    rows += zip(
        [t(f"interviews.dx.{dx}", lang) for dx in DIAGNOSES],
        _count_cells(stats["diagnosis_group"], n, suppress_below, lang),
        strict=True,
    )
    rows.append(
        (
            t("interviews.char.sick_leave", lang),
            f"{fmt_int(stats['sick_leave_min'], lang)}{EN_DASH}"
            f"{fmt_pct(stats['sick_leave_max'] / 100, lang)}",
        )
    )
    return pd.DataFrame(
        rows, columns=[t("interviews.col.characteristic", lang), t("interviews.col.value", lang)]
    )


# --- themes and codes --------------------------------------------------------------------------


def code_counts(data: Interviews) -> pd.DataFrame:
    """Per code (codebook order): theme, number of participants and of segments."""
    segments = data.segments
    counts = segments.groupby("code_id").agg(
        n_participants=("participant_id", "nunique"), n_segments=("segment_id", "nunique")
    )
    frame = data.codebook.set_index("code_id").join(counts)
    frame[["n_participants", "n_segments"]] = (
        frame[["n_participants", "n_segments"]].fillna(0).astype(int)
    )
    return frame.reset_index()


def theme_counts(data: Interviews) -> dict[str, dict[str, int]]:
    """Per theme: participants who contributed and distinct segments coded in it."""
    grouped = data.coded_segments().groupby("theme_id")
    counts = {
        "n_participants": grouped["participant_id"].nunique(),
        "n_segments": grouped["segment_id"].nunique(),
    }
    return {
        theme: {key: int(series.get(theme, 0)) for key, series in counts.items()}
        for theme in data.themes().index
    }


def codebook_table(data: Interviews, lang: str) -> pd.DataFrame:
    """Themes → codes with definitions and counts, in ``lang``."""
    frame = code_counts(data)
    first = ~frame["theme_id"].duplicated()
    return pd.DataFrame(
        {
            t("interviews.col.theme", lang): (
                frame["theme_id"] + " " + frame[f"theme_{lang}"]
            ).where(first, ""),
            t("interviews.col.code", lang): frame["code_id"] + " " + frame[f"code_{lang}"],
            t("interviews.col.definition", lang): frame[f"description_{lang}"].fillna(""),
            t("interviews.col.participants", lang): frame["n_participants"].map(
                lambda n: fmt_int(n, lang)
            ),
            t("interviews.col.segments", lang): frame["n_segments"].map(lambda n: fmt_int(n, lang)),
        }
    )


def theme_matrix(data: Interviews) -> pd.DataFrame:
    """Participants × themes: number of segments each participant contributed to each theme."""
    coded = data.coded_segments()
    matrix = pd.crosstab(coded["participant_id"], coded["theme_id"])
    return matrix.reindex(
        index=data.participants["participant_id"].tolist(),
        columns=data.themes().index.tolist(),
        fill_value=0,
    )


def _wrap(text: str, width: int = 24) -> str:
    return "\n".join(textwrap.wrap(text, width))


def plot_theme_matrix(data: Interviews, lang: str) -> plt.Figure:
    """Heatmap of the participant × theme matrix (pseudonyms only)."""
    matrix = theme_matrix(data)
    themes = data.themes()
    figure, ax = plt.subplots(figsize=(2.2 + 1.6 * matrix.shape[1], 1.2 + 0.28 * len(matrix)))
    sns.heatmap(
        matrix,
        annot=True,
        fmt="d",
        cmap="Blues",
        linewidths=0.5,
        linecolor="white",
        cbar_kws={
            "label": t("interviews.figure.segments", lang),
            "format": axis_formatter(lang, 0),
            "ticks": range(int(matrix.to_numpy().max()) + 1),
        },
        ax=ax,
    )
    ax.set_xticklabels(
        [_wrap(f"{theme} {themes.at[theme, f'theme_{lang}']}", 20) for theme in matrix.columns],
        rotation=0,
        fontsize=8,
    )
    ax.set_yticklabels(matrix.index, rotation=0, fontsize=8)
    ax.set_xlabel(t("interviews.figure.theme", lang))
    ax.set_ylabel(t("interviews.figure.participant", lang))
    ax.xaxis.tick_top()
    ax.xaxis.set_label_position("top")
    return figure


def plot_code_counts(data: Interviews, lang: str) -> plt.Figure:
    """Horizontal bars: segments per code, coloured by theme."""
    frame = code_counts(data).iloc[::-1]
    themes = data.themes().index.tolist()
    colours = dict(zip(themes, sns.color_palette("colorblind", len(themes)), strict=True))
    figure, ax = plt.subplots(figsize=(7.5, 1.0 + 0.27 * len(frame)))
    ax.barh(
        frame["code_id"] + " " + frame[f"code_{lang}"],
        frame["n_segments"],
        color=frame["theme_id"].map(colours),
    )
    ax.xaxis.set_major_formatter(axis_formatter(lang, 0))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel(t("interviews.figure.segments", lang))
    ax.tick_params(axis="y", labelsize=8)
    handles = [plt.Rectangle((0, 0), 1, 1, color=colours[theme]) for theme in themes]
    ax.legend(
        handles,
        [_wrap(f"{theme} {data.themes().at[theme, f'theme_{lang}']}", 40) for theme in themes],
        loc="lower right",
        fontsize=7,
        frameon=False,
    )
    ax.spines[["top", "right"]].set_visible(False)
    return figure


# --- excerpts ----------------------------------------------------------------------------------


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~$])")


def _escape(text: str) -> str:
    """Plain text made safe for MyST Markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def excerpts(data: Interviews, theme_id: str, n: int = 3) -> pd.DataFrame:
    """Up to ``n`` segments of a theme: quoted ones first, then one per participant."""
    coded = data.coded_segments()
    rows = coded[coded["theme_id"] == theme_id].sort_values(
        ["quoted", "segment_id"], ascending=[False, True], kind="stable"
    )
    return rows.drop_duplicates("participant_id").head(n)


def _excerpt_box(row: pd.Series, code_label: str, lang: str) -> str:
    title = t("interviews.excerpt.title", lang, participant=row["participant_id"], code=code_label)
    return (
        f"```{{admonition}} {_escape(title)}\n:class: tip\n\n"
        f"{_escape(row[f'excerpt_{lang}'])}\n```\n"
    )


def theme_markdown(data: Interviews, theme_id: str, lang: str) -> str:
    """A theme's name, definition, codes and excerpt boxes as MyST Markdown (no headings)."""
    theme = data.themes().loc[theme_id]
    counts = theme_counts(data)[theme_id]
    codes = code_counts(data).query("theme_id == @theme_id")
    parts = [
        t(
            "interviews.theme.lead",
            lang,
            theme_id=theme_id,
            name=_escape(theme[f"theme_{lang}"]),
            participants=fmt_int(counts["n_participants"], lang),
            segments=fmt_int(counts["n_segments"], lang),
        )
    ]
    definition = theme.get(f"theme_description_{lang}")
    if isinstance(definition, str) and definition:
        parts.append(_escape(definition))
    parts.append(
        "\n".join(
            f"- **{_escape(code[f'code_{lang}'])}** ({code['code_id']}): "
            f"{_escape(code[f'description_{lang}'] or '')}"
            for _, code in codes.iterrows()
        )
    )
    labels = codes.set_index("code_id")[f"code_{lang}"]
    parts += [
        _excerpt_box(row, labels[row["code_id"]], lang)
        for _, row in excerpts(data, theme_id).iterrows()
    ]
    return "\n\n".join(parts) + "\n"


def negative_cases(data: Interviews) -> pd.DataFrame:
    """Codes flagged as negative or divergent cases, with their counts."""
    return code_counts(data).query("negative_case == 1").reset_index(drop=True)


def negative_cases_markdown(data: Interviews, lang: str) -> str:
    """One paragraph and one excerpt box per negative or divergent code."""
    cases = negative_cases(data)
    if cases.empty:
        return t("interviews.negative.none", lang) + "\n"
    parts = []
    coded = data.coded_segments()
    for _, code in cases.iterrows():
        parts.append(
            t(
                "interviews.negative.lead",
                lang,
                code=_escape(code[f"code_{lang}"]),
                code_id=code["code_id"],
                theme_id=code["theme_id"],
                participants=fmt_int(code["n_participants"], lang),
                description=_escape(code[f"description_{lang}"] or ""),
            )
        )
        examples = coded[coded["code_id"] == code["code_id"]].sort_values(
            ["quoted", "segment_id"], ascending=[False, True], kind="stable"
        )
        parts += [
            _excerpt_box(row, code[f"code_{lang}"], lang) for _, row in examples.head(1).iterrows()
        ]
    return "\n\n".join(parts) + "\n"


# --- agreement between two coders --------------------------------------------------------------


def _coders(coded: pd.DataFrame) -> list[str]:
    return [coder for coder in dict.fromkeys(coded["coder"]) if coder]


def shared_segments(coded: pd.DataFrame) -> list[str]:
    """The segments coded by both of the first two coders."""
    first, second = (
        set(coded.loc[coded["coder"] == coder, "segment_id"]) for coder in _coders(coded)[:2]
    )
    return sorted(first & second)


def kappa_not_applicable(coded: pd.DataFrame) -> str | None:
    """The label key saying why κ does not apply, or None when it does."""
    coders = _coders(coded)
    if not coders:
        return "interviews.kappa.no_coder"
    if len(coders) != 2:
        return "interviews.kappa.not_two"
    if not shared_segments(coded):
        return "interviews.kappa.no_overlap"
    return None


def kappa_per_code(coded: pd.DataFrame) -> pd.DataFrame:
    """Cohen's κ per code over the segments both coders coded (code applied: yes/no).

    κ is missing (NaN) where both coders gave every shared segment the same answer, so
    chance-corrected agreement is undefined. Codes neither coder used are left out.
    """
    shared = shared_segments(coded)
    rows = []
    for code in dict.fromkeys(coded["code_id"]):
        a, b = (
            np.isin(
                shared,
                coded.loc[(coded["coder"] == coder) & (coded["code_id"] == code), "segment_id"],
            ).astype(int)
            for coder in _coders(coded)
        )
        if not (a.any() or b.any()):
            continue
        undefined = (a == b).all() and len(set(a)) == 1
        rows.append(
            {
                "code_id": code,
                "n_segments": len(shared),
                "n_first": int(a.sum()),
                "n_second": int(b.sum()),
                "agreement": float((a == b).mean()),
                "kappa": np.nan if undefined else float(cohen_kappa_score(a, b)),
            }
        )
    return pd.DataFrame(
        rows, columns=["code_id", "n_segments", "n_first", "n_second", "agreement", "kappa"]
    )


def kappa_sentence(data: Interviews, lang: str) -> str:
    """Whether κ applies, and if so between whom and over how many segments."""
    reason = kappa_not_applicable(data.coded)
    if reason is not None:
        return t(reason, lang, n=fmt_int(len(_coders(data.coded)), lang))
    first, second = _coders(data.coded)
    return t(
        "interviews.kappa.applies",
        lang,
        first=first,
        second=second,
        shared=fmt_int(len(shared_segments(data.coded)), lang),
    )


def kappa_table(data: Interviews, lang: str) -> pd.DataFrame:
    """κ per code for display, in ``lang``."""
    frame = kappa_per_code(data.coded).merge(
        data.codebook[["code_id", f"code_{lang}"]], on="code_id"
    )
    first, second = _coders(data.coded)
    return pd.DataFrame(
        {
            t("interviews.col.code", lang): frame["code_id"] + " " + frame[f"code_{lang}"],
            t("interviews.col.shared", lang): frame["n_segments"].map(lambda n: fmt_int(n, lang)),
            t("interviews.col.by_coder", lang, coder=first): frame["n_first"].map(
                lambda n: fmt_int(n, lang)
            ),
            t("interviews.col.by_coder", lang, coder=second): frame["n_second"].map(
                lambda n: fmt_int(n, lang)
            ),
            t("interviews.col.agreement", lang): frame["agreement"].map(lambda x: fmt_pct(x, lang)),
            t("interviews.col.kappa", lang): frame["kappa"].map(lambda x: fmt_num(x, lang, 2)),
        }
    )


# --- reproduction and results ------------------------------------------------------------------


def quote_index(data: Interviews) -> dict[str, tuple[str, ...]]:
    """Per theme: the participants with a segment marked as quoted in the publication."""
    coded = data.coded_segments()
    quoted = coded[coded["quoted"] == 1]
    return {
        theme: tuple(sorted(set(quoted.loc[quoted["theme_id"] == theme, "participant_id"])))
        for theme in data.themes().index
    }


def _interview_number(participant_id: str) -> int | None:
    digits = re.sub(r"\D", "", participant_id)
    return int(digits) if digits else None


def reproduction_rows(data: Interviews) -> list[dict]:
    """The published facts beside the values computed from the data."""
    stats = characteristics(data)
    pub = PUBLISHED
    reason = "interviews.reason.not_study_data"

    def count(key: str, published: str, computed: float | None) -> dict:
        if computed is None:
            return reproduction.row(key, published, None, "differs", "interviews.reason.missing")
        return reproduction.compare(
            key, published, computed, reason, match_status="exact_by_construction"
        )

    rows = [
        count("interviews.repro.invited", pub["n_invited"], stats["n_invited"]),
        count("interviews.repro.participants", pub["n_participants"], stats["n_participants"]),
    ]
    if stats["n_invited"]:
        rows.append(
            reproduction.compare(
                "interviews.repro.response",
                pub["response_pct"],
                100 * stats["n_participants"] / stats["n_invited"],
                reason,
            )
        )
    rows += [
        count(f"interviews.repro.sex.{sex}", pub["sex"][sex], stats["sex"][sex]) for sex in SEXES
    ]
    rows += [
        count(f"interviews.repro.{key}", pub[key], stats[key]) for key in ("age_min", "age_max")
    ]
    rows += [
        count(f"interviews.repro.dx.{dx}", pub["diagnosis_group"][dx], stats["diagnosis_group"][dx])
        for dx in DIAGNOSES
    ]
    rows += [
        count(f"interviews.repro.{key}", pub[key], stats[key])
        for key in ("sick_leave_min", "sick_leave_max")
    ]
    rows.append(count("interviews.repro.themes", pub["n_themes"], len(data.themes())))
    rows.append(
        count("interviews.repro.quotes", pub["n_quotes"], int(data.segments["quoted"].sum()))
    )
    found = quote_index(data)
    for theme, numbers in pub["quoted"].items():
        ids = found.get(theme, ())
        computed = sorted(filter(None, map(_interview_number, ids)))
        status = "exact_by_construction" if tuple(computed) == numbers else "differs"
        rows.append(
            reproduction.row(
                "interviews.repro.quoted",
                str(len(numbers)),
                len(ids),
                status,
                "interviews.reason.quoted" if status == "differs" else None,
                theme_id=theme,
                numbers=", ".join(map(str, numbers)),
                found=", ".join(ids) or EN_DASH,
            )
        )
    return rows


def results_payload(data: Interviews, suppress_below: int = 0) -> dict:
    """``interviews.json``: counts per the data contract (suppressed counts are null)."""
    stats = characteristics(data)

    def shown(counts: dict[str, int]) -> dict[str, int | None]:
        hide = hidden(counts, suppress_below)
        return {key: None if key in hide else n for key, n in counts.items()}

    return {
        "n_participants": stats["n_participants"],
        "n_invited": stats["n_invited"],
        "sex": shown(stats["sex"]),
        "age_min": stats["age_min"],
        "age_max": stats["age_max"],
        "diagnosis_group": shown(stats["diagnosis_group"]),
        "themes": theme_counts(data),
        "reproduction": reproduction_rows(data),
    }
