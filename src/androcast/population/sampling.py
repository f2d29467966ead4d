"""Seeded sampling of virtual men: one random stream per man, whatever the chunking.

Man ``i`` of a cohort with seed ``s`` draws from ``SeedSequence(s).spawn(n)[i]``, built
directly as ``SeedSequence(s, spawn_key=(i,))`` (the same object) so that a chunk of men can
be sampled on any worker without spawning the whole cohort. Each man draws one vector of
uniforms in a fixed order (covariates in file order, androgen option and duration, then the
variability of each parameter); every distribution turns one uniform into one value.
Covariates of the couple (the partner's age, months already tried) draw from a second stream
of the man, ``spawn_key=(i, 2)``, so adding them to a cohort leaves its men as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from androcast.population.cohort import COUPLE_COVARIATES, Cohort
from androcast.population.distributions import Categorical, LogNormal
from androcast.regimens import Regimen, RegimenEntry

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


#: The side stream of a man's couple covariates (1 is the population IIV, ``engine``).
COUPLE_STREAM = 2


def patient_seed(cohort_seed: int, index: int) -> np.random.SeedSequence:
    """The seed of virtual man ``index``: the index-th child of ``SeedSequence(cohort_seed)``."""
    return np.random.SeedSequence(cohort_seed, spawn_key=(index,))


@dataclass(frozen=True)
class CohortSample:
    """Covariates, androgen exposure and parameter factors of a run of virtual men."""

    index: IntArray  # their numbers in the cohort (0-based)
    covariates: Mapping[str, FloatArray]  # numeric covariates
    categories: Mapping[str, tuple[str, ...]]  # categorical covariates (ethnicity)
    androgen_option: IntArray | None  # which AndrogenOption each man took
    androgen_doses: IntArray | None  # how many doses, ending one interval before time 0
    parameter_factors: Mapping[str, FloatArray]  # lognormal factors per parameter

    def __len__(self) -> int:
        return int(self.index.size)

    def history(self, cohort: Cohort, k: int) -> Regimen:
        """Man ``k``'s androgen exposure before time 0 (empty if the cohort has none).

        Every agent of his option (one, or a stack) is taken over the same span; with on/off
        cycles, the last "on" period ends at time 0 and the cohort's post-cycle regimen
        follows the end of every "on" period (its day 0)."""
        exposure = cohort.androgen
        if exposure is None or self.androgen_option is None:
            return Regimen(())
        assert self.androgen_doses is not None
        option = exposure.options[int(self.androgen_option[k])]
        assert option.entry.every_d is not None
        span_d = int(self.androgen_doses[k]) * option.entry.every_d
        if exposure.cycle is None:
            periods = [(-span_d, 0.0)]
        else:
            on_d, period_d = 7.0 * exposure.cycle.on_weeks, 7.0 * (
                exposure.cycle.on_weeks + exposure.cycle.off_weeks)
            periods = []
            end = 0.0
            while end - on_d * 0.5 > -span_d or not periods:
                periods.append((max(end - on_d, -span_d), end))
                end -= period_d
        entries: list[RegimenEntry] = []
        for start, end in periods:
            for entry in option.entries:
                assert entry.every_d is not None
                # last dose one interval before the end [handelsman2005]; stop is exclusive
                n_doses = max(round((end - start) / entry.every_d), 1)
                entries.append(RegimenEntry(entry.drug, entry.dose, entry.dose_unit,
                                            entry.route, entry.every_d,
                                            end - n_doses * entry.every_d,
                                            end - 0.5 * entry.every_d))
            entries += [replace(e, start_d=e.start_d + end, stop_d=e.stop_d + end)
                        for e in exposure.post_cycle.entries]
        return Regimen(tuple(sorted(entries, key=lambda e: e.start_d)))

    def regimen(self, cohort: Cohort, k: int) -> Regimen:
        """Man ``k``'s whole regimen: androgen history, then the cohort's treatment."""
        return self.history(cohort, k).combine(cohort.regimen)


def _own_covariates(cohort: Cohort) -> list[str]:
    return [name for name in cohort.covariates if name not in COUPLE_COVARIATES]


def _couple_covariates(cohort: Cohort) -> list[str]:
    return [name for name in cohort.covariates if name in COUPLE_COVARIATES]


def n_draws(cohort: Cohort) -> int:
    """How many uniforms each man consumes from his own stream."""
    return len(_own_covariates(cohort)) + (2 if cohort.androgen else 0) + len(cohort.variability)


def uniforms(cohort_seed: int, start: int, stop: int, k: int, stream: int | None = None
             ) -> FloatArray:
    """Uniforms of men ``start..stop-1``, shape (stop - start, k): row i from man i's stream
    (or from his numbered side stream ``spawn_key=(i, stream)``)."""
    out = np.empty((stop - start, k))
    for row, i in enumerate(range(start, stop)):
        seq = (patient_seed(cohort_seed, i) if stream is None
               else np.random.SeedSequence(cohort_seed, spawn_key=(i, stream)))
        out[row] = np.random.Generator(np.random.PCG64(seq)).random(k)
    return out


def sample_patients(cohort: Cohort, start: int, stop: int) -> CohortSample:
    """Sample men ``start..stop-1`` of the cohort (identical for any chunking)."""
    u = uniforms(cohort.seed, start, stop, n_draws(cohort))
    column = iter(range(u.shape[1]))
    covariates: dict[str, FloatArray] = {}
    categories: dict[str, tuple[str, ...]] = {}
    for name in _own_covariates(cohort):
        dist = cohort.covariates[name]
        draw = u[:, next(column)]
        if isinstance(dist, Categorical):
            categories[name] = tuple(dist.categories[j] for j in dist.index(draw))
        else:
            covariates[name] = dist.quantile(draw)
    couple = _couple_covariates(cohort)
    if couple:
        side = uniforms(cohort.seed, start, stop, len(couple), stream=COUPLE_STREAM)
        for j, name in enumerate(couple):
            dist = cohort.covariates[name]
            assert not isinstance(dist, Categorical)
            covariates[name] = dist.quantile(side[:, j])
    option = doses = None
    if cohort.androgen is not None:
        option = cohort.androgen.choice.index(u[:, next(column)])
        duration = cohort.androgen.duration_weeks
        assert not isinstance(duration, Categorical)
        duration_d = 7.0 * duration.quantile(u[:, next(column)])
        every_d = np.array([o.entry.every_d or 1.0 for o in cohort.androgen.options])[option]
        doses = np.maximum(np.rint(duration_d / every_d), 1).astype(np.int64)
    factors = {
        name: LogNormal(var.median, var.cv).quantile(u[:, next(column)])
        for name, var in cohort.variability.items()
    }
    return CohortSample(
        index=np.arange(start, stop, dtype=np.int64),
        covariates=covariates,
        categories=categories,
        androgen_option=option,
        androgen_doses=doses,
        parameter_factors=factors,
    )
