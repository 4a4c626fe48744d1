"""A foreign cohort with a competing outcome (seeded), shared by the chapter's competing-risks
tests and written for ``tests/reference/competing_chapter.R``: the foreign cohort of
``test_cohort_foreign`` plus ``days_to_end`` and ``end_type``, the first of a return to work
(``rtw``, the first RTW), a work assessment allowance (``aap``, more often without a
coordinator), a disability pension (``uforetrygd``, rare: few persons per step) and censoring
(``censored``) at day 400."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.test_cohort_foreign import foreign_cohort

REFERENCE = Path(__file__).parent / "reference"
INPUT = REFERENCE / "competing_chapter_input.csv"
END = 400
STUDY = """\
outcomes:
  leaving_sick_leave:
    name: {en: return to work, nb: tilbakeføring til arbeid}
    direction: beneficial
    time: days_to_end
    event_type: end_type
    codes:
      event: rtw
      censored: censored
      competing:
        aap: {en: work assessment allowance, nb: arbeidsavklaringspenger}
        uforetrygd: {en: disability pension, nb: uføretrygd}
    times: [30, 90, 180, 270, 360]
    rmst: {horizon_days: 180}
  first_rtw:
    direction: beneficial
    rmst: {}
"""
# The columns R reads (the outcome columns as written, before the chapter's follow-up).
R_COLUMNS = ["coordinator", "days_to_first_rtw", "first_rtw", "days_to_end", "end_type"]


def competing_cohort(seed: int = 21) -> pd.DataFrame:
    """The foreign cohort with the competing outcome's two columns (see the module docstring)."""
    frame = foreign_cohort()
    rng = np.random.default_rng(seed)
    n = len(frame)
    with_coordinator = (frame["coordinator"] == "yes").to_numpy()
    returned = np.where(frame["first_rtw"] == 1, frame["days_to_first_rtw"].to_numpy(float), np.inf)
    aap = np.ceil(rng.exponential(np.where(with_coordinator, 1400.0, 700.0)))
    disability = np.ceil(rng.exponential(6000.0, n))
    days = np.minimum.reduce([returned, aap, disability, np.full(n, float(END))])
    kind = np.select(
        [days == returned, days == aap, days == disability],
        ["rtw", "aap", "uforetrygd"],
        default="censored",
    )
    return frame.assign(days_to_end=days.astype(int), end_type=kind)


def write_reference_input() -> None:
    """Write the columns R reads (run once when the generator changes, then the R script)."""
    competing_cohort()[R_COLUMNS].to_csv(INPUT, index=False)


if __name__ == "__main__":
    write_reference_input()
