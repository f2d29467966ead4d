"""The model-backed engine: a sample of virtual men -> parameters -> ``simulate_batch``.

Covariates enter through the model's own ``personalise`` (age, BMI); the baseline sperm
concentration scales daily sperm production relative to the reference man. On top of the
reference man, a :class:`PopulationModel` (the calibrated population, stored by
``androcast.calibrate`` in ``calibrate/data/fitted.yaml``) sets typical values, covariate
effects (ethnicity, age, kind of androgen) and inter-individual variability of the weak
parameters; the cohort's own variability then multiplies named parameters by each man's
lognormal factor.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import NDArray

from androcast._yaml import load_data
from androcast.drugs import DrugKind, get_drug
from androcast.errors import ParameterError, UnknownCodeError
from androcast.model.parameters import (
    Covariates,
    Parameters,
    personal_changes,
    reference_parameters,
)
from androcast.model.rhs import Inputs, rhs
from androcast.model.steady_state import reference_state
from androcast.population._model_link import parameter_names
from androcast.population.cohort import Cohort
from androcast.population.outcomes import Observable
from androcast.population.sampling import CohortSample
from androcast.population.summary import AbstractEngine
from androcast.regimens import DoseSchedule, Regimen, compile_regimen
from androcast.simulate.batch import BatchTrajectory, simulate_batch
from androcast.simulate.options import SolverOptions

FloatArray = NDArray[np.float64]

_MODIFIERS = (
    "leydig_factor",
    "shbg_factor",
    "dsp_factor",
    "gnrh_factor",
    "aromatase_factor",
    "prl",
)

#: Covariates a population effect may act on: numeric ones take a reference value,
#: categorical ones a level.
EFFECT_COVARIATES = ("age_years", "bmi", "baseline_concentration_m_per_ml", "ethnicity",
                     "androgen_kind")
_FITTED = "calibrate/data/fitted.yaml"
#: G: an adult testis, mL (shankaranarayana2019: non-users 23.2 mL by orchidometry); a
#: prepubertal pool is his testis volume over this
ADULT_TESTIS_ML = 20.0


@dataclass(frozen=True)
class CovariateEffect:
    """``parameter *= exp(log_effect * x)``: x = covariate - reference, or 1 at the level.

    A numeric covariate may be held to a ``span`` (low, high) first: the effect is then flat
    outside the ages (say) its source observed, and ``reference = low`` makes it a hinge
    that acts only above ``low``.
    """

    parameter: str
    covariate: str
    log_effect: float
    source: str
    reference: float | None = None  # numeric covariates
    level: str | None = None  # categorical covariates (ethnicity, androgen_kind)
    span: tuple[float, float] | None = None  # numeric covariates: clamp to [low, high]
    basis: str = ""  # why the effect has this form (flag and citations); kept on refits

    def exponent(self, cohort: Cohort, sample: CohortSample) -> FloatArray:
        """``log_effect * x`` per man (0 where the covariate is not in the cohort)."""
        n = len(sample)
        if self.level is not None:
            if self.covariate == "androgen_kind":
                kinds = _androgen_kinds(cohort, sample)
            else:
                kinds = sample.categories.get(self.covariate, ("",) * n)
            return self.log_effect * np.array([k == self.level for k in kinds], dtype=float)
        values = sample.covariates.get(self.covariate)
        if values is None:
            return np.zeros(n)
        if self.span is not None:
            values = np.clip(values, *self.span)
        return self.log_effect * (values - float(self.reference or 0.0))


@dataclass(frozen=True)
class PopulationModel:
    """Calibrated population: typical values, covariate effects and lognormal IIV (CV)."""

    typical: Mapping[str, float] = field(default_factory=dict)
    effects: tuple[CovariateEffect, ...] = ()
    variability: Mapping[str, float] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)  # "typical.k_rg" -> source

    def with_values(
        self,
        typical: Mapping[str, float] | None = None,
        log_effects: Sequence[float] | None = None,
        variability: Mapping[str, float] | None = None,
    ) -> PopulationModel:
        """A copy with some typical values, effects (in order) or CVs changed."""
        effects = self.effects
        if log_effects is not None:
            effects = tuple(
                CovariateEffect(e.parameter, e.covariate, float(v), e.source, e.reference,
                                e.level, e.span, e.basis)
                for e, v in zip(self.effects, log_effects, strict=True)
            )
        return PopulationModel(
            typical={**self.typical, **(typical or {})},
            effects=effects,
            variability={**self.variability, **(variability or {})},
            sources=self.sources,
        )


def _androgen_kinds(cohort: Cohort, sample: CohortSample) -> tuple[str, ...]:
    if cohort.androgen is None or sample.androgen_option is None:
        return (cohort.androgen_kind or "",) * len(sample)
    # a stack with any anabolic steroid is an AAS exposure (its kind is the strongest one's)
    kinds = []
    for o in cohort.androgen.options:
        found = [str(get_drug(e.drug).kind) for e in o.entries]
        kinds.append(str(DrugKind.aas) if str(DrugKind.aas) in found else found[0])
    return tuple(kinds[int(j)] for j in sample.androgen_option)


def parse_population_model(data: Any, *, source: str = "fitted.yaml") -> PopulationModel:
    """Check the mapping of a stored fit (``typical``, ``covariate_effects``, ``variability``)."""
    if not isinstance(data, Mapping):
        raise ParameterError(source, type(data).__name__, "a mapping")
    known = parameter_names()
    typical: dict[str, float] = {}
    sources: dict[str, str] = {}
    for name, entry in (data.get("typical") or {}).items():
        _check_parameter(name, known, f"{source}: typical")
        typical[name] = _number(entry, "value", f"{source}: typical.{name}")
        sources[f"typical.{name}"] = _source(entry, f"{source}: typical.{name}")
    variability: dict[str, float] = {}
    for name, entry in (data.get("variability") or {}).items():
        _check_parameter(name, known, f"{source}: variability")
        variability[name] = _number(entry, "cv", f"{source}: variability.{name}")
        sources[f"variability.{name}"] = _source(entry, f"{source}: variability.{name}")
    effects = []
    for i, entry in enumerate(data.get("covariate_effects") or []):
        where = f"{source}: covariate_effects[{i}]"
        if not isinstance(entry, Mapping):
            raise ParameterError(where, entry, "a mapping parameter, covariate, log_effect")
        _check_parameter(entry.get("parameter"), known, where)
        covariate = entry.get("covariate")
        if covariate not in EFFECT_COVARIATES:
            raise UnknownCodeError(f"{where}.covariate", covariate,
                                   "one of " + ", ".join(EFFECT_COVARIATES))
        categorical = covariate in ("ethnicity", "androgen_kind")
        if categorical and not entry.get("level"):
            raise ParameterError(f"{where}.level", entry.get("level"), "a level, e.g. asian")
        if categorical and "span" in entry:
            raise ParameterError(f"{where}.span", entry["span"], "no span on a categorical "
                                 "covariate (a span clamps a number)")
        if not categorical and "reference" not in entry:
            raise ParameterError(f"{where}.reference", None, "the covariate's reference value")
        if covariate == "androgen_kind" and entry["level"] not in set(DrugKind):
            raise UnknownCodeError(f"{where}.level", entry["level"],
                                   "one of " + ", ".join(DrugKind))
        effects.append(CovariateEffect(
            parameter=str(entry["parameter"]),
            covariate=str(covariate),
            log_effect=_number(entry, "log_effect", where),
            source=_source(entry, where),
            reference=None if categorical else _number(entry, "reference", where),
            level=str(entry["level"]) if categorical else None,
            span=None if categorical else _span(entry.get("span"), f"{where}.span"),
            basis=" ".join(str(entry.get("basis") or "").split()),
        ))
    return PopulationModel(typical, tuple(effects), variability, sources)


def _span(value: Any, where: str) -> tuple[float, float] | None:
    """An optional [low, high] of a numeric covariate (low < high, both finite)."""
    if value is None:
        return None
    numbers = value if isinstance(value, list | tuple) else ()
    if (len(numbers) != 2 or any(isinstance(v, bool) or not isinstance(v, int | float)
                                 or not math.isfinite(v) for v in numbers)
            or not numbers[0] < numbers[1]):
        raise ParameterError(where, value, "[low, high], two finite numbers with low < high")
    return float(numbers[0]), float(numbers[1])


def _check_parameter(name: Any, known: frozenset[str], where: str) -> None:
    if name not in known:
        raise UnknownCodeError(f"{where}.{name}", name, "a field of androcast.model.Parameters")


def _number(entry: Any, key: str, where: str) -> float:
    value = entry.get(key) if isinstance(entry, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParameterError(f"{where}.{key}", value, "a finite number")
    return float(value)


def _source(entry: Any, where: str) -> str:
    source = entry.get("source") if isinstance(entry, Mapping) else None
    if not source:
        raise ParameterError(f"{where}.source", source, "a source (androcast-fit:<target>)")
    return str(source)


@cache
def fitted_population() -> PopulationModel:
    """The calibrated population shipped with androcast (``calibrate/data/fitted.yaml``)."""
    path = resources.files("androcast").joinpath(_FITTED)
    if not path.is_file():
        return PopulationModel()
    return parse_population_model(load_data(path.read_text("utf-8")), source="fitted.yaml")


def reference_concentration_m_per_ml(p: Parameters) -> float:
    """Sperm concentration of the reference man at steady state (from the model's observe)."""
    _, observed = rhs(0.0, reference_state(p), p, Inputs(pulsatile=0.0), observe=True)
    return float(observed["sperm_concentration"])


def iiv_normals(cohort_seed: int, index: NDArray[np.int64], names: Sequence[str]) -> FloatArray:
    """Standard normals of the population IIV, shape (len(index), len(names)).

    Man ``i`` draws from ``SeedSequence(seed, spawn_key=(i, 1))``, a stream apart from the
    cohort's own (``spawn_key=(i,)``), so results do not depend on chunking and the same
    men keep the same draws when CVs change (common random numbers for calibration).
    """
    out = np.empty((index.size, len(names)))
    for row, i in enumerate(index):
        seq = np.random.SeedSequence(cohort_seed, spawn_key=(int(i), 1))
        out[row] = np.random.Generator(np.random.PCG64(seq)).standard_normal(len(names))
    return out


def cohort_parameters(
    sample: CohortSample,
    cohort: Cohort | None = None,
    population: PopulationModel | None = None,
) -> Parameters:
    """Parameters of every man of a sample, as (N,) arrays where men differ."""
    population = population or PopulationModel()
    ref = reference_parameters()
    n = len(sample)
    age = sample.covariates.get("age_years")
    bmi = sample.covariates.get("bmi")
    columns: dict[str, list[float]] = {name: [] for name in _MODIFIERS}
    for k in range(n):
        personal = personal_changes(  # personalise's values, without a Parameters per man
            ref,
            Covariates(
                age_years=None if age is None else float(age[k]),
                bmi=None if bmi is None else float(bmi[k]),
            ),
        )
        for name in _MODIFIERS:
            columns[name].append(float(personal[name] if name in personal
                                       else getattr(ref, name)))
    changes: dict[str, FloatArray] = {name: np.array(v) for name, v in columns.items()}
    baseline = sample.covariates.get("baseline_concentration_m_per_ml")
    if baseline is not None:
        changes["dsp_factor"] = (
            changes["dsp_factor"] * baseline / (reference_concentration_m_per_ml(ref))
        )

    prepubertal = sample.covariates.get("prepubertal_testis_volume_ml")
    if prepubertal is not None:
        # his pool of never-seeded spermatogonia scales with his testis volume, up to an
        # adult testis (liu2009: larger testes, faster induction; burris1988)
        changes["sg_pool"] = np.minimum(prepubertal / ADULT_TESTIS_ML, 1.0)

    def column(name: str) -> FloatArray:
        typical = float(population.typical.get(name, getattr(ref, name)))
        return changes.get(name, np.full(n, typical))

    for name, value in population.typical.items():
        changes[name] = np.full(n, value)
    if cohort is not None:
        for effect in population.effects:
            changes[effect.parameter] = column(effect.parameter) * np.exp(
                effect.exponent(cohort, sample))
    names = sorted(population.variability)
    if names:
        z = iiv_normals(cohort.seed if cohort is not None else 0, sample.index, names)
        for j, name in enumerate(names):
            sigma = math.sqrt(math.log1p(population.variability[name] ** 2))
            changes[name] = column(name) * np.exp(sigma * z[:, j])
    for name, factor in sample.parameter_factors.items():
        changes[name] = column(name) * factor
    return ref.replace(**changes)


@dataclass(frozen=True)
class ModelEngine(AbstractEngine):
    """The HPG model in the pulse-averaged mode, integrated by ``simulate_batch``.

    ``population`` defaults to the calibrated population shipped with androcast.
    """

    rtol: float = 1e-4
    atol: float = 1e-6
    population: PopulationModel = field(default_factory=fitted_population)

    def trajectory(
        self,
        cohort: Cohort,
        sample: CohortSample,
        t_d: FloatArray,
        observables: Sequence[str] | None = None,
    ) -> BatchTrajectory:
        """Any of the model's observables for the men of a sample at times ``t_d``."""
        t_start, schedules = self.schedules(cohort, sample, float(t_d[-1]))
        return simulate_batch(
            cohort_parameters(sample, cohort, self.population),
            schedules,
            t_d,
            t_start_d=t_start,
            control=SolverOptions(rtol=self.rtol, atol=self.atol),
            observables=observables,
            throw=False,  # one man who cannot be integrated is counted, not fatal to the cohort
        )

    def schedules(
        self, cohort: Cohort, sample: CohortSample, t_last_d: float
    ) -> tuple[float, list[DoseSchedule]]:
        """The integration start and every man's dose events up to a day past ``t_last_d``."""
        regimens = [sample.regimen(cohort, k) for k in range(len(sample))]
        starts = [e.start_d for r in regimens for e in r.entries]
        t_start = min([0.0, *starts])
        t_end = t_last_d + 1.0
        # men on equal regimens share one compiled schedule (a chunk of 200 of
        # contraception_liu2006 has ~70 distinct): compiled once, and the batch engine
        # builds its events once per schedule object
        compiled: dict[Regimen, DoseSchedule] = {}
        for r in regimens:
            if r not in compiled:
                compiled[r] = compile_regimen(r, t_start_d=t_start, t_end_d=t_end)
        return t_start, [compiled[r] for r in regimens]

    def observe(
        self, cohort: Cohort, sample: CohortSample, t_d: FloatArray
    ) -> Mapping[Observable, FloatArray]:
        trajectory = self.trajectory(cohort, sample, t_d, [str(o) for o in Observable])
        return {o: trajectory.values[str(o)] for o in Observable}
