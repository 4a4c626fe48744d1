"""Register extracts in: a persons file and a spells file become the cohort's outcome columns.

Norwegian return-to-work cohorts come from the sickness-absence and benefit registers as
*spells*, one row per benefit period. ``<data>/register/`` holds

- ``persons.csv`` or ``persons.parquet``: ``id``, ``entry_date`` (time zero) and the columns of
  ``cohort.csv`` other than the outcomes; optionally ``death_date`` and ``emigration_date``;
- ``spells.csv``, ``spells.parquet`` or a folder ``spells/`` of Parquet partitions: ``id``,
  ``start``, ``end`` (both days included), ``grade`` (per cent, 0–100) and ``benefit``.

The derivation (``derive``) is written once with Ibis and runs in DuckDB, embedded, which
spills to disk, or with the same expressions in Apache Spark (``--engine spark``, the ``spark``
extra): the Python process receives the cohort collapsed (:func:`cohort_patterns`: one row per
pattern, never one per spell). Rules:

- a gap of at most ``bridge_days`` between two spells is no return to work;
- first return: the first day from time zero not covered by a spell of grade 100;
- full return: the first day from time zero not covered by any spell;
- sustainable return (when ``sustainable_days`` is given): the first day from time zero not
  covered by any spell after which no spell starts within ``sustainable_days`` days, judged
  from every spell of the extract (also those after the horizon);
- a work assessment allowance or disability pension spell that starts before the return ends
  follow-up for it (a competing outcome, censored: the cause-specific view);
- censoring at ``horizon_days`` after time zero, at death and at emigration.

With ``ends`` the derivation also gives each person's end as a time (``days_to_end``) and an
end type (``end_type``): ``rtw`` (the declared return), ``work_assessment_allowance`` or
``disability_pension`` (the start of the first such spell), ``death`` or ``emigration`` when
declared competing, else ``censored`` (at the horizon, at death, at emigration), the first of
them (on one day in that order), for the description's ``competing_outcomes``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.chapters.cohort.extract import (
    BENEFITS,
    CENSORED,
    COMPETING,
    END_TIME,
    END_TYPE,
    EXITS,
    PERSON_DATES,
    RETURNED,
    SPELL_COLUMNS,
    Derivation,
    Ends,
    shown,
)
from analysis.chapters.cohort.persons import check_persons, first_rows, typed_dates
from analysis.core.problems import InputError, Message, Problem
from analysis.core.settings import DUCKDB, FOLLOW_UP_DAYS, Engine
from analysis.core.validation import Schema

if TYPE_CHECKING:  # PySpark is an optional extra
    from pyspark.sql import SparkSession

# The types DuckDB may read a CSV column as: not BOOLEAN, which would read yes and no as true
# and false (the persons' categories).
CSV_TYPES = "['BIGINT', 'DOUBLE', 'DATE', 'TIMESTAMP', 'VARCHAR']"
# The bands of a numeric variable: each level with the largest value in it (None: the rest).
Bands = tuple[tuple[str, float | None], ...]


def connect(
    engine: Engine = DUCKDB, temp_directory: Path | None = None, memory_limit: str = "4GB"
) -> ibis.BaseBackend:
    """The engine's backend: an embedded DuckDB that spills to ``temp_directory`` beyond
    ``memory_limit``, or a Spark session at ``engine.master`` (see :func:`spark_session`)."""
    if engine.name == "spark":
        return ibis.pyspark.connect(spark_session(engine.master, temp_directory))
    config = {"memory_limit": memory_limit, "preserve_insertion_order": True}
    if temp_directory is not None:
        config["temp_directory"] = str(temp_directory)
    con = ibis.duckdb.connect(**config)
    con.raw_sql("SET enable_progress_bar = false")  # the build prints its own progress
    return con


def spark_session(master: str, local_dir: Path | None = None) -> SparkSession:
    """The process's Spark session at ``master`` (made on first use: the JVM starts once),
    dates in UTC; in local mode, few shuffle partitions and scratch space in ``local_dir``.
    InputError when PySpark (the ``spark`` extra) or Java is missing."""
    no_spark = InputError(
        [
            Problem(
                "--engine spark",
                None,
                None,
                Message("cohort.input.spell.no_spark"),
                Message("cohort.input.spell.fix.no_spark"),
            )
        ]
    )
    try:
        from pyspark.errors import PySparkRuntimeError
        from pyspark.sql import SparkSession
    except ImportError as missing:
        raise no_spark from missing
    builder = (
        SparkSession.builder.master(master)
        .appName("rtw-report")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    if master.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "8")
        if local_dir is not None:
            builder = builder.config("spark.local.dir", str(local_dir))
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as java_missing:  # the JVM did not start
        raise no_spark from java_missing
    session.sparkContext.setLogLevel("ERROR")
    return session


def read(con: ibis.BaseBackend, path: Path, name: str, data_dir: Path) -> ir.Table:
    """A CSV or Parquet file (or a folder of Parquet partitions) as a table with ``_file`` (its
    name in the data folder) and ``_row`` (the 1-based data row in that file) for messages."""
    files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
    if not files:
        raise InputError(
            [
                Problem(
                    shown(path, data_dir),
                    None,
                    None,
                    Message("cohort.input.spell.empty_folder"),
                    Message("cohort.input.spell.fix.empty_folder"),
                )
            ]
        )
    labelled = [(file, shown(file, data_dir)) for file in files]
    if con.name == "pyspark":
        return _read_spark(con, labelled, name)
    parts = []
    for i, (file, label) in enumerate(labelled):
        where, label = _quoted(str(file)), _quoted(label)
        if file.suffix == ".parquet":
            parts.append(
                f"SELECT * EXCLUDE (file_row_number), {label} AS _file, "
                f"file_row_number + 1 AS _row FROM read_parquet({where}, file_row_number = true)"
            )
        else:  # a table keeps the file's order (preserve_insertion_order): rowid is the row
            con.raw_sql(
                f"CREATE OR REPLACE TEMP TABLE {name}_{i} AS "
                f"SELECT * FROM read_csv({where}, header = true, "
                f"auto_type_candidates = {CSV_TYPES})"
            )
            parts.append(f"SELECT *, {label} AS _file, rowid + 1 AS _row FROM {name}_{i}")
    return con.sql(" UNION ALL BY NAME ".join(parts))


def count_rows(path: Path) -> int:
    """The number of rows of a register file (CSV or Parquet, or a folder of Parquet
    partitions), counted by DuckDB without reading the rows into Python."""
    con = connect()
    try:
        table = read(con, path, "counted", path.parent)
        return int(table.count().to_pyarrow().as_py())
    finally:
        con.disconnect()


def _read_spark(con: ibis.BaseBackend, files: list[tuple[Path, str]], name: str) -> ir.Table:
    """:func:`read` in Spark: a Parquet file's rows are numbered by Spark's ``row_index``, a
    CSV file's in the file's order (``zipWithIndex``); the files become the view ``name``."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import LongType

    session = con._session
    parts = []
    for file, label in files:
        if file.suffix == ".parquet":
            part = session.read.parquet(str(file)).select(
                "*", (F.col("_metadata.row_index") + 1).alias("_row")
            )
        else:
            read_csv = session.read.csv(str(file), header=True, inferSchema=True)
            numbered = read_csv.rdd.zipWithIndex().map(lambda pair: (*pair[0], pair[1] + 1))
            schema = read_csv.schema.add("_row", LongType(), nullable=False)
            part = session.createDataFrame(numbered, schema)
        parts.append(part.withColumn("_file", F.lit(label)))
    frame = parts[0]
    for part in parts[1:]:
        frame = frame.unionByName(part, allowMissingColumns=True)
    frame.createOrReplaceTempView(name)
    return con.table(name)


def _quoted(text: str) -> str:
    """``text`` as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _shown(value: object) -> object:
    """A spell's value as a message shows it: a whole number without the '.0' a column of
    numbers with a missing cell gives it."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _issue(row: dict, column: str, rule: str, values: tuple[str, ...]) -> Message:
    """What is wrong with the spell ``row``: its ``column`` missing (the rule's check found an
    empty cell), else the rule's message with ``values`` read from the row."""
    if column in values and pd.isna(row[column]):
        return Message(f"cohort.input.spell.{column}_missing")
    return Message(f"cohort.input.spell.{rule}", **{k: _shown(row[k]) for k in values})


def check_spells(spells: ir.Table, persons: ir.Table, shown_limit: int = 20) -> None:
    """Stop with one problem per bad spell (at most ``shown_limit`` of each kind): end before
    start, a grade outside 0–100, an unknown benefit, a person not in the persons file, two
    spells of one person that overlap. One query fetches the first spells of every kind."""
    require_columns(
        spells,
        SPELL_COLUMNS,
        Message("cohort.input.spell.fix.columns", columns=", ".join(SPELL_COLUMNS)),
    )
    located = ["_file", "_row"]
    order = ibis.window(group_by="id", order_by=["start", "end", *located])
    previous = spells.mutate(
        before_end=spells.end.lag().over(order),
        before_file=spells._file.lag().over(order),
        before_row=spells._row.lag().over(order),
    )
    # Each kind: its spells, the column it names, its rule and the values its message shows.
    checks = [
        (spells.filter(spells.end < spells.start), "end", "end_before_start", ()),
        (
            spells.filter((spells.grade < 0) | (spells.grade > 100) | spells.grade.isnull()),
            "grade",
            "grade_range",
            ("grade",),
        ),
        (
            spells.filter(~spells.benefit.isin(BENEFITS) | spells.benefit.isnull()),
            "benefit",
            "unknown_benefit",
            ("benefit",),
        ),
        (spells.anti_join(persons, "id"), "id", "unknown_person", ()),
        (
            previous.filter(previous.start <= previous.before_end),
            "start",
            "overlap",
            ("before_file", "before_row"),
        ),
    ]
    shown_values = {name: spells[name].type() for name in ("grade", "benefit")}
    shown_values |= {"before_file": spells._file.type(), "before_row": spells._row.type()}
    parts = [
        table.select(
            *located,
            **{
                name: table[name] if name in values else ibis.null(kind)
                for name, kind in shown_values.items()
            },
        )
        for table, _, _, values in checks
    ]
    problems = [
        Problem(
            row["_file"],
            column,
            row["_row"],
            _issue(row, column, rule, values),
            Message(f"cohort.input.spell.fix.{rule}"),
        )
        for (_, column, rule, values), found in zip(
            checks, first_rows(parts, located, [shown_limit] * len(parts)), strict=True
        )
        for row in found
    ]
    if problems:
        raise InputError(problems)


def _islands(spells: ir.Table, bridge_days: int, beyond_days: int = 0) -> ir.Table:
    """Per person, the runs of days that ``spells`` (with their person's ``entry_date`` and
    ``limit_date``) cover (gaps of at most ``bridge_days`` bridged), from ``first`` to
    ``last``, with the ``entry_date``: of the spells that reach time zero and start at most
    ``beyond_days`` (or the bridge) after the limit date."""
    reach = ibis.interval(days=bridge_days + 1)  # a spell this close still bridges a gap
    beyond = ibis.interval(days=max(bridge_days + 1, beyond_days))
    near = spells.filter(
        (spells.end + reach >= spells.entry_date) & (spells.start <= spells.limit_date + beyond)
    )
    order = ["start", "end"]
    before = ibis.window(group_by="id", order_by=order, rows=(None, -1))
    upto = ibis.window(group_by="id", order_by=order, rows=(None, 0))
    near = near.mutate(previous_end=near.end.max().over(before))
    opens = near.previous_end.isnull() | (
        near.start.delta(near.previous_end, unit="day") > bridge_days + 1
    )
    near = near.mutate(opens=opens.cast("int64"))
    islands = near.mutate(island=near.opens.sum().over(upto))
    return islands.group_by(["id", "entry_date", "island"]).aggregate(
        first=islands.start.min(), last=islands.end.max()
    )


def _first_uncovered(spells: ir.Table, bridge_days: int, name: str) -> ir.Table:
    """Per person, ``name``: days from time zero to the first day not covered by ``spells``
    (with their person's dates, gaps of at most ``bridge_days`` bridged); null when no spell
    covers time zero."""
    covers = _islands(spells, bridge_days)
    covers = covers.filter((covers.first <= covers.entry_date) & (covers.last >= covers.entry_date))
    return covers.select("id", **{name: covers.last.delta(covers.entry_date, unit="day") + 1})


def _first_sustained(
    spells: ir.Table, bridge_days: int, sustainable_days: int, name: str
) -> ir.Table:
    """Per person, ``name``: days from time zero to the first day not covered by ``spells``
    (with their person's dates, gaps of at most ``bridge_days`` bridged) after which no spell
    starts within ``sustainable_days`` days."""
    islands = _islands(spells, bridge_days, sustainable_days + 1)
    following = islands.mutate(
        next_first=islands.first.lead().over(ibis.window(group_by="id", order_by="first"))
    )
    back = following.filter(
        (following.last >= following.entry_date)
        & (
            following.next_first.isnull()
            | (following.next_first.delta(following.last, unit="day") > sustainable_days)
        )
    )
    back = back.group_by(["id", "entry_date"]).aggregate(last=back.last.min())
    return back.select("id", **{name: back.last.delta(back.entry_date, unit="day") + 1})


def derive(spells: ir.Table, persons: ir.Table, rules: Derivation) -> ir.Table:
    """Per person: ``days_to_first_rtw``, ``first_rtw``, ``days_to_full_rtw``, ``full_rtw``,
    with ``sustainable_days`` also ``days_to_sustainable_rtw`` and ``sustainable_rtw``, and,
    per outcome, ``<outcome>_competing`` (1 when a competing benefit ended its follow-up); with
    ``ends`` also ``days_to_end`` and ``end_type``. A person whom no spell covers at time zero
    has null times (``check_entry`` reports it)."""
    dates = [persons[c] for c in PERSON_DATES[1:] if c in persons.columns]
    horizon = persons.entry_date + ibis.interval(days=rules.horizon_days)
    limit = ibis.least(horizon, *dates) if dates else horizon
    people = persons.mutate(limit_date=limit)
    exits = [name for name in EXITS if f"{name}_date" in persons.columns]
    follow = people.select(
        "id",
        follow_days=people.limit_date.delta(people.entry_date, unit="day"),
        **{
            f"{name}_day": people[f"{name}_date"].delta(people.entry_date, unit="day")
            for name in exits
        },
    )
    dated = spells.join(people[["id", "entry_date", "limit_date"]], "id")
    full = _first_uncovered(dated.filter(dated.grade == 100), rules.bridge_days, "first_day")
    any_spell = _first_uncovered(dated, rules.bridge_days, "full_day")
    competing = dated.filter(dated.benefit.isin(COMPETING) & (dated.start >= dated.entry_date))
    started = competing.start.delta(competing.entry_date, unit="day")
    competing = competing.group_by("id").aggregate(
        competing_day=started.min(),
        **{f"{name}_day": ibis.ifelse(competing.benefit == name, started, None).min()
           for name in COMPETING},
    )  # fmt: skip
    table = follow
    parts = [full, any_spell, competing]
    if rules.sustainable_days is not None:
        parts.append(
            _first_sustained(dated, rules.bridge_days, rules.sustainable_days, "sustained_day")
        )
    for k, part in enumerate(parts):  # the parts' ids are dropped by the select below
        table = table.left_join(part, "id", rname=f"{{name}}_{k}")
    columns = {}
    # Covered at time zero but not full-time: the first return is on day 0.
    days = {
        "first_rtw": ibis.ifelse(table.full_day.notnull(), table.first_day.fill_null(0), None),
        "full_rtw": table.full_day,
    }
    if rules.sustainable_days is not None:
        days["sustainable_rtw"] = ibis.ifelse(table.full_day.notnull(), table.sustained_day, None)
    for outcome, day in days.items():
        ends = ibis.least(table.follow_days, table.competing_day.fill_null(table.follow_days))
        returned = day.notnull() & (day <= ends)
        columns[f"days_to_{outcome}"] = ibis.ifelse(returned, day, ends).cast("int64")
        columns[outcome] = returned.cast("int64")
        columns[f"{outcome}_competing"] = (
            ~returned & table.competing_day.notnull() & (table.competing_day <= table.follow_days)
        ).cast("int64")
    if rules.ends is not None:
        columns |= _ends(table, days[rules.ends.event], rules.ends, exits)
    return table.select("id", covered=table.full_day.notnull(), **columns)


def _ends(table: ir.Table, returned: ir.Value, ends: Ends, exits: list[str]) -> dict[str, ir.Value]:
    """``days_to_end`` and ``end_type``: the first of the return (day ``returned``), the
    competing ends (``<end>_day`` columns of ``table``; exits only when the persons file has
    their dates) and the end of follow-up (censored)."""
    candidates = [(RETURNED, returned)]
    candidates += [
        (code, table[f"{code}_day"])
        for code in ends.competing()
        if code in COMPETING or code in exits
    ]
    follow = table.follow_days
    end = ibis.least(follow, *(day.fill_null(follow) for _, day in candidates))
    kind = ibis.literal(CENSORED)
    for code, day in reversed(candidates):  # the first candidate on the end's day wins
        kind = ibis.ifelse(day.notnull() & (day == end), code, kind)
    return {END_TIME: end.cast("int64"), END_TYPE: kind}


def require_columns(table: ir.Table, columns: tuple[str, ...], fix: Message) -> None:
    """Stop with one problem per column of ``columns`` that ``table`` (read by :func:`read`)
    lacks, naming its file, with ``fix``."""
    missing = [column for column in columns if column not in table.columns]
    if missing:
        file = table.select("_file").limit(1).execute()["_file"].iloc[0]
        raise InputError(
            [
                Problem(file, column, None, Message("input.column_missing"), fix)
                for column in missing
            ]
        )


def derived_cohort(
    con: ibis.BaseBackend,
    data_dir: Path,
    rules: Derivation,
    shown_limit: int = 20,
    persons_schema: Schema | None = None,
) -> ir.Table:
    """In ``con``'s engine: the persons of the files ``rules`` names in ``data_dir`` joined
    with their derived outcome columns (kept in the engine, with ``_file`` and ``_row``).
    Raises InputError on bad persons (against ``persons_schema``, when given: see
    :func:`~analysis.chapters.cohort.persons.check_persons`), bad spells or a person no spell
    covers at time zero."""
    persons = read(con, data_dir / rules.persons, "persons", data_dir)
    require_columns(persons, ("id", "entry_date"), Message("cohort.input.spell.fix.person_columns"))
    if persons_schema is not None:
        check_persons(
            persons, persons_schema, shown(data_dir / rules.persons, data_dir), shown_limit
        )
    persons = typed_dates(persons)
    spells = read(con, data_dir / rules.spells, "spells", data_dir)
    check_spells(spells, persons, shown_limit)
    outcomes = derive(spells, persons, rules).cache()
    joined = persons.join(outcomes, "id")
    uncovered = (
        joined.filter(~joined.covered)[["_file", "_row"]]
        .order_by("_row")
        .limit(shown_limit)
        .execute()
    )
    if len(uncovered):
        raise InputError(
            [
                Problem(
                    row["_file"],
                    "entry_date",
                    int(row["_row"]),
                    Message("cohort.input.spell.not_on_leave"),
                    Message("cohort.input.spell.fix.not_on_leave"),
                )
                for row in uncovered.to_dict("records")
            ]
        )
    return joined


def _cells(table: ir.Table, columns: list[str]) -> dict[str, ir.Value]:
    """``columns`` of ``table`` as the cells of a read file: integers and texts as text in the
    engine (pandas took half a minute for 1.4 M persons), missing values empty; a column of
    another type (a float, a date) as it is, for :func:`_as_text`."""
    return {
        c: table[c].cast("string").fill_null("")
        if table[c].type().is_integer() or table[c].type().is_string()
        else table[c]
        for c in columns
    }


def _as_text(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    """An Arrow table of :func:`_cells` as a frame of text cells (45, not 45.0)."""
    frame = table.to_pandas(
        types_mapper={pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}.get
    )
    others = [c for c in columns if not isinstance(frame[c].dtype, pd.StringDtype)]
    frame[others] = frame[others].convert_dtypes().astype("string").fillna("")
    return frame


def cohort_patterns(
    cohort: ir.Table, columns: tuple[str, ...], bands: dict[str, tuple[str, Bands]]
) -> pd.DataFrame:
    """The derived cohort (:func:`derived_cohort`) counted in its engine per distinct value of
    ``columns`` and of each banded variable of ``bands`` (name: its numeric column and its
    bands, each a level and the largest value in it, None for the last: the first band that
    holds a value is its level; missing values none), as text cells (missing ones empty)
    with ``weight``, the number of persons of each pattern, sorted by the cells. Python
    receives one row per pattern (as many as the persons at worst)."""
    banded = {}
    for name, (column, levels) in bands.items():
        number = cohort[column].cast("float64")
        level = ibis.literal(None, "string")
        for code, up_to in reversed(levels):
            holds = number.notnull() if up_to is None else number <= up_to
            level = ibis.ifelse(holds, code, level)
        banded[name] = level
    table = cohort.select(*columns, **banded)
    keys = [*columns, *bands]
    counted = table.group_by(keys).aggregate(weight=table.count())
    cells = counted.select(**_cells(counted, keys), weight=counted.weight)
    frame = _as_text(cells.to_pyarrow(), keys)
    frame["weight"] = frame["weight"].astype("int64")
    return frame.sort_values(keys, ignore_index=True)


def collapsed(
    cohort: ir.Table,
    outcome: str,
    columns: tuple[str, ...],
    follow_up_days: int = FOLLOW_UP_DAYS,
    cluster: str | None = None,
) -> pd.DataFrame:
    """The cohort (:func:`derived_cohort`) collapsed in its engine for ``outcome``, censored at
    ``follow_up_days`` as the chapter censors it: one row per distinct ``time``, ``event``,
    ``columns`` (missing values a pattern of their own) and ``cluster`` (the column named so,
    kept as ``cluster`` for cluster-robust SEs), with ``weight`` the number of persons, sorted
    by those keys (the frame of :mod:`analysis.chapters.cohort.collapsed`). Python receives
    one row per pattern: the driver's memory grows with distinct times × patterns × clusters,
    not with persons or spells."""
    keyed = cohort.select(
        **_keyed(cohort, outcome, columns, follow_up_days),
        **({"cluster": cohort[cluster]} if cluster else {}),
    )
    keys = list(keyed.columns)
    counted = keyed.group_by(keys).aggregate(weight=keyed.count()).execute()
    counted = counted.astype({"time": float, "event": "int64", "weight": "int64"})
    # sorted here, not in the engine: engines order missing values differently
    return counted.sort_values(keys, na_position="last", ignore_index=True)


def _keyed(
    cohort: ir.Table, outcome: str, columns: tuple[str, ...], follow_up_days: int
) -> dict[str, ir.Value]:
    """``time`` and ``event`` of ``outcome`` censored at ``follow_up_days`` as the chapter
    censors them, beside ``columns``, per person of the cohort."""
    days = cohort[f"days_to_{outcome}"]
    return {
        "time": ibis.least(days, follow_up_days),
        "event": ((cohort[outcome] == 1) & (days <= follow_up_days)).cast("int64"),
        **{name: cohort[name] for name in columns},
    }


def cluster_sums(
    cohort: ir.Table,
    outcome: str,
    patterns: pd.DataFrame,
    dfbeta: np.ndarray,
    cluster: str,
    follow_up_days: int = FOLLOW_UP_DAYS,
) -> np.ndarray:
    """Per cluster (the cohort's column ``cluster``), the sum of its persons' dfbeta residuals
    (clusters × coefficients), summed in the engine: ``patterns`` is :func:`collapsed` without
    a cluster and ``dfbeta`` one row of residuals per pattern
    (:func:`analysis.chapters.cohort.coxph.input_dfbeta` of the fit on it). Python sends the
    patterns and receives one row per cluster (in the clusters' order); with
    :func:`coxph.cluster_robust_se` they give the cluster-robust SEs of the rows one by one."""
    keys = [name for name in patterns.columns if name != "weight"]
    missing = "\u2400"  # joins match no null: a missing covariate joins as this text
    residuals = [f"dfbeta_{j}" for j in range(dfbeta.shape[1])]
    table = (
        patterns[keys]
        .astype({"event": "int64"})
        .assign(**dict(zip(residuals, dfbeta.T, strict=True)))
    )
    text = [name for name in keys if name not in ("time", "event")]
    table[text] = table[text].astype(object).where(table[text].notna(), missing)
    keyed = cohort.select(cluster=cohort[cluster], **_keyed(cohort, outcome, text, follow_up_days))
    keyed = keyed.mutate(**{name: keyed[name].fill_null(missing) for name in text})
    keyed = keyed.mutate(time=keyed.time.cast("float64"))
    joined = keyed.join(ibis.memtable(table), keys)
    summed = joined.group_by("cluster").aggregate(
        **{name: joined[name].sum() for name in residuals}
    )
    return summed.order_by("cluster").execute()[residuals].to_numpy(float)
