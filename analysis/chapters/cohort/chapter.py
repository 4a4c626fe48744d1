"""The cohort chapter's entry point for the build: load, analyse once, the typed results."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property

import pandas as pd

from analysis.chapters.cohort.collapsed import persons
from analysis.chapters.cohort.cox import (
    CoxFits,
    PHTest,
    SchoenfeldResiduals,
    covariates,
    cox_block,
    model_sizes,
)
from analysis.chapters.cohort.data import (
    OUTCOMES,
    PAPER_PLAN,
    SCHEMAS,
    CohortData,
    horizon,
    load,
    prepare,
)
from analysis.chapters.cohort.declared import DeclaredAnalyses, declared_analyses
from analysis.chapters.cohort.descriptives import MISSING, Table1, table1
from analysis.chapters.cohort.extract import Derivation
from analysis.chapters.cohort.linked import hidden_returned
from analysis.chapters.cohort.plan import CLUSTER, EXPOSURE, AnalysisPlan, Subgroup
from analysis.chapters.cohort.programmes import (
    OddsRatio,
    ProgrammeGroup,
    coordinator_odds_ratio,
    odds_ratio_withheld,
    programme_type_summary,
)
from analysis.chapters.cohort.reproduction import published, reproduction_rows
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
from analysis.core.settings import SUPPRESS_BELOW
from analysis.core.study import Study

__all__ = ["SCHEMAS", "CohortResults", "OutcomeResults", "analyse", "load"]

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
    group_names: Mapping[str, str]  # the exposure groups' names in the JSON, by role

    def suppressed(self, path: str) -> dict[str, str]:
        """JSON paths (under ``path``) of the values set to null, with the public reason: every
        value of a withheld coordinator group, and numbers returned that are hidden."""
        comparison = self.by_coordinator
        withheld = {
            f"{path}.{key}.{self.group_names[level]}": COUNT
            for level in comparison.withheld
            for key in GROUP_KEYS
        }
        hidden = {
            f"{path}.events.{self.group_names[curve.level]}": COUNT
            for curve in comparison.curves
            if curve.median.events is None
        }
        hidden |= {  # read off a step that pools persons (output checking)
            f"{path}.median_se_spss.{self.group_names[curve.level]}"
            if name == "se"
            else f"{path}.{key}.{self.group_names[curve.level]}.{name}": SURVIVAL_CURVE
            for curve in comparison.curves
            for key, names in curve.median.withheld.items()
            for name in names
        }
        for model, fits in self.cox.items():
            if fits.efron.n is None:
                hidden[f"{path}.{model}.n"] = COUNT
                hidden |= {f"{path}.cox_all_engines.{model}.{fit}.n": COUNT for fit in FITS}
                if model == next(iter(self.cox)):
                    hidden[f"{path}.{model}_breslow.n"] = COUNT
        return withheld | hidden

    def to_json(self) -> dict:
        """Medians and events by exposure group, the log-rank test, each model block's Efron
        fit (the first, unadjusted, one also with Breslow ties and clustered SEs), every
        engine of every block, and the PH tests."""
        medians = {
            self.group_names[curve.level]: curve.median for curve in self.by_coordinator.curves
        }
        withheld = dict.fromkeys(self.group_names[level] for level in self.by_coordinator.withheld)

        first = next(iter(self.cox))

        def per_group(value: object) -> dict:
            return {name: value(m) for name, m in medians.items()} | withheld

        return {
            "median_days": per_group(lambda m: m.spss.to_json()),
            "median_days_bc": per_group(lambda m: m.bc.to_json()),
            "median_days_bc_log": per_group(lambda m: m.bc_log.to_json()),
            "median_se_spss": per_group(lambda m: m.se_spss),
            "events": per_group(lambda m: m.events),
            "logrank": self.by_coordinator.logrank.to_json(),
            **{model: fits.efron.to_json() for model, fits in self.cox.items()},
            f"{first}_breslow": self.cox[first].breslow.to_json(),
            f"{first}_cluster": self.cox[first].robust.to_json(with_se=True),
            "cox_all_engines": {model: fits.to_json() for model, fits in self.cox.items()},
            "ph_test": {model: test.to_json() for model, test in self.ph_tests.items()},
        }


@dataclass(frozen=True)
class SubgroupResults:
    """One subgroup analysis of the plan (the paper's: by programme type): per level of its
    variable the group (``groups``), the curves and log-rank test of the first outcome by
    those levels (``comparison``), the odds ratio of being exposed in the other levels
    against the plan's reference level (None when the plan asks for none), and how many have
    no value of the variable (``left_out``, None when disclosure control hides it)."""

    groups: Mapping[str, ProgrammeGroup]
    comparison: KMComparison
    odds_ratio: OddsRatio | None
    left_out: int | None

    @property
    def variable(self) -> str:
        """The variable whose levels are the subgroups."""
        return self.comparison.by

    def suppressed(self, path: str) -> dict[str, str]:
        """JSON paths (under ``path``, the analysis's name) of the values set to null, with
        the public reason."""
        hidden = {}
        for level, group in self.groups.items():
            hidden |= group.suppressed(f"{path}.groups.{level}")
        odds = self.odds_ratio
        if odds is not None and odds.withheld:
            hidden |= {
                f"{path}.coordinator_odds_ratio.{key}": COUNT
                for key in ("or", "ci_low", "ci_high", "p", "n")
            }
        elif odds is not None and odds.n is None:
            hidden[f"{path}.coordinator_odds_ratio.n"] = COUNT
        return hidden

    def to_json(self) -> dict:
        """The groups, the log-rank test and the odds ratio."""
        odds = self.odds_ratio
        return {
            "groups": {level: group.to_json() for level, group in self.groups.items()},
            f"logrank_{self.comparison.outcome}": self.comparison.logrank.to_json(),
            "coordinator_odds_ratio": None if odds is None else odds.to_json(),
        }


@dataclass(frozen=True)
class CohortResults:
    """Every result the cohort page shows, the study description, and the reproduction rows.

    ``compared`` is True when the data were compared with the publication they declare (else
    ``reproduction`` is empty). Counts disclosure control hides are None (``n_coordinator``
    as in Table 1). The exposure groups are the roles ``yes`` and ``no`` of
    :mod:`analysis.chapters.cohort.plan`; the subgroup analyses of the plan (the paper's: by
    programme type; none when the plan declares none) are ``subgroups``, in the plan's order
    under their names, each published under its name.
    """

    n: int
    n_coordinator: int | None
    n_programmes: int
    follow_up_days: int
    suppress_below: int
    study: Study
    derivation: Derivation | None  # how the cohort came from register spells, if it did
    compared: bool
    adjusted_covariates: tuple[str, ...]
    table1: Table1
    outcomes: Mapping[str, OutcomeResults]
    subgroups: Mapping[str, SubgroupResults]
    reproduction: list[dict]
    plan: AnalysisPlan
    # The competing outcomes and RMSTs the study description declares (none: nothing added).
    declared: DeclaredAnalyses = field(default_factory=DeclaredAnalyses)

    @cached_property
    def paper_plan(self) -> bool:
        """True when the study description declares the paper's plan (the sentences then name
        its coordinator, confounder blocks and programme types; without a description the
        same analysis is worded as any declared plan's). Compared once: a page asks some fifty
        times, and comparing two plans field by field takes some 0.1 ms."""
        return self.plan == PAPER_PLAN

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
        for name, subgroup in self.subgroups.items():
            hidden |= subgroup.suppressed(name)
        return hidden | self.declared.suppressed()

    def checks(self) -> list[dict]:
        """What output checking decided for the disclosure report: the Schoenfeld figure
        (bins), each Kaplan–Meier curve (published points, the values of its median the
        published curve does not give) and its numbers at risk (how many hidden), each Cox
        model, the odds ratio and the reproduction rows of extremes and of withheld medians."""
        made = []
        comparisons = [outcome.by_coordinator for outcome in self.outcomes.values()]
        comparisons += [subgroup.comparison for subgroup in self.subgroups.values()]
        for comparison in comparisons:
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
        made += [
            decision(
                f"{name}.coordinator_odds_ratio",
                STATISTIC,
                odds.reason if odds.withheld else None,
            )
            for name, subgroup in self.subgroups.items()
            if (odds := subgroup.odds_ratio) is not None
        ]
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
        return made + self.declared.checks()

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
            **{name: subgroup.to_json() for name, subgroup in self.subgroups.items()},
            "table1": self.table1.to_json(),
            **self.declared.to_json(),
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
    frame: pd.DataFrame,
    outcome: str,
    suppress_below: int,
    sizes: Mapping[str, int | None],
    plan: AnalysisPlan,
) -> OutcomeResults:
    """Curves by exposure group, the plan's Cox blocks, the PH tests and the figure's
    residuals (of the first, unadjusted, block)."""
    first = next(iter(plan.models))
    blocks = {
        name: cox_block(
            frame,
            outcome,
            name,
            ph=bool(model.ph_test),
            residuals=name == first,
            suppress_below=suppress_below,
            plan=plan,
        )
        for name, model in plan.models.items()
    }
    return OutcomeResults(
        by_coordinator=km_comparison(frame, outcome, EXPOSURE, suppress_below, sizes),
        cox={model: block.fits for model, block in blocks.items()},
        ph_tests={name: blocks[name].ph for name, model in plan.models.items() if model.ph_test},
        schoenfeld=blocks[first].schoenfeld,
        group_names=plan.exposure.json_names,
    )


def _model_sizes_shown(
    outcomes: Mapping[str, OutcomeResults], suppress_below: int
) -> dict[str, OutcomeResults]:
    """The outcomes with each Cox model's n as disclosure control shows it (the models'
    complete cases are the same for every outcome, and nested, :func:`model_sizes`)."""
    first = next(iter(outcomes.values())).cox
    shown = dict(
        zip(
            first,
            model_sizes([fits.efron.n for fits in first.values()], suppress_below),
            strict=True,
        )
    )
    return {
        name: replace(
            outcome, cox={model: fits.with_n(shown[model]) for model, fits in outcome.cox.items()}
        )
        for name, outcome in outcomes.items()
    }


def _with_model_n_hidden(
    outcomes: Mapping[str, OutcomeResults], models: set[str]
) -> dict[str, OutcomeResults]:
    """The outcomes with the n of ``models`` hidden."""
    return {
        name: replace(
            outcome,
            cox={
                model: fits.with_n(None) if model in models else fits
                for model, fits in outcome.cox.items()
            },
        )
        for name, outcome in outcomes.items()
    }


def _returned_shown_together(
    frame: pd.DataFrame,
    described: Table1,
    outcomes: Mapping[str, OutcomeResults],
    programmes: Mapping[str, ProgrammeGroup],
    suppress_below: int,
    plan: AnalysisPlan,
    subgroup: Subgroup,
) -> tuple[dict[str, OutcomeResults], dict[str, ProgrammeGroup]]:
    """The outcomes and subgroup levels with the numbers returned and the models' n hidden as
    well where, together with Table 1 and each other, they would give a hidden count away
    (:func:`analysis.chapters.cohort.linked.hidden_returned`; with more than one subgroup
    analysis, the cohort's number returned counts as shown, since the levels of another may
    add up to it). The models after the first
    (whose n is the cohort) are linked through their complete cases; when they are not
    complete on the same covariates apart from the subgroup variable, their n is hidden."""
    by, outcome = subgroup.variable, subgroup_outcome()
    linked = list(plan.models)[1:]
    complete_on = {
        model: tuple(c for c in covariates(model, frame, plan) if c != by) for model in linked
    }
    if len(set(complete_on.values())) > 1:
        outcomes = _with_model_n_hidden(outcomes, set(linked))
    first = outcomes[outcome]
    confounders = list(next(iter(complete_on.values()), (EXPOSURE,)))
    groups, levels, models = hidden_returned(
        frame,
        described,
        {curve.level: curve.median.events for curve in first.by_coordinator.curves},
        programmes,
        {model: first.cox[model].efron.n for model in linked},
        frame[confounders].notna().all(axis=1),
        suppress_below,
        by=by,
        outcome=outcome,
        typed=frozenset(m for m in linked if by in plan.models[m].covariates),
        total_known=len(plan.subgroups) > 1,
    )
    curves = tuple(
        replace(curve, median=replace(curve.median, events=None))
        if curve.level in groups
        else curve
        for curve in first.by_coordinator.curves
    )
    shown = _with_model_n_hidden(outcomes, models)
    first = shown[outcome]
    by_coordinator = replace(first.by_coordinator, curves=curves)
    return {**shown, outcome: replace(first, by_coordinator=by_coordinator)}, {
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


def subgroup_outcome() -> str:
    """The outcome of the subgroup analysis: the first."""
    return OUTCOMES[0]


def _left_out(frame: pd.DataFrame, described: Table1, by: str) -> int | None:
    """How many have no value of the subgroup variable ``by``, as Table 1 shows it (None
    when hidden)."""
    if by not in described.blocks:
        return persons(frame)
    if MISSING not in described.levels(by):
        return 0
    return described.value(by, MISSING, "total")


def _subgroup_odds_ratio(
    frame: pd.DataFrame,
    described: Table1,
    programmes: Mapping[str, ProgrammeGroup],
    subgroup: Subgroup,
    left_out: int | None,
    suppress_below: int,
) -> OddsRatio | None:
    """The odds ratio of being exposed across the subgroup levels as disclosure control lets
    it be shown (None when the plan asks for none)."""
    if subgroup.odds_ratio_reference is None:
        return None
    odds = coordinator_odds_ratio(frame, subgroup)
    if odds.reason is None and any(group.withheld for group in programmes.values()):
        # The odds ratio, its interval and n come from a 2x2 table over every level: with one
        # level's size hidden they would let its counts be worked out.
        return OddsRatio(None, None, None, None, None, reason="group_withheld")
    if odds.reason is None and (
        reason := odds_ratio_withheld(frame, described, subgroup, suppress_below)
    ):  # output checking: the estimate and its interval would give the 2x2 table away
        return OddsRatio(None, None, None, None, None, reason=reason)
    if left_out is None:  # its n would give the hidden number without a level away
        return replace(odds, n=None)
    return odds


def _subgroup_analysis(
    frame: pd.DataFrame,
    described: Table1,
    outcomes: Mapping[str, OutcomeResults],
    subgroup: Subgroup,
    suppress_below: int,
    plan: AnalysisPlan,
) -> tuple[dict[str, OutcomeResults], SubgroupResults]:
    """One subgroup analysis of the plan, and the outcomes with what it would give away
    together with them hidden as well (:func:`_returned_shown_together`)."""
    by, outcome = subgroup.variable, subgroup_outcome()
    outcomes, groups = _returned_shown_together(
        frame,
        described,
        outcomes,
        programme_type_summary(frame, described, by, outcome, suppress_below),
        suppress_below,
        plan,
        subgroup,
    )
    left_out = _left_out(frame, described, by)
    comparison = km_comparison(
        frame, outcome, by, suppress_below, {level: group.n for level, group in groups.items()}
    )
    odds = _subgroup_odds_ratio(frame, described, groups, subgroup, left_out, suppress_below)
    return outcomes, SubgroupResults(groups, comparison, odds, left_out)


def analyse(
    data: CohortData,
    compare: bool = True,
    follow_up_days: int | None = None,
    suppress_below: int = SUPPRESS_BELOW,
) -> CohortResults:
    """Every number of the chapter, censored at ``follow_up_days`` (None: the plan's
    horizon), as far as disclosure control at ``suppress_below`` lets it be shown (0 turns it
    off). Compared with the published numbers only when ``compare`` and the study description
    says the data reproduce that publication."""
    plan = data.plan
    follow_up_days = horizon(plan, follow_up_days)
    frame = prepare(data.frame, follow_up_days, plan)
    described = table1(frame, suppress_below, plan)
    sizes = {level: described.size(level) for level in ("yes", "no")}
    outcomes = _model_sizes_shown(
        {outcome: _outcome(frame, outcome, suppress_below, sizes, plan) for outcome in OUTCOMES},
        suppress_below,
    )
    subgroups = {}
    for name, subgroup in (plan.subgroups or {}).items():  # each protected with what is shown
        outcomes, subgroups[name] = _subgroup_analysis(
            frame, described, outcomes, subgroup, suppress_below, plan
        )
    first = next(iter(subgroups.values()), None)  # the paper's: by programme type
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
            programmes=first.groups if first else {},
            odds_ratio=first.odds_ratio if first else None,
            synthetic=generated(data.study),
        )
        if compared
        else []
    )
    return CohortResults(
        n=persons(frame),
        n_coordinator=sizes["yes"],
        n_programmes=int(frame[CLUSTER].nunique()),
        follow_up_days=follow_up_days,
        suppress_below=suppress_below,
        study=data.study,
        derivation=data.derivation,
        compared=compared,
        adjusted_covariates=tuple(covariates(list(plan.models)[-1], frame, plan)),
        table1=described,
        outcomes=outcomes,
        subgroups=subgroups,
        reproduction=rows,
        plan=plan,
        declared=declared_analyses(
            frame, data.study.description, follow_up_days, sizes, suppress_below
        ),
    )
