"""A synthetic register extract (persons and spells) of any size, seeded and documented.

It starts from a cohort (by default the project's synthetic cohort resampled to the size asked
for, ``analysis.generators.cohort`` and ``analysis.chapters.cohort.scale``) and writes the
spells that lead to it, with the patterns of the Norwegian registers:

- up to eight earlier sick-leave spells in the three years before entry (recurrent leave);
- full-time (100 %) sick leave from the entry date until the first return, recorded as one or
  two consecutive spells; graded leave (20–80 %) from the first to the full return;
- for 30 % of those still off work at the end of follow-up, a work assessment allowance
  (70 %) or disability pension (30 %) spell from a day between 90 and 359 (a competing
  outcome); for 10 %, emigration on such a day (censoring);
- for 40 % of those back at work, a new spell 30–200 days after the full return.

``expected`` is the cohort that the derivation in ``analysis.chapters.cohort.spells`` must
give (with gaps up to 29 days bridged, or none): the tests and the benchmark check it.
Persons are written as one Parquet file, spells as Parquet partitions (``spells/part-K``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.chapters.cohort.data import OUTCOMES
from analysis.chapters.cohort.extract import FOLDER
from analysis.chapters.cohort.scale import resample
from analysis.generators.cohort import generate as generate_cohort

SEED = 2026
FIRST_ENTRY = dt.date(2018, 1, 1)
ENTRY_SPREAD_DAYS = 3 * 365
HORIZON = 360
PAST_SLOTS = 8  # earlier spells, one per 120-day slot in the three years before entry
COMPETING_SHARE, EMIGRATION_SHARE, RECURRENCE_SHARE = 0.30, 0.10, 0.40
GRADES = (20, 40, 50, 60, 80)
CHUNK_PERSONS = 2_000_000  # persons generated at a time by ``write_generated``
PARTITION_SPELLS = 2_000_000  # about as many spells in each of its Parquet files


@dataclass(frozen=True)
class Register:
    """Persons (one row each, the cohort's columns but the outcomes), spells, and the cohort
    the derivation must give."""

    persons: pd.DataFrame
    spells: pd.DataFrame
    expected: pd.DataFrame


def _spells(ids, starts, ends, grades, benefits, keep) -> pd.DataFrame:
    keep = np.asarray(keep, bool)
    return pd.DataFrame(
        {
            "id": np.asarray(ids)[keep],
            "start": np.asarray(starts)[keep],
            "end": np.asarray(ends)[keep],
            "grade": np.broadcast_to(grades, keep.shape)[keep],
            "benefit": np.broadcast_to(np.asarray(benefits, object), keep.shape)[keep],
        }
    )


def from_cohort(cohort: pd.DataFrame, seed: int = SEED) -> Register:
    """The register extract behind ``cohort`` (a cohort as read, censored at 360 days)."""
    rng = np.random.default_rng(seed)
    n = len(cohort)
    ids = cohort["id"].to_numpy()
    entry = np.datetime64(FIRST_ENTRY) + rng.integers(0, ENTRY_SPREAD_DAYS, n).astype(
        "timedelta64[D]"
    )
    day = np.timedelta64(1, "D")
    first = cohort["days_to_first_rtw"].to_numpy(int)
    full = cohort["days_to_full_rtw"].to_numpy(int)
    first_event = cohort["first_rtw"].to_numpy(int) == 1
    full_event = cohort["full_rtw"].to_numpy(int) == 1

    # Who leaves follow-up early among those still off work at the horizon, and how.
    ends_early = ~full_event & (rng.uniform(size=n) < COMPETING_SHARE + EMIGRATION_SHARE)
    emigrates = ends_early & (
        rng.uniform(size=n) < EMIGRATION_SHARE / (COMPETING_SHARE + EMIGRATION_SHARE)
    )
    competing = ends_early & ~emigrates
    early_day = rng.integers(90, HORIZON, n)
    # The early end cannot come before a return that happened: after the first return if any.
    early_day = np.where(first_event, np.maximum(early_day, first + 1), early_day)
    ends_early &= early_day < HORIZON
    competing &= ends_early
    emigrates &= ends_early
    stop = np.where(ends_early, early_day, HORIZON)  # the last day of follow-up
    first_back = np.where(first_event & (first <= stop), first, -1)
    full_back = np.where(full_event, full, -1)

    parts = []
    # Earlier spells, before entry (they end at least 80 days before it).
    for slot in range(PAST_SLOTS):
        has = rng.uniform(size=n) < 0.6
        start = entry - (1100 - 120 * slot) * day
        parts.append(
            _spells(ids, start, start + rng.integers(3, 60, n) * day, 100, "sickness_benefit", has)
        )
    # Full-time leave from entry to the first return (or past the horizon), in one or two spells.
    full_time_end = np.where(first_back >= 0, first_back - 1, stop + 30)
    full_time_end = np.where(competing & (first_back < 0), early_day - 1, full_time_end)
    split = (full_time_end >= 2) & (rng.uniform(size=n) < 0.5)
    cut = np.where(split, rng.integers(1, np.maximum(full_time_end, 2)), full_time_end + 1)
    parts.append(_spells(ids, entry, entry + (cut - 1) * day, 100, "sickness_benefit", cut >= 1))
    parts.append(
        _spells(ids, entry + cut * day, entry + full_time_end * day, 100, "sickness_benefit", split)
    )
    # Graded leave from the first return to the full return (or past the horizon).
    graded = first_back >= 0
    graded_end = np.where(full_back >= 0, full_back - 1, stop + 30)
    graded_end = np.where(competing, early_day - 1, graded_end)
    grade = rng.choice(GRADES, n)
    parts.append(
        _spells(ids, entry + first * day, entry + graded_end * day, grade, "sickness_benefit",
                graded & (graded_end >= first))
    )  # fmt: skip
    # The competing benefit, full-time, from its day on.
    benefit = np.where(rng.uniform(size=n) < 0.7, "work_assessment_allowance", "disability_pension")
    parts.append(
        _spells(ids, entry + early_day * day, entry + (early_day + 400) * day, 100, benefit,
                competing)
    )  # fmt: skip
    # A new spell some time after the full return.
    again = (full_back >= 0) & (rng.uniform(size=n) < RECURRENCE_SHARE)
    again_start = entry + (full + rng.integers(30, 200, n)) * day
    parts.append(
        _spells(ids, again_start, again_start + rng.integers(5, 60, n) * day, 100,
                "sickness_benefit", again)
    )  # fmt: skip
    spells = pd.concat(parts, ignore_index=True).sort_values(["id", "start"], kind="stable")

    emigration = pd.Series(pd.NaT, index=range(n), dtype="datetime64[s]")
    emigration[emigrates] = entry[emigrates] + early_day[emigrates] * day
    outcomes = list(OUTCOMES) + [f"days_to_{outcome}" for outcome in OUTCOMES]
    persons = cohort.drop(columns=outcomes).assign(entry_date=entry, emigration_date=emigration)
    expected = cohort.copy()
    for outcome, back in (("first_rtw", first_back), ("full_rtw", full_back)):
        returned = (back >= 0) & (back <= stop)
        expected[outcome] = returned.astype(int)
        expected[f"days_to_{outcome}"] = np.where(returned, back, stop)
    return Register(persons, spells.reset_index(drop=True), expected)


def generate(persons: int, seed: int = SEED, prefix: str = "") -> Register:
    """A register extract of ``persons`` persons from the project's synthetic cohort (``prefix``
    before every person's and programme's id)."""
    cohort = resample(generate_cohort(), persons, seed)
    if prefix:
        for column in ("id", "programme_id"):
            cohort[column] = prefix + cohort[column]
    # A person back at full work on day 0 was never on leave: no register holds such a one.
    cohort["days_to_full_rtw"] = cohort["days_to_full_rtw"].clip(lower=1)
    return from_cohort(cohort, seed)


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as an Arrow table whose date columns are dates (not timestamps)."""
    return pa.table(
        {
            name: pa.array(column.to_numpy().astype("datetime64[D]"), mask=column.isna().to_numpy())
            if pd.api.types.is_datetime64_any_dtype(column)
            else pa.array(column.replace("", None), from_pandas=True)  # '' is missing
            for name, column in frame.items()
        }
    )


def write(register: Register, data_dir: Path, partitions: int = 4) -> Path:
    """Write ``register`` into ``data_dir/register`` (persons.parquet, spells/part-K.parquet)."""
    folder = Path(data_dir) / FOLDER
    (folder / "spells").mkdir(parents=True, exist_ok=True)
    pq.write_table(_arrow(register.persons), folder / "persons.parquet")
    _write_spells(register.spells, folder, partitions, "part")
    return folder


def _write_spells(spells: pd.DataFrame, folder: Path, partitions: int, stem: str) -> None:
    """``spells`` into ``partitions`` Parquet files ``<stem>-K.parquet`` of ``folder/spells``."""
    bounds = np.linspace(0, len(spells), partitions + 1).astype(int)
    for k, (a, b) in enumerate(itertools.pairwise(bounds)):
        pq.write_table(_arrow(spells.iloc[a:b]), folder / "spells" / f"{stem}-{k}.parquet")


def write_generated(
    persons: int, data_dir: Path, seed: int = SEED, chunk: int = CHUNK_PERSONS
) -> int:
    """Generate a register extract of ``persons`` persons and write it into ``data_dir/register``
    a chunk of at most ``chunk`` persons at a time, so that memory holds one chunk whatever the
    size (100 M spells do not fit in memory at once): chunk K is ``generate`` with seed
    ``seed + K`` and ids and programmes prefixed ``K<K>-`` (none for the first, which is then
    ``generate(persons, seed)`` when one chunk holds everyone); the persons go into one Parquet
    file, the spells into partitions of about ``PARTITION_SPELLS``. Returns the number of spells."""
    folder = Path(data_dir) / FOLDER
    (folder / "spells").mkdir(parents=True, exist_ok=True)
    written, writer = 0, None
    try:
        for k, start in enumerate(range(0, persons, chunk)):
            made = generate(min(chunk, persons - start), seed + k, f"K{k}-" if k else "")
            table = _arrow(made.persons)
            if writer is None:
                writer = pq.ParquetWriter(folder / "persons.parquet", table.schema)
            writer.write_table(table.cast(writer.schema))
            parts = max(1, len(made.spells) // PARTITION_SPELLS)
            _write_spells(made.spells, folder, parts, f"part-{k}")
            written += len(made.spells)
            del made
    finally:
        if writer is not None:
            writer.close()
    return written


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report generate-register``."""
    command = commands.add_parser(
        "generate-register", help="write a seeded synthetic register extract (persons, spells)"
    )
    command.add_argument("--persons", type=int, default=10_000, help="persons (default 10000)")
    command.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    command.add_argument("--partitions", type=int, default=4, help="spell files (default 4)")
    command.add_argument(
        "--out", type=Path, required=True, help="data folder to write register/ into"
    )
    command.set_defaults(
        run=lambda args: print(
            f"wrote {write(generate(args.persons, args.seed), args.out, args.partitions)}"
        )
    )
