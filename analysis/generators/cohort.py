"""Seeded generator of the synthetic cohort ``data/cohort.csv`` (no real person is in it).

The register data behind the cohort paper are not public; only its summaries are. This module
makes 326 synthetic employees in 43 synthetic programmes whose Table 1 margins (missing counts
included), coordinator split (237/89) and programme types (206/84/32, 4 missing) equal the
published ones exactly, and whose outcomes are drawn from a model calibrated to the published
survival results:

1. **Covariates.** Each Table 1 variable is a vector with exactly the published counts (and empty
   cells for the published missing counts), shuffled with the seed. Ages are whole years drawn
   within each published age group so that the minimum (21), maximum (67) and median (46) hold.
   Household income is not described in the paper: its levels and shares are invented.
2. **Programmes.** 26 occupational rehabilitation, 12 treatment and 5 follow-up programmes
   (43 in all) with unequal sizes; the four people without a programme type sit in random
   programmes. Each programme has a propensity to provide a coordinator; within each programme
   type the people with the highest propensity (plus noise) get one, so that the counts per type
   are exactly ``COORDINATED`` (162/206, 49/84, 26/32, 0/4: Table 1's 237 in total, with an
   odds ratio of about 2.7 for occupational rehabilitation or follow-up vs treatment).
3. **First RTW.** Piecewise-constant hazards per programme type (``FIRST_RTW_HAZARD``, per 1000
   days between the ``KNOTS``), multiplied by ``COORDINATOR_HR`` for people with a coordinator,
   by small invented covariate effects (``COVARIATE_LOG_HR``, centred within each type) and by a
   programme frailty. The hazards were fitted once by least squares so that the expected curves
   hit the published programme-type medians (109/55/238 days) and 360-day RTW rates
   (63/88/63 %), the coordinator medians (128 vs 61 days) and roughly the slopes implied by the
   paper's symmetric median intervals. Programme type thus confounds the coordinator effect.
   Times are drawn by inverting the cumulative hazard, with stratified uniforms within each
   programme type and coordinator cell (less sampling noise), and rounded up to whole days.
4. **Full RTW.** Full RTW equals first RTW for a share ``FULL_SAME_DAY`` of people (by
   coordinator); for the rest an exponential gap is added, with mean ``FULL_GAP_MEAN`` days by
   programme type (long after treatment, where people go back gradually) times
   ``FULL_GAP_COORDINATOR_RATIO`` for people with a coordinator (they catch up). These four
   values were tuned with the fixed seed towards the published full-RTW medians (185 vs 128
   days) and HRs (0.83 unadjusted, 0.82 adjusted).
5. Everything later than ``FOLLOW_UP`` days is censored at day 360.

The seed ``SEED`` was picked by trying seeds in order with the model above and keeping the
first whose cohort met the calibration tolerances (medians ±10 %, HRs ±0.05, programme-type
medians ±10 %, 360-day rates ±5 points); the full-RTW parameters were then tuned for it. Other
seeds give other, equally valid synthetic cohorts whose results scatter around the targets.

Ids are pseudonyms like ``E0001`` and programme ids like ``P01``: never 11-digit numbers.
Run ``rtw-report generate-cohort [--seed N] [--out PATH]`` to rebuild the file.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.chapters.cohort.data import SYMPTOMS
from analysis.chapters.cohort.reproduction import published

# The columns of the file written, in its order.
COLUMNS = (
    "id",
    "programme_id",
    "coordinator",
    "programme_type",
    "days_to_first_rtw",
    "first_rtw",
    "days_to_full_rtw",
    "full_rtw",
    "sex",
    "age",
    "marital_status",
    "education",
    "diagnosis",
    *SYMPTOMS,
    "prior_sick_leave",
    "sector",
    "household_income",
)
SEED = 282  # chosen in a seed search: the first seed whose cohort meets every target
FOLLOW_UP = 360
N_PROGRAMMES = {"occupational_rehabilitation": 26, "treatment": 12, "follow_up": 5}
COORDINATED = {"occupational_rehabilitation": 162, "treatment": 49, "follow_up": 26, "": 0}
KNOTS = np.array([0, 20, 40, 60, 90, 120, 180, 240, 300, 361])
# Hazard of first RTW without a coordinator, per 1000 days, between consecutive knots.
# People with a missing programme type are drawn from the occupational rehabilitation curve.
FIRST_RTW_HAZARD = {
    "occupational_rehabilitation": (12.53, 11.09, 8.82, 5.32, 3.09, 2.08, 1.53, 1.27, 1.17),
    "treatment": (15.50, 14.94, 13.90, 9.82, 7.14, 5.84, 4.96, 4.47, 4.24),
    "follow_up": (1.98, 2.06, 2.22, 2.46, 2.95, 3.91, 5.97, 3.86, 2.59),
}
COORDINATOR_HR = 0.75
PROGRAMME_FRAILTY_SD = 0.15
# Invented, modest covariate effects on the log hazard of RTW (missing values count as 0).
COVARIATE_LOG_HR = {
    ("age_group", "50+"): -0.15,
    ("diagnosis", "psychiatric"): -0.25,
    ("diagnosis", "cancer"): -0.20,
    ("depressive_mood", "yes"): -0.10,
    ("anxiety", "yes"): -0.10,
    ("education", "university_long"): 0.10,
}
FULL_SAME_DAY = {"yes": 0.30, "no": 0.35}
FULL_GAP_MEAN = {"occupational_rehabilitation": 60.0, "treatment": 220.0, "follow_up": 60.0}
FULL_GAP_COORDINATOR_RATIO = 0.55
# Invented household income distribution (the paper describes none): counts, then missing.
HOUSEHOLD_INCOME = {"low": 82, "middle": 152, "high": 76}


def _exact_vector(counts: dict[str, int], n: int, rng: np.random.Generator) -> np.ndarray:
    """A shuffled vector with exactly ``counts`` of each level and '' for the rest (missing)."""
    values = [level for level, count in counts.items() for _ in range(count)]
    values += [""] * (n - len(values))
    return rng.permutation(np.array(values, dtype=object))


def _ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Whole-year ages with the published group counts, min 21, max 67 and median 46."""
    groups = published()["table1"]["age_group"]
    young = rng.integers(21, 31, groups["30-"])
    young[0] = 21
    old = rng.integers(50, 68, groups["50+"])
    old[0] = 67
    # The median of the known ages is the 163rd smallest; it falls at this rank of 31-49.
    known = sum(groups.values())
    rank = (known + 1) // 2 - groups["30-"]
    middle = np.concatenate(
        [
            rng.integers(31, 46, rank - 1),
            [46],
            rng.integers(46, 50, groups["31-49"] - rank),
        ]
    )
    ages = np.concatenate([young, middle, old]).astype(object)
    ages = np.concatenate([ages, [""] * (n - len(ages))])
    return rng.permutation(ages)


def _age_group(age: object) -> str:
    if age == "":
        return ""
    return "30-" if age <= 30 else ("31-49" if age <= 49 else "50+")


def _programmes(types: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Programme ids for everyone, and each person's programme coordinator propensity."""
    ids, propensity = {}, {}
    number = 0
    for kind, count in N_PROGRAMMES.items():
        ids[kind] = [f"P{number + i + 1:02d}" for i in range(count)]
        number += count
    for names in ids.values():
        for name in names:
            propensity[name] = rng.normal()
    programme = np.empty(len(types), dtype=object)
    for kind in (*N_PROGRAMMES, ""):
        members = np.flatnonzero(types == kind)
        names = ids[kind] if kind else [name for group in ids.values() for name in group]
        weights = rng.dirichlet(np.full(len(names), 2.0))
        # Every programme of a type gets at least one person; the rest follow the weights.
        first = names if kind else []
        rest = rng.choice(names, size=len(members) - len(first), p=weights)
        programme[members] = rng.permutation(np.concatenate([first, rest]))
    return programme, np.array([propensity[name] for name in programme])


def _coordinators(
    types: np.ndarray, propensity: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """'yes' for exactly ``COORDINATED[type]`` people per type, favouring high propensity."""
    coordinator = np.full(len(types), "no", dtype=object)
    score = propensity + rng.normal(size=len(types))
    for kind, count in COORDINATED.items():
        members = np.flatnonzero(types == kind)
        chosen = members[np.argsort(-score[members])[:count]]
        coordinator[chosen] = "yes"
    return coordinator


def _inverse_cumulative_hazard(target: np.ndarray, hazard: tuple[float, ...]) -> np.ndarray:
    """Time at which the piecewise-linear cumulative hazard reaches ``target`` (inf past 360).

    ``hazard`` is per 1000 days between consecutive ``KNOTS``.
    """
    cumulative = np.concatenate([[0], np.cumsum(np.array(hazard) / 1000 * np.diff(KNOTS))])
    times = np.interp(target, cumulative, KNOTS)
    return np.where(target > cumulative[-1], np.inf, times)


def _linear_predictor(frame: pd.DataFrame) -> np.ndarray:
    """The invented covariate part of each person's log hazard."""
    lp = np.zeros(len(frame))
    for (column, level), effect in COVARIATE_LOG_HR.items():
        lp += effect * (frame[column].to_numpy() == level)
    return lp


def _stratified_uniform(cells: pd.Series, rng: np.random.Generator) -> np.ndarray:
    """Uniforms spread evenly over (0, 1) within each cell (one per stratum of width 1/n)."""
    u = np.empty(len(cells))
    for _, index in cells.groupby(cells).groups.items():
        n = len(index)
        u[cells.index.get_indexer(index)] = (rng.permutation(n) + rng.uniform(size=n)) / n
    return u


def generate(seed: int = SEED) -> pd.DataFrame:
    """The synthetic cohort (one row per synthetic employee) for ``seed``."""
    rng = np.random.default_rng(seed)
    table1 = published()["table1"]
    n = table1["n"]
    frame = pd.DataFrame({"id": [f"E{i + 1:04d}" for i in range(n)]})
    types = _exact_vector(table1["programme_type"], n, rng)
    frame["programme_id"], propensity = _programmes(types, rng)
    frame["coordinator"] = _coordinators(types, propensity, rng)
    frame["programme_type"] = types
    for column in (
        "sex",
        "marital_status",
        "education",
        "diagnosis",
        "pain_rest",
        "pain_activity",
        "depressive_mood",
        "anxiety",
        "prior_sick_leave",
        "sector",
    ):
        frame[column] = _exact_vector(table1[column], n, rng)
    frame["age"] = _ages(rng, n)
    frame["age_group"] = frame["age"].map(_age_group)
    frame["household_income"] = _exact_vector(HOUSEHOLD_INCOME, n, rng)

    generating_type = np.where(types == "", "occupational_rehabilitation", types)
    lp = _linear_predictor(frame)
    for kind in FIRST_RTW_HAZARD:  # centre the covariate effects within each type
        members = generating_type == kind
        lp[members] -= np.log(np.mean(np.exp(lp[members])))
    frailty = {
        name: rng.normal(0, PROGRAMME_FRAILTY_SD) for name in sorted(set(frame.programme_id))
    }
    lp += frame["programme_id"].map(frailty).to_numpy()
    lp += np.log(COORDINATOR_HR) * (frame["coordinator"] == "yes").to_numpy()

    cells = pd.Series(generating_type + "/" + frame["coordinator"].to_numpy())
    target = -np.log(_stratified_uniform(cells, rng)) / np.exp(lp)
    first = np.empty(n)
    for kind, hazard in FIRST_RTW_HAZARD.items():
        members = generating_type == kind
        first[members] = _inverse_cumulative_hazard(target[members], hazard)
    first = np.ceil(first)
    same_day = rng.uniform(size=n) < frame["coordinator"].map(FULL_SAME_DAY).to_numpy()
    gap_mean = pd.Series(generating_type).map(FULL_GAP_MEAN).to_numpy() * np.where(
        frame["coordinator"] == "yes", FULL_GAP_COORDINATOR_RATIO, 1.0
    )
    full = first + np.where(same_day, 0, np.ceil(rng.exponential(gap_mean)))

    for name, days in (("first", first), ("full", full)):
        event = days <= FOLLOW_UP
        frame[f"days_to_{name}_rtw"] = np.where(event, days, FOLLOW_UP).astype(int)
        frame[f"{name}_rtw"] = event.astype(int)
    return frame[list(COLUMNS)]


def write(out: Path, seed: int = SEED) -> Path:
    """Generate the cohort for ``seed`` and write it as CSV to ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    generate(seed).to_csv(out, index=False, lineterminator="\n")
    return out


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report generate-cohort``."""
    command = commands.add_parser(
        "generate-cohort", help="write the seeded synthetic cohort (data/cohort.csv)"
    )
    command.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    command.add_argument(
        "--out",
        type=Path,
        default=Path("data/cohort.csv"),
        help="output CSV (default: data/cohort.csv)",
    )
    command.set_defaults(run=lambda args: print(f"wrote {write(args.out, args.seed)}"))
