"""The cohort's linked count tables protected as one system: Table 1's programme-type block by
coordinator, the group sizes, the number returned (first RTW) per coordinator group and per
programme type, and the number of employees each Cox model reports (its complete cases) are
sums over the same persons (coordinator × programme type × returned × complete on the
confounders). Each table is protected by itself first; :func:`hidden_returned` then says which
numbers returned and which models' n must be hidden as well so that no hidden count follows
from the tables together (:func:`analysis.core.disclosure.protect_linked`)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import pandas as pd

from analysis.chapters.cohort.collapsed import weights_of
from analysis.chapters.cohort.descriptives import MISSING, Table1
from analysis.chapters.cohort.plan import EXPOSURE
from analysis.chapters.cohort.programmes import COORDINATOR_GROUPS, ProgrammeGroup
from analysis.core.disclosure import Table, protect_linked


def hidden_returned(
    data: pd.DataFrame,
    table1: Table1,
    returned_by_coordinator: Mapping[str, int | None],
    programmes: Mapping[str, ProgrammeGroup],
    model_n: Mapping[str, int | None],
    complete: pd.Series,
    suppress_below: int,
    *,
    by: str,
    outcome: str,
    typed: frozenset[str],
    total_known: bool = False,
) -> tuple[set[str], set[str], set[str]]:
    """The coordinator groups (``yes``/``no``) and programme types whose number returned within
    follow-up, and the Cox models (of ``model_n``: without programme type, adjusted) whose n
    must be hidden as well, given what each table shows by itself. ``complete`` marks the
    employees with every confounder: the model without programme type is fitted on them, the
    adjusted one on those of them with a programme type. ``by`` is the subgroup variable
    (programme type) and ``outcome`` the one it returns (first RTW), ``typed`` the models that
    have the subgroup variable among their covariates. The number returned of a level that
    shows none (a programme type whose size is hidden, those without a programme type) is a
    count the others imply: it is protected as a hidden count, so that, small, it may be 0 and
    may be ``suppress_below`` or more. ``total_known``: the number returned of the whole
    cohort counts as shown (another subgroup analysis's levels may add up to it), so that no
    hidden count follows from it either. Rows count as many persons as their case weights."""
    levels = table1.levels(by)
    programme = data[by].astype(object).where(data[by].notna(), MISSING)
    weight = weights_of(data)
    joint = (
        pd.Series(weight, index=data.index)
        .groupby(
            [
                data[EXPOSURE].astype(object),
                programme,
                data[outcome].astype(int),
                complete.astype(int),
            ]
        )
        .sum()
    )
    cells = list(itertools.product(COORDINATOR_GROUPS, levels, (0, 1), (0, 1)))
    values = [int(joint.get(cell, 0)) for cell in cells]
    published: list[tuple[tuple[int, ...], int | None]] = []  # (joint cells summed, value shown)

    def publish(shown: int | None, typed: bool = False, **fixed: str | int) -> int:
        """A published count: the joint cells with the ``fixed`` values (``typed``: and a
        programme type)."""
        axes = {"group": 0, "level": 1, "returned": 2, "complete": 3}
        parts = tuple(
            i
            for i, cell in enumerate(cells)
            if all(cell[axes[k]] == v for k, v in fixed.items())
            and not (typed and cell[1] == MISSING)
        )
        published.append((parts, shown))
        return len(cells) + len(published) - 1

    everyone = publish(int(weight.sum()))
    if total_known:
        publish(int(weight @ data[outcome].to_numpy(float)), returned=1)
    for group in COORDINATOR_GROUPS:
        publish(table1.size(group), group=group)
    for level in levels:
        publish(table1.value(by, level, "total"), level=level)
        for group in COORDINATOR_GROUPS:
            publish(table1.value(by, level, group), group=group, level=level)
    by_group = {
        publish(shown, group=group, returned=1): group
        for group, shown in returned_by_coordinator.items()
    }
    by_level = {
        publish(group.returned, level=level, returned=1): level
        for level, group in programmes.items()
        if not group.withheld
    }
    for level in levels:  # implied by the others: hidden, and protected like a hidden count
        if level not in programmes or programmes[level].withheld:
            publish(None, level=level, returned=1)
    by_model = {publish(n, typed=model in typed, complete=1): model for model, n in model_n.items()}
    table = Table(
        values=(*values, *(sum(values[i] for i in parts) for parts, _ in published)),
        sums=tuple((len(cells) + k, parts) for k, (parts, _) in enumerate(published)),
        fixed=frozenset({everyone}),
    )
    hidden = {len(cells) + k for k, (_, shown) in enumerate(published) if shown is None}
    candidates = [cell for cell in (*by_group, *by_level, *by_model) if cell not in hidden]
    added = protect_linked(table, range(len(cells)), hidden, candidates, suppress_below)
    return (
        {group for cell, group in by_group.items() if cell in added},
        {level for cell, level in by_level.items() if cell in added},
        {model for cell, model in by_model.items() if cell in added},
    )
