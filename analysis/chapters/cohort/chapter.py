"""The cohort chapter's entry point for the build: load, analyse once, the typed results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace

import pandas as pd

from analysis.chapters.cohort.cox import (
    COX_MODELS,
    PH_MODELS,
    CoxFits,
    PHTest,
    SchoenfeldResiduals,
    covariates,
    cox_block,
    model_sizes,
)
from analysis.chapters.cohort.data import OUTCOMES, SCHEMAS, CohortData, load, prepare
from analysis.chapters.cohort.descriptives import GROUP_NAMES, MISSING, Table1, table1
from analysis.chapters.cohort.linked import hidden_returned
from analysis.chapters.cohort.programmes import (
    OddsRatio,
    ProgrammeGroup,
    coordinator_odds_ratio,
    odds_ratio_withheld,
    programme_type_summary,
)
from analysis.chapters.cohort.reproduction import published, reproduction_rows
from analysis.chapters.cohort.spells import Derivation
from analysis.chapters.cohort.survival import KMComparison, km_comparison
from analysis.core.disclosure import COUNT, SMALL_GROUP, report
from analysis.core.output_checks import (
    AT_RISK,
    BY_CONSTRUCTION,
    EXTREME,
    FEW_DF,
    MODEL,
    POINTS,
    STATISTIC,
    SURVIVAL_CURVE,
    decision,
)
from analysis.core.reproduction import rows_to_json
from analysis.core.settings import FOLLOW_UP_DAYS, SUPPRESS_BELOW
from analysis.core.study import Study

__all__ = ["SCHEMAS", "CohortResults", "OutcomeResults", "analyse", "load"]

# The models whose n (complete cases) is a count of the linked tables (the unadjusted model's
# n is the cohort).
LINKED_MODELS = ("cox_without_programme_type", "cox_adjusted")
# The fits of a model block in the JSON.
FITS = ("efron", "breslow", "robust")
# Per coordinator group in an outcome's JSON: the keys a withheld group has null.
GROUP_KEYS = ("median_days", "median_days_bc", "median_days_bc_log", "median_se_spss", "events")


@dataclass(frozen=True)
class OutcomeResults:
    """One outcome (first or full RTW): curves and medians by coordinator, Cox blocks, PH."""

    by_coordinator: KMComparison
    cox: Mapping[str, CoxFits]
    ph_tests: Mapping[str, PHTest]
    schoenfeld: SchoenfeldResiduals

    def suppressed(self, path: str) -> dict[str, str]:
        """JSON paths (under ``path``) of the values set to null, with the public reason: every
        value of a withheld coordinator group, and numbers returned that are hidden."""
        comparison = self.by_coordinator
        withheld = {
            f"{path}.{key}.{GROUP_NAMES[level]}": COUNT
            for level in comparison.withheld
            for key in GROUP_KEYS
        }
        hidden = {
            f"{path}.events.{GROUP_NAMES[curve.level]}": COUNT
            for curve in comparison.curves
            if curve.median.events is None
        }
        hidden |= {  # read off a step that pools persons (output checking)
            f"{path}.median_se_spss.{GROUP_NAMES[curve.level]}"
            if name == "se"
            else f"{path}.{key}.{GROUP_NAMES[curve.level]}.{name}": SURVIVAL_CURVE
            for curve in comparison.curves
            for key, names in curve.median.withheld.items()
            for name in names
        }
        for model, fits in self.cox.items():
            if fits.efron.n is None:
                hidden[f"{path}.{model}.n"] = COUNT
                hidden |= {f"{path}.cox_all_engines.{model}.{fit}.n": COUNT for fit in FITS}
                if model == "cox_unadjusted":
                    hidden[f"{path}.cox_unadjusted_breslow.n"] = COUNT
        return withheld | hidden

    def to_json(self) -> dict:
        medians = {GROUP_NAMES[curve.level]: curve.median for curve in self.by_coordinator.curves}
        withheld = dict.fromkeys(GROUP_NAMES[level] for level in self.by_coordinator.withheld)

        def per_group(value: object) -> dict:
            return {name: value(m) for name, m in medians.items()} | withheld

        return {
            "median_days": per_group(lambda m: m.spss.to_json()),
            "median_days_bc": per_group(lambda m: m.bc.to_json()),
            "median_days_bc_log": per_group(lambda m: m.bc_log.to_json()),
            "median_se_spss": per_group(lambda m: m.se_spss),
            "events": per_group(lambda m: m.events),
            "logrank": self.by_coordinator.logrank.to_json(),
            "cox_unadjusted": self.cox["cox_unadjusted"].efron.to_json(),
            "cox_unadjusted_breslow": self.cox["cox_unadjusted"].breslow.to_json(),
            "cox_unadjusted_cluster": self.cox["cox_unadjusted"].robust.to_json(with_se=True),
            "cox_without_programme_type": self.cox["cox_without_programme_type"].efron.to_json(),
            "cox_adjusted": self.cox["cox_adjusted"].efron.to_json(),
            "cox_all_engines": {model: fits.to_json() for model, fits in self.cox.items()},
            "ph_test": {model: test.to_json() for model, test in self.ph_tests.items()},
        }


@dataclass(frozen=True)
class CohortResults:
    """Every result the cohort page shows, the study description, and the reproduction rows.

    ``compared`` is True when the data were compared with the publication they declare (else
    ``reproduction`` is empty). Counts disclosure control hides are None (``n_coordinator``,
    ``n_without_programme_type`` as in Table 1).
    """

    n: int
    n_coordinator: int | None
    n_programmes: int
    n_without_programme_type: int | None
    follow_up_days: int
    suppress_below: int
    study: Study
    derivation: Derivation | None  # how the cohort came from register spells, if it did
    compared: bool
    adjusted_covariates: tuple[str, ...]
    table1: Table1
    outcomes: Mapping[str, OutcomeResults]
    programme_types: Mapping[str, ProgrammeGroup]
    by_programme_type: KMComparison
    coordinator_odds_ratio: OddsRatio
    reproduction: list[dict]

    @property
    def generated(self) -> bool:
        """True when the data come from the chapter's generator (see :func:`generated`)."""
        return generated(self.study)

    def suppressed(self) -> dict[str, str]:
        """Every value of ``cohort.json`` set to null by disclosure control, by its JSON path,
        with the public reason (``count``: a hidden count, or a value of a group whose size is
        hidden; primary and secondary cells are never told apart)."""
        hidden = self.table1.reasons()
        if self.n_coordinator is None:
            hidden["n_coordinator"] = COUNT
        for name, outcome in self.outcomes.items():
            hidden |= outcome.suppressed(f"outcomes.{name}")
        for level, group in self.programme_types.items():
            hidden |= group.suppressed(f"programme_type.groups.{level}")
        if self.coordinator_odds_ratio.withheld:
            hidden |= {
                f"programme_type.coordinator_odds_ratio.{key}": COUNT
                for key in ("or", "ci_low", "ci_high", "p", "n")
            }
        elif self.coordinator_odds_ratio.n is None:
            hidden["programme_type.coordinator_odds_ratio.n"] = COUNT
        return hidden

    def checks(self) -> list[dict]:
        """What output checking decided for the disclosure report: the Schoenfeld figure
        (bins), each Kaplan–Meier curve (published points, the values of its median the
        published curve does not give) and its numbers at risk (how many hidden), each Cox
        model, the odds ratio and the reproduction rows of extremes and of withheld medians."""
        made = []
        comparisons = [outcome.by_coordinator for outcome in self.outcomes.values()]
        for comparison in (*comparisons, self.by_programme_type):
            figure = f"figure.km.{comparison.outcome}.{comparison.by}"
            made += [
                decision(
                    f"{figure}.{curve.level}",
                    SURVIVAL_CURVE,
                    points=len(curve.times) - 1,
                    median_withheld=curve.median.withheld_paths(),
                    median_coarsened=curve.median.coarsened,
                )
                for curve in comparison.curves
            ]
            withheld = comparison.withheld
            made += [decision(f"{figure}.{level}", SURVIVAL_CURVE, COUNT) for level in withheld]
            hidden = int(comparison.at_risk.isna().sum().sum())
            made.append(decision(f"{figure}.at_risk", AT_RISK, hidden=hidden))
        for name, outcome in self.outcomes.items():
            residuals = outcome.schoenfeld
            made.append(
                decision(
                    f"figure.schoenfeld.{name}",
                    POINTS,
                    residuals.reason,
                    bins=len(residuals.bin_times),
                )
            )
            for model, fits in outcome.cox.items():
                reason = fits.efron.reason
                withheld = reason if reason in (SMALL_GROUP, FEW_DF) else None
                made.append(decision(f"outcomes.{name}.{model}", MODEL, withheld))
        odds = self.coordinator_odds_ratio
        made.append(
            decision(
                "programme_type.coordinator_odds_ratio",
                STATISTIC,
                odds.reason if odds.withheld else None,
            )
        )
        made += [
            decision(f"reproduction[{i}].computed", row["rule"], row["rule"])
            for i, row in enumerate(self.reproduction)
            if row.get("rule") in (EXTREME, SURVIVAL_CURVE)
        ]
        made += [
            decision(f"reproduction[{i}].published", BY_CONSTRUCTION, row.get("rule", COUNT))
            for i, row in enumerate(self.reproduction)
            if row.get("unpaired")
        ]
        return made

    def to_json(self) -> dict:
        """The ``results/cohort.json`` contract. A value disclosure control hides is null and
        listed under ``disclosure.suppressed`` with its reason; reproduction rows whose
        computed value is hidden carry ``"suppressed": true`` and the path of that value."""
        hidden = self.suppressed()
        hidden |= {
            f"reproduction[{i}].computed": row.get("rule", COUNT)
            for i, row in enumerate(self.reproduction)
            if row.get("suppressed")
        }
        hidden |= {
            f"reproduction[{i}].published": row.get("rule", COUNT)
            for i, row in enumerate(self.reproduction)
            if row.get("unpaired")
        }
        return {
            "n": self.n,
            "n_coordinator": self.n_coordinator,
            "n_programmes": self.n_programmes,
            "follow_up_days": self.follow_up_days,
            "outcomes": {name: outcome.to_json() for name, outcome in self.outcomes.items()},
            "programme_type": {
                "groups": {level: group.to_json() for level, group in self.programme_types.items()},
                "logrank_first_rtw": self.by_programme_type.logrank.to_json(),
                "coordinator_odds_ratio": self.coordinator_odds_ratio.to_json(),
            },
            "table1": self.table1.to_json(),
            "reproduction": rows_to_json(self.reproduction),
            "compared": self.compared,
            "disclosure": report(self.suppress_below, hidden, self.checks()),
            **({"derivation": asdict(self.derivation)} if self.derivation else {}),
        }


def generated(study: Study) -> bool:
    """True when the study description says the data are synthetic, that is made by
    ``rtw-report generate-cohort`` (any seed): Table 1 then holds by construction, the times
    are calibrated to the paper and household income is invented."""
    return study.provenance == "generated"


def _outcome(
    frame: pd.DataFrame, outcome: str, suppress_below: int, sizes: Mapping[str, int | None]
) -> OutcomeResults:
    """Curves by coordinator, the Cox blocks, the PH tests and the figure's residuals."""
    blocks = {
        model: cox_block(
            frame,
            outcome,
            model,
            ph=model in PH_MODELS,
            residuals=model == "cox_unadjusted",
            suppress_below=suppress_below,
        )
        for model in COX_MODELS
    }
    return OutcomeResults(
        by_coordinator=km_comparison(frame, outcome, "coordinator", suppress_below, sizes),
        cox={model: block.fits for model, block in blocks.items()},
        ph_tests={model: blocks[model].ph for model in PH_MODELS},
        schoenfeld=blocks["cox_unadjusted"].schoenfeld,
    )


def _model_sizes_shown(
    outcomes: Mapping[str, OutcomeResults], suppress_below: int
) -> dict[str, OutcomeResults]:
    """The outcomes with each Cox model's n as disclosure control shows it (the models'
    complete cases are the same for every outcome)."""
    first = next(iter(outcomes.values())).cox
    shown = dict(
        zip(
            COX_MODELS,
            model_sizes([first[model].efron.n for model in COX_MODELS], suppress_below),
            strict=True,
        )
    )
    return {
        name: replace(
            outcome, cox={model: fits.with_n(shown[model]) for model, fits in outcome.cox.items()}
        )
        for name, outcome in outcomes.items()
    }


def _returned_shown_together(
    frame: pd.DataFrame,
    described: Table1,
    outcomes: Mapping[str, OutcomeResults],
    programmes: Mapping[str, ProgrammeGroup],
    suppress_below: int,
) -> tuple[dict[str, OutcomeResults], dict[str, ProgrammeGroup]]:
    """The outcomes and programme types with the numbers returned and the models' n hidden as
    well where, together with Table 1 and each other, they would give a hidden count away
    (:func:`analysis.chapters.cohort.linked.hidden_returned`)."""
    first = outcomes["first_rtw"]
    complete = frame[covariates("cox_without_programme_type", frame)].notna().all(axis=1)
    groups, levels, models = hidden_returned(
        frame,
        described,
        {curve.level: curve.median.events for curve in first.by_coordinator.curves},
        programmes,
        {model: first.cox[model].efron.n for model in LINKED_MODELS},
        complete,
        suppress_below,
    )
    curves = tuple(
        replace(curve, median=replace(curve.median, events=None))
        if curve.level in groups
        else curve
        for curve in first.by_coordinator.curves
    )
    shown = {
        name: replace(
            outcome,
            cox={
                model: fits.with_n(None) if model in models else fits
                for model, fits in outcome.cox.items()
            },
        )
        for name, outcome in outcomes.items()
    }
    first = shown["first_rtw"]
    by_coordinator = replace(first.by_coordinator, curves=curves)
    return {**shown, "first_rtw": replace(first, by_coordinator=by_coordinator)}, {
        level: replace(
            group,
            returned=None,
            rtw_rate=None,
            median_days=replace(group.median_days, events=None),
        )
        if level in levels
        else group
        for level, group in programmes.items()
    }


def _without_programme_type(frame: pd.DataFrame, described: Table1) -> int | None:
    """How many have no programme type, as Table 1 shows it (None when hidden)."""
    if "programme_type" not in described.blocks:
        return len(frame)
    if MISSING not in described.levels("programme_type"):
        return 0
    return described.value("programme_type", MISSING, "total")


def analyse(
    data: CohortData,
    compare: bool = True,
    follow_up_days: int = FOLLOW_UP_DAYS,
    suppress_below: int = SUPPRESS_BELOW,
) -> CohortResults:
    """Every number of the chapter, censored at ``follow_up_days``, as far as disclosure
    control at ``suppress_below`` lets it be shown (0 turns it off). Compared with
    the published numbers only when ``compare`` and the study description says the data
    reproduce that publication."""
    frame = prepare(data.frame, follow_up_days)
    described = table1(frame, suppress_below)
    sizes = {level: described.size(level) for level in ("yes", "no")}
    outcomes = _model_sizes_shown(
        {outcome: _outcome(frame, outcome, suppress_below, sizes) for outcome in OUTCOMES},
        suppress_below,
    )
    outcomes, programmes = _returned_shown_together(
        frame,
        described,
        outcomes,
        programme_type_summary(frame, described, suppress_below),
        suppress_below,
    )
    left_out = _without_programme_type(frame, described)
    odds = coordinator_odds_ratio(frame)
    if odds.reason is None and any(group.withheld for group in programmes.values()):
        # The odds ratio, its interval and n come from a 2x2 table over every programme type:
        # with one type's size hidden they would let its counts be worked out.
        odds = OddsRatio(None, None, None, None, None, reason="group_withheld")
    elif odds.reason is None and (
        reason := odds_ratio_withheld(frame, described, suppress_below)
    ):  # output checking: the estimate and its interval would give the 2x2 table away
        odds = OddsRatio(None, None, None, None, None, reason=reason)
    elif left_out is None:  # its n would give the hidden number without a programme type away
        odds = replace(odds, n=None)
    compared = compare and data.study.reproduces == published()["publication"]
    rows = (
        reproduction_rows(
            frame,
            coordinator_medians={
                outcome: {curve.level: curve.median for curve in result.by_coordinator.curves}
                for outcome, result in outcomes.items()
            },
            cox={outcome: result.cox for outcome, result in outcomes.items()},
            table1=described,
            programmes=programmes,
            odds_ratio=odds,
            synthetic=generated(data.study),
        )
        if compared
        else []
    )
    return CohortResults(
        n=len(frame),
        n_coordinator=sizes["yes"],
        n_programmes=int(frame["programme_id"].nunique()),
        n_without_programme_type=left_out,
        follow_up_days=int(follow_up_days),
        suppress_below=suppress_below,
        study=data.study,
        derivation=data.derivation,
        compared=compared,
        adjusted_covariates=tuple(covariates("cox_adjusted", frame)),
        table1=described,
        outcomes=outcomes,
        programme_types=programmes,
        by_programme_type=km_comparison(
            frame,
            "first_rtw",
            "programme_type",
            suppress_below,
            {level: group.n for level, group in programmes.items()},
        ),
        coordinator_odds_ratio=odds,
        reproduction=rows,
    )
