"""Register extracts in Apache Spark (``--engine spark``): the same Ibis expressions as in
DuckDB give the same cohort, the same chapter results, the same collapsed table and sums per
cluster, and the same messages on bad spells.

Slow (the JVM starts once for the module). Without PySpark (the ``spark`` extra) or Java they
skip with the reason; where ``RTW_REQUIRE_SPARK`` is set (``.ci/run``) they fail instead."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

from analysis.chapters.cohort import coxph, spells
from analysis.chapters.cohort.chapter import analyse
from analysis.chapters.cohort.data import load
from analysis.core.settings import DUCKDB, SPARK_MASTER, Engine
from analysis.generators import register as generator
from tests.helpers import (
    COLLAPSED_BY,
    REGISTER_STUDY,
    assert_bad_persons_named,
    assert_bad_spells_named,
    design,
    plain,
)

# One JVM for the module, also under pytest-xdist (make test distributes by group).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("spark")]


def spark_missing() -> str | None:
    """Why Spark cannot run here (None when it can)."""
    if importlib.util.find_spec("pyspark") is None:
        return "PySpark is not installed (pip install .[spark])"
    java_home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (java_home and os.path.isdir(java_home)):
        return "no Java runtime (apt-get install openjdk-17-jre-headless)"
    return None


@pytest.fixture(scope="module")
def spark() -> Iterator[Engine]:
    """The Spark engine in local mode, its session started once for the module."""
    if reason := spark_missing():
        if os.environ.get("RTW_REQUIRE_SPARK"):
            pytest.fail(f"RTW_REQUIRE_SPARK is set but {reason}")
        pytest.skip(reason)
    engine = Engine("spark", SPARK_MASTER)
    session = spells.spark_session(engine.master)
    yield engine
    session.stop()


def test_spark_derives_the_cohort_and_results_duckdb_does(spark, tmp_path):
    made = generator.generate(2000, seed=7)
    generator.write(made, tmp_path, partitions=3)
    # with a sustainable return and the competing ends the chapter analyses
    (tmp_path / "cohort.study.yaml").write_text(REGISTER_STUDY, encoding="utf-8")
    in_duckdb, in_spark = load(tmp_path, engine=DUCKDB), load(tmp_path, engine=spark)
    pd.testing.assert_frame_equal(in_spark.frame, in_duckdb.frame)
    assert {"days_to_sustainable_rtw", "end_type"} <= set(in_spark.frame.columns)
    assert in_spark.frame["end_type"].nunique() == 5
    assert in_spark.derivation == in_duckdb.derivation
    assert analyse(in_spark).to_json() == analyse(in_duckdb).to_json()
    cohorts = {
        engine.name: spells.derived_cohort(spells.connect(engine), tmp_path, in_spark.derivation)
        for engine in (DUCKDB, spark)
    }
    derived = cohorts["spark"].execute().set_index("id")
    expected = made.expected.set_index("id").loc[derived.index]
    assert (derived["days_to_full_rtw"].to_numpy() == expected["days_to_full_rtw"]).all()
    patterns = {
        name: spells.collapsed(cohort, "first_rtw", COLLAPSED_BY)
        for name, cohort in cohorts.items()
    }
    assert patterns["spark"]["weight"].sum() == in_spark.frame["weight"].sum() == len(derived)
    pd.testing.assert_frame_equal(plain(patterns["spark"]), plain(patterns["duckdb"]))
    table = patterns["duckdb"]
    x = design(table)
    model = coxph.fit(table["time"], table["event"], x, [""] * x.shape[1], weights=table["weight"])
    summed = {
        name: spells.cluster_sums(
            cohort, "first_rtw", table, coxph.input_dfbeta(model), "programme_id"
        )
        for name, cohort in cohorts.items()
    }
    assert len(summed["spark"]) == in_spark.frame["programme_id"].nunique()
    np.testing.assert_allclose(summed["spark"], summed["duckdb"], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_spark_names_bad_spells_by_file_row_and_fix(spark, tmp_path, kind):
    assert_bad_spells_named(tmp_path, kind, spark)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_spark_names_bad_persons_as_duckdb_does(spark, tmp_path, kind):
    assert_bad_persons_named(tmp_path, kind, spark)
