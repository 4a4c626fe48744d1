"""The analysis plan of a cohort study: ``plan:`` in ``cohort.study.yaml``.

The plan says which column is the exposure (two levels, one of them the reference), which
variables Table 1 describes (categorical columns with their levels, or a numeric column cut
into bands), which Cox model blocks are fitted with which covariates and which of them get a
proportional-hazards test, the cluster column of the robust standard errors, the variable whose
levels are strata of every Cox model (a baseline hazard each), the follow-up horizon, and the
subgroup analyses (each the curves, medians and exposure odds ratio by the levels of one
Table 1 variable, a section of the page each). Labels of levels and variables are texts in
every language; a level without one takes the catalog's label
``cohort.level.<variable>.<level>`` (the shipped plan's levels have them), and the loader
refuses a plan whose labels are neither.

Without a plan, the chapter uses :data:`~analysis.chapters.cohort.data.DEFAULT_PLAN`, the plan
of the 2019 paper (coordinator yes/no, thirteen covariates, three model blocks, programme type
as the subgroup analysis) in neutral words: the contract data without a description keep to.
The paper's own labels and sentences are for a description that declares its plan
(:data:`~analysis.chapters.cohort.data.PAPER_PLAN`, as the shipped one does).

The analysis frame names the plan's roles, not its columns: the exposure is ``coordinator``
with ``yes`` for the compared level and ``no`` for the reference, the cluster
``programme_id`` (:func:`analysis.chapters.cohort.data.prepare`).
"""

from __future__ import annotations

from analysis.core.study import Described, LangText, bilingual, key

# The roles of the analysis frame.
EXPOSURE, EXPOSED, REFERENCE = "coordinator", "yes", "no"
CLUSTER = "programme_id"
# Columns every cohort has besides the plan's (the id, and the outcomes' days and events).
ID = "id"
# The keys of cohort.json besides the subgroup analyses, which are published under their names.
RESULT_KEYS = frozenset(
    {
        "n",
        "n_coordinator",
        "n_programmes",
        "follow_up_days",
        "outcomes",
        "table1",
        "competing_outcomes",
        "rmst",
        "reproduction",
        "compared",
        "disclosure",
        "derivation",
    }
)

Labels = dict[str, LangText | None]


class Band(Described):
    """One band of a numeric variable: its code, its upper bound (inclusive) and its label."""

    level: str = key(None, "30-", "cohort.description.band_level", required=True)
    up_to: int | None = key(None, 30, "cohort.description.up_to")
    label: LangText | None = key(
        "name",
        bilingual("30 years or younger", "30 år eller yngre"),
        "cohort.description.level_label",
    )


class Variable(Described):
    """A variable of Table 1 and the models: a categorical column with its levels (codes and
    labels), a numeric column cut into ``bands``, or a categorical column whose levels are
    merged (``merge``: code → the declared level it joins); levels or bands, not both (the
    loader checks it, and the rest of the plan's consistency)."""

    column: str | None = key(None, "age", "cohort.description.column")
    label: LangText | None = key(
        "name", bilingual("Age", "Alder"), "cohort.description.variable_label"
    )
    levels: Labels | None = key(
        None,
        {"female": bilingual("Female", "Kvinne"), "male": bilingual("Male", "Mann")},
        "cohort.description.levels",
    )
    bands: list[Band] | None = key(
        None,
        [{"level": "30-", "up_to": 30}, {"level": "31+"}],
        "cohort.description.bands",
    )
    merge: dict[str, str] | None = key(None, {"unspecific": "other"}, "cohort.description.merge")
    reference: str | None = key(None, "female", "cohort.description.reference")
    optional: bool | None = key(None, True, "cohort.description.optional")
    minimum: int | None = key(None, 15, "cohort.description.minimum")
    maximum: int | None = key(None, 80, "cohort.description.maximum")

    @property
    def codes(self) -> tuple[str, ...]:
        """The levels in table order (the bands' codes for a banded variable)."""
        if self.bands is not None:
            return tuple(band.level for band in self.bands)
        return tuple(self.levels or ())

    def labels(self) -> dict[str, dict[str, str] | None]:
        """Each level's label as declared (None: the catalog's)."""
        if self.bands is not None:
            return {b.level: b.label.model_dump() if b.label else None for b in self.bands}
        return {code: text.model_dump() if text else None for code, text in self.levels.items()}

    def reference_first(self) -> tuple[str, ...]:
        """The levels with the reference first (the models' dummy coding)."""
        codes = self.codes
        if self.reference is None:
            return codes
        return (self.reference, *(code for code in codes if code != self.reference))


class Exposure(Described):
    """The exposure: a categorical column with two levels, one of them the reference."""

    column: str = key(None, "arm", "cohort.description.column", required=True)
    label: LangText | None = key(
        "name", bilingual("Study arm", "Studiearm"), "cohort.description.variable_label"
    )
    levels: Labels = key(
        None,
        {
            "intervention": bilingual("Intervention", "Intervensjon"),
            "control": bilingual("Control", "Kontroll"),
        },
        "cohort.description.exposure_levels",
        required=True,
    )
    reference: str = key(None, "control", "cohort.description.reference", required=True)

    @property
    def codes(self) -> tuple[str, ...]:
        """The compared level, then the reference (the order of the roles ``yes``, ``no``)."""
        return (self.compared, self.reference)

    @property
    def compared(self) -> str:
        """The level compared with the reference."""
        return next(code for code in self.levels if code != self.reference)

    @property
    def json_names(self) -> dict[str, str]:
        """The groups' names in ``cohort.json``, by role: a yes/no column's by the column
        (``coordinator``, ``no_coordinator``), another exposure's by its level codes."""
        if set(self.levels) == {"yes", "no"} and self.reference == "no":
            return {EXPOSED: self.column, REFERENCE: f"no_{self.column}"}
        return {EXPOSED: self.compared, REFERENCE: self.reference}

    def role(self, code: str) -> str:
        """The role of a level in the analysis frame: ``yes`` (compared) or ``no``."""
        return REFERENCE if code == self.reference else EXPOSED


class Model(Described):
    """A Cox model block: its covariates besides the exposure, and whether its proportional
    hazards are tested."""

    covariates: list[str] = key(None, ["age_group", "sex"], "cohort.description.covariates")
    ph_test: bool | None = key(None, True, "cohort.description.ph_test")
    label: LangText | None = key(
        "name", bilingual("Adjusted", "Justert"), "cohort.description.model_label"
    )


class Subgroup(Described):
    """A subgroup analysis: curves, medians, the share exposed and the number returned by the
    levels of one Table 1 variable, and the odds ratio of being exposed in the other levels
    against ``odds_ratio_reference`` (a plan may declare several, each by another variable)."""

    variable: str = key(None, "programme_type", "cohort.description.subgroup_variable", True)
    odds_ratio_reference: str | None = key(
        None, "treatment", "cohort.description.odds_ratio_reference"
    )


class AnalysisPlan(Described):
    """``plan:`` of ``cohort.study.yaml`` (see the module docstring)."""

    exposure: Exposure = key(
        None,
        {
            "column": "arm",
            "reference": "control",
            "levels": {"intervention": None, "control": None},
        },
        "cohort.description.exposure",
        required=True,
    )
    cluster: str | None = key(None, "clinic", "cohort.description.cluster")
    horizon_days: int | None = key(None, 360, "cohort.description.horizon_days", ge=1)
    strata: str | None = key(None, "grade", "cohort.description.strata")
    variables: dict[str, Variable] | None = key(
        None,
        {"sex": {"levels": {"female": None, "male": None}}},
        "cohort.description.variables",
    )
    table1: list[str] | None = key(None, ["sex", "age_group"], "cohort.description.table1")
    models: dict[str, Model] = key(
        None,
        {"unadjusted": {"covariates": [], "ph_test": True}, "adjusted": {"covariates": ["sex"]}},
        "cohort.description.models",
        required=True,
    )
    subgroups: dict[str, Subgroup] | None = key(
        None,
        {
            "programme_type": {"variable": "programme_type", "odds_ratio_reference": "treatment"},
            "by_sex": {"variable": "sex"},
        },
        "cohort.description.subgroups",
    )
