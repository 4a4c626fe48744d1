"""Provider survey input: ``providers.csv``, one row per programme."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core.study import (
    LangText,
    Study,
    StudyDescription,
    bilingual,
    key,
    load_study,
    publication_of,
)
from analysis.core.validation import Field, Notes, Schema, read_table

FINANCE = ("rha", "nav", "both")
YES_NO = ("yes", "no")
DIAGNOSES = ("dx_musculoskeletal", "dx_mental", "dx_unspecific")
TYPES = (
    "type_medical_surgical",
    "type_somatic_rehabilitation",
    "type_psychiatric",
    "type_institution_rehabilitation",
    "type_follow_up",
    "type_work_clarification",
    "type_occupational_rehabilitation",
    "type_treatment",
)
COORDINATOR_TYPES = (
    "coord_random_professional",
    "coord_patient",
    "coord_employer",
    "coord_nav",
    "coord_gp",
    "coord_other",
    "coord_no_need",
)

PROVIDERS = Schema(
    "providers.csv",
    (
        Field("programme_id", "text", unique=True),
        Field("finance", "category", FINANCE),
        Field("permanent_coordinator", "category", YES_NO, nullable=True),
        *(
            Field(name, "category", YES_NO, nullable=True, description_key="contract.providers.dx")
            for name in DIAGNOSES
        ),
        *(Field(name, "binary", description_key="contract.providers.type") for name in TYPES),
        *(
            Field(
                name,
                "binary",
                required=False,
                nullable=True,
                description_key="contract.providers.coord",
            )
            for name in COORDINATOR_TYPES
        ),
    ),
)
SCHEMAS = (PROVIDERS,)


class ProviderDescription(StudyDescription):
    """``provider.study.yaml``: the survey's design and setting, read in "This chapter analyses
    <design> about 120 programmes in <setting>"."""

    publications = publication_of(Path(__file__).with_name("published.yaml"))

    design: LangText | None = key(
        "plural_noun", bilingual("telephone interviews", "telefonintervjuer")
    )
    setting: LangText | None = key(
        "definite",
        bilingual("the Raskere tilbake (faster return) scheme", "Raskere tilbake-ordningen"),
    )


DESCRIPTION = ProviderDescription


@dataclass(frozen=True)
class ProviderData:
    """The validated programmes and the description of the study they come from."""

    frame: pd.DataFrame
    study: Study


def load(data_dir: Path, notes: Notes | None = None) -> ProviderData:
    """Read and validate ``providers.csv`` and its study description; how the file was read
    goes to ``notes`` (when given)."""
    return ProviderData(
        read_table(Path(data_dir), PROVIDERS, notes), load_study(data_dir, "provider", DESCRIPTION)
    )
