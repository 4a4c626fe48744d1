"""Construction of ``data/providers.csv`` from the published tables of Berg (2015).

The thesis publishes counts, not rows. This module builds one row per programme (n = 120)
whose cross-tabulations reproduce Table 1 (programme types, coordinator types and diagnosis
groups by finance) and the 2×2 tables of Tables 4–6 exactly:

1. finance groups and permanent coordinator per group, as published;
2. diagnosis answers: an integer programme (scipy ``milp``) allocates programmes to cells of
   finance × coordinator × diagnosis pattern so that Table 1's diagnosis counts, Table 6 and
   the two tables implied by the printed p-values for mental and unspecific diagnoses hold,
   eight programmes have no diagnosis answer, and every answer ticks at least one group;
3. programme types and coordinator types: each published count is handed out within its
   finance group to the programmes with the fewest answers so far, in an order shuffled with
   a fixed seed (no programme gets the same answer twice; "no need of coordination" only goes
   to programmes without a permanent coordinator).

Anything not published (which programme has which type, how types relate to the coordinator)
is a documented free choice, not data. Run ``rtw-report make-provider-data`` to rebuild the file.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import Bounds, LinearConstraint, milp

from analysis.chapters.provider.data import DIAGNOSES, FINANCE
from analysis.chapters.provider.reproduction import published

PC_LEVELS = ("yes", "no", "missing")
SEED = 2015
PATTERNS: tuple[tuple[int, int, int] | None, ...] = (
    None,
    *(bits for bits in itertools.product((0, 1), repeat=3) if any(bits)),
)


def _diagnosis_cells() -> dict[tuple[str, str, tuple[int, int, int] | None], int]:
    """Programmes per finance × coordinator × diagnosis pattern (None = no answer)."""
    pub = published()
    cells = list(itertools.product(FINANCE, PC_LEVELS, PATTERNS))
    index = {cell: i for i, cell in enumerate(cells)}
    rows, targets = [], []

    def constrain(selected, target: int) -> None:
        coefficients = np.zeros(len(cells))
        for cell in selected:
            coefficients[index[cell]] = 1
        rows.append(coefficients)
        targets.append(target)

    for finance, level in itertools.product(FINANCE, PC_LEVELS):
        constrain(
            [c for c in cells if c[:2] == (finance, level)],
            pub["permanent_coordinator"][finance][level],
        )
    constrain([c for c in cells if c[1] == "missing" and c[2] is not None], 0)
    constrain([c for c in cells if c[2] is None], pub["n_programmes"] - pub["n_diagnosis_valid"])
    for position, diagnosis in enumerate(DIAGNOSES):
        ticked = [c for c in cells if c[2] is not None and c[2][position] == 1]
        for finance in FINANCE:
            constrain([c for c in ticked if c[0] == finance], pub["diagnoses"][diagnosis][finance])
        counts = pub["tables"][diagnosis]["counts"]
        constrain([c for c in ticked if c[1] == "yes"], counts["exposed_yes"])
        constrain([c for c in ticked if c[1] == "no"], counts["exposed_no"])
        unticked = [c for c in cells if c[2] is not None and c[2][position] == 0]
        constrain([c for c in unticked if c[1] == "yes"], counts["unexposed_yes"])
        constrain([c for c in unticked if c[1] == "no"], counts["unexposed_no"])
    matrix, bounds = np.array(rows), np.array(targets)
    # Prefer single-group answers: a small cost per extra ticked group keeps patterns plain.
    cost = np.array([0 if c[2] is None else sum(c[2]) for c in cells], dtype=float)
    solution = milp(
        cost,
        constraints=LinearConstraint(matrix, bounds, bounds),
        integrality=np.ones(len(cells)),
        bounds=Bounds(0, np.inf),
    )
    if not solution.success:
        raise RuntimeError(f"the published tables cannot be met together: {solution.message}")
    return {cell: round(x) for cell, x in zip(cells, solution.x, strict=True) if round(x) > 0}


def _hand_out(
    frame: pd.DataFrame, column: str, count: int, answered: pd.Series, eligible: pd.Series
) -> None:
    """Set ``column`` to 1 for ``count`` eligible rows with the fewest answers so far."""
    candidates = frame.index[eligible & frame[column].eq(0)]
    order = sorted(candidates, key=lambda i: (answered[i], frame.at[i, "_order"]))
    if len(order) < count:
        raise RuntimeError(f"not enough programmes for {count} answers in {column}")
    chosen = order[:count]
    frame.loc[chosen, column] = 1
    answered[chosen] += 1


def construct(seed: int = SEED) -> pd.DataFrame:
    """Build the 120-row programme table that reproduces the published counts."""
    pub = published()
    records = []
    for (finance, level, pattern), n in sorted(_diagnosis_cells().items(), key=str):
        for _ in range(n):
            record = {
                "finance": finance,
                "permanent_coordinator": "" if level == "missing" else level,
            }
            for diagnosis, bit in zip(DIAGNOSES, pattern or (None,) * 3, strict=True):
                record[diagnosis] = "" if bit is None else ("yes" if bit else "no")
            records.append(record)
    frame = pd.DataFrame(records)
    rng = np.random.default_rng(seed)
    frame["_order"] = rng.permutation(len(frame))
    frame = frame.sort_values(
        ["finance", "_order"],
        key=lambda s: s.map({f: i for i, f in enumerate(FINANCE)}) if s.name == "finance" else s,
    ).reset_index(drop=True)

    type_columns = list(pub["types"])
    coord_columns = list(pub["coordinator_types"])
    for column in type_columns + coord_columns:
        frame[column] = 0
    for finance in FINANCE:
        in_group = frame["finance"].eq(finance)
        types_held = pd.Series(0, index=frame.index)
        for column in sorted(type_columns, key=lambda c: -pub["types"][c][finance]):
            _hand_out(frame, column, pub["types"][column][finance], types_held, in_group)
        answers = frame["permanent_coordinator"].eq("yes").astype(int)
        valid = in_group & frame["permanent_coordinator"].ne("")
        for column in coord_columns:
            eligible = valid & (
                frame["permanent_coordinator"].eq("no") if column == "coord_no_need" else True
            )
            _hand_out(frame, column, pub["coordinator_types"][column][finance], answers, eligible)
    frame[coord_columns] = frame[coord_columns].astype("string")
    frame.loc[frame["permanent_coordinator"].eq(""), coord_columns] = ""
    frame.insert(0, "programme_id", [f"RT{i + 1:03d}" for i in range(len(frame))])
    return frame.drop(columns="_order")


def write(path: Path, seed: int = SEED) -> Path:
    """Construct the table and write it as CSV."""
    construct(seed).to_csv(path, index=False)
    return path


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report make-provider-data``."""
    command = commands.add_parser(
        "make-provider-data", help="rebuild data/providers.csv from the published tables"
    )
    command.add_argument("--out", type=Path, default=Path("data/providers.csv"))
    command.add_argument("--seed", type=int, default=SEED)
    command.set_defaults(run=lambda args: print(f"wrote {write(args.out, args.seed)}"))
