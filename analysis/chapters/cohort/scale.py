"""A cohort of any size for register-scale runs: rows drawn with replacement from a cohort
(e.g. the shipped one), with new ids, about ``rows / 8`` programmes and days moved by up to a
week; it meets the data contract, so ``rtw-report build --data`` takes it as it is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.chapters.cohort.data import OUTCOMES


def resample(frame: pd.DataFrame, rows: int, seed: int = 1) -> pd.DataFrame:
    """``rows`` employees resampled from ``frame`` (a cohort as read)."""
    rng = np.random.default_rng(seed)
    out = frame.iloc[rng.integers(0, len(frame), rows)].reset_index(drop=True)
    out["id"] = np.char.add("E", np.arange(1, rows + 1).astype(str))
    out["programme_id"] = np.char.add("P", rng.integers(1, max(rows // 8, 2) + 1, rows).astype(str))
    shift = rng.integers(-7, 8, rows)
    first = (out["days_to_first_rtw"].to_numpy(int) + shift).clip(0)
    # keep full RTW at or after first RTW
    full = np.maximum(out["days_to_full_rtw"].to_numpy(int) + shift, first)
    out["days_to_first_rtw"], out["days_to_full_rtw"] = first, full
    assert set(OUTCOMES) <= set(out.columns)
    return out


# The competing outcome ``with_competing_outcome`` adds, as a study description declares it.
COMPETING_STUDY = """\
competing_outcomes:
  leaving_sick_leave:
    name: {en: return to work, nb: tilbakeføring til arbeid}
    time: days_to_end
    event_type: end_type
    codes:
      event: rtw
      censored: censored
      competing:
        - {code: aap, name: {en: work assessment allowance, nb: arbeidsavklaringspenger}}
        - {code: uforetrygd, name: {en: disability pension, nb: uføretrygd}}
    rmst: {}
"""


def with_competing_outcome(frame: pd.DataFrame, seed: int = 2) -> pd.DataFrame:
    """``frame`` with a competing outcome (``COMPETING_STUDY``): the first RTW where there is
    one, else for about half of the others a work assessment allowance (``aap``) or, for one
    in ten of those, a disability pension (``uforetrygd``) on a day before their censoring,
    else censored then."""
    rng = np.random.default_rng(seed)
    days = frame["days_to_first_rtw"].to_numpy(int)
    returned = frame["first_rtw"].to_numpy(int) == 1
    ended = ~returned & (rng.uniform(size=len(frame)) < 0.5)
    kind = np.where(rng.uniform(size=len(frame)) < 0.1, "uforetrygd", "aap")
    end_type = np.where(returned, "rtw", np.where(ended, kind, "censored"))
    earlier = np.floor(days * rng.uniform(size=len(frame))).astype(int)
    return frame.assign(days_to_end=np.where(ended, earlier, days), end_type=end_type)
