"""From what the caller has (a Case, a Patient, covariates or parameters) to model inputs."""

from __future__ import annotations

from androcast.labs import Case, Patient
from androcast.model.parameters import (
    Covariates,
    Parameters,
    personalise,
    reference_parameters,
)
from androcast.regimens import Regimen, regimen_from_history

PatientLike = Case | Patient | Covariates | Parameters | None

# TSH limits used only to choose the thyroid modifier (typical adult reference interval).
_TSH_LOW_MIU_L, _TSH_HIGH_MIU_L = 0.3, 4.5


def covariates_of(case_or_patient: Case | Patient) -> Covariates:
    """Age, BMI, prolactin and thyroid status as the model needs them."""
    patient = case_or_patient.patient if isinstance(case_or_patient, Case) else case_or_patient
    prolactin = thyroid = None
    if isinstance(case_or_patient, Case):
        prl = case_or_patient.latest("prolactin")
        prolactin = prl.value if prl is not None else None
        tsh = case_or_patient.latest("tsh")
        if tsh is not None and tsh.value > _TSH_HIGH_MIU_L:
            thyroid = "hypo"
        elif tsh is not None and tsh.value < _TSH_LOW_MIU_L:
            thyroid = "hyper"
    return Covariates(
        age_years=patient.age_years, bmi=patient.bmi,
        prolactin_ng_per_ml=prolactin, thyroid=thyroid,
    )


def parameters_of(who: PatientLike) -> Parameters:
    """Personalised parameters (the reference man for ``None``)."""
    if isinstance(who, Parameters):
        return who
    reference = reference_parameters()
    if who is None:
        return reference
    if isinstance(who, Covariates):
        return personalise(reference, who)
    return personalise(reference, covariates_of(who))


def history_of(who: PatientLike) -> Regimen:
    """A case's androgen history as regimen entries before t = 0 (empty otherwise)."""
    if isinstance(who, Case):
        return regimen_from_history(who)
    return Regimen(())
