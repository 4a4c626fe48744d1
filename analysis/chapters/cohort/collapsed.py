"""Collapsed survival data: one row per distinct (time, event status, covariate pattern[,
cluster]) with its count, the case weight every statistic of the chapter accepts.

A register of millions of persons has far fewer distinct rows: the statistics (Kaplan–Meier,
log-rank, Cox with Efron or Breslow ties, cluster-robust SEs, ``cox.zph``, cumulative
incidence, RMST, risk tables) run on the collapsed table with ``weight`` as case weights and
give the results of the rows one by one (the tests hold them equal to 1e-10). The chapter's
row-level path is the same code with every weight 1.

The collapsed frame has the columns ``time``, ``event`` (0/1, or a cause code for competing
risks), the covariate or group columns, optionally ``cluster`` (keep it when cluster-robust
SEs are wanted: the robust variance sums each person's score within their cluster) and
``weight`` (a positive integer count).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

TIME, EVENT, CLUSTER, WEIGHT = "time", "event", "cluster", "weight"


def collapse(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """The rows of ``frame`` (``time``, ``event``, ``columns``, optionally ``cluster`` and
    ``weight``) counted per distinct ``time``, ``event``, ``columns`` and ``cluster``: one row
    each with ``weight`` the number of persons (the sum of their weights if ``frame`` already
    has them, so a collapsed frame collapses again to itself). Missing values form their own
    pattern; rows come sorted by the key columns."""
    keys = [TIME, EVENT, *columns, *([CLUSTER] if CLUSTER in frame.columns else [])]
    weight = frame[WEIGHT] if WEIGHT in frame.columns else pd.Series(1, index=frame.index)
    counted = (
        frame[keys]
        .assign(**{WEIGHT: case_weights(weight, len(frame)).astype(np.int64)})
        .groupby(keys, dropna=False, sort=True, observed=True)[WEIGHT]
        .sum()
        .reset_index()
    )
    return counted


def check(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    """ValueError unless ``frame`` is collapsed data over ``columns``: it has ``time``,
    ``event``, ``columns`` and ``weight``, times are finite and not negative, events whole
    numbers not below 0, and the weights counts of persons (rows sharing a key are allowed:
    the statistics add their weights)."""
    missing = [name for name in (TIME, EVENT, *columns, WEIGHT) if name not in frame.columns]
    if missing:
        raise ValueError(f"collapsed data lack the columns {missing}")
    time = frame[TIME].to_numpy(float)
    if not (np.all(np.isfinite(time)) and np.all(time >= 0)):
        raise ValueError("times must be finite and not negative")
    event = frame[EVENT].to_numpy(float)
    if not (np.all(event >= 0) and np.all(event % 1 == 0)):
        raise ValueError("event codes must be 0 (censored) or a positive whole number")
    case_weights(frame[WEIGHT], len(frame))


def case_weights(weights: pd.Series | np.ndarray | None, n: int) -> np.ndarray:
    """``weights`` as floats (each row 1 if None); ValueError unless they are ``n`` positive
    whole numbers (counts of persons)."""
    if weights is None:
        return np.ones(n)
    values = np.asarray(weights, float)
    if values.shape != (n,):
        raise ValueError(f"expected {n} weights, got shape {values.shape}")
    if not (np.all(np.isfinite(values)) and np.all(values > 0) and np.all(values % 1 == 0)):
        raise ValueError("case weights must be positive whole numbers (counts of persons)")
    return values


def weights_of(frame: pd.DataFrame) -> np.ndarray:
    """The case weights of an analysis frame: its ``weight`` column (a collapsed cohort), else
    1 per row (one row per person)."""
    if WEIGHT in frame.columns:
        return frame[WEIGHT].to_numpy(float)
    return np.ones(len(frame))


def persons(frame: pd.DataFrame) -> int:
    """The number of persons the rows of ``frame`` stand for (the sum of its weights)."""
    return int(weights_of(frame).sum())
