"""The interview chapter's counts of the coding attacked as one system: participants per theme
and per code, those contributing, those in every theme ("12 of whom contribute to every
theme"), segments per code and theme and the number of segments. An attacker who knows every
count the results publish and how they hang together (a theme's participants are the union of
its codes', a code has at least as many segments as participants, each segment has one code)
solves a whole-number programme per hidden count; the protection rule must hold at thresholds
5, 10 and 20, on the shipped data and on a sample where only three participants speak to one
theme. The excerpts are left out of the attack: they show, by design, that a code was used.
Under control no figure shows a person (the participant × theme matrix) or a hidden count (the
chart of segments per code)."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.chapters.interviews import page
from analysis.chapters.interviews.chapter import analyse
from analysis.chapters.interviews.data import load
from analysis.core.display import FigureFolder
from analysis.core.results import to_plain
from tests.helpers import SHIPPED_DATA, THRESHOLDS, check_rule

BIG = 10_000  # no count of segments comes near it


@pytest.fixture(scope="module")
def three_in_t1(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample with the first theme's segments of all but three participants
    dropped: that theme has three contributors."""
    folder = tmp_path_factory.mktemp("three-in-t1")
    shutil.copytree(SHIPPED_DATA / "interviews", folder / "interviews")
    shutil.copy(SHIPPED_DATA / "interviews.study.yaml", folder)
    segments = pd.read_csv(folder / "interviews" / "segments.csv", dtype=str)
    in_t1 = segments["code_id"].str.startswith("T1.")
    keep = sorted(segments.loc[in_t1, "participant_id"].unique())[:3]
    segments = segments[~in_t1 | segments["participant_id"].isin(keep)]
    segments.to_csv(folder / "interviews" / "segments.csv", index=False)
    return folder


class System:
    """The attacker's unknowns (participants per pattern of themes, each code's participants
    and segments, each theme's segments) and what the published counts say about them."""

    def __init__(self, payload: dict, code_themes: dict[str, str]) -> None:
        self.themes = list(payload["themes"])
        self.n = payload["n_participants"]
        self.patterns = list(itertools.product((0, 1), repeat=len(self.themes)))
        codes = [row["code_id"] for row in payload["codes"]]
        names = [("pattern", p) for p in self.patterns]
        names += [(kind, code) for code in codes for kind in ("k", "s")]
        names += [("S", theme) for theme in self.themes]
        self.position = {name: i for i, name in enumerate(names)}
        self.rows: list[tuple[np.ndarray, float, float]] = []
        person = {f"themes.{t}": self.theme(t) for t in self.themes}
        person["coding.n_contributing"] = self.over(lambda p: any(p))
        person["coding.n_covered"] = self.over(all)
        for i, code in enumerate(codes):
            person[f"codes[{i}].n_participants"] = self.var("k", code)
        self.person = person  # counts of persons: checked with the counts of those without
        self.equal(self.over(lambda p: True), self.n)
        published = {
            "coding.n_contributing": payload["coding"]["n_contributing"],
            "coding.n_covered": payload["coding"]["n_covered"],
        }
        published |= {f"themes.{t}": c["n_participants"] for t, c in payload["themes"].items()}
        for i, row in enumerate(payload["codes"]):
            published[f"codes[{i}].n_participants"] = row["n_participants"]
            if row["n_segments"] is not None:
                self.equal(self.var("s", row["code_id"]), row["n_segments"])
        for key, value in published.items():
            if value is not None:
                self.equal(person[key], value)
        for theme, counts in payload["themes"].items():
            if counts["n_segments"] is not None:
                self.equal(self.var("S", theme), counts["n_segments"])
        total = sum(self.var("S", theme) for theme in self.themes)
        if payload["coding"]["n_segments"] is not None:
            self.equal(total, payload["coding"]["n_segments"])
        self.at_least(total - person["coding.n_contributing"], 0)  # a contributor: a segment
        for theme in self.themes:
            own = [code for code in codes if code_themes[code] == theme]
            self.equal(sum(self.var("s", c) for c in own) - self.var("S", theme), 0)
            self.at_least(sum(self.var("k", c) for c in own) - self.theme(theme), 0)  # union
            self.at_least(self.var("S", theme) - self.theme(theme), 0)
            for code in own:
                self.at_least(self.var("s", code) - self.var("k", code), 0)
                self.at_least(self.theme(theme) - self.var("k", code), 0)

    def var(self, kind: str, key: object) -> np.ndarray:
        row = np.zeros(len(self.position))
        row[self.position[kind, key]] = 1
        return row

    def over(self, chosen) -> np.ndarray:
        return sum(self.var("pattern", p) for p in self.patterns if chosen(p))

    def theme(self, theme: str) -> np.ndarray:
        i = self.themes.index(theme)
        return self.over(lambda p: p[i])

    def equal(self, row: np.ndarray, value: float) -> None:
        self.rows.append((row, value, value))

    def at_least(self, row: np.ndarray, value: float) -> None:
        self.rows.append((row, value, np.inf))

    def range(self, row: np.ndarray) -> tuple[float, float]:
        """Least and greatest whole-number value of ``row`` (a count) given what is published."""
        matrix = np.array([r for r, _, _ in self.rows])
        constraint = LinearConstraint(
            matrix, [lo for _, lo, _ in self.rows], [hi for *_, hi in self.rows]
        )
        upper = np.full(len(self.position), float(BIG))
        bounds = []
        for sign in (1, -1):
            solved = milp(
                sign * row,
                constraints=[constraint],
                integrality=np.ones(len(self.position)),
                bounds=Bounds(0, upper),
            )
            assert solved.status == 0, solved.message
            bounds.append(round(sign * solved.fun))
        return bounds[0], bounds[1]


def attack(folder: Path, threshold: int) -> dict[str, int]:
    """Attack the results at ``threshold``; the true counts of persons."""
    data = load(folder)
    results = analyse(data, suppress_below=threshold)
    payload = json.loads(json.dumps(to_plain(results.to_json())))
    code_themes = dict(zip(data.codebook["code_id"], data.codebook["theme_id"], strict=True))
    system = System(payload, code_themes)
    truth = analyse(data, suppress_below=0).to_json()
    true = {f"themes.{t}": c["n_participants"] for t, c in truth["themes"].items()}
    true |= {f"coding.{key}": truth["coding"][key] for key in ("n_contributing", "n_covered")}
    true |= {
        f"codes[{i}].n_participants": r["n_participants"] for i, r in enumerate(truth["codes"])
    }
    suppressed = payload["disclosure"]["suppressed"]
    ranges, sensitive = {}, set()
    for key, row in system.person.items():
        if key not in suppressed and f"{key}.n_participants" not in suppressed:
            continue
        # The total is published: those without range over it less the count's range.
        low, high = system.range(row)
        for name, bounds, value in (
            (key, (low, high), true[key]),
            (f"{key} (without)", (system.n - high, system.n - low), system.n - true[key]),
        ):
            ranges[name] = bounds
            if 0 < value < threshold:
                sensitive.add(name)
    small = {key for key, value in true.items() if 0 < value < threshold}
    small |= {key for key, value in true.items() if 0 < system.n - value < threshold}
    assert small <= {
        key for key in system.person if key in suppressed or f"{key}.n_participants" in suppressed
    }
    check_rule(ranges, sensitive, threshold)
    # no figure shows a person (the matrix) or a hidden count (a bar per code)
    assert results.matrix is None
    assert (results.top_code_id is None) == results.contributions.hidden_codes
    if results.top_code_id is None:
        for lang in ("en", "nb"):
            shown = page.contributions(results, lang, FigureFolder(folder))
            assert [cell.data.startswith("```{note}") for cell in shown] == [True, True]
    return true


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("sample", [pytest.param("shipped", marks=pytest.mark.slow), "three_in_t1"])
def test_no_hidden_count_of_the_coding_can_be_worked_out(
    sample: str, threshold: int, request: pytest.FixtureRequest
) -> None:
    folder = SHIPPED_DATA if sample == "shipped" else request.getfixturevalue("three_in_t1")
    true = attack(folder, threshold)
    if sample == "three_in_t1":
        assert true["themes.T1"] == 3
