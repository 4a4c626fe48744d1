"""The analyses a cohort's study description declares beyond the paper's (keys and numbers only):

- per **competing outcome** (a time column and an event-type column with codes): the
  Aalen–Johansen cumulative incidence of the event of interest and of each competing event by
  exposure group with 95 % intervals at day 0 and the declared times (else every
  ``AT_RISK_STEP`` days),
  each group's KMunicate risk table at the same times and day 0 (at risk, events of interest,
  ended otherwise or censored),
  and per cause the cause-specific log-rank test and Cox hazard ratio (Efron; the other causes
  censored), as :mod:`competing`;
- per outcome with ``rmst``: the restricted mean time to the horizon (default the follow-up)
  by group, free of the event (for a competing outcome: free of every cause), and each
  group's difference and ratio to the reference group, as :mod:`rmst`.

Follow-up ends at ``follow_up_days`` as for the paper's outcomes (an event after it is
censored there). Output checking: a group whose size Table 1 hides, or smaller than the
threshold, has no curve, risk table, RMST or test; curves keep only the steps
:func:`~analysis.core.output_checks.published_steps` publishes (read at the declared times off
the published curve); risk tables show whole columns or none; a test or model needs two groups
shown and a model residual degrees of freedom reaching the threshold. Every decision is in
:meth:`DeclaredAnalyses.checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.chapters.cohort import coxph
from analysis.chapters.cohort.collapsed import WEIGHT, persons, weights_of
from analysis.chapters.cohort.competing import (
    CENSORED,
    Incidence,
    cause_specific_cox,
    cause_specific_logrank,
    incidence_by_group,
)
from analysis.chapters.cohort.cox import HazardRatio
from analysis.chapters.cohort.data import (
    CohortDescription,
    CohortOutcome,
    CompetingOutcome,
    group_levels,
)
from analysis.chapters.cohort.plan import EXPOSURE, REFERENCE
from analysis.chapters.cohort.rmst import (
    RestrictedMean,
    RMSTContrast,
    restricted_means,
    rmst_contrasts,
)
from analysis.chapters.cohort.survival import AT_RISK_STEP, LogRank, RiskTable, risk_table
from analysis.core.disclosure import SMALL_GROUP
from analysis.core.output_checks import (
    FEW_DF,
    MODEL,
    RISK_TABLE,
    STATISTIC,
    SURVIVAL_CURVE,
    decision,
    statistic_withheld,
)

EVENT = 1  # the status of the event of interest; competing events follow in declared order
# Reasons of output checking (the others say that a statistic does not exist).
WITHHELD = (SMALL_GROUP, FEW_DF)


@dataclass(frozen=True)
class CauseTest:
    """One cause's cause-specific log-rank test across the groups shown and its hazard ratio
    (exposed against the reference group)."""

    cause: str
    logrank: LogRank
    hazard_ratio: HazardRatio

    def to_json(self) -> dict:
        return {"logrank": self.logrank.to_json(), "cox": self.hazard_ratio.to_json()}


@dataclass(frozen=True)
class CompetingResults:
    """A competing outcome by exposure group: ``causes`` are the codes (the event of interest
    first), ``incidence`` per group shown the published curve of each cause, ``risk_tables``
    per group shown, ``tests`` one per cause; ``withheld`` the groups not shown."""

    outcome: str
    causes: tuple[str, ...]
    times: tuple[float, ...]
    incidence: Mapping[str, tuple[Incidence, ...]]
    risk_tables: Mapping[str, RiskTable]
    tests: tuple[CauseTest, ...]
    withheld: tuple[str, ...]

    def at_times(self, level: str, cause: str) -> pd.DataFrame:
        """The cumulative incidence of ``cause`` in group ``level`` at the declared times."""
        return self.incidence[level][self.causes.index(cause)].at(self.times)

    def to_json(self) -> dict:
        def curve(level: str, cause: str) -> dict:
            values = self.at_times(level, cause)[["estimate", "ci_low", "ci_high"]]
            return {
                f"{time:g}": {k: None if np.isnan(v) else float(v) for k, v in row.items()}
                for time, row in values.iterrows()
            }

        return {
            "causes": list(self.causes),
            "times": list(self.times),
            "cumulative_incidence": {
                level: {cause: curve(level, cause) for cause in self.causes}
                for level in self.incidence
            }
            | dict.fromkeys(self.withheld),
            "risk_table": {
                level: {
                    "at_risk": list(table.at_risk),
                    "events": list(table.events),
                    "ended_otherwise_or_censored": list(table.censored),
                }
                for level, table in self.risk_tables.items()
            },
            "cause_specific": {test.cause: test.to_json() for test in self.tests},
        }


@dataclass(frozen=True)
class RestrictedMeans:
    """The RMST of one outcome to ``horizon`` days by group shown, and each other group's
    difference and ratio to the reference group (none, with ``reason``, when not shown)."""

    outcome: str
    horizon: float
    means: Mapping[str, RestrictedMean]
    contrasts: tuple[RMSTContrast, ...]
    withheld: tuple[str, ...]
    reason: str | None = None

    def to_json(self) -> dict:
        def values(item: RestrictedMean | RMSTContrast, names: tuple[str, ...]) -> dict:
            return {name: getattr(item, name) for name in names}

        made = {
            "horizon_days": self.horizon,
            "by_group": {
                level: values(mean, ("estimate", "se", "ci_low", "ci_high"))
                for level, mean in self.means.items()
            }
            | dict.fromkeys(self.withheld),
            "contrasts": {
                f"{c.level}-{c.reference}": {} for c in self.contrasts if c.measure == "difference"
            },
        }
        for contrast in self.contrasts:
            made["contrasts"][f"{contrast.level}-{contrast.reference}"][contrast.measure] = values(
                contrast, ("estimate", "ci_low", "ci_high", "p")
            )
        if self.reason:
            made["reason"] = self.reason
        return made


@dataclass(frozen=True)
class DeclaredAnalyses:
    """The declared competing outcomes and RMSTs, by outcome name (both empty when the study
    description declares none)."""

    competing: Mapping[str, CompetingResults] = field(default_factory=dict)
    restricted_means: Mapping[str, RestrictedMeans] = field(default_factory=dict)

    def to_json(self) -> dict:
        """The keys of ``cohort.json`` these add (none when nothing is declared)."""
        made = {}
        if self.competing:
            made["competing_outcomes"] = {k: v.to_json() for k, v in self.competing.items()}
        if self.restricted_means:
            made["rmst"] = {k: v.to_json() for k, v in self.restricted_means.items()}
        return made

    def suppressed(self) -> dict[str, str]:
        """JSON paths set to null by output checking, with the reason."""
        hidden = {}
        for name, result in self.competing.items():
            path = f"competing_outcomes.{name}"
            hidden |= {
                f"{path}.cumulative_incidence.{level}": SMALL_GROUP for level in result.withheld
            }
            for level, table in result.risk_tables.items():
                hidden |= {
                    f"{path}.risk_table.{level}.{row}[{i}]": RISK_TABLE
                    for row in ("at_risk", "events", "ended_otherwise_or_censored")
                    for i, count in enumerate(table.at_risk)
                    if count is None
                }
            for test in result.tests:
                if test.hazard_ratio.reason in WITHHELD:
                    hidden[f"{path}.cause_specific.{test.cause}.cox"] = test.hazard_ratio.reason
        for name, result in self.restricted_means.items():
            hidden |= {f"rmst.{name}.by_group.{level}": SMALL_GROUP for level in result.withheld}
        return hidden

    def checks(self) -> list[dict]:
        """What output checking decided: each curve (points published), each withheld group,
        each risk table (columns hidden), each cause-specific model and each RMST."""
        made = []
        for name, result in self.competing.items():
            figure = f"figure.cif.{name}"
            for level, curves in result.incidence.items():
                made += [
                    decision(
                        f"{figure}.{level}.{result.causes[k]}",
                        SURVIVAL_CURVE,
                        points=len(curve.times),
                    )
                    for k, curve in enumerate(curves)
                ]
            made += [
                decision(f"{figure}.{level}", SURVIVAL_CURVE, SMALL_GROUP)
                for level in result.withheld
            ]
            made += [
                decision(
                    f"{figure}.risk_table.{level}",
                    RISK_TABLE,
                    hidden=sum(count is None for count in table.at_risk),
                )
                for level, table in result.risk_tables.items()
            ]
            made += [
                decision(
                    f"competing_outcomes.{name}.cause_specific.{test.cause}.cox",
                    MODEL,
                    test.hazard_ratio.reason if test.hazard_ratio.reason in WITHHELD else None,
                )
                for test in result.tests
            ]
        for name, result in self.restricted_means.items():
            made += [decision(f"rmst.{name}.by_group.{level}", STATISTIC) for level in result.means]
            made += [
                decision(f"rmst.{name}.by_group.{level}", STATISTIC, SMALL_GROUP)
                for level in result.withheld
            ]
        return made


def _status(frame: pd.DataFrame, outcome: CompetingOutcome, follow_up_days: int) -> pd.DataFrame:
    """Days and status (0 censored, 1 the event of interest, 2… the competing events in
    declared order) of a competing outcome, censored at ``follow_up_days``, with each row's
    group and case weight."""
    codes = {outcome.codes.censored: CENSORED, outcome.codes.event: EVENT}
    codes |= {event.code: EVENT + 1 + k for k, event in enumerate(outcome.codes.competing)}
    days = frame[outcome.time].astype(float)
    status = frame[outcome.event_type].astype(object).map(codes).astype(int)
    return pd.DataFrame(
        {
            "days": days.clip(upper=follow_up_days).to_numpy(),
            "status": np.where(days <= follow_up_days, status, CENSORED),
            "group": frame[EXPOSURE].astype(object).to_numpy(),
            WEIGHT: weights_of(frame),
        }
    )


def _shown_levels(
    frame: pd.DataFrame, sizes: Mapping[str, int | None], suppress_below: int
) -> tuple[list[str], tuple[str, ...]]:
    """The exposure groups shown (size shown by Table 1 and at least the threshold) and those
    withheld."""
    levels = group_levels(frame, EXPOSURE)
    shown = [
        level
        for level in levels
        if sizes.get(level) is not None
        and statistic_withheld((persons(frame[frame[EXPOSURE] == level]),), suppress_below) is None
    ]
    return shown, tuple(level for level in levels if level not in shown)


def _hazard_ratio(data: pd.DataFrame, cause: int, shown: list[str], threshold: int) -> HazardRatio:
    """The cause-specific Cox hazard ratio of the exposed group against the reference (Efron),
    withheld by output checking unless both groups are shown."""
    n = persons(data)
    others = [level for level in shown if level != REFERENCE]
    if REFERENCE not in shown or len(others) != 1:
        return HazardRatio.not_estimable("too_few_shown", n)
    exposed = (data["group"] == others[0]).to_numpy(float)
    weight = data[WEIGHT].to_numpy()
    in_exposed = int(weight @ exposed)
    sizes = (in_exposed, n - in_exposed)
    if reason := statistic_withheld(sizes, threshold, n=n, parameters=1):
        return HazardRatio.not_estimable(reason, n)
    try:
        model = cause_specific_cox(
            data["days"].to_numpy(),
            data["status"].to_numpy(),
            exposed,
            [EXPOSURE],
            cause,
            weights=weight,
        ).fit
    except coxph.NotEstimable as error:
        return HazardRatio.not_estimable(error.reason, n)
    return HazardRatio.from_coef(float(model.coef[0]), float(model.se[0]), n)


def competing_outcome(
    frame: pd.DataFrame,
    name: str,
    outcome: CompetingOutcome,
    follow_up_days: int,
    sizes: Mapping[str, int | None],
    suppress_below: int,
) -> CompetingResults:
    """The competing outcome ``name`` by exposure group (see the module docstring)."""
    data = _status(frame, outcome, follow_up_days)
    causes = (outcome.codes.event, *(event.code for event in outcome.codes.competing))
    numbers = list(range(EVENT, EVENT + len(causes)))
    shown, withheld = _shown_levels(frame, sizes, suppress_below)
    declared = outcome.times or range(0, follow_up_days + 1, AT_RISK_STEP)
    times = tuple(float(time) for time in sorted({0, *declared}) if time <= follow_up_days)
    days, status, groups, weight = (data[c].to_numpy() for c in ("days", "status", "group", WEIGHT))
    incidence = incidence_by_group(days, status, groups, shown, numbers, suppress_below, weight)
    tables = {
        level: risk_table(
            days[groups == level],
            status[groups == level] == EVENT,
            times,
            level,
            suppress_below,
            weight[groups == level],
        )
        for level in shown
    }
    compared = data[data["group"].isin(shown)]
    tests = tuple(
        CauseTest(
            code,
            cause_specific_logrank(
                compared["days"],
                compared["status"],
                compared["group"],
                shown,
                number,
                compared[WEIGHT],
            )
            if len(shown) > 1
            else LogRank(None, 0, None, "too_few_shown"),
            _hazard_ratio(compared, number, shown, suppress_below),
        )
        for code, number in zip(causes, numbers, strict=True)
    )
    return CompetingResults(
        name, causes, times, {level: incidence[level] for level in shown}, tables, tests, withheld
    )


def restricted_mean_times(
    frame: pd.DataFrame,
    name: str,
    outcome: CohortOutcome,
    follow_up_days: int,
    sizes: Mapping[str, int | None],
    suppress_below: int,
) -> RestrictedMeans:
    """The RMST of ``name`` by exposure group with the contrasts to the reference group."""
    if isinstance(outcome, CompetingOutcome):
        data = _status(frame, outcome, follow_up_days)
        days, ended = data["days"].to_numpy(), data["status"].to_numpy() != CENSORED
    else:
        days, ended = frame[f"days_to_{name}"].to_numpy(float), frame[name].to_numpy(int)
    horizon = float(min(outcome.rmst.horizon_days or follow_up_days, follow_up_days))
    shown, withheld = _shown_levels(frame, sizes, suppress_below)
    groups = frame[EXPOSURE].astype(object).to_numpy()
    means = restricted_means(days, ended, groups, shown, horizon, suppress_below, weights_of(frame))
    if REFERENCE not in means or len(means) < 2:
        return RestrictedMeans(name, horizon, means, (), withheld, "too_few_shown")
    contrasts = tuple(
        contrast
        for level, mean in means.items()
        if level != REFERENCE
        for contrast in rmst_contrasts(mean, means[REFERENCE])
    )
    return RestrictedMeans(name, horizon, means, contrasts, withheld)


def declared_analyses(
    frame: pd.DataFrame,
    description: CohortDescription | None,
    follow_up_days: int,
    sizes: Mapping[str, int | None],
    suppress_below: int,
) -> DeclaredAnalyses:
    """The competing outcomes and RMSTs the study ``description`` declares (none without
    one), on the prepared ``frame``; ``sizes`` are the exposure groups' sizes as Table 1
    shows them."""
    if description is None:
        return DeclaredAnalyses()
    args = (follow_up_days, sizes, suppress_below)
    competing = description.competing_outcomes or {}
    outcomes = {**(description.outcomes or {}), **competing}
    return DeclaredAnalyses(
        competing={
            name: competing_outcome(frame, name, outcome, *args)
            for name, outcome in competing.items()
        },
        restricted_means={
            name: restricted_mean_times(frame, name, outcome, *args)
            for name, outcome in outcomes.items()
            if outcome.rmst is not None
        },
    )
