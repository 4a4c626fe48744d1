"""``rtw-report bench``: how fast the build is on the machine it runs on (prints figures).

Measures, each in a fresh temporary output folder and on a copy of the data:

- a cold build (nothing cached), a rebuild with nothing changed, and a rebuild after one data
  file changed;
- the cohort chapter alone (both languages, every model and figure) on register-sized
  cohorts of 10,000, 100,000 and 1,000,000 rows resampled from the data's cohort, wall time
  and peak memory, beside the same Cox models fitted by lifelines alone as the floor to
  compare with; then at the largest size again with a competing outcome and its RMST
  declared (:func:`analysis.chapters.cohort.scale.with_competing_outcome`);
- with ``--collapsed PERSONS`` instead: the cohort statistics on that many resampled persons,
  row by row and collapsed (:mod:`analysis.chapters.cohort.collapsed`), wall and CPU time
  and the peak memory they allocate (tracemalloc).

With ``--register``: the cohort chapter built from generated register extracts (persons and
spells, derived in DuckDB, or in Spark with ``--engine spark``) instead, and then the
statistics of ``--collapsed`` on the table the engine collapses (the peak memory of the
benchmark's own process, the engine inside it unless it is Spark).

A benchmark, not a test: it asserts nothing and prints the targets beside the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd

from analysis.chapters.cohort import coxph, extract, spells, survival
from analysis.chapters.cohort.collapsed import CLUSTER, EVENT, TIME, WEIGHT, collapse
from analysis.chapters.cohort.data import load as load_cohort
from analysis.chapters.cohort.scale import COMPETING_STUDY, resample, with_competing_outcome
from analysis.core.settings import DATA, DUCKDB, Engine
from analysis.pipeline.build import chosen_engine, engine_options

TARGETS = {
    "cold build": "≤ 25 s",
    "no-change rebuild": "≤ 3 s",
    "one data file changed": "≤ 15 s",
    "cohort 100,000 rows": "≤ 15 s",
    "cohort 1,000,000 rows": "≤ 60 s, ≤ 4 GB",
    "cohort 1,000,000 rows, competing": "≤ 60 s, ≤ 4 GB",
}
REGISTER_TARGETS = {10_000_000: "≤ 2 min, ≤ 6 GB", 100_000_000: "≤ 15 min, ≤ 16 GB"}


def children_cpu() -> float:
    """CPU seconds (user and system) of this process's finished child processes so far, theirs
    included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str]) -> tuple[float, float, float]:
    """Run ``command``; its wall time (s), the CPU time of it and its child processes (s; on a
    busy machine the figure that says what the command costs) and the peak memory of its
    largest process (GB)."""
    began, began_cpu = time.perf_counter(), children_cpu()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return time.perf_counter() - began, children_cpu() - began_cpu, peak_kb / 1024**2


def build_command(data: Path, out: Path, *extra: str) -> list[str]:
    """The build as a user runs it."""
    return [sys.executable, "-m", "analysis.cli", "build", "--data", str(data), "--out", str(out),
            *extra]  # fmt: skip


def lifelines_floor(frame: pd.DataFrame) -> float:
    """Seconds lifelines alone takes for the unadjusted and adjusted Cox models."""
    from lifelines import CoxPHFitter

    design = pd.get_dummies(
        frame[["coordinator", "sex", "education", "diagnosis", "programme_type"]],
        drop_first=True,
        dtype=float,
    )
    design["duration"] = frame["days_to_first_rtw"].astype(float)
    design["event"] = frame["first_rtw"]
    began = time.perf_counter()
    CoxPHFitter().fit(design[["coordinator_yes", "duration", "event"]], "duration", "event")
    CoxPHFitter().fit(design, "duration", "event")
    return time.perf_counter() - began


def main(data: Path, sizes: list[int], echo=print) -> None:
    """Print the build and register-scale figures of this machine."""
    echo(
        f"machine: {platform.machine()}, {platform.system()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy = work / "data"
        shutil.copytree(data, copy)
        out = work / "out"
        figures = {"cold build": timed(build_command(copy, out))}
        figures["no-change rebuild"] = timed(build_command(copy, out))
        providers = copy / "providers.csv"
        text = providers.read_text(encoding="utf-8").splitlines()
        text[1] = text[1].replace(",yes,", ",no,", 1)
        providers.write_text("\n".join(text) + "\n", encoding="utf-8")
        figures["one data file changed"] = timed(build_command(copy, out))
        for name, (seconds, cpu, _) in figures.items():
            echo(f"{name:<24} {seconds:7.1f} s ({cpu:5.1f} s CPU)     target {TARGETS[name]}")
        for rows in sizes:
            cohort_dir = work / f"cohort-{rows}"
            cohort_dir.mkdir()
            frame = resample(load_cohort(data).frame, rows)
            frame.to_csv(cohort_dir / "cohort.csv", index=False)
            seconds, cpu, gigabytes = timed(
                build_command(cohort_dir, work / f"out-{rows}", "--only", "cohort", "--force")
            )
            label = f"cohort {rows:,} rows"
            target = TARGETS.get(label, "")
            echo(
                f"{label:<24} {seconds:7.1f} s ({cpu:5.1f} s CPU) {gigabytes:5.2f} GB   "
                f"lifelines alone {lifelines_floor(frame):5.1f} s   target {target}"
            )
        if sizes:
            competing_benchmark(data, work, max(sizes), echo)


def competing_benchmark(data: Path, work: Path, rows: int, echo=print) -> None:
    """Print the time and peak memory of the cohort chapter (both languages) on ``rows``
    resampled rows with a competing outcome and its RMST declared."""
    folder = work / f"cohort-{rows}-competing"
    folder.mkdir()
    with_competing_outcome(resample(load_cohort(data).frame, rows)).to_csv(
        folder / "cohort.csv", index=False
    )
    (folder / "cohort.study.yaml").write_text(COMPETING_STUDY, encoding="utf-8")
    seconds, cpu, gigabytes = timed(
        build_command(folder, work / f"out-{rows}-competing", "--only", "cohort", "--force")
    )
    label = f"cohort {rows:,} rows, competing"
    echo(
        f"{label:<34} {seconds:7.1f} s ({cpu:5.1f} s CPU) {gigabytes:5.2f} GB   "
        f"target {TARGETS.get(label, '')}"
    )


Result = TypeVar("Result")
COLLAPSED_COVARIATES = {"coordinator": "no", "sex": "female", "diagnosis": "musculoskeletal"}


def _measured(
    work: Callable[..., Result], *arguments: object
) -> tuple[Result, float, float, float]:
    """``work(*arguments)``, its wall and CPU time (s) and the peak memory it allocates (MB,
    tracemalloc)."""
    tracemalloc.start()
    began, began_cpu = time.perf_counter(), time.process_time()
    result = work(*arguments)
    seconds, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, cpu, peak / 1024**2


def _statistics(frame: pd.DataFrame, clustered: bool) -> coxph.CoxFit:
    """The cohort statistics on ``frame`` (row-level, or collapsed with ``weight``): Kaplan–
    Meier with medians and log-rank by coordinator, and an Efron Cox model (returned) with
    robust SEs (per programme if ``clustered``, else per person)."""
    weights = frame[WEIGHT].to_numpy() if WEIGHT in frame.columns else None
    time_, event = frame[TIME].to_numpy(float), frame[EVENT].to_numpy(int)
    groups = frame["coordinator"].to_numpy(object)
    for level in ("no", "yes"):
        rows = groups == level
        survival.median_summary(
            time_[rows], event[rows], weights=None if weights is None else weights[rows]
        )
    survival.logrank_test(time_, event, groups, ["no", "yes"], weights)
    columns = [
        (frame[name] == level).to_numpy(float)
        for name, reference in COLLAPSED_COVARIATES.items()
        for level in sorted(frame[name].dropna().unique())
        if level != reference
    ]
    model = coxph.fit(time_, event, np.column_stack(columns), [""] * len(columns), weights=weights)
    coxph.robust_se(model, frame[CLUSTER].to_numpy() if clustered else None)
    return model


def collapsed_benchmark(data: Path, persons: int, echo=print) -> None:
    """Print time and peak memory of the cohort statistics on ``persons`` resampled persons,
    row by row and collapsed, and of the collapse in pandas (from DuckDB the process receives
    the collapsed table only). Clustered: robust SEs per programme, for which the table is
    collapsed within programmes."""
    cohort = resample(load_cohort(data).frame, persons)
    frame = pd.DataFrame(
        {
            TIME: cohort["days_to_first_rtw"].to_numpy(float),
            EVENT: cohort["first_rtw"].to_numpy(int),
            **{name: cohort[name].to_numpy(object) for name in COLLAPSED_COVARIATES},
            CLUSTER: cohort["programme_id"].to_numpy(object),
        }
    )
    covariates = list(COLLAPSED_COVARIATES)
    echo(f"cohort statistics on {persons:,} persons (KM, log-rank, Cox Efron, robust SEs)")

    def report(name: str, rows: int, work: Callable[..., Result], *arguments: object) -> Result:
        result, seconds, cpu, megabytes = _measured(work, *arguments)
        echo(
            f"{name:<30} {rows:>11,} rows {seconds:7.1f} s ({cpu:5.1f} s CPU) "
            f"{megabytes:8.1f} MB peak"
        )
        return result

    for clustered, suffix in ((False, ""), (True, ", clustered")):
        report(f"row-level{suffix}", persons, _statistics, frame, clustered)
        source = frame if clustered else frame.drop(columns=CLUSTER)
        table = report(f"collapse in pandas{suffix}", persons, collapse, source, covariates)
        report(f"collapsed{suffix}", len(table), _statistics, table, clustered)


def register_cli(commands: argparse._SubParsersAction) -> None:
    """Add ``rtw-report bench``."""
    command = commands.add_parser("bench", help="print build and register-scale timings")
    command.add_argument("--data", type=Path, default=DATA, help="data to build (default: data/)")
    command.add_argument(
        "--rows",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=[10_000, 100_000, 1_000_000],
        help="cohort sizes, comma-separated (default 10000,100000,1000000); the largest is "
        "built once more with a competing outcome",
    )
    command.add_argument(
        "--register",
        type=lambda text: [int(n) for n in text.split(",") if n],
        default=None,
        metavar="PERSONS",
        help="instead: register extracts of these many persons (about 7 spells each), "
        "derived and analysed by the cohort chapter, e.g. 1400000 for 10 M spells",
    )
    command.add_argument(
        "--competing",
        type=int,
        metavar="ROWS",
        help="only the cohort chapter on ROWS rows with a competing outcome declared",
    )
    command.add_argument(
        "--collapsed",
        type=int,
        metavar="PERSONS",
        help="only the cohort statistics on PERSONS persons, row by row and collapsed",
    )
    engine_options(command)
    command.set_defaults(
        run=lambda args: (
            register_main(args.register, chosen_engine(args))
            if args.register
            else collapsed_benchmark(args.data, args.collapsed)
            if args.collapsed
            else competing_main(args.data, args.competing)
            if args.competing
            else main(args.data, args.rows)
        )
    )


def competing_main(data: Path, rows: int, echo=print) -> None:
    """Print the machine and :func:`competing_benchmark` alone."""
    echo(f"machine: {platform.machine()}, {platform.system()}, {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as folder:
        competing_benchmark(data, Path(folder), rows, echo)


def engine_statistics(data: Path, engine: Engine, work: Path) -> int:
    """From the register extract in ``data``, derived in ``engine``: the cohort statistics of
    ``--collapsed`` on the table the engine collapses, with SEs clustered by programme from
    the sums per programme the engine makes. Returns the rows Python received."""
    persons, spell_files = (
        path.relative_to(data).as_posix() for path in extract.register_files(data)
    )
    con = spells.connect(engine, temp_directory=work)
    cohort = spells.derived_cohort(
        con, data, extract.Derivation(persons=persons, spells=spell_files)
    )
    table = spells.collapsed(cohort, "first_rtw", tuple(COLLAPSED_COVARIATES))
    model = _statistics(table, clustered=False)
    summed = spells.cluster_sums(
        cohort, "first_rtw", table, coxph.input_dfbeta(model), "programme_id"
    )
    coxph.cluster_robust_se(summed)
    return len(table) + len(summed)


def register_main(sizes: list[int], engine: Engine = DUCKDB, echo=print) -> None:
    """Print the time and peak memory of the cohort chapter (both languages) built from
    generated register extracts of ``sizes`` persons: reading the spells, deriving the cohort
    in ``engine``, and every analysis, table and figure. The peak is that of the largest
    process (the build, with DuckDB in it; Spark's JVM is a process of its own)."""
    from analysis.generators import register

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for persons in sizes:
            data = work / f"register-{persons}"
            spell_count = register.write_generated(persons, data)
            seconds, cpu, gigabytes = timed(
                build_command(
                    data,
                    work / f"out-{persons}",
                    *("--only", "cohort", "--force"),
                    *("--engine", engine.name, "--spark-master", engine.master),
                )
            )
            label = f"register {persons:,} persons, {spell_count:,} spells, {engine.name}"
            target = REGISTER_TARGETS.get(
                round(spell_count, -7) if spell_count >= 5_000_000 else 0, ""
            )
            echo(
                f"{label:<48} {seconds:7.1f} s ({cpu:5.1f} s CPU) {gigabytes:5.2f} GB   "
                f"target {target}"
            )
            began = time.perf_counter()
            received = engine_statistics(data, engine, work)
            echo(
                f"{'  statistics collapsed in the engine':<48} "
                f"{time.perf_counter() - began:7.1f} s "
                f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:5.2f} GB   "
                f"{received:,} rows received"
            )
            shutil.rmtree(data)
