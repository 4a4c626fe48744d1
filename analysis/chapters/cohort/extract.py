"""A register extract's files, end types and derivation rules: what the cohort's data, pages
and description need of an extract without running its derivation, which is in
:mod:`analysis.chapters.cohort.spells` (Ibis and DuckDB load only there, when an extract is
read)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.core.settings import FOLLOW_UP_DAYS

BENEFITS = ("sickness_benefit", "work_assessment_allowance", "disability_pension")
COMPETING = ("work_assessment_allowance", "disability_pension")
SPELL_COLUMNS = ("id", "start", "end", "grade", "benefit")
PERSON_DATES = ("entry_date", "death_date", "emigration_date")
EXITS = ("death", "emigration")  # ends of follow-up that persons' dates give
RETURNS = ("first_rtw", "full_rtw", "sustainable_rtw")
END_TIME, END_TYPE = "days_to_end", "end_type"  # the derived columns of the ends
RETURNED, CENSORED = "rtw", "censored"  # end types beside the competing benefits and exits
FOLDER = "register"


@dataclass(frozen=True)
class Ends:
    """Each person's end derived from the register (see the module): which return is the
    event, and whether death and emigration are competing ends or censor."""

    event: str = "full_rtw"
    death: str = "censored"  # or "competing"
    emigration: str = "censored"

    def competing(self) -> tuple[str, ...]:
        """The competing end types, in the order they win a tie."""
        exits = (name for name in EXITS if getattr(self, name) == "competing")
        return (*COMPETING, *exits)

    def codes(self) -> tuple[str, ...]:
        """Every end type the derivation gives."""
        return (RETURNED, *self.competing(), CENSORED)


@dataclass(frozen=True)
class Derivation:
    """How the cohort was derived: the rules that turn spells into times to return (see the
    module) and the files, named within the data folder."""

    bridge_days: int = 0
    horizon_days: int = FOLLOW_UP_DAYS
    sustainable_days: int | None = None
    ends: Ends | None = None
    persons: str = "register/persons.csv"
    spells: str = "register/spells.csv"


def register_files(data_dir: Path) -> tuple[Path, Path] | None:
    """The persons file and the spells file or folder in ``data_dir/register`` (None when the
    data folder holds no register extract)."""
    folder = Path(data_dir) / FOLDER
    persons = [folder / f"persons.{ext}" for ext in ("parquet", "csv")]
    spells = [folder / name for name in ("spells.parquet", "spells.csv", "spells")]
    found_persons = [path for path in persons if path.exists()]
    found_spells = [path for path in spells if path.exists()]
    if not found_persons or not found_spells:
        return None
    return found_persons[0], found_spells[0]


def shown(path: Path, data_dir: Path) -> str:
    """The file as messages name it: from the data folder's name (``data/register/…``)."""
    return path.relative_to(data_dir.parent).as_posix()
